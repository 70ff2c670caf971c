"""The contact list's filters: parsed from GET parameters (or a saved segment) into a typed ContactFilter.

Pages, the API, saved segments and exports share one parser, so a filter means the same everywhere and
a bad value is a clear message naming the parameter, never a 500.
"""

import re
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, fields
from datetime import timedelta
from typing import Any, cast

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import connection
from django.db.models import BooleanField, Exists, F, Field, Func, OuterRef, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat, Lower
from django.db.models.lookups import Exact, GreaterThanOrEqual, In, LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from etalase.core.errors import ValidationError
from etalase.core.text import text_normalize
from etalase.customers.enums import ConsentChannel, ConsentPurpose, RfmSegment, Stage
from etalase.customers.models import Contact, ContactTag, Tag

SORTS = ("last_seen", "name", "spent", "orders", "created")
SORT_LABELS = {
    "last_seen": _("Last seen"),
    "name": _("Name"),
    "spent": _("Total spent"),
    "orders": _("Most orders"),
    "created": _("Newest"),
}
DEFAULT_SORT = "last_seen"
MAX_QUERY_LENGTH = 100
MAX_TERMS = 5
PHONE_RANGE_DIGITS = 6
"""From this many national digits on, a phone search reads the (business, phone) index range."""
MAX_DAYS = 3650
MAX_MONEY = 10**15
MAX_ORDERS = 10**9
MAX_SCORE = 100
"""The customer-information matrix's scores (``info_score``, ``personal_score``) run from 0 to 100."""

# "0812", "+62 812", "62812": the national digits without the trunk 0 are a token of every phone.
_PHONE_CHARS = set("0123456789+-(). ")


def consent_keys() -> list[str]:
    """``<channel>_<purpose>`` for every channel and purpose, e.g. ``whatsapp_marketing``."""
    return [f"{channel}_{purpose}" for channel in ConsentChannel.values for purpose in ConsentPurpose.values]


def consent_label(key: str) -> str:
    channel, _sep, purpose = key.partition("_")
    return f"{ConsentChannel(channel).label} · {ConsentPurpose(purpose).label}"


class InvalidFilter(ValidationError):
    code = "invalid_filter"
    default_message = _("Some filters are not valid.")


@dataclass(frozen=True)
class ContactFilter:
    """What the contact list is narrowed to; every field empty/None means "no condition"."""

    q: str = ""
    tag: str = ""
    stage: str = ""
    segment: str = ""
    city: str = ""
    last_seen_days: int | None = None
    spent_min: int | None = None
    spent_max: int | None = None
    orders_min: int | None = None
    orders_max: int | None = None
    consent: str = ""
    info_min: int | None = None
    info_max: int | None = None
    personal_min: int | None = None
    personal_max: int | None = None
    sort: str = DEFAULT_SORT

    def as_params(self, *, with_sort: bool = True) -> dict[str, str]:
        """The non-default values as GET parameters (what a saved segment stores, what links carry)."""
        params: dict[str, str] = {}
        for name, value in asdict(self).items():
            if name == "sort" and (not with_sort or value == DEFAULT_SORT):
                continue
            if value is None or value == "":
                continue
            params[name] = str(value)
        return params

    @classmethod
    def from_query(cls, params: Mapping[str, Any]) -> "ContactFilter":
        """The good values of ``params`` (a bad one is left out, as the list page does)."""
        return contact_filter_read(params)[0]

    @property
    def is_filtered(self) -> bool:
        """True when any condition narrows the list (the sort does not)."""
        return bool(self.as_params(with_sort=False))


FILTER_NAMES = tuple(field.name for field in fields(ContactFilter))


def _int(raw: str, *, name: str, label: Any, low: int, high: int, errors: dict[str, Any]) -> int | None:
    text = raw.strip().replace(".", "").replace(",", "").replace("_", "")
    if not text:
        return None
    try:
        value = int(text)
    except ValueError:
        errors[name] = _("%(label)s must be a whole number.") % {"label": label}
        return None
    if not low <= value <= high:
        errors[name] = _("%(label)s must be between %(low)s and %(high)s.") % {"label": label, "low": low, "high": high}
        return None
    return value


