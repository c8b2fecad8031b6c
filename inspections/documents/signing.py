"""Digital signatures (chữ ký số) of issued documents: PAdES with pyHanko, and their check.

An issued conclusion, and the minutes frozen with it, are signed with the issuing body's
certificate, with a visible appearance in the signature block (signer, body, time in
Vietnam's time zone, ISO 8601), as Decree 30/2020/NĐ-CP's Appendix I shows for electronic
documents. Where the key lives, by configuration (app config, else the environment):

- a PKCS#11 token, the production option (a Vietnamese CA's USB token or an HSM):
  `SIGNING_PKCS11_MODULE` (the token's PKCS#11 library), `SIGNING_PKCS11_TOKEN_LABEL`,
  `SIGNING_PKCS11_KEY_LABEL`, `SIGNING_PKCS11_CERT_LABEL` (default: the key's label) and
  `SIGNING_PKCS11_PIN`; it needs `pip install python-pkcs11`;
- a PKCS#12 file: `SIGNING_PKCS12` (a path, e.g. under instance/) and
  `SIGNING_PKCS12_PASSWORD`;
- neither: a self-signed demo certificate, generated once into instance/signing/ (never in
  the repository). A PDF signed with it reads as intact but not trusted anywhere else.

`verify` reads every signature of an uploaded PDF with pyHanko's validator: who signed,
when, whether the signed bytes are intact and whether anything was changed after signing.
Certificates are trusted when they chain to the configured signing certificate or to one
of `SIGNING_TRUST_ROOTS` (paths of PEM or DER CA certificates, separated by the system's
path separator), e.g. the national root CA.
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
import secrets
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from flask import current_app
from flask_babel import lazy_gettext as _l
from fontTools.ttLib import TTFont
from fontTools.ttLib.scaleUpem import scale_upem
from pyhanko import stamp
from pyhanko.pdf_utils import text
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from inspections.errors import InvalidInput
from inspections.i18n import LOCAL_TZ

log = logging.getLogger(__name__)

FIELD = "ChuKySo"
FONT = Path(__file__).parent / "fonts" / "LiberationSerif-Regular.ttf"
STAMP_SIZE = 9  # pt
DEMO_FOLDER = "signing"
DEMO_FILE = "demo-signing.p12"
DEMO_PASSWORD_FILE = "demo-signing.password"  # noqa: S105 - a file name


def _stamp_font() -> Path:
    """The appearance's font, scaled to 1,000 units per em: pyHanko writes the glyph widths
    in font units, which PDF reads as thousandths of an em (Liberation Serif has 2,048)."""
    path = Path(current_app.instance_path) / DEMO_FOLDER / "stamp-LiberationSerif-1000.ttf"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        font = TTFont(str(FONT))
        scale_upem(font, 1000)
        if "FFTM" in font:  # a FontForge timestamp, which the subsetter does not know
            del font["FFTM"]
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
        font.save(str(tmp))
        os.replace(tmp, path)
    return path


T = TypeVar("T")


def _run(work: Callable[[], T]) -> T:
    """pyHanko's calls start an event loop of their own; where one already runs in this
    thread (an async server, or Playwright's in the browser tests), they run in another."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return work()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(work).result()


def _setting(name: str) -> str | None:
    return current_app.config.get(name) or os.environ.get(name) or None


# --- the key -------------------------------------------------------------------------------


def _demo_credentials() -> tuple[Path, bytes]:
    """The demo PKCS#12 file and its password, generated into instance/signing/ when absent."""
    folder = Path(current_app.instance_path) / DEMO_FOLDER
    path, password_path = folder / DEMO_FILE, folder / DEMO_PASSWORD_FILE
    if path.exists() and password_path.exists():
        return path, password_path.read_bytes().strip()
    folder.mkdir(parents=True, exist_ok=True)
    password = secrets.token_urlsafe(24).encode()
    body = current_app.config.get("DOCUMENT_AUTHORITY", "UBND THÀNH PHỐ HÀ NỘI")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, body),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{body} (chứng thư số thử nghiệm)"),
        ]
    )
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    data = pkcs12.serialize_key_and_certificates(
        b"demo-signing", key, certificate, None, serialization.BestAvailableEncryption(password)
    )
    for target, content in ((password_path, password), (path, data)):
        # Written aside then renamed, mode 0600: a second process sees a whole file or none.
        tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(content)
        if target.exists():  # another process made the pair first: use its files
            tmp.unlink()
            return path, password_path.read_bytes().strip()
        os.replace(tmp, target)
    log.warning("no signing certificate configured: generated the demo certificate %s", path)
    return path, password


