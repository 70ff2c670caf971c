"""The contact fields a file's columns map to: guesses from header names (Indonesian and English) and
the cleaning of each row's values (E.164 phones, valid emails, dates, yes/no consent, tags)."""

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from etalase.core.errors import ValidationError
from etalase.core.phones import InvalidPhoneNumber, phone_normalize
from etalase.customers.enums import ConsentChannel, ConsentPurpose


class ImportField(models.TextChoices):
    NAME = "name", _("Name")
    FIRST_NAME = "first_name", _("First name")
    LAST_NAME = "last_name", _("Last name")
    PHONE = "phone", _("Phone number")
    EMAIL = "email", _("Email")
    CITY = "city", _("City")
    ADDRESS = "address", _("Address")
    BIRTHDAY = "birthday", _("Birthday")
    TAGS = "tags", _("Tags")
    CONSENT_WHATSAPP_MARKETING = "consent_whatsapp_marketing", _("Agrees to promotions by WhatsApp")
    CONSENT_SMS_MARKETING = "consent_sms_marketing", _("Agrees to promotions by SMS")
    CONSENT_EMAIL_MARKETING = "consent_email_marketing", _("Agrees to promotions by email")


F = ImportField
REPEATABLE = frozenset({F.PHONE, F.EMAIL, F.TAGS})
"""Fields several columns may feed (a second phone, a work email, more tags); the others take one column."""
IDENTIFYING = frozenset({F.NAME, F.FIRST_NAME, F.LAST_NAME, F.PHONE, F.EMAIL})
CONSENT_FIELDS: dict[str, tuple[str, str]] = {
    F.CONSENT_WHATSAPP_MARKETING: (ConsentChannel.WHATSAPP, ConsentPurpose.MARKETING),
    F.CONSENT_SMS_MARKETING: (ConsentChannel.SMS, ConsentPurpose.MARKETING),
    F.CONSENT_EMAIL_MARKETING: (ConsentChannel.EMAIL, ConsentPurpose.MARKETING),
}

MAX_TAGS_PER_ROW = 20
TAG_MAX_LENGTH = 40


# --- guessing the mapping from header names ---------------------------------------------------------


def _words(header: str) -> str:
    decomposed = unicodedata.normalize("NFKD", header or "")
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return " " + " ".join(re.findall(r"[a-z0-9]+", plain)) + " "


# Checked in this order: the first rule whose words appear in the header wins, so "alamat email"
# is an email (not an address) and "izin whatsapp" is consent (not a phone number).
GUESS_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        F.CONSENT_WHATSAPP_MARKETING,
        (
            " izin wa ",
            " izin whatsapp ",
            " consent whatsapp ",
            " whatsapp consent ",
            " whatsapp opt in ",
            " wa opt in ",
            " promo wa ",
            " promo whatsapp ",
            " whatsapp marketing ",
            " marketing whatsapp ",
            " consent marketing whatsapp ",
            " setuju wa ",
            " setuju whatsapp ",
            " boleh wa ",
        ),
    ),
    (
        F.CONSENT_SMS_MARKETING,
        (" izin sms ", " consent sms ", " sms consent ", " sms opt in ", " promo sms ", " sms marketing "),
    ),
    (
        F.CONSENT_EMAIL_MARKETING,
        (
            " izin email ",
            " consent email ",
            " email consent ",
            " email opt in ",
            " promo email ",
            " email marketing ",
            " newsletter ",
            " langganan email ",
        ),
    ),
    (F.EMAIL, (" email ", " e mail ", " surel ", " surat elektronik ", " mail ")),
    (F.BIRTHDAY, (" lahir ", " birthday ", " birth ", " dob ", " bday ", " ulang tahun ", " ultah ", " tgl lahir ")),
    (
        F.PHONE,
        (
            " hp ",
            " no hp ",
            " handphone ",
            " ponsel ",
            " telepon ",
            " telpon ",
            " telp ",
            " tlp ",
            " tel ",
            " phone ",
            " mobile ",
            " cell ",
            " whatsapp ",
            " wa ",
            " msisdn ",
            " contact number ",
        ),
    ),
    (F.FIRST_NAME, (" nama depan ", " first name ", " given name ", " firstname ")),
    (F.LAST_NAME, (" nama belakang ", " last name ", " surname ", " family name ", " lastname ")),
    (F.CITY, (" kota ", " city ", " kabupaten ", " kab ", " town ", " kota kabupaten ")),
    (F.ADDRESS, (" alamat ", " address ", " jalan ", " street ", " jl ")),
    (F.TAGS, (" tag ", " tags ", " label ", " labels ", " kelompok ", " grup ", " group ", " groups ", " kategori ")),
    (
        F.NAME,
        (
            " nama ",
            " name ",
            " full name ",
            " fullname ",
            " pelanggan ",
            " customer ",
            " konsumen ",
            " contact ",
            " kontak ",
            " fn ",
        ),
    ),
)


