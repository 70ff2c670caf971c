"""Customer-intelligence API: RFM segments, loyalty, the customer-information matrix and cohorts.

For members with ``customers.view`` (like the pages); another business answers 404. Read from the
scores stored on the contacts (recomputed as activity arrives and nightly). Money values are
integer minor units of the business's currency.
"""

from datetime import date, datetime

from django.http import HttpRequest
from ninja import Router, Schema

from etalase.accounts.auth import api_auth
from etalase.core.api import Slug, errors
from etalase.customers.models import Contact
from etalase.directory.models import Business
from etalase.directory.permissions import Permission
from etalase.directory.tenancy import business_context_for
from etalase.insights.customers.labels import (
    churn_bucket_label,
    info_label,
    quadrant_label,
    quadrant_suggestion,
    segment_label,
)
from etalase.insights.customers.scoring import SEGMENT_GRID, CohortRow, RfmBounds
from etalase.insights.customers.selectors import (
    ChurnBucket,
    MissingInfo,
    QuadrantSummary,
    SegmentSummary,
    cohort_retention,
    info_matrix,
    loyalty_summary,
    rfm_grid,
)

router = Router(tags=["customer insights"])

READ_ERRORS = errors(401, 403, 404, 422)


class BoundsOut(Schema):
    recency_days: list[int]
    frequency: list[int]
    monetary_minor: list[int]
    is_fixed: bool

    @staticmethod
    def resolve_recency_days(obj: RfmBounds) -> list[int]:
        return list(obj.recency)

    @staticmethod
    def resolve_frequency(obj: RfmBounds) -> list[int]:
        return list(obj.frequency)

    @staticmethod
    def resolve_monetary_minor(obj: RfmBounds) -> list[int]:
        return list(obj.monetary)


class RfmCellOut(Schema):
    recency: int
    fm: int
    segment: str
    customers: int
    money_minor: int


class RfmSegmentOut(Schema):
    segment: str
    label: str
    customers: int
    percent: int
    money_minor: int

    @staticmethod
    def resolve_segment(obj: SegmentSummary) -> str:
        return obj.key

    @staticmethod
    def resolve_label(obj: SegmentSummary) -> str:
        return segment_label(obj.key)


class RfmOut(Schema):
    currency: str
    scored: int
    without_orders: int
    money_minor: int
    scored_at: datetime | None
    bounds: BoundsOut
    mapping: dict[str, list[str]]
    cells: list[RfmCellOut]
    segments: list[RfmSegmentOut]


class ChurnBucketOut(Schema):
    low: int
    high: int
    label: str
    customers: int
    percent: int

    @staticmethod
    def resolve_label(obj: ChurnBucket) -> str:
        return churn_bucket_label(obj.low)


class AtRiskOut(Schema):
    contact_id: int
    name: str
    churn_risk: int | None
    segment: str

    @staticmethod
    def resolve_contact_id(obj: Contact) -> int:
        return obj.pk

    @staticmethod
    def resolve_name(obj: Contact) -> str:
        return obj.display_name

    @staticmethod
    def resolve_segment(obj: Contact) -> str:
        return obj.rfm_segment


class LoyaltyOut(Schema):
    customers: int
    repeat_customers: int
    repeat_rate: int | None
    median_gap_days: float | None
    churn: list[ChurnBucketOut]
    at_risk: list[AtRiskOut]


class QuadrantOut(Schema):
    quadrant: str
    label: str
    customers: int
    percent: int
    suggestion: str
    filters: dict[str, int]

    @staticmethod
    def resolve_quadrant(obj: QuadrantSummary) -> str:
        return obj.key

    @staticmethod
    def resolve_label(obj: QuadrantSummary) -> str:
        return quadrant_label(obj.key)

    @staticmethod
    def resolve_suggestion(obj: QuadrantSummary) -> str:
        return quadrant_suggestion(obj.key)


class MissingOut(Schema):
    field: str
    label: str
    customers: int
    percent: int

    @staticmethod
    def resolve_field(obj: MissingInfo) -> str:
        return obj.key

    @staticmethod
    def resolve_label(obj: MissingInfo) -> str:
        return info_label(obj.key)


class MatrixOut(Schema):
    customers: int
    average_info: int
    average_personal: int
    quadrants: list[QuadrantOut]
    missing: list[MissingOut]


class CohortOut(Schema):
    month: date
    customers: int
    returned: list[int]
    percents: list[int | None]

    @staticmethod
    def resolve_customers(obj: CohortRow) -> int:
        return obj.size

    @staticmethod
    def resolve_returned(obj: CohortRow) -> list[int]:
        return obj.customers


class CohortsOut(Schema):
    months: list[date]
    cohorts: list[CohortOut]


def _business(request: HttpRequest, slug: str) -> Business:
    return business_context_for(request, slug, Permission.CUSTOMERS_VIEW).business


@router.get(
    "/businesses/{slug}/insights/customers/rfm",
    response={200: RfmOut, **READ_ERRORS},
    auth=api_auth,
    summary="Customers and money per RFM cell and segment",
)
def customer_rfm_get(request: HttpRequest, slug: Slug) -> dict[str, object]:
    """The 5 × 5 grid (recency score × the mean of the frequency and money scores, rounded up), its
    mapping to named segments, the totals per segment and the business's current score bounds."""
    business = _business(request, slug)
    grid = rfm_grid(business)
    return {
        "currency": business.currency,
        "scored": grid.scored,
        "without_orders": grid.without_orders,
        "money_minor": grid.money_minor,
        "scored_at": grid.scored_at,
        "bounds": grid.bounds,
        "mapping": {str(recency): [str(segment) for segment in row] for recency, row in SEGMENT_GRID.items()},
        "cells": grid.cells,
        "segments": grid.segments,
    }


@router.get(
    "/businesses/{slug}/insights/customers/loyalty",
    response={200: LoyaltyOut, **READ_ERRORS},
    auth=api_auth,
    summary="Repeat-purchase rate, time between orders and churn risk",
)
def customer_loyalty_get(request: HttpRequest, slug: Slug) -> dict[str, object]:
    loyalty = loyalty_summary(_business(request, slug))
    return {
        "customers": loyalty.customers,
        "repeat_customers": loyalty.repeat_customers,
        "repeat_rate": loyalty.repeat_rate,
        "median_gap_days": loyalty.median_gap_days,
        "churn": loyalty.buckets,
        "at_risk": loyalty.at_risk,
    }


@router.get(
    "/businesses/{slug}/insights/customers/matrix",
    response={200: MatrixOut, **READ_ERRORS},
    auth=api_auth,
    summary="The customer-information matrix",
)
def customer_matrix_get(request: HttpRequest, slug: Slug) -> object:
    """Customers per quadrant of information completeness × individual service, with a suggestion
    and the contact-list filters of each quadrant, and how often each piece of information is missing."""
    return info_matrix(_business(request, slug))


@router.get(
    "/businesses/{slug}/insights/customers/cohorts",
    response={200: CohortsOut, **READ_ERRORS},
    auth=api_auth,
    summary="Retention by month of first order (last 12 months)",
)
def customer_cohorts_get(request: HttpRequest, slug: Slug) -> dict[str, object]:
    """``returned[k]``: customers of the cohort who ordered ``k`` months after their first month
    (``returned[0]`` is the whole cohort); only months that have begun are listed."""
    cohorts = cohort_retention(_business(request, slug))
    return {"months": cohorts.months, "cohorts": cohorts.rows}