def _choice(raw: str, *, name: str, choices: list[str], label: Any, errors: dict[str, Any]) -> str:
    value = raw.strip().lower()
    if value and value not in choices:
        errors[name] = _("%(label)s: “%(value)s” is not one of the choices.") % {"label": label, "value": raw[:40]}
        return ""
    return value


def contact_filter_read(params: Mapping[str, Any]) -> tuple[ContactFilter, dict[str, str]]:
    """Parse what can be parsed and say what cannot: ``(filter of the good values, {param: message})``.

    Pages use this to show the list with a message about the bad value; the API and saved segments use
    :func:`contact_filter_parse`, which refuses the whole request instead.
    """
    errors: dict[str, Any] = {}

    def text(name: str, limit: int) -> str:
        value = params.get(name, "")
        if isinstance(value, list | tuple):
            value = value[-1] if value else ""
        value = "" if value is None else str(value)
        if len(value) > limit:
            errors[name] = _("This is too long (at most %(limit)s characters).") % {"limit": limit}
            return ""
        return value.strip()

    amounts = _amounts(text, errors)
    scores = _scores(text, errors)
    sort = _choice(text("sort", 20), name="sort", choices=list(SORTS), label=_("Sort"), errors=errors)
    result = ContactFilter(
        q=text("q", MAX_QUERY_LENGTH),
        tag=" ".join(text("tag", 40).split()),
        stage=_choice(text("stage", 20), name="stage", choices=Stage.values, label=_("Stage"), errors=errors),
        segment=_choice(
            text("segment", 20), name="segment", choices=RfmSegment.values, label=_("Segment"), errors=errors
        ),
        city=" ".join(text("city", 80).split()),
        last_seen_days=_int(
            text("last_seen_days", 8),
            name="last_seen_days",
            label=_("Seen within"),
            low=1,
            high=MAX_DAYS,
            errors=errors,
        ),
        **amounts,
        consent=_choice(text("consent", 40), name="consent", choices=consent_keys(), label=_("Consent"), errors=errors),
        **scores,
        sort=sort or DEFAULT_SORT,
    )
    return result, {name: str(message) for name, message in errors.items()}


TextOf = Callable[[str, int], str]


def _amounts(text: TextOf, errors: dict[str, Any]) -> dict[str, int | None]:
    """Money spent and orders, from and up to."""
    spent_min = _int(
        text("spent_min", 24), name="spent_min", label=_("Spent from"), low=0, high=MAX_MONEY, errors=errors
    )
    spent_max = _int(
        text("spent_max", 24), name="spent_max", label=_("Spent up to"), low=0, high=MAX_MONEY, errors=errors
    )
    orders_min = _int(
        text("orders_min", 12), name="orders_min", label=_("Orders from"), low=0, high=MAX_ORDERS, errors=errors
    )
    orders_max = _int(
        text("orders_max", 12), name="orders_max", label=_("Orders up to"), low=0, high=MAX_ORDERS, errors=errors
    )
    # "From 0" is no condition at all (and would have the database read every contact's amount).
    spent_min, orders_min = spent_min or None, orders_min or None
    if spent_min is not None and spent_max is not None and spent_min > spent_max:
        errors["spent_max"] = _("“Spent up to” must not be less than “Spent from”.")
        spent_max = None
    if orders_min is not None and orders_max is not None and orders_min > orders_max:
        errors["orders_max"] = _("“Orders up to” must not be less than “Orders from”.")
        orders_max = None
    return {"spent_min": spent_min, "spent_max": spent_max, "orders_min": orders_min, "orders_max": orders_max}