IGNORED_WORDS = (" id ", " kode ", " code ", " nik ", " ktp ", " npwp ")
"""Headers of identifiers ("ID pelanggan", "Customer code") are never guessed as a name or a number."""


def field_guess(header: str) -> tuple[str, bool] | None:
    """The field a header names, and whether the header is exactly one of the field's words."""
    words = _words(header)
    if not words.strip() or any(word in words for word in IGNORED_WORDS):
        return None
    for target, keys in GUESS_RULES:
        if any(key in words for key in keys):
            return target, words in keys
    return None


def mapping_guess(headers: Sequence[str]) -> dict[str, str]:
    """``{"<column index>": "<field>"}`` for every header we recognise. A one-column field goes to the
    header naming it exactly ("Nama") before one only mentioning it ("Nama toko langganan")."""
    guesses = {index: field_guess(header) for index, header in enumerate(headers)}
    mapping: dict[int, str] = {}
    taken: set[str] = set()
    for exact_pass in (True, False):
        for index, guess in guesses.items():
            if guess is None or index in mapping or guess[1] != exact_pass:
                continue
            target = guess[0]
            if target in taken and target not in REPEATABLE:
                continue
            mapping[index] = str(target)
            taken.add(target)
    return {str(index): mapping[index] for index in sorted(mapping)}


def mapping_guess_from_values(first_row: Sequence[Any]) -> dict[str, str]:
    """For a file without column names: the columns whose first value is a phone number or an email,
    and the first column of words as the name."""
    mapping: dict[str, str] = {}
    for index, value in enumerate(first_row):
        text = cell_text(value)
        if not text:
            continue
        if "@" in text:
            try:
                validate_email(text.lower())
            except DjangoValidationError:
                continue
            mapping[str(index)] = F.EMAIL
            continue
        if sum(ch.isdigit() for ch in text) >= 7:
            try:
                phone_normalize(text)
            except InvalidPhoneNumber:
                continue
            mapping[str(index)] = F.PHONE
        elif F.NAME not in mapping.values() and any(ch.isalpha() for ch in text):
            mapping[str(index)] = F.NAME
    return {key: str(value) for key, value in mapping.items()}


def mapping_validate(mapping: dict[str, str], *, columns: int) -> dict[str, str]:
    """A clean mapping, or a :class:`ValidationError` saying what is wrong with it."""
    clean: dict[str, str] = {}
    used: dict[str, int] = {}
    for key, target in mapping.items():
        if not target:
            continue
        try:
            index = int(key)
        except (TypeError, ValueError):
            index = -1
        if not 0 <= index < columns:
            raise ValidationError(
                _("Column %(column)s does not exist in this file.") % {"column": key}, fields={"mapping": key}
            )
        if target not in ImportField.values:
            raise ValidationError(
                _("“%(field)s” is not a customer field.") % {"field": str(target)[:40]}, fields={"mapping": key}
            )
        used[target] = used.get(target, 0) + 1
        if used[target] > 1 and target not in REPEATABLE:
            message = _("Only one column can be the customer's %(field)s.") % {"field": ImportField(target).label}
            raise ValidationError(message, fields={"mapping": key})
        clean[str(index)] = target
    if not IDENTIFYING & set(clean.values()):
        missing = _("Choose the column with the customer's name, phone number or email.")
        raise ValidationError(missing, code="mapping_incomplete", fields={"mapping": missing})
    return clean


# --- cleaning a row -------------------------------------------------------------------------------

YES = frozenset(
    {"ya", "y", "yes", "true", "1", "x", "v", "ok", "iya", "setuju", "boleh", "mau", "opt in", "optin", "granted"}
    | {"subscribed", "benar", "✓", "✔", "☑"}
)
NO = frozenset(
    {"tidak", "no", "n", "false", "0", "t", "tdk", "tidak setuju", "tidak boleh", "tidak mau", "opt out", "optout"}
    | {"withdrawn", "unsubscribed", "salah", "✗", "✘", "-"}
)

