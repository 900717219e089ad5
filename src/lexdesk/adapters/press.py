"""The press: documents laid out from Jinja2 templates, printed to PDF by WeasyPrint, signed
(PAdES) by pyHanko with the issuing agency's key, and read back for verification
(docs/adr/0018-documents.md).

Keys are EC P-256, certified by the deployment's CA; private keys are kept encrypted (PKCS #8,
the best encryption ``cryptography`` offers) under the deployment's key passphrase, and
decrypted here only, once per key per process.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import io
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from jinja2 import Environment, FileSystemLoader, select_autoescape

from lexdesk.adapters.seals import seal_data_uri
from lexdesk.domain.documents import CODE_MARKER, KeyPurpose, SigningKey
from lexdesk.domain.errors import InvalidInput
from lexdesk.domain.production import Exhibit

if TYPE_CHECKING:
    from asn1crypto import x509 as asn1_x509
    from pyhanko.sign import signers

# WeasyPrint and pyHanko take a second and more to import: they are imported on the first
# document, not by every command that builds the application.

T = TypeVar("T")
TEMPLATES = Path(__file__).parent / "templates" / "documents"
#: How long a certificate is valid: the CA's, and an agency key's.
CA_YEARS = 20
KEY_YEARS = 5
#: Room kept in the PDF for the signature (a CMS with an EC signature and two certificates
#: takes about 1.5 KB).
SIGNATURE_BYTES = 6144
_CODE_IN_PDF = re.compile(rb"/Reason\s*\(" + re.escape(CODE_MARKER.encode()) + rb"([^)]{12,60})\)")
_ENCRYPTED = re.compile(rb"/Encrypt\s*[0-9<]")


class PdfPress:
    def __init__(self, passphrase: str, base_url: str) -> None:
        if not passphrase:
            raise ValueError("the key passphrase is empty")
        self._passphrase = passphrase.encode()
        self._verify_url = base_url.rstrip("/") + "/verify"
        self._env = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=select_autoescape(["html"]),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self._fonts: Any = None
        self._css: Any = None
        self._signers: dict[str, signers.SimpleSigner] = {}
        self._lock = threading.Lock()
        self._local = threading.local()

    # -- keys ---------------------------------------------------------------------------------

    def new_ca(self, key_id: str, at: datetime) -> SigningKey:
        private = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name(
            [
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "lexdesk"),
                x509.NameAttribute(NameOID.COMMON_NAME, f"lexdesk deployment CA {key_id}"),
            ]
        )
        cert = (
            self._builder(name, name, private.public_key(), at, CA_YEARS)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_usage(ca=True), critical=True)
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(private.public_key()), critical=False
            )
            .sign(private, hashes.SHA256())
        )
        return self._key(key_id, KeyPurpose.CA, None, "lexdesk deployment CA", cert, private, at)

    def new_key(
        self, key_id: str, agency_id: str, subject: str, ca: SigningKey, at: datetime
    ) -> SigningKey:
        ca_private = self._private(ca)
        ca_cert = x509.load_pem_x509_certificate(ca.certificate_pem.encode())
        private = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name(
            [
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, subject[:64]),
                x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, agency_id[:64]),
                x509.NameAttribute(NameOID.COMMON_NAME, subject[:64]),
            ]
        )
        cert = (
            self._builder(name, ca_cert.subject, private.public_key(), at, KEY_YEARS)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_usage(ca=False), critical=True)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_cert.public_key()),  # type: ignore[arg-type]
                critical=False,
            )
            .sign(ca_private, hashes.SHA256())
        )
        return self._key(key_id, KeyPurpose.AGENCY, agency_id, subject, cert, private, at)

    def import_key(
        self,
        key_id: str,
        agency_id: str,
        key_pem: bytes,
        key_password: bytes | None,
        chain_pem: bytes,
        at: datetime,
    ) -> SigningKey:
        """An agency's key and certificate issued elsewhere (a government PKI, an HSM's
        export), with the chain that certifies it: kept like a key of our own, the private
        half encrypted under the deployment's passphrase, the certificate first and its chain
        after it, so that readers who trust that PKI see the signer as trusted."""
        try:
            private = serialization.load_pem_private_key(key_pem, key_password)
        except (ValueError, TypeError):
            raise InvalidInput(
                "the private key cannot be read: give a PEM key, and its password if it has one"
            ) from None
        if not isinstance(private, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
            raise InvalidInput("the private key is neither an EC nor an RSA key")
        try:
            certs = x509.load_pem_x509_certificates(chain_pem)
        except ValueError:
            raise InvalidInput("the certificates cannot be read: give them in PEM") from None
        mine = private.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        leaf = next(
            (
                c
                for c in certs
                if c.public_key().public_bytes(
                    serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
                )
                == mine
            ),
            None,
        )
        if leaf is None:
            raise InvalidInput(
                "no certificate given is the private key's: give the one it signs for"
            )
        now = datetime.now(UTC)
        if not leaf.not_valid_before_utc <= now <= leaf.not_valid_after_utc:
            raise InvalidInput(
                f"the certificate is valid from {leaf.not_valid_before_utc:%Y-%m-%d} to "
                f"{leaf.not_valid_after_utc:%Y-%m-%d}: it cannot sign today"
            )
        try:
            usage = leaf.extensions.get_extension_for_class(x509.KeyUsage).value
            if not usage.digital_signature:
                raise InvalidInput("the certificate does not allow digital signatures")
        except x509.ExtensionNotFound:
            pass
        chain = [c for c in certs if c is not leaf]
        subject = leaf.subject.rfc4514_string()
        made = self._key(key_id, KeyPurpose.AGENCY, agency_id, subject, leaf, private, at)
        extra = "".join(c.public_bytes(serialization.Encoding.PEM).decode() for c in chain)
        return dataclasses.replace(made, certificate_pem=made.certificate_pem + extra)

    def _builder(
        self,
        subject: x509.Name,
        issuer: x509.Name,
        public: ec.EllipticCurvePublicKey,
        at: datetime,
        years: int,
    ) -> x509.CertificateBuilder:
        # Valid from the desk's moment (a test's clock may be years behind) to years after
        # the real one, so that a reader checking the signature today finds it in force.
        now = datetime.now(UTC)
        return (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer)
            .public_key(public)
            .serial_number(x509.random_serial_number())
            .not_valid_before(min(at, now) - timedelta(minutes=5))
            .not_valid_after(max(at, now) + timedelta(days=365 * years))
        )

    def _key(
        self,
        key_id: str,
        purpose: KeyPurpose,
        agency_id: str | None,
        subject: str,
        cert: x509.Certificate,
        private: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey,
        at: datetime,
    ) -> SigningKey:
        encrypted = private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(self._passphrase),
        )
        der = cert.public_bytes(serialization.Encoding.DER)
        return SigningKey(
            id=key_id,
            purpose=purpose,
            agency_id=agency_id,
            subject=subject[:200],
            certificate_pem=cert.public_bytes(serialization.Encoding.PEM).decode(),
            encrypted_key=encrypted,
            fingerprint=hashlib.sha256(der).hexdigest(),
            created_at=at,
        )

    def _private(self, key: SigningKey) -> ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey:
        try:
            private = serialization.load_pem_private_key(key.encrypted_key, self._passphrase)
        except ValueError:
            raise InvalidInput(
                f"key {key.id} cannot be decrypted: LEXDESK_KEY_PASSPHRASE is not the passphrase "
                "it was stored under"
            ) from None
        assert isinstance(private, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey)
        return private

    def _signer(self, key: SigningKey, ca: SigningKey) -> signers.SimpleSigner:
        from asn1crypto import keys as asn1_keys
        from pyhanko.sign import signers
        from pyhanko_certvalidator.registry import SimpleCertificateStore

        with self._lock:
            found = self._signers.get(key.id)
            if found is None:
                der = self._private(key).private_bytes(
                    serialization.Encoding.DER,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
                # An imported key carries its own chain after its certificate; ours, the CA.
                chain = _chain(key.certificate_pem)[1:] or _chain(ca.certificate_pem)
                cert = _asn1_cert(key.certificate_pem)
                found = signers.SimpleSigner(
                    signing_cert=cert,
                    signing_key=asn1_keys.PrivateKeyInfo.load(der),
                    cert_registry=SimpleCertificateStore.from_certs(chain),  # type: ignore[no-untyped-call]
                )
                found.signed_attr_prov_spec = _pades_attributes(cert)
                self._signers[key.id] = found
            return found

    # -- documents ----------------------------------------------------------------------------

    def render(self, content: dict[str, Any]) -> bytes:
        return self.html_pdf("document.html", content)

    def report(self, content: dict[str, Any]) -> bytes:
        return self.html_pdf("report.html", content)

    def html_pdf(self, template: str, content: dict[str, Any], **extra: Any) -> bytes:
        """A document template printed to PDF: ``content`` as ``doc``, with its QR code and the
        signer's seal; ``extra`` goes to the template as it is."""
        import segno

        url = f"{self._verify_url}?code={content['code']}"
        qr = segno.make(url, error="m", mask=2, boost_error=False).png_data_uri(scale=1, border=0)
        seal = content["signer"].get("seal_png")
        html = self._env.get_template(template).render(
            doc=content,
            verify_url=self._verify_url,
            verify_link=url,
            qr=qr,
            seal=seal_data_uri(seal) if seal else None,
            **extra,
        )
        return self.print_html(html, stylesheet=True)

    def print_html(self, html: str, *, stylesheet: bool) -> bytes:
        """HTML to PDF, loading nothing from anywhere; with the documents' stylesheet or none
        (a page that brings its own, like the Bates stamps)."""
        import weasyprint
        from weasyprint.text.fonts import FontConfiguration

        if self._fonts is None:
            self._fonts = FontConfiguration()
            css = (TEMPLATES / "document.css").read_text(encoding="utf-8")
            self._css = weasyprint.CSS(string=css, font_config=self._fonts)
        page = weasyprint.HTML(string=html, url_fetcher=self._fetcher())
        sheets = [self._css] if stylesheet else []
        pdf: bytes = page.write_pdf(stylesheets=sheets, font_config=self._fonts)
        return pdf

    def _fetcher(self) -> Any:
        """This thread's URL fetcher, made on its first document: making one (a urllib opener)
        costs a fifth of a millisecond, and it keeps state between fetches, so threads do not
        share one."""
        fetcher = getattr(self._local, "fetcher", None)
        if fetcher is None:
            fetcher = self._local.fetcher = _data_only()
        return fetcher

    def produce(
        self, content: dict[str, Any], exhibits: Sequence[Exhibit], prefix: str, first: int
    ) -> tuple[bytes, int]:
        from lexdesk.adapters.binder import bind

        return bind(self, content, exhibits, prefix, first)

    def sign(self, pdf: bytes, key: SigningKey, ca: SigningKey, code: str, signer: str) -> bytes:
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.sign import fields, signers

        writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
        meta = signers.PdfSignatureMetadata(
            field_name=f"lexdesk-{code}",
            reason=CODE_MARKER + code,
            name=signer[:200],
            subfilter=fields.SigSeedSubFilter.PADES,
        )
        # A fixed reservation spares pyHanko a trial signature to size it (half the cost).
        chosen = self._signer(key, ca)
        out = _outside_any_event_loop(
            lambda: signers.sign_pdf(writer, meta, signer=chosen, bytes_reserved=SIGNATURE_BYTES)
        )
        signed: bytes = out.getvalue()
        return signed

    def claimed_code(self, pdf: bytes) -> str | None:
        if not pdf.lstrip()[:5] == b"%PDF-":
            raise InvalidInput("the file is not a PDF")
        if _ENCRYPTED.search(pdf[-4096:]) or _ENCRYPTED.search(pdf[:4096]):
            raise InvalidInput("the PDF is encrypted: lexdesk issues none, so it is not one")
        found = _CODE_IN_PDF.search(pdf)
        if found:
            return _unescape(found.group(1))
        from pyhanko.pdf_utils.reader import PdfFileReader

        try:
            reader = PdfFileReader(io.BytesIO(pdf), strict=False)
            if reader.encrypted:
                raise InvalidInput("the PDF is encrypted: lexdesk issues none, so it is not one")
            reader.root  # noqa: B018 - reading the catalogue parses the cross-references
        except InvalidInput:
            raise
        except Exception:
            raise InvalidInput("the PDF is malformed: it cannot be read") from None
        return None