@lru_cache(maxsize=4)
def _pkcs12_signer(path: str, password: bytes | None, mtime: float) -> signers.SimpleSigner:
    signer = signers.SimpleSigner.load_pkcs12(pfx_file=path, passphrase=password)
    if signer is None:
        raise RuntimeError(f"the signing certificate {path} could not be read (wrong password?)")
    return signer


def _pkcs11_signer(module: str) -> signers.Signer:
    # python-pkcs11 is needed only with a token, so it is imported only then.
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session

    key_label = _setting("SIGNING_PKCS11_KEY_LABEL")
    session = open_pkcs11_session(
        module,
        token_criteria=TokenCriteria(label=_setting("SIGNING_PKCS11_TOKEN_LABEL")),
        user_pin=_setting("SIGNING_PKCS11_PIN"),
    )
    return PKCS11Signer(
        session, key_label=key_label, cert_label=_setting("SIGNING_PKCS11_CERT_LABEL") or key_label
    )


def current_signer() -> signers.Signer:
    """The issuing body's signer, as configured (token, file, else the demo certificate)."""
    module = _setting("SIGNING_PKCS11_MODULE")
    if module:
        return _pkcs11_signer(module)
    configured = _setting("SIGNING_PKCS12")
    if configured:
        password = _setting("SIGNING_PKCS12_PASSWORD")
        path, secret = Path(configured), password.encode() if password else None
    else:
        path, secret = _demo_credentials()
    return _pkcs12_signer(str(path), secret, path.stat().st_mtime)


def subject_of(signer: signers.Signer) -> str:
    cert = signer.signing_cert
    return cert.subject.human_friendly if cert is not None else ""


def _body(cert: asn1_x509.Certificate | None) -> str:
    if cert is None:
        return ""
    names = cert.subject.native
    return names.get("common_name") or names.get("organization_name") or cert.subject.human_friendly


# --- signing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Placement:
    """Where the visible signature goes: a page (from 0) and a box in PDF points."""

    page: int
    box: tuple[float, float, float, float]


@dataclass(frozen=True)
class Signed:
    data: bytes
    signed_at: datetime
    subject: str


class _AtTime(signers.PdfSigner):
    """A PdfSigner whose signing time is given, so that the appearance and the CMS
    signing-time attribute tell the same second, in Vietnam's time zone."""

    def __init__(self, *args: Any, signing_time: datetime, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._signing_time = signing_time

    def init_signing_session(self, pdf_out: Any, existing_fields_only: bool = False) -> Any:
        session = super().init_signing_session(pdf_out, existing_fields_only)
        session.system_time = self._signing_time
        return session


def sign(pdf: bytes, placement: Placement, *, signer_name: str, reason: str, location: str) -> Signed:
    """Sign `pdf` (PAdES baseline B, SHA-256) with a visible appearance at `placement`."""
    signer = current_signer()
    signed_at = datetime.now(LOCAL_TZ).replace(microsecond=0)
    body = _body(signer.signing_cert)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    x1, y1, x2, y2 = placement.box
    fields.append_signature_field(
        writer,
        fields.SigFieldSpec(FIELD, on_page=placement.page, box=(int(x1), int(y1), int(x2), int(y2))),
    )
    style = stamp.TextStampStyle(
        stamp_text="Người ký: %(name)s\nCơ quan: %(body)s\nThời gian ký: %(time)s",
        # The shaping and the drawing size must agree, or the letters drift apart.
        text_box_style=text.TextBoxStyle(
            font=GlyphAccumulatorFactory(str(_stamp_font()), font_size=STAMP_SIZE),
            font_size=STAMP_SIZE,
            leading=STAMP_SIZE + 2,
        ),
        border_width=1,
    )
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
        name=signer_name or None,
    )
    pdf_signer = _AtTime(meta, signer=signer, stamp_style=style, signing_time=signed_at)
    params = {"name": signer_name, "body": body, "time": signed_at.isoformat()}
    out = _run(lambda: pdf_signer.sign_pdf(writer, appearance_text_params=params))
    return Signed(out.getvalue(), signed_at.astimezone(UTC), subject_of(signer))


