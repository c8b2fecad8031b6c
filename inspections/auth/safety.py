"""Where a `next=` parameter may send the user: only to a path on this site."""

from urllib.parse import urlsplit


def local_path(target: str | None, default: str) -> str:
    if not target:
        return default
    # Browsers treat a backslash like a slash, so "/\evil.example" is another host.
    target = target.strip()
    parts = urlsplit(target.replace("\\", "/"))
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    if any(ch in target for ch in "\r\n\t") or target.startswith("/\\"):
        return default
    return target