MONTHS = {
    "jan": 1,
    "januari": 1,
    "january": 1,
    "feb": 2,
    "februari": 2,
    "pebruari": 2,
    "february": 2,
    "mar": 3,
    "maret": 3,
    "march": 3,
    "apr": 4,
    "april": 4,
    "mei": 5,
    "may": 5,
    "jun": 6,
    "juni": 6,
    "june": 6,
    "jul": 7,
    "juli": 7,
    "july": 7,
    "agu": 8,
    "agt": 8,
    "agus": 8,
    "agustus": 8,
    "aug": 8,
    "august": 8,
    "sep": 9,
    "sept": 9,
    "september": 9,
    "okt": 10,
    "oct": 10,
    "oktober": 10,
    "october": 10,
    "nov": 11,
    "nop": 11,
    "november": 11,
    "nopember": 11,
    "des": 12,
    "dec": 12,
    "desember": 12,
    "december": 12,
}

_NEUTRALISED = re.compile(r"^'(?=[=+\-@\t\r])")
_PHONE_SPLIT = re.compile(r"[/,;\n]")
_EMAIL_SPLIT = re.compile(r"[,;\s]+")
_TAG_SPLIT = re.compile(r"[,;|\n]")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[t ].*)?")
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_YEAR_FIRST = re.compile(r"(\d{4})[/.](\d{1,2})[/.](\d{1,2})")
_DAY_FIRST = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})(?:\s.*)?")
_SPACES = re.compile(r"\s+")


def cell_text(value: Any) -> str:
    """A cell as text: whole numbers without ".0" (Excel stores 81234567890 as a number), our own
    export's formula guard (a leading ') removed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return _NEUTRALISED.sub("", str(value).strip())


def _one_line(text: str, limit: int) -> str:
    return _SPACES.sub(" ", text).strip()[:limit]


def birthday_parse(value: Any) -> dt.date | None:
    """A date from a date cell or common spellings: 1990-04-12, 12/04/1990 (day first, as in Indonesia),
    12-04-90, 12 April 1990, 12 Agustus 1990, 19900412. Raises ValueError when it is not a date."""
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    else:
        text = cell_text(value).casefold().replace(",", " ")
        day = _date_from_text(text)
    if not dt.date(1900, 1, 1) <= day <= timezone.localdate():
        raise ValueError("out of range")
    return day


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        this_year = timezone.localdate().year % 100
        year += 2000 if year <= this_year else 1900
    return year


def _date_from_text(text: str) -> dt.date:
    text = text.strip()
    if match := _ISO_DATE.fullmatch(text):
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    if match := _COMPACT_DATE.fullmatch(text):
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    if match := _YEAR_FIRST.fullmatch(text):
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    if match := _DAY_FIRST.fullmatch(text):
        first, second, year = int(match[1]), int(match[2]), _year(match[3])
        if first <= 12 < second:  # 04/25/1990 can only be month first
            first, second = second, first
        return dt.date(year, second, first)
    words = text.replace(".", " ").split()
    if len(words) == 3:
        if words[0].isdigit() and words[1] in MONTHS and words[2].isdigit():
            return dt.date(_year(words[2]), MONTHS[words[1]], int(words[0]))
        if words[0] in MONTHS and words[1].isdigit() and words[2].isdigit():
            return dt.date(_year(words[2]), MONTHS[words[0]], int(words[1]))
    raise ValueError("not a date")


def consent_parse(value: Any) -> bool | None:
    """True, False, or None for an empty cell; raises ValueError for anything else."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    text = _one_line(cell_text(value).casefold(), 40)
    if not text:
        return None
    if text in YES:
        return True
    if text in NO:
        return False
    raise ValueError("not yes or no")


def tags_parse(text: str) -> list[str]:
    names: list[str] = []
    for part in _TAG_SPLIT.split(text):
        name = _one_line(part, TAG_MAX_LENGTH)
        if name and name.casefold() not in {n.casefold() for n in names}:
            names.append(name)
    return names[:MAX_TAGS_PER_ROW]


