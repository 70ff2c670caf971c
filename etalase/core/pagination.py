"""Keyset-free, bounded page-number pagination shared by pages and the API."""

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class Page:
    items: list[Any]
    number: int
    size: int
    has_next: bool

    @property
    def next_number(self) -> int | None:
        return self.number + 1 if self.has_next else None

    @property
    def previous_number(self) -> int | None:
        return self.number - 1 if self.number > 1 else None


def paginate(queryset: QuerySet[Any], *, page: int = 1, size: int = 20) -> Page:
    """One query: fetch ``size + 1`` rows to know whether a next page exists, never a COUNT."""
    number = max(1, int(page))
    size = max(1, min(int(size), MAX_PAGE_SIZE))
    offset = (number - 1) * size
    rows = list(queryset[offset : offset + size + 1])
    return Page(items=rows[:size], number=number, size=size, has_next=len(rows) > size)
