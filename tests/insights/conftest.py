"""Insights fixtures: a shop with products, customers, and activities recorded as the apps record them."""

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from etalase.activity.models import Activity
from etalase.activity.services import activity_record
from etalase.catalog.models import Product
from etalase.catalog.services import product_create
from etalase.directory.models import Business
from tests.support.catalog import context_of

MakeProduct = Callable[..., Product]


@pytest.fixture
def make_product(db) -> MakeProduct:
    def make(business: Business, title: str = "Batik Parang", price_minor: int = 150_000) -> Product:
        return product_create(context=context_of(business), title=title, price_minor=price_minor, publish=True)

    return make


Record = Callable[..., Activity]


@pytest.fixture
def record(django_capture_on_commit_callbacks) -> Record:
    """``record(verb, business, at=..., target=..., data=..., actor=...)``: one activity, processed after commit."""

    def make(verb: str, business: Business, *, at: dt.datetime | None = None, **fields: Any) -> Activity:
        with django_capture_on_commit_callbacks(execute=True):
            return activity_record(verb=verb, business=business, occurred_at=at, **fields)

    return make