def _scores(text: TextOf, errors: dict[str, Any]) -> dict[str, int | None]:
    """The customer-information matrix's two scores, from and up to."""
    scores: dict[str, int | None] = {}
    for prefix, low_label, high_label, low_first in (
        (
            "info",
            _("Information known from"),
            _("Information known up to"),
            _("“Information known up to” must not be less than “Information known from”."),
        ),
        (
            "personal",
            _("Individual service from"),
            _("Individual service up to"),
            _("“Individual service up to” must not be less than “Individual service from”."),
        ),
    ):
        low = _int(
            text(f"{prefix}_min", 8), name=f"{prefix}_min", label=low_label, low=0, high=MAX_SCORE, errors=errors
        )
        high = _int(
            text(f"{prefix}_max", 8), name=f"{prefix}_max", label=high_label, low=0, high=MAX_SCORE, errors=errors
        )
        low = low or None  # "from 0" is every contact
        if low is not None and high is not None and low > high:
            errors[f"{prefix}_max"] = low_first
            high = None
        scores[f"{prefix}_min"], scores[f"{prefix}_max"] = low, high
    return scores


def contact_filter_parse(params: Mapping[str, Any]) -> ContactFilter:
    """The filter in ``params`` (GET parameters or a segment's stored filters); InvalidFilter naming each bad one."""
    result, errors = contact_filter_read(params)
    if errors:
        raise InvalidFilter(fields=errors)
    return result


# --- applying a filter ---------------------------------------------------------------------------


def _country_code() -> str:
    return str(phonenumbers.country_code_for_region(settings.PHONE_REGION))


def phone_prefix(text: str) -> str | None:
    """The start of an E.164 number that a phone-like query spells ("0812-34", "+62 812 34", "812"),
    or None for other text."""
    stripped = text.strip()
    if not stripped or not set(stripped) <= _PHONE_CHARS:
        return None
    digits = "".join(ch for ch in stripped if ch.isdigit())
    if len(digits) < 3:
        return None
    if stripped.startswith("+"):
        return "+" + digits
    country = _country_code()
    if stripped.startswith("0"):
        return "+" + country + digits[1:]
    if digits.startswith(country):
        return "+" + digits
    return "+" + country + digits


def _digits_after(prefix: str) -> str | None:
    """The smallest string of the same shape above every string starting with ``prefix`` (digits only
    change, so the range means the same under any collation), or None when there is none."""
    head = prefix.rstrip("9")
    if not head or not head[-1].isdigit():
        return None
    return head[:-1] + str(int(head[-1]) + 1)


@dataclass(frozen=True)
class _Search:
    condition: Q
    exact: bool = False
    """A whole phone number or email: a unique index finds the contact at once."""
    phrases: tuple[tuple[str, ...], ...] = ()
    """Words a full-text index can look the rows up by (each a phrase whose last word may continue)."""


_FTS_WORD = re.compile(r"[a-z0-9]+")
FTS_MIN_LENGTH = 3
"""Shorter words start too many words to look up: the list's order finds matches at once instead."""


def _search(query: str) -> _Search | None:
    text = (query or "").strip()[:MAX_QUERY_LENGTH]
    if not text:
        return None
    prefix = phone_prefix(text)
    if prefix is not None and len(prefix) - len(_country_code()) - 1 < PHONE_RANGE_DIGITS:
        # A few digits ("0812") start most numbers: the list's own order finds a page at once.
        return _Search(Q(search_text__contains=" " + prefix[1 + len(_country_code()) :]))
    if prefix is not None:
        condition = ~Q(phone="") & Q(phone__gte=prefix)
        upper = _digits_after(prefix)
        return _Search(condition & Q(phone__lt=upper) if upper else condition, exact=True)
    if "@" in text and " " not in text:
        email = text.lower()
        try:
            validate_email(email)
        except DjangoValidationError:
            # The start of an address: "rina@gm" (the index splits it into "rina", "gm" as it split the address).
            pieces = tuple(_FTS_WORD.findall(email)) if email.isascii() and email[0].isalnum() else ()
            return _Search(Q(search_text__contains=" " + email), phrases=(pieces,) if pieces else ())
        return _Search(~Q(email="") & Q(email=email), exact=True)  # a whole address: the (business, email) index
    words = text_normalize(text).split()[:MAX_TERMS]
    if not words:
        return None
    condition = Q()
    for word in words:
        condition &= Q(search_text__contains=" " + word)
    phrases = tuple((word,) for word in words if len(word) >= FTS_MIN_LENGTH and _FTS_WORD.fullmatch(word))
    return _Search(condition, phrases=phrases)


