"""The checked upload store: files recognised by their content, size-limited, stored
once by SHA-256. Evidence, case attachments, unit uploads and issued documents all use it.

A file is checked completely before anything is written, so a refused upload leaves
nothing behind. Files live under instance/<folder>/<first two hex digits>/<sha256>.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image

from inspections.errors import InvalidInput
from inspections.i18n import LOCAL_TZ

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# content type -> (name, accepted file name endings)
KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "image/jpeg": ("JPEG", (".jpg", ".jpeg")),
    "image/png": ("PNG", (".png",)),
    "image/webp": ("WebP", (".webp",)),
    "application/pdf": ("PDF", (".pdf",)),
    DOCX: ("DOCX", (".docx",)),
}


@dataclass(frozen=True)
class CheckedFile:
    filename: str
    content_type: str
    data: bytes
    sha256: str
    taken_at: datetime | None

    @property
    def is_photo(self) -> bool:
        return self.content_type.startswith("image/")


def max_bytes() -> int:
    return int(current_app.config.get("EVIDENCE_MAX_BYTES", DEFAULT_MAX_BYTES))


def sniff(data: bytes) -> str | None:
    """The content type the bytes really are, from their magic numbers; None if not accepted."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                if "word/document.xml" in archive.namelist():
                    return DOCX
        except zipfile.BadZipFile:
            return None
    return None


def _check_name(filename: str | None) -> str:
    name = (filename or "").strip()
    if not name:
        raise InvalidInput(_l("Choose a file to upload."))
    if "/" in name or "\\" in name or "\x00" in name or name in {".", ".."} or ":" in name:
        raise InvalidInput(
            _l("The file name must not contain a folder path: send the file by its name only.")
        )
    if len(name) > 200:
        raise InvalidInput(_l("The file name is too long (at most 200 characters)."))
    return name


def photo_time(data: bytes) -> datetime | None:
    """When the photo was taken, from its EXIF DateTimeOriginal (local time in Vietnam)."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            exif = image.getexif()
            raw = exif.get_ifd(0x8769).get(36867) or exif.get(306)  # DateTimeOriginal, DateTime
    except Exception:  # a photo without readable EXIF simply has no time
        return None
    if not raw:
        return None
    try:
        local = datetime.strptime(str(raw).strip("\x00 "), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    return local.replace(tzinfo=LOCAL_TZ).astimezone(UTC)


def check_upload(
    stream: IO[bytes], filename: str | None, *, client_time: datetime | None = None
) -> CheckedFile:
    """Validate an upload completely, in memory; raise InvalidInput with a clear reason."""
    name = _check_name(filename)
    limit = max_bytes()
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise InvalidInput(
            _l("The file is too large: at most %(mb)s MB is accepted.", mb=f"{limit / 1024 / 1024:g}")
        )
    if not data:
        raise InvalidInput(_l("The file is empty."))
    content_type = sniff(data)
    if content_type is None:
        raise InvalidInput(
            _l("This kind of file is not accepted: send photos (JPEG, PNG, WebP) or documents (PDF, DOCX).")
        )
    kind_name, endings = KINDS[content_type]
    if not name.lower().endswith(endings):
        raise InvalidInput(
            _l(
                "The file's content (%(kind)s) does not match its name (%(name)s).",
                kind=kind_name,
                name=name,
            )
        )
    taken_at = photo_time(data) if content_type.startswith("image/") else None
    if taken_at is None and content_type.startswith("image/"):
        taken_at = client_time
    return CheckedFile(name, content_type, data, hashlib.sha256(data).hexdigest(), taken_at)


def storage_path(sha256: str, folder: str = "evidence") -> Path:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError("not a SHA-256 hex digest")
    return Path(current_app.instance_path) / folder / sha256[:2] / sha256


def store(data: bytes, sha256: str, folder: str = "evidence") -> Path:
    """Write the bytes once under their hash; a second upload of the same file reuses it."""
    path = storage_path(sha256, folder)
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written aside then renamed: a reader never sees half a file.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
