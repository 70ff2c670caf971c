"""Reading contact files: CSV (any common encoding and delimiter), XLSX and vCard address books.

A file is judged by its content, not its name: a program or a picture renamed ``.csv`` or ``.xlsx``
gets a clear error, and so does a file whose name promises one format while its content is another.
Every format is read into the same shape: records (lists of cell values) with the row number a
person sees in the file (a spreadsheet's row, or the n-th card of an address book).
"""

import codecs
import csv
import io
import quopri
import re
import zipfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from etalase.core.errors import ValidationError

MAX_COLUMNS = 100
MAX_UNPACKED_BYTES = 400 * 1024 * 1024
"""An XLSX is a ZIP: refuse one that unpacks to more than this (a "zip bomb")."""

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_ROWS = 200_000


def import_max_bytes() -> int:
    return int(getattr(settings, "CUSTOMERS_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def import_max_rows() -> int:
    return int(getattr(settings, "CUSTOMERS_IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS))


class FileFormat(models.TextChoices):
    CSV = "csv", _("CSV")
    XLSX = "xlsx", _("Excel workbook (.xlsx)")
    VCARD = "vcard", _("vCard address book (.vcf)")


class ImportFileError(ValidationError):
    code = "invalid_file"
    default_message = _("This file cannot be imported. Upload a CSV, an Excel workbook (.xlsx) or a vCard (.vcf).")


FORMAT_NAMES: dict[str, Promise] = {
    FileFormat.CSV: _("a CSV or text file"),
    FileFormat.XLSX: _("an Excel workbook (.xlsx)"),
    FileFormat.VCARD: _("a vCard address book (.vcf)"),
}

EXTENSIONS = {
    "csv": FileFormat.CSV,
    "txt": FileFormat.CSV,
    "tsv": FileFormat.CSV,
    "xlsx": FileFormat.XLSX,
    "xlsm": FileFormat.XLSX,
    "vcf": FileFormat.VCARD,
    "vcard": FileFormat.VCARD,
}

# The first bytes of common files that are not contact lists, to name what the file really is.
SIGNATURES: tuple[tuple[bytes, Promise], ...] = (
    (b"MZ", _("a Windows program")),
    (b"\x7fELF", _("a program")),
    (b"\x89PNG", _("a PNG image")),
    (b"\xff\xd8\xff", _("a JPEG photo")),
    (b"GIF8", _("a GIF image")),
    (b"RIFF", _("an image or media file")),
    (b"%PDF", _("a PDF document")),
    (b"\x1f\x8b", _("a compressed (gzip) file")),
    (b"Rar!", _("a RAR archive")),
    (b"7z\xbc\xaf", _("a 7-Zip archive")),
    (b"\xd0\xcf\x11\xe0", _("an old Office 97–2003 file (.xls or .doc): save it as .xlsx or CSV first")),
)


@dataclass
class Source:
    """What an uploaded file holds, found once at upload and kept with the import job."""

    file_format: str
    encoding: str = ""
    delimiter: str = ""
    first_row: list[str] = field(default_factory=list)
    columns: int = 0
    records: int = 0
    """Non-empty records, the first one (a header or not) included."""
    header_suggested: bool = True

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Source":
        known = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        return cls(**known)

    def headers(self, *, has_header: bool) -> list[str]:
        if self.file_format == FileFormat.VCARD:
            return [str(label) for _key, label in VCARD_COLUMNS]
        names = []
        for index in range(self.columns):
            text = self.first_row[index].strip() if has_header and index < len(self.first_row) else ""
            names.append(text[:80] or str(_("Column %(number)s") % {"number": index + 1}))
        return names

    def data_rows(self, *, has_header: bool) -> int:
        if self.file_format == FileFormat.VCARD:
            return self.records
        return max(0, self.records - (1 if has_header else 0))


# --- detecting what a file is ---------------------------------------------------------------------


def _extension(filename: str) -> str:
    name = (filename or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _zip_kind(data: bytes) -> str:
    """'xlsx', 'ods', 'docx' or 'zip' for a ZIP container; raises for a damaged or oversized one."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
            mimetype = archive.read("mimetype")[:80] if "mimetype" in names else b""
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, KeyError, ValueError) as exc:
        raise ImportFileError(_("This file is damaged or is not an Excel workbook.")) from exc
    if "xl/workbook.xml" in names:
        if unpacked > MAX_UNPACKED_BYTES:
            raise ImportFileError(_("This workbook is too large once unpacked. Split it or save it as CSV."))
        return "xlsx"
    if b"spreadsheet" in mimetype:
        return "ods"
    if "word/document.xml" in names:
        return "docx"
    return "zip"


def _looks_like_vcard(text: str) -> bool:
    return text.lstrip("\ufeff \t\r\n")[:11].upper() == "BEGIN:VCARD"


def _detect(data: bytes) -> str:
    """The file's real format from its content, or an error naming what it is instead."""
    for signature, kind in SIGNATURES:
        if data.startswith(signature):
            raise ImportFileError(
                _("This file is %(kind)s, not a CSV, Excel workbook or vCard.") % {"kind": kind},
                code="wrong_type",
            )
    if data.startswith(b"PK\x03\x04"):
        zip_kind = _zip_kind(data)
        if zip_kind == "xlsx":
            return FileFormat.XLSX
        names = {
            "ods": _("an OpenDocument spreadsheet: save it as .xlsx or CSV first"),
            "docx": _("a Word document"),
            "zip": _("a ZIP archive"),
        }
        raise ImportFileError(
            _("This file is %(kind)s, not a CSV, Excel workbook or vCard.") % {"kind": names[zip_kind]},
            code="wrong_type",
        )
    text, _encoding = decode_text(data[: 64 * 1024], probe=True)
    if _looks_like_vcard(text):
        return FileFormat.VCARD
    return FileFormat.CSV


def decode_text(data: bytes, *, probe: bool = False) -> tuple[str, str]:
    """Text and the encoding it was read with: UTF-8 (with or without BOM), UTF-16 with a BOM (Excel's
    "Unicode text"), else Windows-1252/Latin-1, which Excel on Windows writes. Raises for binary data."""
    if data.startswith(codecs.BOM_UTF8):
        text, encoding = data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace"), "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text, encoding = data.decode("utf-16", errors="replace"), "utf-16"
    else:
        if b"\x00" in data[:65536]:
            raise ImportFileError(
                _("This file is not text: it is not a CSV, Excel workbook or vCard."), code="wrong_type"
            )
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError as exc:
            # A probe may cut a multi-byte character in half at its end.
            if probe and exc.start >= len(data) - 3:
                text, encoding = data[: exc.start].decode("utf-8"), "utf-8"
            else:
                try:
                    text, encoding = data.decode("cp1252"), "cp1252"
                except UnicodeDecodeError:
                    text, encoding = data.decode("latin-1"), "latin-1"
    sample = text[:65536]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n\f")
    if sample and controls > max(4, len(sample) // 100):
        raise ImportFileError(_("This file is not text: it is not a CSV, Excel workbook or vCard."), code="wrong_type")
    return text, encoding


def source_inspect(data: bytes, filename: str) -> Source:
    """Check an uploaded file and describe it; raise :class:`ImportFileError` with a clear message."""
    if not data or not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise ImportFileError(_("This file is empty."), code="empty")
    if len(data) > import_max_bytes():
        raise ImportFileError(
            _("This file is larger than %(size)s MB. Split it into smaller files.")
            % {"size": import_max_bytes() // (1024 * 1024) or 1},
            code="too_large",
        )
    detected = _detect(data)
    claimed = EXTENSIONS.get(_extension(filename))
    if claimed is not None and claimed != detected:
        raise ImportFileError(
            _("This file is named .%(extension)s, but it is really %(kind)s. Check that you chose the right file.")
            % {"extension": _extension(filename), "kind": FORMAT_NAMES[detected]},
            code="wrong_type",
        )
    if detected == FileFormat.XLSX:
        source = _xlsx_inspect(data)
    elif detected == FileFormat.VCARD:
        source = _vcard_inspect(data)
    else:
        source = _csv_inspect(data)
    if source.records == 0 or (detected != FileFormat.VCARD and source.columns == 0):
        raise ImportFileError(_("This file has no rows to import."), code="empty")
    if source.records > import_max_rows() + 1:
        raise ImportFileError(
            _("This file has more than %(rows)s rows. Split it into smaller files.") % {"rows": import_max_rows()},
            code="too_many_rows",
        )
    return source


def source_records(data: bytes, source: Source) -> Iterator[tuple[int, list[Any]]]:
    """Every non-empty record of the file with its row number, the first record (header or not) included."""
    if source.file_format == FileFormat.XLSX:
        yield from _xlsx_records(data)
    elif source.file_format == FileFormat.VCARD:
        yield from enumerate(vcard_cards(decode_text(data)[0]), start=1)
    else:
        yield from _csv_records(data, source)


def _suggest_header(first_row: list[Any]) -> bool:
    """A first row holding a phone number, an email or a date is data, not a header."""
    for cell in first_row:
        if cell is None or isinstance(cell, bool):
            continue
        if not isinstance(cell, str):
            return False
        text = cell.strip()
        if "@" in text and "." in text.split("@")[-1]:
            return False
        if sum(ch.isdigit() for ch in text) >= 7:
            return False
    return True


# --- CSV ------------------------------------------------------------------------------------------

DELIMITERS = (",", ";", "\t", "|")
_SEP_LINE = re.compile(r"^\ufeff?sep=(.)\s*$", re.IGNORECASE)


def _delimiter(text: str) -> str:
    """The delimiter that splits the header into several columns without any later row having more.

    Rows may have fewer cells than the header (spreadsheets drop empty trailing cells), never more.
    ``csv.Sniffer`` guesses from character frequencies and is easily fooled by commas inside names or
    by the decimal commas of Excel's Indonesian ``;`` files: it is asked too, and its answer is kept
    only when it scores as well as the best candidate.
    """
    sample = text[:32768]
    if len(text) > len(sample) and "\n" in sample:
        sample = sample[: sample.rfind("\n")]
    scores: dict[str, tuple[bool, bool, float, int]] = {}
    for delimiter in DELIMITERS:
        try:
            rows = [row for row in csv.reader(io.StringIO(sample), delimiter=delimiter) if any(c.strip() for c in row)]
        except csv.Error:
            continue
        rows = rows[:50]
        if not rows:
            continue
        columns = len(rows[0])
        fitting = sum(1 for row in rows if len(row) <= columns) / len(rows)
        exact = sum(1 for row in rows if len(row) == columns) / len(rows)
        scores[delimiter] = (columns > 1, fitting >= 0.9, exact, columns)
    if not scores:
        return ","
    best = max(scores, key=lambda d: (scores[d], -DELIMITERS.index(d)))
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        sniffed = ""
    if sniffed in scores and scores[sniffed] >= scores[best]:
        return sniffed
    return best


def _csv_text(data: bytes) -> tuple[str, str, str | None]:
    """The decoded text, its encoding and the delimiter named by Excel's ``sep=`` first line (if any)."""
    text, encoding = decode_text(data)
    first_line, _newline, rest = text.partition("\n")
    match = _SEP_LINE.match(first_line.rstrip("\r"))
    if match:
        return rest, encoding, match.group(1)
    return text, encoding, None


def _csv_reader(text: str, delimiter: str) -> Iterator[list[str]]:
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _csv_inspect(data: bytes) -> Source:
    text, encoding, named = _csv_text(data)
    delimiter = named or _delimiter(text)
    source = Source(file_format=FileFormat.CSV, encoding=encoding, delimiter=delimiter)
    columns = 0
    records = 0
    try:
        for row in _csv_reader(text, delimiter):
            if not any(cell.strip() for cell in row):
                continue
            if records == 0:
                source.first_row = [cell.strip()[:200] for cell in row[:MAX_COLUMNS]]
            records += 1
            columns = max(columns, len(row))
    except csv.Error as exc:
        raise ImportFileError(
            _("Row %(row)s of this CSV file cannot be read. Check its quotes.") % {"row": records + 1}
        ) from exc
    source.records = records
    source.columns = min(columns, MAX_COLUMNS)
    source.header_suggested = _suggest_header(source.first_row)
    return source


def _csv_records(data: bytes, source: Source) -> Iterator[tuple[int, list[Any]]]:
    text, _encoding, named = _csv_text(data)
    offset = 1 if named else 0
    reader = _csv_reader(text, source.delimiter or ",")
    for number, row in enumerate(reader, start=1 + offset):
        if any(cell.strip() for cell in row):
            yield number, row[:MAX_COLUMNS]


# --- XLSX -----------------------------------------------------------------------------------------


def _xlsx_sheet(data: bytes) -> Any:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some programs write a wrong size; read every row there is
    except Exception as exc:  # openpyxl raises many kinds of errors for a damaged workbook
        raise ImportFileError(_("This Excel workbook is damaged and cannot be read.")) from exc
    return sheet


def _xlsx_records(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    sheet = _xlsx_sheet(data)
    try:
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = list(row[:MAX_COLUMNS])
            if any(cell is not None and str(cell).strip() for cell in cells):
                yield number, cells
    except ImportFileError:
        raise
    except Exception as exc:
        raise ImportFileError(_("This Excel workbook is damaged and cannot be read.")) from exc


def _xlsx_inspect(data: bytes) -> Source:
    source = Source(file_format=FileFormat.XLSX)
    records = 0
    columns = 0
    for _number, cells in _xlsx_records(data):
        if records == 0:
            source.first_row = ["" if cell is None else str(cell).strip()[:200] for cell in cells]
            source.header_suggested = _suggest_header(cells)
        records += 1
        while cells and (cells[-1] is None or str(cells[-1]).strip() == ""):
            cells.pop()
        columns = max(columns, len(cells))
        if records > import_max_rows() + 1:
            break
    source.records = records
    source.columns = columns
    return source


# --- vCard ----------------------------------------------------------------------------------------

VCARD_COLUMNS: tuple[tuple[str, Promise], ...] = (
    ("name", _("Name")),
    ("phone", _("Phone 1")),
    ("phone", _("Phone 2")),
    ("phone", _("Phone 3")),
    ("email", _("Email 1")),
    ("email", _("Email 2")),
    ("address", _("Address")),
    ("city", _("City")),
    ("birthday", _("Birthday")),
    ("tags", _("Groups")),
)
"""The columns a card is read into; the mapping for a vCard is these fields, in this order."""


def _vcard_inspect(data: bytes) -> Source:
    text, encoding = decode_text(data)
    records = sum(1 for _card in vcard_cards(text))
    return Source(
        file_format=FileFormat.VCARD,
        encoding=encoding,
        columns=len(VCARD_COLUMNS),
        records=records,
        header_suggested=False,
    )


def _vcard_lines(text: str) -> Iterator[str]:
    """Logical lines: folded lines (vCard 3.0/4.0: a line starting with a space or tab continues the
    previous one) and quoted-printable soft line breaks (vCard 2.1: a line ending with ``=``) joined."""
    current: str | None = None
    for line in text.splitlines():
        if current is not None:
            if line[:1] in (" ", "\t"):
                if _is_quoted_printable(current) and current.endswith("="):
                    current = current[:-1] + line.lstrip(" \t")
                else:
                    current += line[1:]
                continue
            if _is_quoted_printable(current) and current.endswith("="):
                current = current[:-1] + line
                continue
            yield current
        current = line
    if current is not None:
        yield current


def _is_quoted_printable(line: str) -> bool:
    head = line.split(":", 1)[0].upper()
    return "QUOTED-PRINTABLE" in head


def _split_unescaped(value: str, separator: str) -> list[str]:
    parts, current, escaped = [], [], False
    for ch in value:
        if escaped:
            current.append("\\" + ch)
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    if escaped:
        current.append("\\")
    parts.append("".join(current))
    return parts


def _unescape(value: str) -> str:
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value).strip()


def _property(line: str) -> tuple[str, dict[str, list[str]], str] | None:
    """``item1.TEL;TYPE=CELL;PREF:+62...`` -> ("TEL", {"TYPE": ["CELL", "PREF"]}, "+62...")."""
    head, colon, value = _split_colon(line)
    if not colon:
        return None
    parts = _split_unescaped(head, ";")
    name = parts[0].rsplit(".", 1)[-1].strip().upper()
    params: dict[str, list[str]] = {}
    for part in parts[1:]:
        key, equals, raw = part.partition("=")
        if equals:
            values = [v.strip().strip('"').upper() for v in raw.split(",")]
            params.setdefault(key.strip().upper(), []).extend(values)
        else:  # vCard 2.1: bare types, TEL;CELL;PREF
            bare = key.strip().upper()
            if bare in ("QUOTED-PRINTABLE", "BASE64", "8BIT", "7BIT"):
                params.setdefault("ENCODING", []).append(bare)
            else:
                params.setdefault("TYPE", []).append(bare)
    return name, params, value


def _split_colon(line: str) -> tuple[str, bool, str]:
    quoted = False
    for index, ch in enumerate(line):
        if ch == '"':
            quoted = not quoted
        elif ch == ":" and not quoted:
            return line[:index], True, line[index + 1 :]
    return line, False, ""


def _decode_value(value: str, params: dict[str, list[str]]) -> str | None:
    encodings = {e.upper() for e in params.get("ENCODING", [])}
    if encodings & {"B", "BASE64"}:
        return None  # photos and sounds
    if "QUOTED-PRINTABLE" in encodings or "QP" in encodings:
        raw = quopri.decodestring(value.encode("latin-1", errors="replace"))
        charset = (params.get("CHARSET") or ["UTF-8"])[0]
        for candidate in (charset, "utf-8", "cp1252"):
            try:
                return raw.decode(candidate)
            except (UnicodeDecodeError, LookupError):
                continue
        return raw.decode("latin-1")
    return value


def _ranked(values: list[tuple[str, dict[str, list[str]]]]) -> list[str]:
    """Preferred first, then mobile numbers, then the rest, each group in the card's order."""

    def rank(item: tuple[str, dict[str, list[str]]]) -> int:
        types = set(item[1].get("TYPE", [])) | {p.upper() for p in item[1].get("PREF", [])}
        if "PREF" in types or "PREF" in item[1]:
            return 0
        return 1 if types & {"CELL", "MOBILE"} else 2

    return [value for value, _params in sorted(values, key=rank)]


def _card_row(properties: list[tuple[str, dict[str, list[str]], str]]) -> list[Any]:
    names: dict[str, str] = {}
    phones: list[tuple[str, dict[str, list[str]]]] = []
    emails: list[tuple[str, dict[str, list[str]]]] = []
    addresses: list[tuple[str, dict[str, list[str]]]] = []
    birthday = ""
    categories: list[str] = []
    for name, params, raw in properties:
        value = _decode_value(raw, params)
        if value is None:
            continue
        if name in ("FN", "N", "ORG") and name not in names:
            names[name] = value
        elif name == "TEL":
            number = _unescape(value)
            number = number[4:] if number.lower().startswith("tel:") else number
            if number:
                phones.append((number, params))
        elif name == "EMAIL":
            email = _unescape(value)
            if email:
                emails.append((email, params))
        elif name == "ADR":
            addresses.append((value, params))
        elif name == "BDAY" and not birthday:
            birthday = _unescape(value)
        elif name == "CATEGORIES":
            categories.extend(_unescape(part) for part in _split_unescaped(value, ","))
    full_name = _unescape(names.get("FN", ""))
    if not full_name and names.get("N"):
        family, given, additional = ([*_split_unescaped(names["N"], ";"), "", "", ""])[:3]
        full_name = " ".join(_unescape(part) for part in (given, additional, family) if _unescape(part))
    if not full_name and names.get("ORG"):
        full_name = _unescape(_split_unescaped(names["ORG"], ";")[0])
    street = city = ""
    if addresses:
        parts = [_unescape(part) for part in _split_unescaped(_ranked(addresses)[0], ";")] + [""] * 7
        pobox, extended, street_line, locality, region, postal = parts[:6]
        street = ", ".join(part for part in (street_line, extended, pobox, region, postal) if part)
        city = locality
    if birthday.startswith("--"):
        birthday = ""  # a birthday without a year cannot be stored
    ranked_phones = _ranked(phones)
    ranked_emails = _ranked(emails)
    return [
        full_name,
        *(ranked_phones + ["", "", ""])[:3],
        *(ranked_emails + ["", ""])[:2],
        street,
        city,
        birthday,
        ", ".join(category for category in categories if category),
    ]


def vcard_cards(text: str) -> Iterator[list[Any]]:
    """Each card of an address book (vCard 2.1, 3.0 or 4.0) as a row of :data:`VCARD_COLUMNS`."""
    properties: list[tuple[str, dict[str, list[str]], str]] | None = None
    for line in _vcard_lines(text.lstrip("\ufeff")):
        if not line.strip():
            continue
        parsed = _property(line)
        if parsed is None:
            continue
        name, params, value = parsed
        if name == "BEGIN" and value.strip().upper() == "VCARD":
            properties = []
        elif name == "END" and value.strip().upper() == "VCARD":
            if properties is not None:
                yield _card_row(properties)
            properties = None
        elif properties is not None:
            properties.append((name, params, value))