def search_condition(query: str) -> Q | None:
    """Rows matching every word of ``query`` at the start of one of their search tokens.

    Digits match the start of the phone number in any spelling ("0812", "+62 812", "812"), through the
    unique (business, phone) index; an email is looked up exactly; words match the start of a word of
    the name, email or city ("rin" finds "Rina Wati", "wati" too; "ina" does not).
    """
    search = _search(query)
    return search.condition if search is not None else None


def _case_variants(value: str) -> list[str]:
    """A value as people type it: the index on (business, city) answers ``IN`` fast, ``iexact`` slowly."""
    return sorted({value, value.lower(), value.upper(), value.title(), value.capitalize()})


WALK, DRIVE, CHECK = "walk", "drive", "check"


def contact_filter_apply(
    queryset: QuerySet[Contact],
    contact_filter: ContactFilter,
    *,
    business_id: int | None = None,
    counting: bool = False,
    plan: str = WALK,
) -> QuerySet[Contact]:
    """Narrow and order ``queryset`` (one business's contacts) by ``contact_filter``.

    ``business_id`` narrows the tag condition to the business's tags (the same rows either way).
    ``counting``: the rows will be counted, not paged, so a tag is read from the (business, tag)
    index as a list instead of checked contact by contact.

    On SQLite, with ``business_id``, ``plan`` chooses how the rows are read (the same rows either
    way, see :func:`_sqlite_apply`): ``WALK`` along the list's order, ``DRIVE`` from the most
    selective condition's index (counting always drives), ``CHECK`` row by row (the caller's
    queryset names the index). On PostgreSQL, whose planner knows how common a city or a stage is
    but not how many contacts a tag (named through another table) has, ``DRIVE`` reads a tag's
    contacts first (see :func:`tag_size`).
    """
    if business_id is not None and connection.vendor == "sqlite":
        return _sqlite_apply(queryset, contact_filter, business_id=business_id, plan=DRIVE if counting else plan)
    f = contact_filter
    condition = search_condition(f.q)
    if condition is not None:
        queryset = queryset.filter(condition)
    if f.tag:
        # EXISTS per contact (the unique (contact, tag) index) lets the list walk its own order and
        # stop at a page; an IN list would first collect every tagged contact.
        tagged = ContactTag.objects.filter(tag__name__iexact=f.tag)
        if business_id is not None:
            tagged = tagged.filter(business_id=business_id, tag__business_id=business_id)
        if counting or plan == DRIVE:
            queryset = queryset.filter(pk__in=tagged.values("contact_id"))
        elif business_id is not None:
            # The tag looked up once, then one (contact, tag) index entry per contact walked.
            tags = Tag.objects.filter(business_id=business_id, name__iexact=f.tag).values("pk")
            queryset = queryset.filter(Exists(ContactTag.objects.filter(contact_id=OuterRef("pk"), tag_id__in=tags)))
        else:
            queryset = queryset.filter(Exists(tagged.filter(contact_id=OuterRef("pk"))))
    if f.stage:
        queryset = queryset.filter(stage=f.stage)
    if f.segment:
        queryset = queryset.filter(rfm_segment=f.segment)
    if f.city:
        # (business, lower(city), last seen) reads one city in the list's order; the variants are exact.
        queryset = queryset.filter(Exact(Lower("city"), Lower(Value(f.city))), city__in=_case_variants(f.city))
    if f.last_seen_days is not None:
        queryset = queryset.filter(last_seen_at__gte=timezone.now() - timedelta(days=f.last_seen_days))
    if f.spent_min is not None:
        queryset = queryset.filter(spent_minor__gte=f.spent_min)
    if f.spent_max is not None:
        queryset = queryset.filter(spent_minor__lte=f.spent_max)
    if f.orders_min is not None:
        queryset = queryset.filter(orders_count__gte=f.orders_min)
    if f.orders_max is not None:
        queryset = queryset.filter(orders_count__lte=f.orders_max)
    if f.consent:
        queryset = queryset.filter(**{f"consent__{f.consent}": True})
    for column, low, high in _score_ranges(f):
        if low is not None:
            queryset = queryset.filter(**{f"{column}__gte": low})
        if high is not None:
            queryset = queryset.filter(**{f"{column}__lte": high})
    if plan == DRIVE and not counting:
        # The tag's few contacts are sorted; an index in the sort's order would be walked for them.
        return queryset.order_by(*_sorted_ordering(f.sort))
    return queryset.order_by(*contact_ordering(f.sort))