def _outside_any_event_loop(call: Callable[[], T]) -> T:
    """pyHanko signs through ``asyncio.run``, which refuses to run in a thread whose event
    loop is running (an async caller, a test driving a browser): there, sign in a thread of
    its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return call()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call).result()


def _usage(*, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not ca,
        content_commitment=not ca,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def _asn1_cert(pem: str) -> asn1_x509.Certificate:
    from asn1crypto import x509 as asn1_x509

    der = x509.load_pem_x509_certificate(pem.encode()).public_bytes(serialization.Encoding.DER)
    return asn1_x509.Certificate.load(der)


def _chain(pem: str) -> list[asn1_x509.Certificate]:
    """Every certificate of a PEM bundle, in order."""
    from asn1crypto import x509 as asn1_x509

    return [
        asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER))
        for c in x509.load_pem_x509_certificates(pem.encode())
    ]


def _unescape(raw: bytes) -> str | None:
    """A PDF literal string's octal escapes undone (pyHanko writes ``-`` as ``\\055``)."""
    text = re.sub(rb"\\([0-7]{1,3})", lambda m: bytes([int(m.group(1), 8)]), raw)
    try:
        return text.decode("ascii").strip()
    except UnicodeDecodeError:
        return None


def _data_only() -> Any:
    """Documents load nothing from anywhere: only the data: URIs the press itself embeds."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols=("data",), fail_on_errors=True)


def _pades_attributes(cert: asn1_x509.Certificate) -> Any:
    """The signed attributes pyHanko gives a PAdES signature when nothing else is asked (its
    ``CAdESSignedAttributeProviderSpec`` for PAdES, without CAdES extras or a timestamp): the
    signing-certificate-v2 attribute, which names the signer's certificate and hashes it,
    byte for byte the same, but made once per key and kept as DER. Made afresh for every
    signature, asn1crypto serialises it four times over, which was two thirds of a signature's
    cost (docs/benchmarks.md). pyHanko adds the content type and the message digest itself."""
    from asn1crypto import tsp
    from pyhanko.sign.attributes import CMSAttributeProvider, SignedAttributeProviderSpec
    from pyhanko.sign.general import as_signing_certificate_v2

    der = as_signing_certificate_v2(cert).dump()

    class SigningCertificate(CMSAttributeProvider):
        attribute_type = "signing_certificate_v2"

        async def build_attr_value(self, dry_run: bool = False) -> Any:
            # Parsed from its DER, it is written back as it was, not serialised again.
            return tsp.SigningCertificateV2.load(der)

    class PadesAttributes(SignedAttributeProviderSpec):
        def signed_attr_providers(
            self, data_digest: bytes, digest_algorithm: str
        ) -> Iterator[CMSAttributeProvider]:
            yield SigningCertificate()

    return PadesAttributes()
