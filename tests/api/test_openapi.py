"""The OpenAPI document (/api/v1/openapi.json) is one clients are generated from: each component
name belongs to one schema class, and every operation declares the errors the API's shared handlers
can give it."""

import typing
from collections import defaultdict
from typing import Any

import pytest
from pydantic import BaseModel

from config.api import api
from etalase.core.api import WRITE_METHODS


def _models_in(annotation: Any, found: set[type[BaseModel]]) -> None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation not in found:
            found.add(annotation)
            for field in annotation.model_fields.values():
                _models_in(field.annotation, found)
        return
    for argument in typing.get_args(annotation):
        _models_in(argument, found)


def _schema_classes() -> set[type[BaseModel]]:
    """Every schema class an operation reads or answers with, and the classes inside them."""
    found: set[type[BaseModel]] = set()
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model in operation.models:
                    _models_in(model, found)
                for model in operation.response_models.values():
                    if model is not None and model is not Ellipsis:
                        _models_in(model, found)
    return found


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return api.get_openapi_schema()


def test_no_two_schema_classes_share_a_component_name():
    classes_by_name: dict[str, set[str]] = defaultdict(set)
    for model in _schema_classes():
        classes_by_name[model.__name__].add(f"{model.__module__}.{model.__qualname__}")

    shared = {name: sorted(classes) for name, classes in classes_by_name.items() if len(classes) > 1}

    assert not shared, f"Rename one of each (a component keeps only the last one documented): {shared}"


def test_the_check_finds_schema_classes_inside_answers():
    names = {model.__name__ for model in _schema_classes()}

    assert {"StorefrontProductOut", "FeedProductOut", "ErrorOut", "OrderContactOut", "RfmSegmentOut"} <= names


@pytest.mark.parametrize(
    ("component", "field"),
    [("StorefrontProductOut", "business_name"), ("FavouriteOut", "user_id"), ("StorefrontPostOut", "business_name")],
)
def test_public_shapes_require_only_what_their_answers_carry(document, component, field):
    assert field not in document["components"]["schemas"][component].get("required", [])


def test_the_feed_and_favourites_name_the_shop(document):
    assert "business_name" in document["components"]["schemas"]["FeedProductOut"]["required"]


def test_every_write_that_takes_the_session_declares_the_csrf_failure(document):
    missing = [
        f"{method.upper()} {path}"
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in WRITE_METHODS
        and operation.get("security")
        and "403" not in {str(s) for s in operation["responses"]}
    ]

    assert not missing


def test_every_operation_with_parameters_declares_422(document):
    missing = [
        f"{method.upper()} {path}"
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if (operation.get("parameters") or operation.get("requestBody"))
        and "422" not in {str(s) for s in operation["responses"]}
    ]

    assert not missing


def test_uploads_declare_400_and_bodies_413_and_every_operation_503(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            statuses = {str(status) for status in operation["responses"]}
            body = operation.get("requestBody", {}).get("content", {})
            assert "503" in statuses, f"{method} {path}"
            if body:
                assert "413" in statuses, f"{method} {path}"
            if "multipart/form-data" in body:
                assert "400" in statuses, f"{method} {path}"


def test_the_served_document_is_the_documented_one(client):
    served = client.get("/api/v1/openapi.json").json()

    assert served["paths"]["/api/v1/businesses/{slug}/cart"]["delete"]["responses"]["403"]["content"]
    assert "Retry-After" in served["paths"]["/api/v1/me"]["get"]["responses"]["503"]["headers"]


def test_no_status_is_declared_twice(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            statuses = [str(status) for status in operation["responses"]]
            assert len(statuses) == len(set(statuses)), f"{method} {path}: {statuses}"
