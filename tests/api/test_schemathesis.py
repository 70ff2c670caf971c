"""Schemathesis reads /api/v1/openapi.json and calls every operation of it in process (WSGI) with
data it generates from the document: no answer may be a server error, every status must be one the
document declares, and every JSON answer must match its declared schema.

Each operation runs twice in a demo-like world (a shop with products, a photo and a post, a
customer contact with a note and a segment, an order with a payment, a comment, an import job):
with the owner's personal API token and the world's real ids in the path (so the operations do their
work), and without a token and with generated path values (so they refuse cleanly). The run is
bounded and repeatable: a few examples per operation, derandomized (a fixed seed), no example
database, no deadline.

Nothing is skipped: no operation of the API sends a real message (invitations and notifications go
to the test mail outbox; web push needs VAPID keys, blanked here) and none is a stream of events (the
live notification stream is a page, not an API operation).
"""

import io
from typing import Any

import pytest
import schemathesis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error, response_schema_conformance, status_code_conformance
from schemathesis.core.result import Err

from config.wsgi import application
from etalase.catalog.services import post_create, product_images_add
from etalase.customers.io.imports import import_upload
from etalase.customers.services.contacts import contact_create
from etalase.customers.services.notes import note_add
from etalase.customers.services.segments import segment_save
from etalase.directory.services import invitation_create
from etalase.engagement.services import comment_add
from etalase.orders.services.payments import payment_record
from tests.factories import ApiTokenFactory
from tests.support.orders import checkout_for, context_of, picture_bytes

pytestmark = pytest.mark.schemathesis

SCHEMA = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


def _operation_labels() -> list[str]:
    """``METHOD /path`` of every operation, by path; a part of the document schemathesis cannot read fails."""
    labels = []
    for result in SCHEMA.get_all_operations():
        if isinstance(result, Err):
            raise result.err()
        labels.append(result.ok().label)
    return sorted(labels, key=lambda label: (label.split(" ", 1)[1], label))


OPERATIONS = _operation_labels()
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
# Examples per operation and mode: data fitting the document, then data breaking it (wrong types,
# out-of-range numbers, missing fields), which must be refused with a declared 4xx.
EXAMPLES = {GenerationMode.POSITIVE: 5, GenerationMode.NEGATIVE: 3}


@pytest.fixture(autouse=True)
def _one_database_connection():
    """Calls go through the real WSGI handler, which closes the database connection after each request
    (as a server would); the test's transaction lives on that connection, so keep it open, as
    Django's test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _picture(name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, picture_bytes(), content_type="image/png")


@pytest.fixture
def world(owner, customer, shop, product, settings) -> dict[str, Any]:
    """The demo-like world and the real value of each path parameter in it."""
    settings.VAPID_PUBLIC_KEY = settings.VAPID_PRIVATE_KEY = ""
    context = context_of(owner, shop)
    token = ApiTokenFactory(user=owner, name="schemathesis")
    photo = product_images_add(context=context, product_id=product.pk, uploads=[_picture()])[0]
    post = post_create(context=context, image=_picture("post.png"), caption="Baru", product_ids=[product.pk])
    contact = contact_create(business=shop, name="Ibu Wati", phone="0813-1111-2222", actor=owner)
    note_add(contact=contact, author=owner, body="Suka batik tulis")
    segment = segment_save(business=shop, name="Yogyakarta", filters={"city": "Yogyakarta"}, actor=owner)
    order = checkout_for(owner, [(product, 1)])
    payment = payment_record(order=order, actor=owner, method="cash", amount_minor=50_000, confirm=False)
    checkout_for(customer, [(product, 1)])
    comment = comment_add(user=customer, product_id=product.pk, body="Ada ukuran L?", kind="question")
    csv = io.BytesIO(b"name,phone\nBudi,0812-2222-3333\n")
    job = import_upload(business=shop, actor=owner, upload=SimpleUploadedFile("contacts.csv", csv.getvalue()))
    invitation = invitation_create(context=context, identifier="0812-7777-0000", role="sales")
    return {
        "token": token.secret,
        "paths": {
            "slug": shop.slug,
            "product_id": product.pk,
            "image_id": photo.pk,
            "post_id": post.pk,
            "contact_id": contact.pk,
            "segment_id": segment.pk,
            "number": order.number,
            "payment_id": payment.pk,
            "comment_id": comment.pk,
            "job_id": job.pk,
            "membership_id": context.membership.pk,
            "invitation_id": invitation.pk,
            "token_id": token.pk,
            "notification_id": 1,
            "token": order.receipt_token,
            "gateway": "sandbox",
        },
    }


def _run(
    operation_label: str, *, headers: dict[str, str], path_parameters: dict[str, Any] | None, mode: GenerationMode
) -> None:
    method, path = operation_label.split(" ", 1)
    operation = SCHEMA[path][method]
    known = {
        name: value
        for name, value in (path_parameters or {}).items()
        if any(parameter.name == name for parameter in operation.path_parameters)
    }
    free_path = len(known) < len(operation.path_parameters)
    free_headers = [header for header in operation.headers if header.name.lower() not in {*map(str.lower, headers)}]
    if mode is GenerationMode.NEGATIVE and not (free_path or free_headers or operation.query or operation.body):
        return  # nothing of the request is left to break (GET /me with the world's ids)
    strategy = operation.as_strategy(generation_mode=mode, path_parameters=known or None, headers=headers or None)

    @given(case=strategy)
    @hypothesis_settings(
        max_examples=EXAMPLES[mode],
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def call(case: Any) -> None:
        response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS, headers=headers)

    try:
        call()
    except Unsatisfiable:
        # Negative mode with nothing left to break: the path is the world's and there is no query
        # or body (GET /me); the positive run covers it.
        if mode is not GenerationMode.NEGATIVE:
            raise


def _run_every_operation(*, headers: dict[str, str], path_parameters: dict[str, Any] | None) -> None:
    """Every operation in its own savepoint, rolled back after it: each starts from the same world
    (one operation's deletions or a revoked token never leak into the next), built once."""
    failures: dict[str, BaseException] = {}
    for label in OPERATIONS:
        try:
            with transaction.atomic():
                for mode in EXAMPLES:
                    _run(label, headers=headers, path_parameters=path_parameters, mode=mode)
                transaction.set_rollback(True)
        except (Exception, BaseExceptionGroup) as error:  # every operation's failures are reported together
            failures[label] = error
    assert not failures, f"{len(failures)} of {len(OPERATIONS)} operations failed:\n\n" + "\n\n".join(
        f"== {label}\n{error}" for label, error in failures.items()
    )


def test_every_operation_with_a_token(world):
    _run_every_operation(headers={"Authorization": f"Bearer {world['token']}"}, path_parameters=world["paths"])


def test_every_operation_without_a_token(world):
    _run_every_operation(headers={}, path_parameters=None)