def _score_ranges(f: ContactFilter) -> list[tuple[str, int | None, int | None]]:
    """The customer-information matrix conditions: (column, from, up to) for each score that is narrowed."""
    ranges = [("info_score", f.info_min, f.info_max), ("personal_score", f.personal_min, f.personal_max)]
    return [(column, low, high) for column, low, high in ranges if low is not None or high is not None]


# --- SQLite: which index reads the rows -----------------------------------------------------------
#
# SQLite's planner knows how many contacts a value of an indexed column has on average, not how many
# this value has (the usual builds have no STAT4), so in a business with hundreds of thousands of
# contacts it may read most of them through one index and sort them, or walk the whole list in order
# looking for a rare value. The list therefore decides, and writes each condition so that only the
# index it chose can answer it (``+column`` is the same value, which no index answers):
#
# - a WALK follows the index of the list's order and checks every condition on the way (an index of
#   a condition is used only when it gives that order too: stage, RFM segment, city, consent and last
#   seen are indexed by last seen); it finds a page at once when matching contacts are common;
# - a DRIVE counts the contacts each condition's index names (index-only queries, first up to
#   CANDIDATES, then up to MANY when every condition is common), reads those of the most selective
#   index, checks the other conditions on them (the cheap ones first) and sorts what is left.
#
# ``selectors.contact_page`` walks within a budget and drives when the walk runs out of it, so a page
# costs one query whenever a walk is quick (and always in tests); a count always drives.
#
# Still needed with the indexes of migrations 0003–0005: ``etalase bench crm --contacts 50000
# --activities 500000 --import-rows 0`` on SQLite, then ``--reuse`` with this planning (two runs) and
# with SQLite's own plans of the generic conditions below (three runs), p95 in ms, with / without:
# page spent from 42–46 / 169–215, by consent 22–25 / 206–266; search for a rare name word 48–53 /
# 229–330, first and last name 52 / 237–310, a phone number 7–11 / 41–108, the start of an email
# 29–35 / 238–257; the contact picker 17–25 / 167–240; count every contact 9–13 / 37–51, by stage
# 7–15 / 87–119, by last seen 12–15 / 106–179. A few were faster without it (information quadrant
# 96–100 / 31–44, tag sorted by name 53–88 / 31–41, start of a name 56–95 / 42–46); by tag or stage
# the runs without it varied too much to say (31–306, 20–475).

CANDIDATES = 5000
MANY = 60_000
"""Conditions are counted up to this when all of them name CANDIDATES contacts or more."""


@dataclass(frozen=True)
class _Condition:
    check: tuple[Any, ...]
    """The exact condition (filter() arguments), written so that no index answers it."""
    index: tuple[Any, ...] = ()
    """The same rows, or more, read through an index (filter() arguments); () when none helps."""
    count: Callable[[int], int] | None = None
    """How many contacts the index names, counted up to the given number."""
    orders: frozenset[str] = frozenset()
    """The sorts whose order the index gives as it reads."""
    same: bool = False
    """The index names exactly the rows the check accepts (read through it, they need no check)."""
    walk: tuple[Any, ...] = ()
    """Another index form for a walk, one that gives the ``orders`` (the check still applies)."""
    unique: bool = False
    """A unique index names at most a few contacts: always read through it, never counted."""


