"""An agency signs with a key its own PKI certified (issue 10, item 2): imported with its
chain, checked (the certificate is the key's, in force, for signatures), kept encrypted; the
documents it signs name that signer to pdfsig, and what the old key signed stays verifiable."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from sqlalchemy import Engine

from lexdesk.domain.documents import Result
from lexdesk.domain.errors import InvalidInput, NotPermitted
from lexdesk.services import accounts, documents, signing
from lexdesk.services.context import Desk
from tests.documents_world import Ladder, ladder, needs_poppler, seed
from tests.integration.test_documents import make_desk

pytestmark = needs_poppler


def name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def certify(
    subject: str, key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey, issuer: str,
    issuer_key: ec.EllipticCurvePrivateKey, *, ca: bool, days: int = 365, start_days: int = -1,
) -> x509.Certificate:  # fmt: skip
    now = datetime.now(UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(name(subject))
        .issuer_name(name(issuer))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now + timedelta(days=start_days))
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .sign(issuer_key, hashes.SHA256())
    )


def pem(*certs: x509.Certificate) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


def key_pem(key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey, password: bytes | None) -> bytes:
    crypt = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, crypt)


@pytest.fixture
def world(engine: Engine) -> tuple[Desk, Ladder]:
    desk = make_desk(engine)
    seed(desk)
    return desk, ladder(desk)


def test_an_imported_key_signs_with_its_own_chain(
    world: tuple[Desk, Ladder], tmp_path: Path
) -> None:
    desk, steps = world
    reader = accounts.principal_at_command_line(desk, "ice-officer")
    before = documents.render(desk, reader, steps.detainer, source="t").pdf
    root_key = ec.generate_private_key(ec.SECP256R1())
    root = certify("Example Government Root CA", root_key, "Example Government Root CA",
                   root_key, ca=True)  # fmt: skip
    agency_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    leaf = certify("ICE Field Office (imported)", agency_key, "Example Government Root CA",
                   root_key, ca=False)  # fmt: skip
    made = signing.import_key(
        desk, "ice-admin", "ice", key_pem(agency_key, b"secret"), b"secret", pem(leaf, root), "t"
    )
    assert made.certificate_pem.count("BEGIN CERTIFICATE") == 2
    after = documents.render(desk, reader, steps.detainer, source="t").pdf
    path = tmp_path / "after.pdf"
    path.write_bytes(after)
    checked = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, check=False)
    assert "Signature is Valid." in checked.stdout
    assert "Signer Certificate Common Name: ICE Field Office (imported)" in checked.stdout
    for pdf in (before, after):
        assert documents.verify_file(desk, pdf, source="t").result is Result.AUTHENTIC


def test_a_key_that_cannot_sign_is_refused(world: tuple[Desk, Ladder]) -> None:
    desk, _ = world
    root_key = ec.generate_private_key(ec.SECP256R1())
    mine = ec.generate_private_key(ec.SECP256R1())
    other = ec.generate_private_key(ec.SECP256R1())
    theirs = certify("Someone else", other, "Root", root_key, ca=False)
    lapsed = certify("Lapsed", mine, "Root", root_key, ca=False, days=-1, start_days=-30)
    for key, chain, password, words in (
        (key_pem(mine, None), pem(theirs), None, "no certificate given is the private key's"),
        (key_pem(mine, None), pem(lapsed), None, "cannot sign today"),
        (key_pem(mine, b"pw"), pem(lapsed), b"wrong", "cannot be read"),
        (b"not a key", pem(theirs), None, "cannot be read"),
    ):
        with pytest.raises(InvalidInput, match=words):
            signing.import_key(desk, "ice-admin", "ice", key, password, chain, "t")
    with pytest.raises(NotPermitted):
        signing.import_key(desk, "doc-admin", "ice", key_pem(mine, None), None, pem(theirs), "t")
