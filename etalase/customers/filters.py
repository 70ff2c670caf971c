"""The contact list's filters: parsed from GET parameters (or a saved segment) into a typed ContactFilter.

Pages, the API, saved segments and exports share one parser, so a filter means the same everywhere and
a bad value is a clear message naming the parameter, never a 500.
"""

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from datetime import timedelta
from typing import Any

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from etalase.core.errors import ValidationError
from etalase.core.text import text_normalize
from etalase.customers.enums import ConsentChannel, ConsentPurpose, RfmSegment, Stage
from etalase.customers.models import Contact, ContactTag

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
        spent_min=spent_min,
        spent_max=spent_max,
        orders_min=orders_min,
        orders_max=orders_max,
        consent=_choice(text("consent", 40), name="consent", choices=consent_keys(), label=_("Consent"), errors=errors),
        sort=sort or DEFAULT_SORT,
    )
    return result, {name: str(message) for name, message in errors.items()}


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


def search_condition(query: str) -> Q | None:
    """Rows matching every word of ``query`` at the start of one of their search tokens.

    Digits match the start of the phone number in any spelling ("0812", "+62 812", "812"), through the
    unique (business, phone) index; an email is looked up exactly; words match the start of a word of
    the name, email or city ("rin" finds "Rina Wati", "wati" too; "ina" does not).
    """
    text = (query or "").strip()[:MAX_QUERY_LENGTH]
    if not text:
        return None
    prefix = phone_prefix(text)
    if prefix is not None and len(prefix) - len(_country_code()) - 1 < PHONE_RANGE_DIGITS:
        # A few digits ("0812") start most numbers: the list's own order finds a page at once.
        return Q(search_text__contains=" " + prefix[1 + len(_country_code()) :])
    if prefix is not None:
        condition = ~Q(phone="") & Q(phone__gte=prefix)
        upper = _digits_after(prefix)
        return condition & Q(phone__lt=upper) if upper else condition
    if "@" in text and " " not in text:
        email = text.lower()
        try:
            validate_email(email)
        except DjangoValidationError:
            return Q(search_text__contains=" " + email)  # the start of an address: "rina@gm"
        return ~Q(email="") & Q(email=email)  # a whole address: the unique (business, email) index
    words = text_normalize(text).split()[:MAX_TERMS]
    if not words:
        return None
    condition = Q()
    for word in words:
        condition &= Q(search_text__contains=" " + word)
    return condition


def _case_variants(value: str) -> list[str]:
    """A value as people type it: the index on (business, city) answers ``IN`` fast, ``iexact`` slowly."""
    return sorted({value, value.lower(), value.upper(), value.title(), value.capitalize()})


def contact_filter_apply(
    queryset: QuerySet[Contact],
    contact_filter: ContactFilter,
    *,
    business_id: int | None = None,
    counting: bool = False,
) -> QuerySet[Contact]:
    """Narrow and order ``queryset`` (one business's contacts) by ``contact_filter``.

    ``business_id`` narrows the tag condition to the business's tags (the same rows either way).
    ``counting``: the rows will be counted, not paged, so a tag is read from the (business, tag)
    index as a list instead of checked contact by contact.
    """
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
        if counting:
            queryset = queryset.filter(pk__in=tagged.values("contact_id"))
        else:
            queryset = queryset.filter(Exists(tagged.filter(contact_id=OuterRef("pk"))))
    if f.stage:
        queryset = queryset.filter(stage=f.stage)
    if f.segment:
        queryset = queryset.filter(rfm_segment=f.segment)
    if f.city:
        queryset = queryset.filter(city__in=_case_variants(f.city))
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
    return queryset.order_by(*contact_ordering(f.sort))


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
