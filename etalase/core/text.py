"""Search text: case- and accent-insensitive, with a small Indonesian ↔ English word list.

Rows keep a ``search_text`` column written by their service with :func:`text_normalize`; a query is
split by :func:`search_terms` into words, each matching as a substring (partial words), every word
required. The same SQL works on SQLite and PostgreSQL.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

# Both directions are looked up: a customer typing "coffee" finds "Kopi Gayo" and vice versa.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "kopi": ("coffee",),
    "teh": ("tea",),
    "roti": ("bread",),
    "kue": ("cake", "cookie"),
    "nasi": ("rice",),
    "ayam": ("chicken",),
    "ikan": ("fish",),
    "sapi": ("beef",),
    "pedas": ("spicy",),
    "manis": ("sweet",),
    "susu": ("milk",),
    "gula": ("sugar",),
    "baju": ("shirt", "clothes"),
    "kemeja": ("shirt",),
    "celana": ("trousers", "pants"),
    "sepatu": ("shoes",),
    "tas": ("bag",),
    "kain": ("cloth", "fabric"),
    "servis": ("service", "repair"),
    "perbaikan": ("repair",),
    "layar": ("screen",),
    "baterai": ("battery",),
    "cuci": ("wash", "laundry"),
    "setrika": ("iron", "ironing"),
    "sabun": ("soap",),
    "rambut": ("hair",),
    "potong": ("cut",),
    "motor": ("motorbike", "motorcycle"),
    "mobil": ("car",),
    "oli": ("oil",),
    "ban": ("tyre", "tire"),
    "murah": ("cheap",),
    "baru": ("new",),
    "hadiah": ("gift",),
    "kerajinan": ("craft", "handicraft"),
    "katering": ("catering",),
    "makanan": ("food",),
    "minuman": ("drink", "beverage"),
}
_REVERSE: dict[str, set[str]] = {}
for _word, _translations in SYNONYMS.items():
    for _translation in _translations:
        _REVERSE.setdefault(_translation, set()).add(_word)

if TYPE_CHECKING:
    from django.db.models import Q

MAX_TERMS = 8
_WORD = re.compile(r"[\w]+", re.UNICODE)


def text_normalize(*parts: str | None) -> str:
    """Lower-case, accents removed, one space between words: "Café  Ñusa" -> "cafe nusa"."""
    text = " ".join(part for part in parts if part)
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_WORD.findall(stripped.casefold()))


def search_terms(query: str) -> list[tuple[str, ...]]:
    """Each word of the query with its translations; a row must match one spelling of every word."""
    words = text_normalize(query[:200]).split()[:MAX_TERMS]
    terms = []
    for word in words:
        alternatives = {word, *SYNONYMS.get(word, ()), *_REVERSE.get(word, set())}
        terms.append(tuple(sorted(alternatives)))
    return terms


def search_filter(query: str, *, field: str = "search_text") -> Q | None:
    """A ``Q`` requiring every query word (or a translation of it) in ``field``; None for no words."""
    from django.db.models import Q

    terms = search_terms(query)
    if not terms:
        return None
    condition = Q()
    for alternatives in terms:
        either = Q()
        for spelling in alternatives:
            either |= Q(**{f"{field}__contains": spelling})
        condition &= either
    return condition
