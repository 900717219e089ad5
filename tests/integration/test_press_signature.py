"""The press reuses what it can across documents (issue 10's benchmark): one font configuration
and parsed stylesheet, one signer per key whose signing-certificate attribute is made once.
What it prints and signs must be what a fresh press and pyHanko's own signer would make: the
same text, the same CMS but for the digest and the signature, valid to pyHanko and pdfsig."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pypdf
import pytest
from asn1crypto import cms
from asn1crypto import keys as asn1_keys
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from lexdesk.adapters.press import SIGNATURE_BYTES, PdfPress, _asn1_cert, _chain
from lexdesk.domain.documents import CODE_MARKER, SigningKey

CODE = "7K2M-Q9XD-4HRT"
PASSPHRASE = "press test passphrase"
HTML = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Request</title>
</head><body><h1>Information request</h1><dl class="facts"><dt>To</dt><dd>DOC</dd>
<dt>Subject</dt><dd>Sam Benchperson {n}</dd></dl><ul class="boxes"><li class="checked">
Provide the subject's release date</li><li>Hold the subject</li></ul>
<p class="code">{code}</p></body></html>"""


def usage(*, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not ca, content_commitment=not ca, key_encipherment=False,
        data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
        encipher_only=False, decipher_only=False,
    )  # fmt: skip


def imported_rsa(press: PdfPress, at: datetime) -> SigningKey:
    """An agency key of another PKI: RSA, certified by a root of its own."""
    root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    mine = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def cert(subject: str, key: rsa.RSAPrivateKey, ca: bool) -> x509.Certificate:
        return (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
            .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Example Root")]))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(at - timedelta(days=1))
            .not_valid_after(at + timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
            .add_extension(usage(ca=ca), critical=True)
            .sign(root_key, hashes.SHA256())
        )

    chain = b"".join(
        c.public_bytes(serialization.Encoding.PEM)
        for c in (cert("ICE (imported)", mine, False), cert("Example Root", root_key, True))
    )
    key_pem = mine.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return press.import_key("key-rsa", "ice", key_pem, None, chain, at)


@pytest.fixture(scope="module")
def keys() -> dict[str, tuple[SigningKey, SigningKey]]:
    press = PdfPress(PASSPHRASE, "https://desk.example")
    at = datetime.now(UTC)
    ca = press.new_ca("key-ca", at)
    return {
        "ec": (press.new_key("key-ec", "ice", "ICE", ca, at), ca),
        "rsa": (imported_rsa(press, at), ca),
    }


def cms_of(pdf: bytes) -> cms.ContentInfo:
    found = re.search(rb"/Contents\s*<([0-9a-fA-F]+)>", pdf)
    assert found is not None
    return cms.ContentInfo.load(bytes.fromhex(found.group(1).decode()).rstrip(b"\0"))


def pyhanko_own(pdf: bytes, key: SigningKey, ca: SigningKey) -> bytes:
    """The document signed the way the press signed before it kept anything: a fresh pyHanko
    signer with its default attributes."""
    private = serialization.load_pem_private_key(key.encrypted_key, PASSPHRASE.encode())
    der = private.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    signer = signers.SimpleSigner(
        signing_cert=_asn1_cert(key.certificate_pem),
        signing_key=asn1_keys.PrivateKeyInfo.load(der),
        cert_registry=SimpleCertificateStore.from_certs(  # type: ignore[no-untyped-call]
            _chain(key.certificate_pem)[1:] or _chain(ca.certificate_pem)
        ),
    )
    meta = signers.PdfSignatureMetadata(
        field_name=f"lexdesk-{CODE}",
        reason=CODE_MARKER + CODE,
        name="ICE",
        subfilter=fields.SigSeedSubFilter.PADES,
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    signed = signers.sign_pdf(writer, meta, signer=signer, bytes_reserved=SIGNATURE_BYTES)
    out: bytes = signed.getvalue()
    return out


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def test_a_reused_press_prints_what_a_fresh_one_prints() -> None:
    reused = PdfPress(PASSPHRASE, "https://desk.example")
    for n in range(3):
        html = HTML.format(n=n, code=CODE)
        again = reused.print_html(html, stylesheet=True)
        fresh = PdfPress(PASSPHRASE, "https://desk.example").print_html(html, stylesheet=True)
        assert text_of(again) == text_of(fresh)
        assert f"Sam Benchperson {n}" in text_of(again)


@pytest.mark.parametrize("kind", ["ec", "rsa"])
def test_the_kept_signer_signs_as_pyhanko_does_and_every_signature_is_valid(
    kind: str, keys: dict[str, tuple[SigningKey, SigningKey]], tmp_path: Path
) -> None:
    key, ca = keys[kind]
    press = PdfPress(PASSPHRASE, "https://desk.example")
    unsigned = press.print_html(HTML.format(n=1, code=CODE), stylesheet=True)
    ours = [press.sign(unsigned, key, ca, CODE, "ICE") for _ in range(3)]
    theirs = cms_of(pyhanko_own(unsigned, key, ca))["content"]
    trusted = _chain(key.certificate_pem)[1:] or _chain(ca.certificate_pem)
    for pdf in ours:
        mine = cms_of(pdf)["content"]
        for part in ("version", "digest_algorithms", "encap_content_info"):
            assert mine[part].dump() == theirs[part].dump(), part
        assert sorted(c.dump() for c in mine["certificates"]) == sorted(
            c.dump() for c in theirs["certificates"]
        )
        signer, expected = mine["signer_infos"][0], theirs["signer_infos"][0]
        for part in ("version", "sid", "digest_algorithm", "signature_algorithm"):
            assert signer[part].dump() == expected[part].dump(), part
        assert [(a["type"].native, a.dump()) for a in signer["signed_attrs"]
                if a["type"].native != "message_digest"] == [
            (a["type"].native, a.dump()) for a in expected["signed_attrs"]
            if a["type"].native != "message_digest"
        ]  # fmt: skip
        assert text_of(pdf) == text_of(unsigned)

        embedded = PdfFileReader(io.BytesIO(pdf)).embedded_signatures[0]
        status = validate_pdf_signature(
            embedded, ValidationContext(trust_roots=trusted, allow_fetching=False)
        )
        assert status.intact and status.valid and status.trusted
        assert status.signing_cert.dump() == _asn1_cert(key.certificate_pem).dump()

        if shutil.which("pdfsig") is not None:
            path = tmp_path / "signed.pdf"
            path.write_bytes(pdf)
            checked = subprocess.run(
                ["pdfsig", str(path)], capture_output=True, text=True, check=False
            )
            assert "Signature Validation: Signature is Valid." in checked.stdout