def plain(column: str, output_field: Field[Any, Any] | None = None) -> Func:
    """``+column``: the column's value, which SQLite answers without an index."""
    field = output_field or cast(Field[Any, Any], Contact._meta.get_field(column))  # a column, not a reverse relation
    return Func(F(column), template="+%(expressions)s", output_field=field)


def _indexed(contacts: QuerySet[Contact], *index: Any, **kwargs: Any) -> _Condition:
    """A condition on the contacts table answered by one of its indexes (``index`` filters ``contacts``)."""
    named = contacts.filter(*index).order_by()
    return _Condition(index=index, count=lambda up_to: named[:up_to].count(), **kwargs)


_FTS_STATE: dict[str, tuple[float, bool]] = {}
FTS_TABLE = "customers_contact_fts"
FTS_TRIGGERS = (f"{FTS_TABLE}_insert", f"{FTS_TABLE}_update", f"{FTS_TABLE}_delete")


def _fts_ready() -> bool:
    """The full-text index of migration 0004 and the triggers that keep it current exist (checked at
    most once a minute: a later migration that rebuilds the contacts table drops the triggers)."""
    key = str(connection.settings_dict["NAME"])
    checked_at, ready = _FTS_STATE.get(key, (0.0, False))
    if time.monotonic() - checked_at < 60:
        return ready
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_master WHERE name IN (%s, %s, %s, %s)", [FTS_TABLE, *FTS_TRIGGERS])
        found: int = cursor.fetchone()[0]
        ready = found == 1 + len(FTS_TRIGGERS)
    _FTS_STATE[key] = (time.monotonic(), ready)
    return ready


def _fts_match(phrases: tuple[tuple[str, ...], ...], business_id: int) -> str:
    """``"12xrin" * AND "12xbudi santoso1" *``: each phrase's first word as the index stores it."""
    return " AND ".join('"' + " ".join((f"{business_id}x{phrase[0]}", *phrase[1:])) + '" *' for phrase in phrases)


def _raw_count(sql: str, params: list[Any]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.fetchone()[0])


def _consent_term(key: str, *, indexed: bool) -> RawSQL:
    """``json_type(consent, '$.<key>') = 'true'``: migration 0004's partial index ``contact_consent_<key>``
    answers exactly this term; the same test as ``+json_type(...)`` (``indexed=False``) it does not."""
    sign = "" if indexed else "+"
    # ``key`` is one of consent_keys(), written as is because a partial index matches constants only.
    term = f"""{sign}json_type("customers_contact"."consent", '$.{key}') = 'true'"""
    return RawSQL(term, [], output_field=BooleanField())  # noqa: S611


def _between(ranges: list[tuple[str, int | None, int | None]]) -> tuple[Q, tuple[Any, ...]]:
    """(column, from, up to) ranges as an index condition and as the same checks no index answers."""
    index, checks = Q(), list[Any]()
    for column, low, high in ranges:
        if low is not None:
            index &= Q(**{f"{column}__gte": low})
            checks.append(GreaterThanOrEqual(plain(column), low))
        if high is not None:
            index &= Q(**{f"{column}__lte": high})
            checks.append(LessThanOrEqual(plain(column), high))
    return index, tuple(checks)


