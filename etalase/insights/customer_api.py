"""Customer-intelligence API: RFM segments, loyalty, the customer-information matrix and cohorts.

For members with ``customers.view`` (like the pages); another business answers 404. Read from the
scores stored on the contacts (recomputed as activity arrives and nightly). Money values are
integer minor units of the business's currency.
"""

from datetime import date, datetime
from typing import Annotated

from django.http import HttpRequest
from ninja import Path, Router, Schema

from etalase.accounts.auth import api_auth
from etalase.core.api import errors
from etalase.directory.models import Business
from etalase.directory.permissions import Permission
from etalase.directory.tenancy import business_context_resolve
from etalase.insights.customers import (
    SEGMENT_GRID,
    cohort_retention,
    info_matrix,
    loyalty_summary,
    rfm_grid,
)

router = Router(tags=["customer insights"])

Slug = Annotated[str, Path(max_length=64, pattern=r"^[-a-zA-Z0-9_]+$")]
READ_ERRORS = errors(401, 403, 404)


class BoundsOut(Schema):
    recency_days: list[int]
    frequency: list[int]
    monetary_minor: list[int]
    is_fixed: bool


class RfmCellOut(Schema):
    recency: int
    fm: int
    segment: str
    customers: int
    money_minor: int


class SegmentOut(Schema):
    segment: str
    label: str
    customers: int
    percent: int
    money_minor: int


class RfmOut(Schema):
    currency: str
    scored: int
    without_orders: int
    money_minor: int
    scored_at: datetime | None
    bounds: BoundsOut
    mapping: dict[str, list[str]]
    cells: list[RfmCellOut]
    segments: list[SegmentOut]


class ChurnBucketOut(Schema):
    low: int
    high: int
    label: str
    customers: int
    percent: int


class AtRiskOut(Schema):
    contact_id: int
    name: str
    churn_risk: int | None
    segment: str


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


class MissingOut(Schema):
    field: str
    label: str
    customers: int
    percent: int


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


class CohortsOut(Schema):
    months: list[date]
    cohorts: list[CohortOut]


def _business(request: HttpRequest, slug: str) -> Business:
    context = business_context_resolve(user=request.auth, slug=slug)  # type: ignore[attr-defined]
    context.require(Permission.CUSTOMERS_VIEW)
    return context.business


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
        "bounds": {
            "recency_days": list(grid.bounds.recency),
            "frequency": list(grid.bounds.frequency),
            "monetary_minor": list(grid.bounds.monetary),
            "is_fixed": grid.bounds.is_fixed,
        },
        "mapping": {str(recency): [str(segment) for segment in row] for recency, row in SEGMENT_GRID.items()},
        "cells": [cell.__dict__ for cell in grid.cells],
        "segments": [
            {
                "segment": segment.key,
                "label": segment.label,
                "customers": segment.customers,
                "percent": segment.percent,
                "money_minor": segment.money_minor,
            }
            for segment in grid.segments
        ],
    }


@router.get(
    "/businesses/{slug}/insights/customers/loyalty",
    response={200: LoyaltyOut, **READ_ERRORS},
    auth=api_auth,
    summary="Repeat-purchase rate, time between orders and churn risk",
)
def customer_loyalty_get(request: HttpRequest, slug: Slug) -> dict[str, object]:
    business = _business(request, slug)
    loyalty = loyalty_summary(business)
    return {
        "customers": loyalty.customers,
        "repeat_customers": loyalty.repeat_customers,
        "repeat_rate": loyalty.repeat_rate,
        "median_gap_days": loyalty.median_gap_days,
        "churn": [
            {
                "low": bucket.low,
                "high": bucket.high,
                "label": bucket.label,
                "customers": bucket.customers,
                "percent": bucket.percent,
            }
            for bucket in loyalty.buckets
        ],
        "at_risk": [
            {
                "contact_id": contact.pk,
                "name": contact.display_name,
                "churn_risk": contact.churn_risk,
                "segment": contact.rfm_segment,
            }
            for contact in loyalty.at_risk
        ],
    }


@router.get(
    "/businesses/{slug}/insights/customers/matrix",
    response={200: MatrixOut, **READ_ERRORS},
    auth=api_auth,
    summary="The customer-information matrix",
)
def customer_matrix_get(request: HttpRequest, slug: Slug) -> dict[str, object]:
    """Customers per quadrant of information completeness × individual service, with a suggestion
    and the contact-list filters of each quadrant, and how often each piece of information is missing."""
    business = _business(request, slug)
    matrix = info_matrix(business)
    return {
        "customers": matrix.customers,
        "average_info": matrix.average_info,
        "average_personal": matrix.average_personal,
        "quadrants": [
            {
                "quadrant": quadrant.key,
                "label": quadrant.label,
                "customers": quadrant.customers,
                "percent": quadrant.percent,
                "suggestion": quadrant.suggestion,
                "filters": quadrant.filters,
            }
            for quadrant in matrix.quadrants
        ],
        "missing": [
            {"field": item.key, "label": item.label, "customers": item.customers, "percent": item.percent}
            for item in matrix.missing
        ],
    }


@router.get(
    "/businesses/{slug}/insights/customers/cohorts",
    response={200: CohortsOut, **READ_ERRORS},
    auth=api_auth,
    summary="Retention by month of first order (last 12 months)",
)
def customer_cohorts_get(request: HttpRequest, slug: Slug) -> dict[str, object]:
    """``returned[k]``: customers of the cohort who ordered ``k`` months after their first month
    (``returned[0]`` is the whole cohort); only months that have begun are listed."""
    business = _business(request, slug)
    cohorts = cohort_retention(business)
    return {
        "months": cohorts.months,
        "cohorts": [
            {"month": row.month, "customers": row.size, "returned": row.customers, "percents": row.percents}
            for row in cohorts.rows
        ],
    }