# --- checking ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignatureReport:
    field: str
    signer: str  # the certificate's subject
    signer_name: str  # the name given when signing (/Name)
    signed_at: datetime | None
    intact: bool  # the signed bytes are unchanged and the signature is valid
    unchanged_since: bool  # nothing, or only signatures and timestamps, added since
    trusted: bool  # the certificate chains to a trusted root

    @property
    def altered(self) -> bool:
        return not (self.intact and self.unchanged_since)


def _load_certificates(path: Path) -> list[asn1_x509.Certificate]:
    data = path.read_bytes()
    if pem.detect(data):
        return [asn1_x509.Certificate.load(der) for _type, _headers, der in pem.unarmor(data, multiple=True)]
    return [asn1_x509.Certificate.load(data)]


def trust_roots() -> list[asn1_x509.Certificate]:
    """The certificates a signature may chain to: ours and the configured CAs."""
    roots = []
    try:
        cert = current_signer().signing_cert
    except Exception:  # no usable key here: only the configured roots are trusted
        log.warning("signing certificate unavailable for verification", exc_info=True)
        cert = None
    if cert is not None:
        roots.append(cert)
    for name in (_setting("SIGNING_TRUST_ROOTS") or "").split(os.pathsep):
        if name.strip():
            roots.extend(_load_certificates(Path(name.strip())))
    return roots


def verify(data: bytes) -> list[SignatureReport]:
    """Every signature of the PDF; an empty list for an unsigned one."""
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded = list(reader.embedded_signatures)
    except (PdfError, ValueError, KeyError, TypeError) as exc:
        log.info("unreadable PDF uploaded for verification: %s", exc)
        raise InvalidInput(_l("This file cannot be read as a PDF.")) from exc
    context = ValidationContext(trust_roots=trust_roots(), allow_fetching=False, revocation_mode="soft-fail")
    reports = []
    for signature in embedded:
        try:
            status = _run(lambda: validate_pdf_signature(signature, context))  # noqa: B023 - run at once
        except Exception as exc:  # a malformed signature is reported, not a 500
            log.info("signature %s could not be validated: %s", signature.field_name, exc)
            reports.append(SignatureReport(signature.field_name, "", "", None, False, False, False))
            continue
        cert = status.signing_cert
        name = signature.sig_object.get("/Name")
        # Later revisions that only add signatures or timestamps leave it unchanged.
        unchanged = status.coverage == SignatureCoverageLevel.ENTIRE_FILE or (
            status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
            and status.modification_level is not None
            and status.modification_level <= ModificationLevel.LTA_UPDATES
        )
        signed_at = status.signer_reported_dt
        reports.append(
            SignatureReport(
                field=signature.field_name,
                signer=cert.subject.human_friendly if cert is not None else "",
                signer_name=str(name) if name else "",
                signed_at=signed_at.astimezone(UTC) if signed_at else None,
                intact=bool(status.intact and status.valid),
                unchanged_since=unchanged,
                trusted=bool(status.trusted),
            )
        )
    return reports