@dataclass
class CleanRow:
    """One row of a file as contact fields, with the reasons it cannot be imported (if any)."""

    number: int
    name: str = ""
    phones: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    city: str = ""
    address: str = ""
    birthday: dt.date | None = None
    tags: list[str] = field(default_factory=list)
    consent: dict[str, bool] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors

    @property
    def phone(self) -> str:
        return self.phones[0] if self.phones else ""

    @property
    def email(self) -> str:
        return self.emails[0] if self.emails else ""


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:39] + "…"


def row_clean(number: int, cells: Sequence[Any], mapping: dict[str, str]) -> CleanRow:
    """The contact fields of one row, by the mapping ``{"<column index>": "<field>"}``."""
    row = CleanRow(number=number)
    values: dict[str, list[Any]] = {}
    for key, target in mapping.items():
        index = int(key)
        cell = cells[index] if index < len(cells) else None
        if cell is None or (isinstance(cell, str) and not cell.strip()):
            continue
        values.setdefault(target, []).append(cell)

    def text(target: str) -> str:
        return " ".join(cell_text(v) for v in values.get(target, [])).strip()

    row.name = _one_line(text(F.NAME) or f"{text(F.FIRST_NAME)} {text(F.LAST_NAME)}", 120)
    row.city = _one_line(text(F.CITY), 80)
    row.address = _one_line(text(F.ADDRESS), 300)
    _phones_clean(row, values.get(F.PHONE, []))
    _emails_clean(row, values.get(F.EMAIL, []))
    if values.get(F.BIRTHDAY):
        raw = values[F.BIRTHDAY][0]
        try:
            row.birthday = birthday_parse(raw)
        except (ValueError, OverflowError):
            row.errors.append(
                str(
                    _("The birthday “%(value)s” is not a date (write it like 31/12/1990).")
                    % {"value": _short(cell_text(raw))}
                )
            )
    for target in values.get(F.TAGS, []):
        for name in tags_parse(cell_text(target)):
            if name.casefold() not in {n.casefold() for n in row.tags}:
                row.tags.append(name)
    row.tags = row.tags[:MAX_TAGS_PER_ROW]
    _consent_clean(row, values)
    if not (row.name or row.phones or row.emails) and not row.errors:
        row.errors.append(str(_("The row has no name, phone number or email.")))
    return row


def _phones_clean(row: CleanRow, cells: list[Any]) -> None:
    """The row's phone numbers in E.164; a bad one is an error when no other number is good."""
    bad_phones = []
    for raw in cells:
        for part in _PHONE_SPLIT.split(cell_text(raw)):
            if not part.strip():
                continue
            try:
                phone = phone_normalize(part)
            except InvalidPhoneNumber:
                bad_phones.append(part.strip())
                continue
            if phone not in row.phones:
                row.phones.append(phone)
    if bad_phones and not row.phones:
        row.errors.append(str(_("The phone number “%(value)s” is not valid.") % {"value": _short(bad_phones[0])}))
    elif bad_phones:
        row.notes.append(
            str(_("Skipped a phone number that is not valid: “%(value)s”.") % {"value": _short(bad_phones[0])})
        )


def _emails_clean(row: CleanRow, cells: list[Any]) -> None:
    """The row's emails in lower case; a bad one is an error when no other email is good."""
    bad_emails = []
    for raw in cells:
        for part in _EMAIL_SPLIT.split(cell_text(raw)):
            email = part.strip().strip("<>").lower()
            if not email:
                continue
            try:
                if len(email) > 254:
                    raise DjangoValidationError("too long")
                validate_email(email)
            except DjangoValidationError:
                bad_emails.append(part.strip())
                continue
            if email not in row.emails:
                row.emails.append(email)
    if bad_emails and not row.emails:
        row.errors.append(str(_("The email “%(value)s” is not valid.") % {"value": _short(bad_emails[0])}))
    elif bad_emails:
        row.notes.append(str(_("Skipped an email that is not valid: “%(value)s”.") % {"value": _short(bad_emails[0])}))


def _consent_clean(row: CleanRow, values: dict[str, list[Any]]) -> None:
    for target, (channel, purpose) in CONSENT_FIELDS.items():
        if target not in values:
            continue
        raw = values[target][0]
        try:
            granted = consent_parse(raw)
        except ValueError:
            row.errors.append(
                str(
                    _("“%(value)s” in %(field)s is not yes or no.")
                    % {"value": _short(cell_text(raw)), "field": ImportField(target).label}
                )
            )
            continue
        if granted is not None:
            row.consent[f"{channel}_{purpose}"] = granted