def _sqlite_conditions(f: ContactFilter, business_id: int) -> list[_Condition]:
    """The filter's conditions, the cheap checks first (SQLite tests them in this order)."""
    conditions: list[_Condition] = []
    contacts = Contact.objects.filter(business_id=business_id)
    seen = frozenset({"last_seen"})
    for column, value in (("stage", f.stage), ("rfm_segment", f.segment)):
        if value:
            equal = Exact(plain(column), value)
            conditions.append(_indexed(contacts, Q(**{column: value}), check=(equal,), orders=seen, same=True))
    if f.city:
        variants = _case_variants(f.city)
        one_of = In(plain("city"), variants)
        # A walk reads the city in the list's order from (business, lower(city), last seen); a drive
        # counts and reads the variants from (business, city, last seen), which holds the city itself.
        walk = (Exact(Lower("city"), Lower(Value(f.city))),) if f.city.isascii() else ()
        orders = seen if walk else frozenset()
        conditions.append(
            _indexed(contacts, Q(city__in=variants), check=(one_of,), same=True, walk=walk, orders=orders)
        )
    if f.last_seen_days is not None:
        since = timezone.now() - timedelta(days=f.last_seen_days)
        recent = GreaterThanOrEqual(plain("last_seen_at"), since)
        conditions.append(_indexed(contacts, Q(last_seen_at__gte=since), check=(recent,), orders=seen, same=True))
    for column, low, high, sort in (
        ("spent_minor", f.spent_min, f.spent_max, "spent"),
        ("orders_count", f.orders_min, f.orders_max, "orders"),
    ):
        if low is not None or high is not None:
            index, checks = _between([(column, low, high)])
            conditions.append(_indexed(contacts, index, check=checks, orders=frozenset({sort}), same=True))
    scores = _score_ranges(f)
    if scores:
        # A quadrant of the customer-information matrix may hold most contacts or none: one condition,
        # counted and read from (business, info, personal) (or (business, personal)) without the rows.
        index, checks = _between(scores)
        conditions.append(_indexed(contacts, index, check=checks, same=True))
    if f.consent:
        if f.consent in consent_keys():
            granted = _consent_term(f.consent, indexed=True)
            checked = _consent_term(f.consent, indexed=False)
            conditions.append(_indexed(contacts, granted, check=(checked,), orders=seen, same=True))
        else:
            conditions.append(_Condition(check=(Q(**{f"consent__{f.consent}": True}),)))
    search = _search(f.q)
    if search is not None:
        if search.exact:
            conditions.append(_Condition(check=(search.condition,), index=(search.condition,), same=True, unique=True))
        elif search.phrases and _fts_ready():
            match = _fts_match(search.phrases, business_id)
            # The table's name is a constant; the words are a parameter.
            rows = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"  # noqa: S608
            words = RawSQL(rows, [match])  # noqa: S611
            conditions.append(
                _Condition(
                    check=(search.condition,),
                    index=(Q(pk__in=words),),
                    count=lambda up_to: _raw_count(f"SELECT count(*) FROM ({rows} LIMIT %s)", [match, up_to]),  # noqa: S608
                )
            )
        else:
            conditions.append(_Condition(check=(search.condition,)))
    if f.tag:
        # Joined, not "tag IN (subquery)": SQLite reads the tag first, then its (business, tag) range.
        tagged = ContactTag.objects.filter(
            business_id=business_id, tag__business_id=business_id, tag__name__iexact=f.tag
        )
        # Checked row by row: the contact's (contact, tag) entry, the tag looked up once.
        tags = Tag.objects.filter(business_id=business_id, name__iexact=f.tag).values("pk")
        has_tag = ContactTag.objects.filter(contact_id=OuterRef("pk"), tag_id__in=tags)
        conditions.append(
            _Condition(
                check=(Exists(has_tag),),
                index=(Q(pk__in=tagged.values("contact_id")),),
                count=lambda up_to: tagged.order_by()[:up_to].count(),
                same=True,
            )
        )
    return conditions


