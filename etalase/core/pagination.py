"""Keyset-free, bounded page-number pagination shared by pages and the API."""

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest

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


MAX_PAGE_NUMBER = 10_000


def page_number(request: HttpRequest, name: str = "page") -> int:
    """The page a list was asked for (``?page=``), 1 for anything that is not a number, bounded."""
    try:
        return max(1, min(int(request.GET.get(name, "1")), MAX_PAGE_NUMBER))
    except ValueError:
        return 1
