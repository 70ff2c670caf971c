"""Saved segments: the contact list's filters under a name."""

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from etalase.accounts.models import User
from etalase.core.errors import Conflict, NotFound, ValidationError
from etalase.customers.filters import FILTER_NAMES, InvalidFilter, contact_filter_parse
from etalase.customers.models import Segment
from etalase.customers.services.audit import acting
from etalase.directory.models import Business

SEGMENT_FILTER_NAMES = frozenset(FILTER_NAMES)  # the sort is accepted and left out


@transaction.atomic
def segment_save(
    *, business: Business, name: str, filters: dict[str, Any], actor: User | None, segment: Segment | None = None
) -> Segment:
    """Save the list's filters under a name (or change a saved segment); the sort is not part of it."""
    clean_name = " ".join((name or "").split())
    if not clean_name:
        message = _("Give the segment a name.")
        raise ValidationError(message, fields={"name": message})
    if len(clean_name) > 80:
        message = _("A segment name has at most 80 characters.")
        raise ValidationError(message, fields={"name": message})
    unknown = sorted(str(key)[:40] for key in filters if key not in SEGMENT_FILTER_NAMES)
    if unknown:
        raise InvalidFilter(fields={key: _("This is not a filter of the customer list.") for key in unknown})
    stored = contact_filter_parse(filters).as_params(with_sort=False)
    if not stored:
        message = _("Choose at least one filter before saving a segment.")
        raise ValidationError(message, code="no_filters", fields={"filters": message})
    if segment is not None and segment.business_id != business.pk:
        raise NotFound()
    taken = Segment.objects.filter(business=business, name__iexact=clean_name)
    if segment is not None:
        taken = taken.exclude(pk=segment.pk)
    if taken.exists():
        problem = _("There is already a segment called “%(name)s”.") % {"name": clean_name}
        raise Conflict(problem, code="duplicate", fields={"name": problem})
    if segment is None:
        segment = Segment(business=business, created_by=acting(actor))
    segment.name, segment.filters = clean_name, stored
    try:
        with transaction.atomic():
            segment.save()
    except IntegrityError as exc:
        problem = _("There is already a segment called “%(name)s”.") % {"name": clean_name}
        raise Conflict(problem, code="duplicate", fields={"name": problem}) from exc
    return segment


@transaction.atomic
def segment_delete(*, segment: Segment, actor: User | None) -> None:
    Segment.objects.filter(pk=segment.pk).delete()
