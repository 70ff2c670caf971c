"""Insights API: the dashboard's numbers and a product's, for members with ``dashboard.view``.

Read from the daily rollups. A business the caller is not a member of, or a product of another
business, answers 404. A bad range answers 422 with a message per field.
"""

import datetime as dt
from datetime import date

from django.http import HttpRequest
from ninja import Query, Router, Schema

from etalase.accounts.auth import api_auth
from etalase.catalog.selectors import product_get_for_business
from etalase.core.api import Id, Slug, errors
from etalase.core.errors import NotFound, ValidationError
from etalase.directory.models import Business
from etalase.directory.permissions import Permission
from etalase.directory.tenancy import business_context_for
from etalase.insights.enums import Period
from etalase.insights.selectors import (
    Change,
    DateRange,
    dashboard_get,
    period_resolve,
    product_analytics_get,
)

router = Router(tags=["insights"])

READ_ERRORS = errors(401, 403, 404, 422)


class RangeQuery(Schema):
    period: Period = Period.DAYS_7
    start: date | None = None
    end: date | None = None


class ChangeOut(Schema):
    percent: int | None
    direction: str


class PointOut(Schema):
    day: date
    value: int


class FunnelStepOut(Schema):
    step: str
    value: int
    percent_of_previous: int | None


class TopProductOut(Schema):
    product_id: int
    title: str
    value: int


class DashboardOut(Schema):
    start: date
    end: date
    previous_start: date
    previous_end: date
    currency: str
    totals: dict[str, int]
    previous: dict[str, int]
    change: dict[str, ChangeOut]
    series: dict[str, list[PointOut]]
    funnel: list[FunnelStepOut]
    top_products: dict[str, list[TopProductOut]]


class FavouritedByOut(Schema):
    user_id: int
    name: str
    favourited_at: str


class ProductAnalyticsOut(Schema):
    product_id: int
    title: str
    start: date
    end: date
    totals: dict[str, int]
    previous: dict[str, int]
    change: dict[str, ChangeOut]
    favourite_rate: int | None
    order_rate: int | None
    series: dict[str, list[PointOut]]
    favourited_by: list[FavouritedByOut]


def _business(request: HttpRequest, slug: str) -> Business:
    return business_context_for(request, slug, Permission.DASHBOARD_VIEW).business


def _changes(totals: dict[str, int], previous: dict[str, int]) -> dict[str, dict[str, object]]:
    changes = {key: Change(value, previous[key]) for key, value in totals.items()}
    return {key: {"percent": change.percent, "direction": change.direction} for key, change in changes.items()}


def _series(series: dict[str, list[tuple[dt.date, int]]]) -> dict[str, list[dict[str, object]]]:
    return {key: [{"day": day, "value": value} for day, value in points] for key, points in series.items()}


def _range(business: Business, query: RangeQuery) -> DateRange:
    try:
        return period_resolve(business, period=query.period, start=query.start, end=query.end)
    except ValidationError as error:
        error.status = 422
        raise


@router.get(
    "/businesses/{slug}/insights",
    response={200: DashboardOut, **READ_ERRORS},
    auth=api_auth,
    summary="The shop's numbers for a period",
)
def insights_get(request: HttpRequest, slug: Slug, query: Query[RangeQuery]) -> dict[str, object]:
    """Totals, the previous period of equal length, changes, daily series, the funnel and top products.
    Money values (``revenue``, ``payments_*``, ``order_value``) are integer minor units."""
    business = _business(request, slug)
    dashboard = dashboard_get(business, date_range=_range(business, query))
    return {
        "start": dashboard.range.start,
        "end": dashboard.range.end,
        "previous_start": dashboard.previous_range.start,
        "previous_end": dashboard.previous_range.end,
        "currency": business.currency,
        "totals": dashboard.totals,
        "previous": dashboard.previous,
        "change": _changes(dashboard.totals, dashboard.previous),
        "series": _series(dashboard.series),
        "funnel": [
            {"step": step.key, "value": step.value, "percent_of_previous": step.percent_of_previous}
            for step in dashboard.funnel
        ],
        "top_products": {
            key: [{"product_id": item.product_id, "title": item.title, "value": item.value} for item in items]
            for key, items in dashboard.top.items()
        },
    }


@router.get(
    "/businesses/{slug}/insights/products/{product_id}",
    response={200: ProductAnalyticsOut, **READ_ERRORS},
    auth=api_auth,
    summary="A product's numbers for a period",
)
def insights_product_get(
    request: HttpRequest, slug: Slug, product_id: Id, query: Query[RangeQuery]
) -> dict[str, object]:
    business = _business(request, slug)
    product = product_get_for_business(business, product_id)
    if product is None:
        raise NotFound()
    analytics = product_analytics_get(business, product, date_range=_range(business, query))
    return {
        "product_id": product.pk,
        "title": product.title,
        "start": analytics.range.start,
        "end": analytics.range.end,
        "totals": analytics.totals,
        "previous": analytics.previous,
        "change": _changes(analytics.totals, analytics.previous),
        "favourite_rate": analytics.favourite_rate,
        "order_rate": analytics.order_rate,
        "series": _series(analytics.series),
        "favourited_by": [
            {"user_id": row.user_id, "name": row.user.display_name, "favourited_at": row.created_at.isoformat()}
            for row in analytics.favourited_by
        ],
    }
