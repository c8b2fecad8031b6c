"""Thumbnails of evidence photos, made with Pillow and stored under the photo's hash.

The phone's gallery shows small JPEGs instead of the 4 MB originals; the original stays
as it was sent (its EXIF time is read once, in `files.check_upload`).
"""

from __future__ import annotations

import io
import logging
from pathlib import Path

from PIL import Image, ImageOps

from inspections import files

log = logging.getLogger(__name__)

FOLDER = "thumbs"
SIZE = (320, 320)


def _render(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        image = ImageOps.exif_transpose(image)  # a phone photo shown the way it was held
        image.thumbnail(SIZE)
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        out = io.BytesIO()
        image.save(out, "JPEG", quality=80, optimize=True)
        return out.getvalue()


def make_thumbnail(data: bytes, sha256: str) -> Path | None:
    """The photo's thumbnail, made once; None if Pillow cannot read the photo."""
    path = files.storage_path(sha256, FOLDER)
    if path.exists():
        return path
    try:
        thumb = _render(data)
    except Exception:  # a photo Pillow cannot decode is still evidence; it has no thumbnail
        log.warning("no thumbnail for evidence %s", sha256, exc_info=True)
        return None
    return files.store(thumb, sha256, FOLDER)


def thumbnail_of(sha256: str) -> Path | None:
    """The stored thumbnail, made now from the original if an older upload has none."""
    path = files.storage_path(sha256, FOLDER)
    if path.exists():
        return path
    original = files.storage_path(sha256)
    if not original.exists():
        return None
    return make_thumbnail(original.read_bytes(), sha256)
