from __future__ import annotations

import unicodedata


def search_key(text: str) -> str:
    """Lower-case, accent-free form used for search: "Hà Đông" -> "ha dong"."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())
