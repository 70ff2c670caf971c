"""Insights pages: the full dashboard, a product's analytics and the compact panel for the Dashboard tab."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.formats import date_format, number_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from etalase.activity.selectors import activity_backlog
from etalase.catalog.selectors import product_get_for_business
from etalase.core.errors import ValidationError
from etalase.core.formats import money_format
from etalase.core.forms import form_add_domain_error
from etalase.directory.models import Business
from etalase.directory.permissions import Permission
from etalase.directory.tenancy import business_context_of, business_view
from etalase.insights.charts import bar_chart, line_chart, sparkline
from etalase.insights.enums import Period
from etalase.insights.forms import RangeForm
from etalase.insights.labels import NUMBER_LABELS, PRODUCT_NUMBER_LABELS, SERIES_KEYS
from etalase.insights.selectors import (
    DateRange,
    Stat,
    dashboard_get,
    panel_get,
    period_resolve,
    product_analytics_get,
)

SERIES_MONEY = {"revenue"}


def _range(request: HttpRequest, business: Business) -> tuple[DateRange, RangeForm, str, bool]:
    """The requested range, or the last 7 days with the form's errors when the request is not valid."""
    form = RangeForm(request.GET)
    if form.is_valid():
        period = form.cleaned_data["period"] or Period.DAYS_7
        try:
            date_range = period_resolve(
                business, period=period, start=form.cleaned_data["start"], end=form.cleaned_data["end"]
            )
        except ValidationError as error:
            form_add_domain_error(form, error)
        else:
            return date_range, form, period, True
    return period_resolve(business, period=Period.DAYS_7), form, Period.DAYS_7, False


@lru_cache(maxsize=4096)
def _day_labels(day: dt.date, language: str) -> tuple[str, str]:
    """A day's short and long labels in the active language, formatted once per process."""
    return date_format(day, "j M"), date_format(day, "DATE_FORMAT")


def _count(value: int) -> str:
    return number_format(value, force_grouping=True)


def _chart(key: str, title: str, points: list[tuple[dt.date, int]], currency: str) -> dict[str, Any]:
    money = key in SERIES_MONEY
    value_format = (lambda value: money_format(value, currency)) if money else _count
    language = translation.get_language() or ""
    labels = [_day_labels(day, language)[0] for day, _value in points]
    values = [value for _day_, value in points]
    return {
        "key": key,
        "title": title,
        "svg": line_chart(
            labels,
            values,
            chart_id=f"chart-{key}",
            title=title,
            description=_("%(title)s per day, from %(start)s to %(end)s.")
            % {"title": title, "start": labels[0], "end": labels[-1]}
            if labels
            else "",
            empty_message=_("No data for this period."),
            value_format=value_format,
        ),
        # Formatted once here: a 90-day page has hundreds of table rows and the template stays cheap.
        "rows": [
            (
                day.isoformat(),
                _day_labels(day, translation.get_language() or "")[1],
                money_format(value, currency) if money else value,
            )
            for day, value in points
        ],
        "is_money": money,
    }


def _stats(stats: list[Stat], labels: Mapping[str, Promise]) -> list[dict[str, Any]]:
    """The numbers with their names, as ``insights/_stat.html`` shows them."""
    return [
        {"key": stat.key, "label": labels[stat.key], "change": stat.change, "is_money": stat.is_money} for stat in stats
    ]


def _status(is_valid: bool) -> int:
    return 200 if is_valid else 400


@business_view(Permission.DASHBOARD_VIEW)
@require_GET
def insights_page(request: HttpRequest) -> HttpResponse:
    business = business_context_of(request).business
    date_range, form, period, is_valid = _range(request, business)
    dashboard = dashboard_get(business, date_range=date_range)
    charts = [_chart(key, str(NUMBER_LABELS[key]), dashboard.series[key], business.currency) for key in SERIES_KEYS]
    funnel = [
        {
            "key": step.key,
            "label": NUMBER_LABELS[step.key],
            "value": step.value,
            "percent_of_previous": step.percent_of_previous,
        }
        for step in dashboard.funnel
    ]
    funnel_chart = bar_chart(
        [str(item["label"]) for item in funnel],
        [step.value for step in dashboard.funnel],
        chart_id="chart-funnel",
        title=_("Funnel"),
        description=_("From product views to paid orders in this period."),
        value_format=_count,
    )
    return render(
        request,
        "insights/dashboard.html",
        {
            "nav": "dashboard",
            "business": business,
            "dashboard": dashboard,
            "stats": _stats(dashboard.stats, NUMBER_LABELS),
            "funnel": funnel,
            "form": form,
            "period": period,
            "periods": [(value, label) for value, label in Period.choices if value != Period.CUSTOM],
            "charts": charts,
            "funnel_chart": funnel_chart,
            "top_lists": [
                (_("Most viewed"), dashboard.top["product_views"]),
                (_("Most favourited"), dashboard.top["favourites"]),
                (_("Most ordered"), dashboard.top["orders"]),
            ],
        },
        status=_status(is_valid),
    )


@business_view(Permission.DASHBOARD_VIEW)
@require_GET
def product_page(request: HttpRequest, product_id: int) -> HttpResponse:
    business = business_context_of(request).business
    product = product_get_for_business(business, product_id)
    if product is None:
        raise Http404
    date_range, form, period, is_valid = _range(request, business)
    analytics = product_analytics_get(business, product, date_range=date_range)
    charts = [
        _chart("product_views", _("Views"), analytics.series["product_views"], business.currency),
        _chart("favourites", _("Favourites"), analytics.series["favourites"], business.currency),
    ]
    return render(
        request,
        "insights/product.html",
        {
            "nav": "dashboard",
            "business": business,
            "product": product,
            "analytics": analytics,
            "stats": _stats(analytics.stats, PRODUCT_NUMBER_LABELS),
            "form": form,
            "period": period,
            "periods": [(value, label) for value, label in Period.choices if value != Period.CUSTOM],
            "charts": charts,
        },
        status=_status(is_valid),
    )


@business_view(Permission.DASHBOARD_VIEW)
@require_GET
def panel(request: HttpRequest) -> HttpResponse:
    business = business_context_of(request).business
    summary = panel_get(business)
    points = summary.views_last_7_days
    backlog = activity_backlog(business)
    return render(
        request,
        "insights/_panel.html",
        {
            "business": business,
            "panel": summary,
            "stats": _stats(summary.stats, NUMBER_LABELS),
            "sparkline": sparkline(
                [value for _day_, value in points],
                chart_id="panel-views",
                title=_("Views over the last 7 days"),
            ),
            "sparkline_rows": points,
            "backlog": backlog,
            "is_delayed": backlog.is_delayed(),
        },
    )
