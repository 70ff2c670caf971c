import math
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Case, DecimalField, ExpressionWrapper, F, Q, QuerySet, Value, When

from etalase.accounts.models import User
from etalase.core.errors import NotFound
from etalase.core.text import search_filter
from etalase.directory.enums import BusinessStatus, InvitationStatus
from etalase.directory.hours import opening_status
from etalase.directory.models import Business, Category, Invitation, Membership


def category_list() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True).order_by("position", "slug")


def business_public_list(
    *,
    category_slug: str | None = None,
    city: str | None = None,
    query: str | None = None,
    near: tuple[Decimal, Decimal] | None = None,
) -> QuerySet[Business]:
    """Businesses anyone may see: active ones; nearest first when ``near`` (lat, lng) is given,
    else verified first, then by name. ``query`` matches names, fields, cities and descriptions in
    any case, with or without accents, in Indonesian or English (see ``core.text``)."""
    queryset = Business.objects.filter(status=BusinessStatus.ACTIVE).select_related("category")
    if category_slug:
        queryset = queryset.filter(category__slug=category_slug)
    if city:
        queryset = queryset.filter(city__iexact=city.strip())
    if query and (condition := search_filter(query)) is not None:
        queryset = queryset.filter(condition)
    if near is not None:
        # Squared distance on a flat map, longitude scaled by cos(latitude): exact enough to rank
        # shops in one city, and the same SQL on SQLite and PostgreSQL.
        latitude, longitude = near
        scale = Decimal(str(round(math.cos(math.radians(float(latitude))), 6)))
        lat_delta = ExpressionWrapper(F("latitude") - Value(latitude), output_field=DecimalField())
        lng_delta = ExpressionWrapper((F("longitude") - Value(longitude)) * Value(scale), output_field=DecimalField())
        queryset = queryset.annotate(
            distance_rank=ExpressionWrapper(lat_delta * lat_delta + lng_delta * lng_delta, output_field=DecimalField()),
            has_location=Case(When(latitude__isnull=False, then=Value(0)), default=Value(1)),
        )
        return queryset.order_by("has_location", "distance_rank", "name", "id")
    return queryset.order_by("-is_verified", "name", "id")


def business_public_get(*, slug: str) -> Business | None:
    return business_public_list().filter(slug=slug).first()


def business_public_require(*, slug: str) -> Business:
    """A business anyone may see, or :class:`NotFound` (missing, suspended and hidden look the same)."""
    business = business_public_get(slug=slug)
    if business is None:
        raise NotFound()
    return business


def city_list() -> list[str]:
    return list(
        Business.objects.filter(status=BusinessStatus.ACTIVE).order_by("city").values_list("city", flat=True).distinct()
    )


def membership_list(*, business: Business) -> QuerySet[Membership]:
    return business.memberships.select_related("user").order_by("created_at", "id")


def membership_list_for_user(*, user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user).select_related("business", "business__category").order_by("business__name")
    )


def invitation_pending_list(*, business: Business) -> QuerySet[Invitation]:
    return business.invitations.filter(status=InvitationStatus.PENDING).select_related("invited_by")


def invitation_list_for_user(*, user: User) -> QuerySet[Invitation]:
    """Pending invitations for the phone number and email address ``user`` has verified.

    An unverified identifier matches nothing: anyone can sign up with any number, and only the
    person who proved it is theirs may see or answer the invitations sent to it.
    """
    lookup = Q(pk__in=[])
    if user.phone and user.phone_verified:
        lookup |= Q(phone=user.phone)
    if user.email and user.email_verified:
        lookup |= Q(email__iexact=user.email)
    return Invitation.objects.filter(lookup, status=InvitationStatus.PENDING).select_related("business")


def business_opening_status(business: Business, now: datetime | None = None) -> dict[str, Any]:
    """Open now or closed, in the business's own timezone (see ``directory.hours``)."""
    return opening_status(business.opening_hours or {}, business.timezone, now)
