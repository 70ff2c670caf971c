"""Customer-intelligence pages: the RFM grid, loyalty, the customer-information matrix and cohorts.

For members with ``customers.view``: these pages are about the business's customers and every one
of them links into the contact list, which needs that permission (every role with
``dashboard.view`` has it too). Thin: one read from :mod:`etalase.insights.customers.selectors`, the
words for its keys from :mod:`etalase.insights.customers.labels`, then render.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from babel.numbers import format_compact_decimal
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from etalase.core.formats import babel_locale, minor_unit_digits, money_format
from etalase.directory.models import Business
from etalase.directory.permissions import Permission
from etalase.directory.tenancy import business_context_of, business_view
from etalase.insights.charts import bar_chart
from etalase.insights.customer_charts import cohort_heat_svg, rfm_grid_svg
from etalase.insights.customers.labels import (
    churn_bucket_label,
    info_label,
    quadrant_label,
    quadrant_suggestion,
    segment_label,
)
from etalase.insights.customers.scoring import CohortRow
from etalase.insights.customers.selectors import (
    RfmCell,
    cohort_retention,
    info_matrix,
    loyalty_summary,
    rfm_grid,
)

PERMISSION = Permission.CUSTOMERS_VIEW


def _business(request: HttpRequest) -> Business:
    return business_context_of(request).business


def _count(value: int) -> str:
    return number_format(value, force_grouping=True)


def _compact_money(amount_minor: int, currency: str) -> str:
    """A short amount for a small cell: "1.2M" (en), "1,2 jt" (id); the full amount is in the table."""
    value = amount_minor / 10 ** minor_unit_digits(currency)
    return str(format_compact_decimal(value, locale=babel_locale(), fraction_digits=1))


def _list_url(business: Business, **filters: Any) -> str:
    url = reverse("customers:list", args=[business.slug])
    return f"{url}?{urlencode(filters)}" if filters else url


def _render(request: HttpRequest, section: str, **context: object) -> HttpResponse:
    """``insights/customers_<section>.html``, its tab marked current."""
    business = _business(request)
    return render(
        request,
        f"insights/customers_{section}.html",
        {"nav": "customers", "business": business, "section": section, **context},
    )


@business_view(PERMISSION)
@require_GET
def rfm_page(request: HttpRequest) -> HttpResponse:
    business = _business(request)
    grid = rfm_grid(business)
    currency = business.currency
    labels = {segment.key: segment_label(segment.key) for segment in grid.segments}

    def cell_title(cell: RfmCell) -> str:
        text = ngettext(
            "%(segment)s, recency %(recency)s, frequency and money %(fm)s: %(count)s customer, %(money)s",
            "%(segment)s, recency %(recency)s, frequency and money %(fm)s: %(count)s customers, %(money)s",
            cell.customers,
        )
        return text % {
            "segment": labels[cell.segment],
            "recency": cell.recency,
            "fm": cell.fm,
            "count": _count(cell.customers),
            "money": money_format(cell.money_minor, currency),
        }

    svg = rfm_grid_svg(
        grid.cells,
        chart_id="chart-rfm",
        title=_("Customers by recency and by frequency and money"),
        description=_(
            "A grid of 5 by 5 cells: recency from 5 (ordered lately) at the top to 1 at the bottom, frequency "
            "and money from 1 on the left to 5 on the right; each cell shows its customers and their money."
        ),
        segment_labels=labels,
        recency_label=_("Recency"),
        fm_label=_("Frequency and money"),
        cell_title=cell_title,
        count_format=_count,
        money_format=lambda amount: _compact_money(amount, currency),
    )
    segments = [
        {"summary": segment, "label": labels[segment.key], "url": _list_url(business, segment=segment.key)}
        for segment in grid.segments
    ]
    return _render(request, "rfm", grid=grid, svg=svg, segments=segments, computed_at=grid.computed_at)


@business_view(PERMISSION)
@require_GET
def loyalty_page(request: HttpRequest) -> HttpResponse:
    business = _business(request)
    loyalty = loyalty_summary(business)
    labels = [churn_bucket_label(bucket.low) for bucket in loyalty.buckets]
    buckets = [{"bucket": bucket, "label": label} for bucket, label in zip(loyalty.buckets, labels, strict=True)]
    chart = bar_chart(
        labels,
        [bucket.customers for bucket in loyalty.buckets],
        chart_id="chart-churn",
        title=_("Churn risk"),
        description=_("Customers by churn risk, from low to very high."),
        empty_message=_("No customers with orders yet."),
        value_format=_count,
    )
    gap_days = round(loyalty.median_gap_days) if loyalty.median_gap_days is not None else None
    return _render(
        request,
        "loyalty",
        loyalty=loyalty,
        buckets=buckets,
        chart=chart,
        gap_days=gap_days,
        computed_at=loyalty.computed_at,
    )


@business_view(PERMISSION)
@require_GET
def matrix_page(request: HttpRequest) -> HttpResponse:
    business = _business(request)
    matrix = info_matrix(business)
    quadrants = [
        {
            "summary": quadrant,
            "label": quadrant_label(quadrant.key),
            "suggestion": quadrant_suggestion(quadrant.key),
            "url": _list_url(business, **quadrant.filters),
        }
        for quadrant in matrix.quadrants
    ]
    missing = [{"summary": item, "label": info_label(item.key)} for item in matrix.missing]
    return _render(
        request,
        "matrix",
        matrix=matrix,
        quadrants=quadrants,
        missing=missing,
        computed_at=matrix.computed_at,
    )


@business_view(PERMISSION)
@require_GET
def cohorts_page(request: HttpRequest) -> HttpResponse:
    business = _business(request)
    cohorts = cohort_retention(business)

    def month_label(row: CohortRow) -> str:
        return date_format(row.month, "M Y")

    svg = cohort_heat_svg(
        cohorts.rows,
        chart_id="chart-cohorts",
        title=_("Customers who ordered again, by month of their first order"),
        description=_(
            "One row per month of first order, the oldest on top; one column per month since that first "
            "order. Each cell shows the per cent of the row's customers who ordered that month."
        ),
        month_label=month_label,
        empty_message=_("No first orders in the last 12 months."),
    )
    columns = max((len(row.customers) for row in cohorts.rows), default=0)
    table = [
        {
            "label": month_label(row),
            "iso": row.month.isoformat(),
            "size": row.size,
            "cells": [(count, percent) for count, percent in zip(row.customers, row.percents, strict=True)]
            + [None] * (columns - len(row.customers)),
        }
        for row in cohorts.rows
    ]
    return _render(
        request,
        "cohorts",
        cohorts=cohorts,
        svg=svg,
        table=table,
        columns=range(columns),
        has_cohorts=any(row.size for row in cohorts.rows),
        computed_at=cohorts.computed_at,
    )
