"""Export of the contact list (the list's filters) to CSV and XLSX, audited.

Exports neutralise spreadsheet formulas: a text cell starting with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return gets a leading ``'`` (an E.164 phone number such as ``+6281234567890`` is left
alone: a plus sign followed only by digits is a number, never a formula).
"""

import csv
import datetime as dt
import re
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from etalase.accounts.models import User
from etalase.customers.enums import AuditAction
from etalase.customers.filters import ContactFilter, contact_filter_parse
from etalase.customers.selectors import contact_export_rows, contact_list
from etalase.customers.services.audit import audit_record
from etalase.directory.models import Business

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_E164 = re.compile(r"\+[1-9][0-9]{5,14}")


def cell_safe(value: Any) -> Any:
    """A value safe to put in a spreadsheet cell: text that a spreadsheet would run as a formula
    (``=HYPERLINK(...)``, ``+cmd|...``, ``@SUM(...)``) is prefixed with a single quote."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _E164.fullmatch(value):
        return "'" + value
    return value


IGNORED_QUERY = ("page", "format", "size")


def _query(query: Mapping[str, Any]) -> dict[str, Any]:
    """The list's filters from a query string (paging and the file format left out)."""
    getlist = getattr(query, "getlist", None)
    clean: dict[str, Any] = {}
    for key in query:
        if key in IGNORED_QUERY:
            continue
        values = [str(v)[:200] for v in (getlist(key) if getlist else [query[key]]) if str(v).strip()]
        if values:
            clean[str(key)[:40]] = values[-1]
    return clean


def _export_rows(*, business: Business, query: Mapping[str, Any], strict: bool) -> tuple[int, Iterator[dict[str, Any]]]:
    """How many contacts the list's filters select, and their rows (the CRM core's export columns).

    ``strict`` refuses a bad filter (the API); otherwise a bad value is left out, as the list page does,
    so the export holds exactly the list the person was looking at.
    """
    filters = contact_filter_parse(query) if strict else ContactFilter.from_query(query)
    count = contact_list(business=business, filters=filters).count()
    return count, contact_export_rows(business=business, filters=filters)


def _audit_export(
    *, business: Business, actor: User | None, file_format: str, query: Mapping[str, Any], rows: int
) -> None:
    audit_record(
        business=business,
        actor=actor,
        action=AuditAction.EXPORTED,
        detail={"format": file_format, "filters": _query(query), "rows": rows},
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


def _plain(value: Any, zone: dt.tzinfo) -> Any:
    """A value as a spreadsheet cell: times in the business's timezone (without it: Excel has none)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = value.astimezone(zone)
        return value.replace(tzinfo=None, microsecond=0)
    if isinstance(value, (list, tuple, set)):
        return ", ".join(str(item) for item in value)
    return value


def _csv_cell(value: Any, zone: dt.tzinfo) -> Any:
    value = _plain(value, zone)
    return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value


def _zone(business: Business) -> dt.tzinfo:
    try:
        return ZoneInfo(getattr(business, "timezone", "") or settings.TIME_ZONE)
    except (ValueError, KeyError):
        return ZoneInfo(settings.TIME_ZONE)


def contacts_export_csv(
    *, business: Business, actor: User | None, query: Mapping[str, Any], strict: bool = False
) -> Iterator[str]:
    """The filtered contact list as CSV text, produced row by row (for a streaming response); audited."""
    count, rows = _export_rows(business=business, query=_query(query), strict=strict)
    _audit_export(business=business, actor=actor, file_format="csv", query=query, rows=count)
    return _csv_lines(rows, _zone(business))


def _csv_lines(rows: Iterator[dict[str, Any]], zone: dt.tzinfo) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"
    header: list[str] | None = None
    for row in rows:
        if header is None:
            header = list(row)
            yield writer.writerow([cell_safe(str(name)) for name in header])
        yield writer.writerow([cell_safe(_csv_cell(row.get(name), zone)) for name in header])
    if header is None:
        yield writer.writerow(EMPTY_HEADER)


EMPTY_HEADER = ("id", "name", "phone", "email", "city")


def contacts_export_xlsx(
    *, business: Business, actor: User | None, query: Mapping[str, Any], strict: bool = False
) -> Any:
    """The filtered contact list as an XLSX workbook (a file object at its start); audited.

    Written in openpyxl's write-only mode, so memory stays flat however long the list is. Every text
    is written as a string cell, never a formula.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    _count, rows = _export_rows(business=business, query=_query(query), strict=strict)
    zone = _zone(business)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(_("Customers"))[:31])
    header: list[str] | None = None
    count = 0

    def cells(values: Iterable[Any]) -> list[Any]:
        out = []
        for value in values:
            value = cell_safe(_plain(value, zone))
            if isinstance(value, str):
                cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value)[:32767])
                cell.data_type = "s"
                out.append(cell)
            else:
                out.append(value)
        return out

    for row in rows:
        if header is None:
            header = list(row)
            sheet.append(cells(header))
        sheet.append(cells(row.get(name) for name in header))
        count += 1
    if header is None:
        sheet.append(cells(EMPTY_HEADER))
    output = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115 - handed to the response
    workbook.save(output)
    output.seek(0)
    _audit_export(business=business, actor=actor, file_format="xlsx", query=query, rows=count)
    return output