def _sqlite_apply(queryset: QuerySet[Contact], f: ContactFilter, *, business_id: int, plan: str) -> QuerySet[Contact]:
    """The rows of :func:`contact_filter_apply` on SQLite, read by a WALK or a DRIVE (see above)."""
    queryset = queryset.order_by()
    conditions = _sqlite_conditions(f, business_id)
    if plan == CHECK:  # every condition checked row by row: the caller's queryset chose the index
        return _filtered(queryset, conditions)
    unique = next((c for c in conditions if c.unique), None)
    if unique is not None:
        return _filtered(queryset, conditions, driver=unique).order_by(*_plain_ordering(f.sort))
    # Counted the rarer kinds first (tags, words, consent...), each only up to the smallest count so far.
    counted = [c for c in reversed(conditions) if c.count is not None]
    if plan == DRIVE and len(counted) == 1:  # nothing to choose from: not counted
        return _filtered(queryset, conditions, driver=counted[0]).order_by(*_plain_ordering(f.sort))
    if plan == DRIVE and counted:
        driver, size = _smallest(counted, CANDIDATES)
        if size >= CANDIDATES:
            driver, size = _smallest(counted, MANY)
        return _filtered(queryset, conditions, driver=driver).order_by(*_plain_ordering(f.sort))
    ordered = tuple(c for c in conditions if c.index and f.sort in c.orders)
    return _filtered(queryset, conditions, indexed=ordered).order_by(*contact_ordering(f.sort))


def _smallest(conditions: list[_Condition], up_to: int) -> tuple[_Condition, int]:
    """The condition whose index names the fewest contacts, and how many (counted up to ``up_to``)."""
    best, fewest = conditions[0], up_to
    for condition in conditions:
        size = condition.count(fewest) if condition.count is not None else up_to
        if size < fewest:
            best, fewest = condition, size
    return best, fewest


def _filtered(
    queryset: QuerySet[Contact],
    conditions: list[_Condition],
    *,
    driver: _Condition | None = None,
    indexed: tuple[_Condition, ...] = (),
) -> QuerySet[Contact]:
    """``queryset`` read through the driver's (or the walk's) indexes, then the checks in order (but not
    those of a condition whose index named the same rows)."""
    answered: list[_Condition] = []
    if driver is not None:
        queryset = queryset.filter(*driver.index)
        answered.append(driver)
    for condition in indexed:
        queryset = queryset.filter(*(condition.walk or condition.index))
        if not condition.walk:
            answered.append(condition)
    for condition in conditions:
        if not (condition.same and any(condition is done for done in answered)):
            queryset = queryset.filter(*condition.check)
    return queryset


def _plain_ordering(sort: str) -> tuple[Any, ...]:
    """:func:`contact_ordering` written so that no index gives it (the rows of a drive are sorted)."""
    if sort == "name":
        return (plain("name").asc(), plain("id").asc())
    if sort == "spent":
        return (plain("spent_minor").desc(), plain("id").desc())
    if sort == "orders":
        return (plain("orders_count").desc(), plain("id").desc())
    if sort == "created":
        return (plain("id").desc(),)
    return (plain("last_seen_at").desc(nulls_last=True), plain("id").desc())


def tag_size(*, business_id: int, tag: str, up_to: int = CANDIDATES) -> int:
    """How many contacts of the business have the tag (any case), counted up to ``up_to``."""
    tagged = ContactTag.objects.filter(business_id=business_id, tag__business_id=business_id, tag__name__iexact=tag)
    return tagged.order_by()[:up_to].count()


def _sorted_ordering(sort: str) -> tuple[Any, ...]:
    """:func:`contact_ordering` as expressions no PostgreSQL index gives (``name || ''``, ``x + 0``)."""
    if sort == "name":
        return (Concat(F("name"), Value("")).asc(), (F("id") + 0).asc())
    if sort == "spent":
        return ((F("spent_minor") + 0).desc(), (F("id") + 0).desc())
    if sort == "orders":
        return ((F("orders_count") + 0).desc(), (F("id") + 0).desc())
    if sort == "created":
        return ((F("id") + 0).desc(),)
    return (F("last_seen_at").desc(nulls_last=True), (F("id") + 0).desc())


def contact_ordering(sort: str) -> tuple[Any, ...]:
    """The ORDER BY of a sort, each ending with the id so pages never repeat or skip a row."""
    if sort == "name":
        return ("name", "pk")
    if sort == "spent":
        return ("-spent_minor", "-pk")
    if sort == "orders":
        return ("-orders_count", "-pk")
    if sort == "created":
        return ("-pk",)
    return (F("last_seen_at").desc(nulls_last=True), "-pk")
