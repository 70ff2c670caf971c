"""Who may open what: every page and every API operation, tried as every kind of person.

The tables below classify each URL pattern and each API operation once. The walkers at the bottom
fail when the project has a URL or an operation that the tables do not classify (or the other way
round), so a new page cannot ship without deciding who may open it.

People: ``anonymous``; ``customer`` (an account, no business); ``other_business_member`` (the owner
of another business); and a member of the tested business in each of the six roles. The expected
answer for a role comes from ``ROLE_PERMISSIONS``, the one table that maps roles to permissions.

Each kind of person's world is built once, in a transaction rolled back after that person's cases;
every case runs in pytest-django's savepoint inside it, with its own copy of the world's objects and
files (see ``built_world`` and ``world``), so a case that changes something leaves nothing behind.
"""

import copy
import io
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from string import Formatter
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import request_finished
from django.db import close_old_connections, connection, transaction
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.views.static import serve
from PIL import Image

from etalase.accounts.models import ApiToken, User
from etalase.catalog.models import Post, Product, ProductImage
from etalase.catalog.services import post_create, product_create
from etalase.customers.io.importer import import_run
from etalase.customers.io.imports import import_start, import_upload
from etalase.customers.models import Contact, ImportJob, Segment, Tag
from etalase.customers.services.contacts import contact_create, contact_for_user
from etalase.customers.services.segments import segment_save
from etalase.customers.services.tags import contact_tags_set
from etalase.directory.enums import Role
from etalase.directory.models import Business, Invitation, Membership
from etalase.directory.permissions import ROLE_PERMISSIONS
from etalase.directory.permissions import Permission as P
from etalase.directory.tenancy import business_context_resolve
from etalase.engagement.models import Comment
from etalase.engagement.services import comment_add
from etalase.notifications.enums import Kind
from etalase.notifications.models import Notification
from etalase.notifications.services import push_subscription_save
from etalase.orders.enums import OrderStatus
from etalase.orders.models import Order, Payment
from etalase.orders.services.carts import cart_add
from etalase.orders.services.payments import payment_record
from etalase.orders.services.placement import order_checkout
from etalase.orders.services.status import order_transition
from tests.factories import (
    PASSWORD,
    ApiTokenFactory,
    InvitationFactory,
    MembershipFactory,
    UserFactory,
    registered_business,
)

PUBLIC = "public"  # anyone, signed in or not
LOGIN = "login"  # any signed-in person; anonymous visitors are sent to log in (pages) or get 401 (API)
BUSINESS = "business"  # members of the business only; everyone else gets 404 as if it did not exist

STREAMS = {"notifications:stream"}
USER_TYPES = ("anonymous", "customer", "other_business_member", *Role.values)
TO_LOGIN = "to login"


@dataclass(frozen=True)
class Rule:
    access: str
    ok: int = 200
    method: str = "GET"
    permission: str | None = None
    data: Callable[["World"], Any] | None = None
    params: dict[str, str] = field(default_factory=dict)  # path parameter -> World attribute
    multipart: bool = False


def fixed(value: dict[str, Any]) -> Callable[["World"], dict[str, Any]]:
    return lambda world: value


# --- pages: every named URL pattern outside admin/ and the API ---------------------------------

PAGES: dict[str, Rule] = {
    "accounts:signup": Rule(PUBLIC),
    "accounts:login": Rule(PUBLIC),
    "accounts:logout": Rule(PUBLIC, ok=302, method="POST"),
    "accounts:language": Rule(PUBLIC, ok=302, method="POST", data=fixed({"language": "en"})),
    "accounts:tokens": Rule(LOGIN),
    "accounts:verify": Rule(LOGIN),  # everyone in the world is verified: the page says so
    "accounts:password_reset": Rule(PUBLIC),
    "accounts:password_reset_confirm": Rule(PUBLIC),
    "accounts:token_revoke": Rule(LOGIN, ok=302, method="POST", params={"token_id": "own_token_id"}),
    "directory:business_register": Rule(LOGIN),
    "directory:business_home": Rule(LOGIN, ok=302),
    "directory:dashboard": Rule(BUSINESS),
    "orders:cart_list": Rule(LOGIN),
    "orders:cart_resume": Rule(LOGIN, ok=302),
    "orders:cart": Rule(LOGIN),
    "orders:cart_add": Rule(LOGIN, ok=302, method="POST", data=lambda world: {"product_id": world.product_id}),
    "orders:cart_update": Rule(
        LOGIN, ok=302, method="POST", data=lambda world: {"product_id": world.product_id, "quantity": 0}
    ),
    "orders:cart_badge": Rule(PUBLIC),
    "orders:checkout": Rule(LOGIN),
    "orders:my_orders": Rule(LOGIN),
    "orders:my_order": Rule(LOGIN, params={"number": "order_number"}),
    "orders:my_order_cancel": Rule(LOGIN, ok=302, method="POST", params={"number": "order_number"}),
    "orders:my_order_reorder": Rule(LOGIN, ok=302, method="POST", params={"number": "order_number"}),
    "orders:my_order_pay": Rule(
        LOGIN,
        ok=302,
        method="POST",
        data=lambda world: {"method": "transfer", "amount_minor": "1000", **photo_upload("proof")},
        params={"number": "order_number"},
    ),
    # The world's shop takes no online payment and its order is not completed: the page says why (400).
    "orders:my_order_gateway": Rule(LOGIN, ok=400, method="POST", params={"number": "order_number"}),
    "orders:my_order_review": Rule(
        LOGIN,
        ok=400,
        method="POST",
        data=lambda world: {"product_id": world.product_id, "rating": "5"},
        params={"number": "order_number"},
    ),
    "orders:receipt": Rule(PUBLIC, params={"token": "receipt_token"}),
    "orders:gateway_sandbox": Rule(LOGIN, params={"token": "receipt_token"}),
    "orders:manage_list": Rule(BUSINESS, permission=P.ORDERS_VIEW),
    "orders:manage_new": Rule(BUSINESS, permission=P.ORDERS_MANAGE),
    "orders:settings": Rule(BUSINESS, permission=P.BUSINESS_EDIT),
    "orders:contact_picker": Rule(BUSINESS, permission=P.ORDERS_MANAGE),
    "orders:manage_detail": Rule(BUSINESS, permission=P.ORDERS_VIEW, params={"number": "order_number"}),
    "orders:manage_status": Rule(
        BUSINESS,
        ok=302,
        method="POST",
        permission=P.ORDERS_MANAGE,
        data=fixed({"to_status": "confirmed"}),
        params={"number": "order_number"},
    ),
    "orders:manage_cancel": Rule(
        BUSINESS,
        ok=302,
        method="POST",
        permission=P.ORDERS_MANAGE,
        data=fixed({"reason": "Out of stock"}),
        params={"number": "order_number"},
    ),
    "orders:manage_payment_record": Rule(
        BUSINESS,
        ok=302,
        method="POST",
        permission=P.PAYMENTS_RECORD,
        data=fixed({"amount_minor": "1000", "method": "cash"}),
        params={"number": "order_number"},
    ),
    "orders:payment_confirm": Rule(
        BUSINESS, ok=302, method="POST", permission=P.PAYMENTS_CONFIRM, params={"payment_id": "pending_payment_id"}
    ),
    "orders:payment_reject": Rule(
        BUSINESS,
        ok=302,
        method="POST",
        permission=P.PAYMENTS_CONFIRM,
        data=fixed({"reason": "Not on the statement"}),
        params={"payment_id": "pending_payment_id"},
    ),
    "orders:reconciliation": Rule(BUSINESS, permission=P.PAYMENTS_CONFIRM),
    # The world's waiting payment is cash, without a proof: the page answers 404 to everyone.
    "orders:payment_proof": Rule(
        BUSINESS, ok=404, permission=P.ORDERS_VIEW, params={"payment_id": "pending_payment_id"}
    ),
    "orders:my_payment_proof": Rule(
        LOGIN, ok=404, params={"number": "completed_order_number", "payment_id": "pending_payment_id"}
    ),
    "customers:list": Rule(BUSINESS, permission=P.CUSTOMERS_VIEW),
    "customers:detail": Rule(BUSINESS, permission=P.CUSTOMERS_VIEW),
    "customers:add": Rule(BUSINESS, permission=P.CUSTOMERS_MANAGE),
    "customers:edit": Rule(BUSINESS, permission=P.CUSTOMERS_MANAGE),
    "customers_io:import": Rule(BUSINESS, permission=P.CUSTOMERS_MANAGE),
    "customers_io:import_job": Rule(BUSINESS, permission=P.CUSTOMERS_MANAGE, params={"job_id": "import_job_id"}),
    "customers_io:import_progress": Rule(BUSINESS, permission=P.CUSTOMERS_MANAGE, params={"job_id": "import_job_id"}),
    "customers_io:import_report": Rule(
        BUSINESS, permission=P.CUSTOMERS_MANAGE, params={"job_id": "finished_import_job_id"}
    ),
    "customers_io:export_csv": Rule(BUSINESS, permission=P.CUSTOMERS_MANAGE),
    "customers_io:export_xlsx": Rule(BUSINESS, permission=P.CUSTOMERS_MANAGE),
    "customer_insights:rfm": Rule(BUSINESS, permission=P.CUSTOMERS_VIEW),
    "customer_insights:loyalty": Rule(BUSINESS, permission=P.CUSTOMERS_VIEW),
    "customer_insights:matrix": Rule(BUSINESS, permission=P.CUSTOMERS_VIEW),
    "customer_insights:cohorts": Rule(BUSINESS, permission=P.CUSTOMERS_VIEW),
    "customers:merge": Rule(BUSINESS, permission=P.CUSTOMERS_MANAGE),
    "customers:stage": Rule(
        BUSINESS, ok=302, method="POST", permission=P.CUSTOMERS_MANAGE, data=fixed({"stage": "vip"})
    ),
    "customers:tag_add": Rule(
        BUSINESS, ok=302, method="POST", permission=P.CUSTOMERS_MANAGE, data=fixed({"tag": "Grosir"})
    ),
    "customers:tag_remove": Rule(BUSINESS, ok=302, method="POST", permission=P.CUSTOMERS_MANAGE),
    "customers:note_add": Rule(
        BUSINESS, ok=302, method="POST", permission=P.CUSTOMERS_MANAGE, data=fixed({"body": "Suka batik tulis"})
    ),
    "customers:consent": Rule(
        BUSINESS,
        ok=302,
        method="POST",
        permission=P.CUSTOMERS_MANAGE,
        data=fixed({"channel": "whatsapp", "purpose": "marketing", "granted": "1", "source": "staff"}),
    ),
    "customers:tag_bulk": Rule(
        BUSINESS,
        ok=302,
        method="POST",
        permission=P.CUSTOMERS_MANAGE,
        data=lambda world: {"contact": [world.contact_id], "tag": "Promo"},
    ),
    "customers:segments": Rule(BUSINESS, permission=P.CUSTOMERS_VIEW),
    "customers:segment_count": Rule(BUSINESS, permission=P.CUSTOMERS_VIEW),
    "customers:segment_create": Rule(
        BUSINESS,
        ok=302,
        method="POST",
        permission=P.CUSTOMERS_MANAGE,
        data=fixed({"name": "Malang", "return_query": "city=Malang"}),
    ),
    "customers:segment_update": Rule(
        BUSINESS,
        ok=302,
        method="POST",
        permission=P.CUSTOMERS_MANAGE,
        data=fixed({"name": "Solo lagi", "return_query": "city=Solo"}),
    ),
    "customers:segment_delete": Rule(BUSINESS, ok=302, method="POST", permission=P.CUSTOMERS_MANAGE),
    "customers_privacy:my_businesses": Rule(LOGIN),
    "customers_privacy:my_business": Rule(LOGIN),
    "customers_privacy:my_download": Rule(LOGIN, method="POST"),
    "customers_privacy:my_consent": Rule(LOGIN, ok=302, method="POST", data=fixed({"whatsapp": "on"})),
    "customers_privacy:my_erase": Rule(LOGIN, ok=302, method="POST", data=fixed({"confirm": "on"})),
    "customers_privacy:audit": Rule(BUSINESS, permission=P.OWNERS_MANAGE),
    "customers_privacy:contact_erase": Rule(
        BUSINESS,
        ok=302,
        method="POST",
        permission=P.CUSTOMERS_MANAGE,
        data=fixed({"received_via": "phone", "confirm": "on"}),
    ),
    "directory:inbox": Rule(BUSINESS, permission=P.INBOX_VIEW),
    "directory:more": Rule(BUSINESS),
    "directory:profile": Rule(BUSINESS, permission=P.BUSINESS_EDIT),
    "directory:team": Rule(BUSINESS, permission=P.MEMBERS_VIEW),
    "directory:storefront_edit": Rule(BUSINESS, permission=P.BUSINESS_EDIT),
    "directory:storefront_qr": Rule(BUSINESS),
    "directory:storefront_print": Rule(BUSINESS),
    "directory:invitation_revoke": Rule(
        BUSINESS,
        ok=302,
        method="POST",
        permission=P.MEMBERS_MANAGE,
        params={"invitation_id": "pending_invitation_id"},
    ),
    "directory:member_role": Rule(
        BUSINESS,
        ok=302,
        method="POST",
        permission=P.MEMBERS_MANAGE,
        data=fixed({"role": Role.SUPPORT}),
        params={"membership_id": "target_membership_id"},
    ),
    "directory:member_remove": Rule(
        BUSINESS,
        ok=302,
        method="POST",
        permission=P.MEMBERS_MANAGE,
        params={"membership_id": "target_membership_id"},
    ),
    "directory:invitation_respond": Rule(
        LOGIN,
        ok=302,
        method="POST",
        data=fixed({"accept": "0"}),
        params={"invitation_id": "own_invitation_id"},
    ),
    "catalog:product_list": Rule(BUSINESS, permission=P.CATALOG_MANAGE),
    "catalog:product_create": Rule(BUSINESS, permission=P.CATALOG_MANAGE),
    "catalog:product_edit": Rule(BUSINESS, permission=P.CATALOG_MANAGE),
    "catalog:product_preview": Rule(BUSINESS, permission=P.CATALOG_MANAGE),
    "catalog:product_publish": Rule(BUSINESS, ok=302, method="POST", permission=P.CATALOG_MANAGE),
    "catalog:product_hide": Rule(BUSINESS, ok=302, method="POST", permission=P.CATALOG_MANAGE),
    "catalog:product_show": Rule(BUSINESS, ok=302, method="POST", permission=P.CATALOG_MANAGE),
    "catalog:product_archive": Rule(BUSINESS, ok=302, method="POST", permission=P.CATALOG_MANAGE),
    "catalog:product_move": Rule(
        BUSINESS, ok=302, method="POST", permission=P.CATALOG_MANAGE, data=fixed({"direction": "down"})
    ),
    "catalog:product_images_add": Rule(
        BUSINESS, ok=302, method="POST", permission=P.CATALOG_MANAGE, data=lambda world: photo_upload("images")
    ),
    "catalog:product_image_remove": Rule(BUSINESS, ok=302, method="POST", permission=P.CATALOG_MANAGE),
    "catalog:product_image_cover": Rule(BUSINESS, ok=302, method="POST", permission=P.CATALOG_MANAGE),
    "catalog:post_list": Rule(BUSINESS, permission=P.CATALOG_MANAGE),
    "catalog:post_create": Rule(BUSINESS, permission=P.CATALOG_MANAGE),
    "catalog:post_hide": Rule(BUSINESS, ok=302, method="POST", permission=P.CATALOG_MANAGE),
    "catalog:storefront": Rule(PUBLIC),
    "catalog:posts": Rule(PUBLIC),
    "catalog:product": Rule(PUBLIC),
    "web:home": Rule(PUBLIC),
    "web:discover": Rule(PUBLIC),
    "engagement:feed": Rule(PUBLIC),
    "engagement:my_favourites": Rule(LOGIN),
    "engagement:my_following": Rule(LOGIN),
    "engagement:follow_button": Rule(PUBLIC),
    "engagement:favourite_button": Rule(PUBLIC, params={"product_id": "public_product_id"}),
    "engagement:comments": Rule(PUBLIC, params={"product_id": "public_product_id"}),
    "engagement:comment_answer": Rule(
        BUSINESS,
        ok=302,
        method="POST",
        permission=P.INBOX_VIEW,
        data=fixed({"body": "Ada, kak."}),
        params={"comment_id": "question_id"},
    ),
    "engagement:comment_hide": Rule(
        BUSINESS, ok=302, method="POST", permission=P.CATALOG_MANAGE, params={"comment_id": "question_id"}
    ),
    "engagement:share": Rule(PUBLIC, ok=204, method="POST", data=lambda world: {"slug": world.slug, "channel": "copy"}),
    "engagement:resume": Rule(LOGIN, ok=302),
    "insights:page": Rule(BUSINESS, permission=P.DASHBOARD_VIEW),
    "insights:panel": Rule(BUSINESS, permission=P.DASHBOARD_VIEW),
    "insights:product": Rule(BUSINESS, permission=P.DASHBOARD_VIEW),
    "notifications:centre": Rule(PUBLIC),
    "notifications:unread_badge": Rule(PUBLIC),
    "notifications:preferences": Rule(LOGIN),
    "notifications:read_all": Rule(LOGIN, ok=302, method="POST"),
    "notifications:open": Rule(LOGIN, ok=302, params={"notification_id": "own_notification_id"}),
    "notifications:read": Rule(LOGIN, ok=302, method="POST", params={"notification_id": "own_notification_id"}),
    # Posted by push.js as JSON; a form post is not a subscription, so a signed-in person gets 422.
    "notifications:push_subscribe": Rule(LOGIN, ok=422, method="POST"),
    "notifications:push_unsubscribe": Rule(LOGIN, ok=422, method="POST"),
    # A live stream: anonymous visitors get 401 (an EventSource cannot follow a login redirect); for a
    # signed-in person the answer is an event stream that is checked, never read to its end.
    "notifications:stream": Rule(LOGIN),
    "web:me": Rule(PUBLIC),
    "web:offline": Rule(PUBLIC),
    "web:manifest": Rule(PUBLIC),
    "web:service_worker": Rule(PUBLIC),
    "healthz": Rule(PUBLIC),
    # A product's photo: public pictures are served to everyone (private files have no URL at all).
    "media": Rule(PUBLIC, params={"path": "image_path"}),
}

# --- the API: every operation of the OpenAPI document ------------------------------------------


def business_body(world: "World") -> dict[str, Any]:
    return {"name": "Batik Baru", "category": "fashion-batik", "city": "Solo", "whatsapp": "0812-3456-7890"}


def logo_upload(world: "World") -> dict[str, Any]:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), "navy").save(buffer, format="PNG")
    return {"logo": SimpleUploadedFile("logo.png", buffer.getvalue(), content_type="image/png")}


def push_subscription() -> dict[str, Any]:
    """What a browser's PushSubscription.toJSON() looks like: a P-256 public key and an auth secret."""
    import base64
    import secrets

    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    public = (
        ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    )

    def b64(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    return {
        "endpoint": f"https://push.example.com/send/{secrets.token_hex(8)}",
        "keys": {"p256dh": b64(public), "auth": b64(secrets.token_bytes(16))},
    }


def own_push_endpoint(world: "World") -> dict[str, Any]:
    """The endpoint of a push subscription of the person acting (anyone's would do for anonymous)."""
    subscription = push_subscription()
    push_subscription_save(
        user=world.acting_or_bystander,
        endpoint=subscription["endpoint"],
        p256dh=subscription["keys"]["p256dh"],
        auth=subscription["keys"]["auth"],
    )
    return {"endpoint": subscription["endpoint"]}


def photo_upload(field: str) -> dict[str, Any]:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), "teal").save(buffer, format="PNG")
    return {field: SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")}


def own_credentials(world: "World") -> dict[str, Any]:
    return {"identifier": world.acting_or_bystander.email, "password": PASSWORD}


def own_cart_filled(world: "World") -> dict[str, Any]:
    """Something in the acting person's cart, so that checking out makes an order."""
    cart_add(user=world.acting_or_bystander, product=world.product, quantity=1)
    return {"fulfilment": "pickup"}


BUSINESS_PATH = "/api/v1/businesses/{slug}"
IMPORTS_PATH = BUSINESS_PATH + "/customers/imports"


def contacts_upload() -> dict[str, Any]:
    return {"file": SimpleUploadedFile("pelanggan.csv", b"Nama,No HP\nRina,0812-1111-0001\n")}


def finished_import(business: Business, owner: User) -> ImportJob:
    """An import that has run, so its report exists."""
    job = import_upload(business=business, actor=owner, upload=contacts_upload()["file"])
    import_start(job=job, actor=owner)
    return import_run(job_id=job.pk) or job


CATALOG_PATH = BUSINESS_PATH + "/catalog"
API: dict[tuple[str, str], Rule] = {
    ("POST", "/api/v1/auth/signup"): Rule(
        PUBLIC, ok=201, data=fixed({"phone": "0813-9999-0000", "password": "kopi-gayo-88"})
    ),
    ("POST", "/api/v1/auth/token"): Rule(PUBLIC, ok=201, data=own_credentials),
    ("POST", "/api/v1/auth/password-reset"): Rule(PUBLIC, ok=202, data=fixed({"identifier": "0813-9999-0001"})),
    # No code was sent: the answer is "not correct or expired", for everyone alike.
    ("POST", "/api/v1/auth/password-reset/confirm"): Rule(
        PUBLIC, ok=400, data=fixed({"identifier": "0813-9999-0001", "code": "000000", "password": "teh-tarik-2027"})
    ),
    # Everyone in the world is verified already (400), and has no code to confirm (400).
    ("POST", "/api/v1/me/verification"): Rule(LOGIN, ok=400, data=fixed({})),
    ("POST", "/api/v1/me/verification/confirm"): Rule(LOGIN, ok=400, data=fixed({"code": "000000"})),
    ("GET", "/api/v1/me"): Rule(LOGIN),
    ("PATCH", "/api/v1/me"): Rule(LOGIN, data=fixed({"name": "Nama Baru"})),
    ("GET", "/api/v1/me/tokens"): Rule(LOGIN),
    ("POST", "/api/v1/me/tokens"): Rule(LOGIN, ok=201, data=fixed({"name": "matrix"})),
    ("DELETE", "/api/v1/me/tokens/{token_id}"): Rule(LOGIN, ok=204, params={"token_id": "own_token_id"}),
    ("GET", "/api/v1/categories"): Rule(PUBLIC),
    ("GET", "/api/v1/businesses"): Rule(PUBLIC),
    ("POST", "/api/v1/businesses"): Rule(LOGIN, ok=201, data=business_body),
    ("GET", BUSINESS_PATH): Rule(PUBLIC),
    ("PATCH", BUSINESS_PATH): Rule(BUSINESS, permission=P.BUSINESS_EDIT, data=business_body),
    ("POST", BUSINESS_PATH + "/logo"): Rule(BUSINESS, permission=P.BUSINESS_EDIT, data=logo_upload, multipart=True),
    ("GET", "/api/v1/me/businesses"): Rule(LOGIN),
    ("GET", BUSINESS_PATH + "/members"): Rule(BUSINESS, permission=P.MEMBERS_VIEW),
    ("PATCH", BUSINESS_PATH + "/members/{membership_id}"): Rule(
        BUSINESS,
        permission=P.MEMBERS_MANAGE,
        data=fixed({"role": Role.SUPPORT}),
        params={"membership_id": "target_membership_id"},
    ),
    ("DELETE", BUSINESS_PATH + "/members/{membership_id}"): Rule(
        BUSINESS, ok=204, permission=P.MEMBERS_MANAGE, params={"membership_id": "target_membership_id"}
    ),
    ("GET", BUSINESS_PATH + "/invitations"): Rule(BUSINESS, permission=P.MEMBERS_MANAGE),
    ("POST", BUSINESS_PATH + "/invitations"): Rule(
        BUSINESS,
        ok=201,
        permission=P.MEMBERS_MANAGE,
        data=fixed({"identifier": "0813-7777-0000", "role": Role.SALES}),
    ),
    ("DELETE", BUSINESS_PATH + "/invitations/{invitation_id}"): Rule(
        BUSINESS, ok=204, permission=P.MEMBERS_MANAGE, params={"invitation_id": "pending_invitation_id"}
    ),
    ("GET", "/api/v1/me/invitations"): Rule(LOGIN),
    ("POST", "/api/v1/me/invitations/{invitation_id}/accept"): Rule(
        LOGIN, params={"invitation_id": "own_invitation_id"}
    ),
    ("POST", "/api/v1/me/invitations/{invitation_id}/decline"): Rule(
        LOGIN, params={"invitation_id": "own_invitation_id"}
    ),
    ("GET", BUSINESS_PATH + "/activities"): Rule(BUSINESS, permission=P.ACTIVITY_VIEW),
    ("GET", BUSINESS_PATH + "/storefront"): Rule(PUBLIC),
    ("GET", BUSINESS_PATH + "/products"): Rule(PUBLIC),
    ("GET", BUSINESS_PATH + "/products/{product_id}"): Rule(PUBLIC),
    ("GET", BUSINESS_PATH + "/posts"): Rule(PUBLIC),
    ("GET", "/api/v1/search/products"): Rule(PUBLIC),
    ("GET", CATALOG_PATH + "/products"): Rule(BUSINESS, permission=P.CATALOG_MANAGE),
    ("POST", CATALOG_PATH + "/products"): Rule(
        BUSINESS, ok=201, permission=P.CATALOG_MANAGE, data=fixed({"title": "Batik Baru", "price_minor": 15000})
    ),
    ("POST", CATALOG_PATH + "/products/reorder"): Rule(
        BUSINESS, permission=P.CATALOG_MANAGE, data=lambda world: {"ids": [world.product_id]}
    ),
    ("GET", CATALOG_PATH + "/products/{product_id}"): Rule(BUSINESS, permission=P.CATALOG_MANAGE),
    ("PATCH", CATALOG_PATH + "/products/{product_id}"): Rule(
        BUSINESS, permission=P.CATALOG_MANAGE, data=fixed({"price_minor": 20000})
    ),
    ("DELETE", CATALOG_PATH + "/products/{product_id}"): Rule(BUSINESS, ok=204, permission=P.CATALOG_MANAGE),
    ("POST", CATALOG_PATH + "/products/{product_id}/publish"): Rule(BUSINESS, permission=P.CATALOG_MANAGE),
    ("POST", CATALOG_PATH + "/products/{product_id}/hide"): Rule(BUSINESS, permission=P.CATALOG_MANAGE),
    ("POST", CATALOG_PATH + "/products/{product_id}/show"): Rule(BUSINESS, permission=P.CATALOG_MANAGE),
    ("POST", CATALOG_PATH + "/products/{product_id}/images"): Rule(
        BUSINESS, ok=201, permission=P.CATALOG_MANAGE, data=lambda world: photo_upload("images"), multipart=True
    ),
    ("DELETE", CATALOG_PATH + "/products/{product_id}/images/{image_id}"): Rule(
        BUSINESS, ok=204, permission=P.CATALOG_MANAGE
    ),
    ("POST", CATALOG_PATH + "/products/{product_id}/images/{image_id}/cover"): Rule(
        BUSINESS, permission=P.CATALOG_MANAGE
    ),
    ("GET", CATALOG_PATH + "/posts"): Rule(BUSINESS, permission=P.CATALOG_MANAGE),
    ("POST", CATALOG_PATH + "/posts"): Rule(
        BUSINESS, ok=201, permission=P.CATALOG_MANAGE, data=lambda world: photo_upload("image"), multipart=True
    ),
    ("POST", CATALOG_PATH + "/posts/{post_id}/hide"): Rule(BUSINESS, permission=P.CATALOG_MANAGE),
    ("PUT", BUSINESS_PATH + "/follow"): Rule(LOGIN),
    ("DELETE", BUSINESS_PATH + "/follow"): Rule(LOGIN),
    ("GET", "/api/v1/me/following"): Rule(LOGIN),
    ("PUT", "/api/v1/products/{product_id}/favourite"): Rule(LOGIN, params={"product_id": "public_product_id"}),
    ("DELETE", "/api/v1/products/{product_id}/favourite"): Rule(LOGIN, params={"product_id": "public_product_id"}),
    ("GET", "/api/v1/me/favourites"): Rule(LOGIN),
    ("GET", "/api/v1/products/{product_id}/comments"): Rule(PUBLIC, params={"product_id": "public_product_id"}),
    ("POST", "/api/v1/products/{product_id}/comments"): Rule(
        LOGIN,
        ok=201,
        data=fixed({"kind": "question", "body": "Ada warna lain?"}),
        params={"product_id": "public_product_id"},
    ),
    ("POST", "/api/v1/comments/{comment_id}/answers"): Rule(
        BUSINESS,
        ok=201,
        permission=P.INBOX_VIEW,
        data=fixed({"body": "Ada, kak."}),
        params={"comment_id": "question_id"},
    ),
    ("POST", "/api/v1/comments/{comment_id}/hide"): Rule(
        BUSINESS, permission=P.CATALOG_MANAGE, params={"comment_id": "question_id"}
    ),
    ("POST", "/api/v1/share"): Rule(
        LOGIN, ok=204, data=lambda world: {"what": "business", "slug": world.slug, "channel": "copy"}
    ),
    ("GET", BUSINESS_PATH + "/insights"): Rule(BUSINESS, permission=P.DASHBOARD_VIEW),
    ("GET", BUSINESS_PATH + "/insights/products/{product_id}"): Rule(BUSINESS, permission=P.DASHBOARD_VIEW),
    ("GET", "/api/v1/notifications"): Rule(LOGIN),
    ("GET", "/api/v1/notifications/unread-count"): Rule(LOGIN),
    ("POST", "/api/v1/notifications/read-all"): Rule(LOGIN),
    ("POST", "/api/v1/notifications/{notification_id}/read"): Rule(
        LOGIN, params={"notification_id": "own_notification_id"}
    ),
    ("GET", "/api/v1/notification-preferences"): Rule(LOGIN),
    ("PUT", "/api/v1/notification-preferences"): Rule(LOGIN, data=fixed({"channels": {}, "digest_enabled": False})),
    ("POST", "/api/v1/push-subscriptions"): Rule(LOGIN, ok=201, data=lambda world: push_subscription()),
    ("DELETE", "/api/v1/push-subscriptions"): Rule(LOGIN, ok=204, data=lambda world: own_push_endpoint(world)),
    ("GET", "/api/v1/feed"): Rule(LOGIN),
    ("GET", "/api/v1/feed/for-you"): Rule(LOGIN),
    ("GET", "/api/v1/cart"): Rule(LOGIN),
    ("GET", BUSINESS_PATH + "/cart"): Rule(LOGIN),
    ("DELETE", BUSINESS_PATH + "/cart"): Rule(LOGIN, ok=204),
    ("POST", BUSINESS_PATH + "/cart/items"): Rule(LOGIN, data=lambda world: {"product_id": world.product_id}),
    ("PATCH", BUSINESS_PATH + "/cart/items/{product_id}"): Rule(LOGIN, data=fixed({"quantity": 1})),
    ("DELETE", BUSINESS_PATH + "/cart/items/{product_id}"): Rule(LOGIN),
    ("POST", BUSINESS_PATH + "/checkout"): Rule(LOGIN, ok=201, data=lambda world: own_cart_filled(world)),
    ("GET", "/api/v1/me/orders"): Rule(LOGIN),
    ("GET", "/api/v1/me/orders/{slug}/{number}"): Rule(LOGIN, params={"number": "order_number"}),
    ("POST", "/api/v1/me/orders/{slug}/{number}/cancel"): Rule(LOGIN, params={"number": "order_number"}),
    ("POST", "/api/v1/me/orders/{slug}/{number}/reorder"): Rule(LOGIN, params={"number": "order_number"}),
    ("POST", "/api/v1/me/orders/{slug}/{number}/reviews"): Rule(
        LOGIN,
        ok=201,
        data=lambda world: {"product_id": world.product_id, "rating": 5},
        params={"number": "completed_order_number"},
    ),
    ("POST", "/api/v1/me/orders/{slug}/{number}/payments"): Rule(
        LOGIN,
        ok=201,
        data=lambda world: {"method": "transfer", "amount_minor": "1000", **photo_upload("proof")},
        params={"number": "order_number"},
        multipart=True,
    ),
    ("GET", "/api/v1/receipts/{token}"): Rule(PUBLIC, params={"token": "receipt_token"}),
    ("GET", BUSINESS_PATH + "/orders"): Rule(BUSINESS, permission=P.ORDERS_VIEW),
    ("POST", BUSINESS_PATH + "/orders"): Rule(
        BUSINESS,
        ok=201,
        permission=P.ORDERS_MANAGE,
        data=lambda world: {
            "contact_id": world.contact_id,
            "channel": "phone",
            "fulfilment": "pickup",
            "lines": [{"product_id": world.product_id, "quantity": 1}],
        },
    ),
    ("GET", BUSINESS_PATH + "/orders/{number}"): Rule(
        BUSINESS, permission=P.ORDERS_VIEW, params={"number": "order_number"}
    ),
    ("POST", BUSINESS_PATH + "/orders/{number}/status"): Rule(
        BUSINESS, permission=P.ORDERS_MANAGE, data=fixed({"status": "confirmed"}), params={"number": "order_number"}
    ),
    ("POST", BUSINESS_PATH + "/orders/{number}/cancel"): Rule(
        BUSINESS, permission=P.ORDERS_MANAGE, data=fixed({"reason": "Stok habis"}), params={"number": "order_number"}
    ),
    ("POST", BUSINESS_PATH + "/orders/{number}/payments"): Rule(
        BUSINESS,
        ok=201,
        permission=P.PAYMENTS_RECORD,
        data=fixed({"method": "cash", "amount_minor": "1000"}),
        params={"number": "order_number"},
        multipart=True,
    ),
    ("POST", BUSINESS_PATH + "/payments/{payment_id}/confirm"): Rule(
        BUSINESS, permission=P.PAYMENTS_CONFIRM, params={"payment_id": "pending_payment_id"}
    ),
    ("POST", BUSINESS_PATH + "/payments/{payment_id}/reject"): Rule(
        BUSINESS,
        permission=P.PAYMENTS_CONFIRM,
        data=fixed({"reason": "Belum masuk"}),
        params={"payment_id": "pending_payment_id"},
    ),
    ("GET", BUSINESS_PATH + "/payments/reconciliation"): Rule(BUSINESS, permission=P.PAYMENTS_CONFIRM),
    # The world's waiting payment is cash, without a proof: 404 once the permission lets the caller ask.
    ("GET", BUSINESS_PATH + "/payments/{payment_id}/proof"): Rule(
        BUSINESS, ok=404, permission=P.ORDERS_VIEW, params={"payment_id": "pending_payment_id"}
    ),
    ("GET", BUSINESS_PATH + "/order-settings"): Rule(BUSINESS, permission=P.BUSINESS_EDIT),
    ("PATCH", BUSINESS_PATH + "/order-settings"): Rule(
        BUSINESS, permission=P.BUSINESS_EDIT, data=fixed({"delivery_fee_minor": 5000})
    ),
    # A well-formed notification is answered 200 whatever came of it (here: an unknown order).
    ("POST", "/api/v1/payments/gateway/{gateway}/notification"): Rule(
        PUBLIC, data=fixed({"order_id": "nobody-1"}), params={"gateway": "gateway_name"}
    ),
    ("GET", BUSINESS_PATH + "/contacts"): Rule(BUSINESS, permission=P.CUSTOMERS_VIEW),
    ("POST", BUSINESS_PATH + "/contacts"): Rule(
        BUSINESS, ok=201, permission=P.CUSTOMERS_MANAGE, data=fixed({"name": "Pak Baru", "phone": "0813-5555-0001"})
    ),
    ("POST", BUSINESS_PATH + "/contacts/bulk-tag"): Rule(
        BUSINESS, permission=P.CUSTOMERS_MANAGE, data=lambda world: {"contact_ids": [world.contact_id], "tag": "Promo"}
    ),
    ("GET", BUSINESS_PATH + "/contacts/{contact_id}"): Rule(BUSINESS, permission=P.CUSTOMERS_VIEW),
    ("PATCH", BUSINESS_PATH + "/contacts/{contact_id}"): Rule(
        BUSINESS, permission=P.CUSTOMERS_MANAGE, data=fixed({"city": "Solo"})
    ),
    ("POST", BUSINESS_PATH + "/contacts/{contact_id}/merge"): Rule(
        BUSINESS, permission=P.CUSTOMERS_MANAGE, data=lambda world: {"other_id": world.duplicate.pk}
    ),
    ("GET", BUSINESS_PATH + "/contacts/{contact_id}/timeline"): Rule(BUSINESS, permission=P.CUSTOMERS_VIEW),
    ("PUT", BUSINESS_PATH + "/contacts/{contact_id}/tags"): Rule(
        BUSINESS, permission=P.CUSTOMERS_MANAGE, data=fixed({"names": ["VIP"]})
    ),
    ("GET", BUSINESS_PATH + "/contacts/{contact_id}/notes"): Rule(BUSINESS, permission=P.CUSTOMERS_VIEW),
    ("POST", BUSINESS_PATH + "/contacts/{contact_id}/notes"): Rule(
        BUSINESS, ok=201, permission=P.CUSTOMERS_MANAGE, data=fixed({"body": "Suka batik tulis"})
    ),
    ("GET", BUSINESS_PATH + "/contacts/{contact_id}/consents"): Rule(BUSINESS, permission=P.CUSTOMERS_VIEW),
    ("POST", BUSINESS_PATH + "/contacts/{contact_id}/consents"): Rule(
        BUSINESS,
        ok=201,
        permission=P.CUSTOMERS_MANAGE,
        data=fixed({"channel": "whatsapp", "purpose": "marketing", "granted": True}),
    ),
    ("PUT", BUSINESS_PATH + "/contacts/{contact_id}/stage"): Rule(
        BUSINESS, permission=P.CUSTOMERS_MANAGE, data=fixed({"stage": "vip"})
    ),
    ("GET", BUSINESS_PATH + "/segments"): Rule(BUSINESS, permission=P.CUSTOMERS_VIEW),
    ("POST", IMPORTS_PATH): Rule(
        BUSINESS, ok=201, permission=P.CUSTOMERS_MANAGE, data=lambda world: contacts_upload(), multipart=True
    ),
    ("GET", IMPORTS_PATH + "/{job_id}"): Rule(
        BUSINESS, permission=P.CUSTOMERS_MANAGE, params={"job_id": "import_job_id"}
    ),
    ("PATCH", IMPORTS_PATH + "/{job_id}"): Rule(
        BUSINESS,
        permission=P.CUSTOMERS_MANAGE,
        data=fixed({"fields": {"0": "name", "1": "phone"}}),
        params={"job_id": "import_job_id"},
    ),
    ("GET", IMPORTS_PATH + "/{job_id}/preview"): Rule(
        BUSINESS, permission=P.CUSTOMERS_MANAGE, params={"job_id": "import_job_id"}
    ),
    ("POST", IMPORTS_PATH + "/{job_id}/start"): Rule(
        BUSINESS, ok=202, permission=P.CUSTOMERS_MANAGE, params={"job_id": "import_job_id"}
    ),
    ("GET", IMPORTS_PATH + "/{job_id}/report"): Rule(
        BUSINESS, permission=P.CUSTOMERS_MANAGE, params={"job_id": "finished_import_job_id"}
    ),
    ("GET", BUSINESS_PATH + "/customers/export"): Rule(BUSINESS, permission=P.CUSTOMERS_MANAGE),
    ("GET", BUSINESS_PATH + "/insights/customers/rfm"): Rule(BUSINESS, permission=P.CUSTOMERS_VIEW),
    ("GET", BUSINESS_PATH + "/insights/customers/loyalty"): Rule(BUSINESS, permission=P.CUSTOMERS_VIEW),
    ("GET", BUSINESS_PATH + "/insights/customers/matrix"): Rule(BUSINESS, permission=P.CUSTOMERS_VIEW),
    ("GET", BUSINESS_PATH + "/insights/customers/cohorts"): Rule(BUSINESS, permission=P.CUSTOMERS_VIEW),
    ("POST", BUSINESS_PATH + "/segments"): Rule(
        BUSINESS, ok=201, permission=P.CUSTOMERS_MANAGE, data=fixed({"name": "Malang", "filters": {"city": "Malang"}})
    ),
    ("PATCH", BUSINESS_PATH + "/segments/{segment_id}"): Rule(
        BUSINESS, permission=P.CUSTOMERS_MANAGE, data=fixed({"name": "Solo lagi"})
    ),
    ("DELETE", BUSINESS_PATH + "/segments/{segment_id}"): Rule(BUSINESS, ok=204, permission=P.CUSTOMERS_MANAGE),
    ("GET", BUSINESS_PATH + "/segments/{segment_id}/contacts"): Rule(BUSINESS, permission=P.CUSTOMERS_VIEW),
    ("GET", "/api/v1/me/privacy/businesses"): Rule(LOGIN),
    ("GET", "/api/v1/me/privacy/businesses/{slug}/export"): Rule(LOGIN),
    ("POST", "/api/v1/me/privacy/businesses/{slug}/erasure"): Rule(LOGIN, ok=201, data=fixed({"confirm": True})),
    ("PUT", "/api/v1/me/privacy/businesses/{slug}/consent"): Rule(LOGIN, data=fixed({"whatsapp": False})),
    ("GET", BUSINESS_PATH + "/audit"): Rule(BUSINESS, permission=P.OWNERS_MANAGE),
    ("POST", BUSINESS_PATH + "/contacts/{contact_id}/erasure"): Rule(
        BUSINESS, ok=201, permission=P.CUSTOMERS_MANAGE, data=fixed({"confirm": True})
    ),
}


# --- the world every case is tried in ----------------------------------------------------------


@dataclass
class World:
    business: Business
    users: dict[str, User | None]
    acting: User | None
    acting_or_bystander: User
    target_membership: Membership
    pending_invitation: Invitation
    own_token: ApiToken
    own_invitation: Invitation
    product: Product
    image: ProductImage
    post: Post
    question: Comment
    own_notification: Notification
    contact: Contact
    duplicate: Contact
    tag: Tag
    segment: Segment
    import_job: ImportJob
    finished_import_job: ImportJob

    @property
    def image_path(self) -> str:
        return str(self.image.detail.name)

    @property
    def import_job_id(self) -> int:
        return self.import_job.pk

    @property
    def finished_import_job_id(self) -> int:
        return self.finished_import_job.pk

    order: Order
    completed_order: Order
    pending_payment: Payment

    @property
    def contact_id(self) -> int:
        return self.contact.pk

    @property
    def tag_id(self) -> int:
        return self.tag.pk

    @property
    def segment_id(self) -> int:
        return self.segment.pk

    @property
    def order_number(self) -> int:
        return self.order.number

    @property
    def completed_order_number(self) -> int:
        return self.completed_order.number

    @property
    def receipt_token(self) -> str:
        return self.order.receipt_token

    @property
    def pending_payment_id(self) -> int:
        return self.pending_payment.pk

    @property
    def gateway_name(self) -> str:
        return "sandbox"

    @property
    def own_notification_id(self) -> int:
        return self.own_notification.pk

    @property
    def public_product_id(self) -> int:
        return self.product.pk

    @property
    def question_id(self) -> int:
        return self.question.pk

    @property
    def product_id(self) -> int:
        return self.product.pk

    @property
    def image_id(self) -> int:
        return self.image.pk

    @property
    def post_id(self) -> int:
        return self.post.pk

    @property
    def slug(self) -> str:
        return self.business.slug

    @property
    def own_token_id(self) -> int:
        return self.own_token.pk

    @property
    def own_invitation_id(self) -> int:
        return self.own_invitation.pk

    @property
    def pending_invitation_id(self) -> int:
        return self.pending_invitation.pk

    @property
    def target_membership_id(self) -> int:
        return self.target_membership.pk

    def path_value(self, rule: Rule, name: str) -> Any:
        return getattr(self, rule.params.get(name, name))


def build_world(user_type: str) -> World:
    owner = UserFactory(name="Sari")
    business = registered_business(owner=owner, name="Batik Sari")
    other_business = registered_business(owner=UserFactory(name="Bayu"), name="Kopi Senja")
    customer = UserFactory(name="Budi")
    users: dict[str, User | None] = {
        "anonymous": None,
        "customer": customer,
        "other_business_member": Membership.objects.get(business=other_business).user,
        Role.OWNER: owner,
    }
    for role in Role.values:
        if role != Role.OWNER:
            users[role] = MembershipFactory(business=business, role=role).user
    target = MembershipFactory(business=business, role=Role.SALES)
    acting = users[user_type]
    bystander = acting or customer
    assert bystander is not None
    context = business_context_resolve(user=owner, slug=business.slug)
    contact_for_user(business=business, user=bystander)  # the acting person's own record (Me → My data at shops)
    contact = contact_create(business=business, name="Bu Rina", phone="+6281299990001")
    product = product_create(
        context=context, title="Batik Parang", price_minor=150_000, images=[photo_upload("x")["x"]], publish=True
    )
    question = comment_add(user=customer, product_id=product.pk, body="Ada ukuran XL?", kind="question")
    # The acting person's own pending order #1 and completed order #2 (with a cash payment waiting
    # for the cashier), so that customers' and staff's order operations have something to act on.
    orders = []
    for _ in range(2):
        cart_add(user=bystander, product=product, quantity=1)
        orders.append(order_checkout(user=bystander, business=business, fulfilment="pickup"))
    for status in (OrderStatus.CONFIRMED, OrderStatus.COMPLETED):
        order_transition(order=orders[1], actor=owner, to_status=status)
    pending_payment = payment_record(order=orders[1], actor=owner, method="cash", amount_minor=1000, confirm=False)
    return World(
        own_notification=Notification.objects.create(
            recipient=bystander, kind=Kind.FAVOURITED, title="Budi favourited Batik Parang", url="/"
        ),
        question=question,
        product=product,
        image=product.images.get(),
        post=post_create(context=context, image=photo_upload("x")["x"], caption="Koleksi baru"),
        business=business,
        users=users,
        acting=acting,
        acting_or_bystander=bystander,
        target_membership=target,
        pending_invitation=InvitationFactory(business=business, phone="+6281377770001"),
        own_token=ApiTokenFactory(user=bystander, name="to revoke"),
        own_invitation=InvitationFactory(business=business, phone="", email=bystander.email, role=Role.CASHIER),
        contact=contact,
        duplicate=contact_create(business=business, name="Rina (dobel)", email="rina@example.com"),
        tag=contact_tags_set(contact=contact, names=["Langganan"], actor=owner)[0],
        segment=segment_save(business=business, name="Pelanggan Solo", filters={"city": "Solo"}, actor=owner),
        import_job=import_upload(business=business, actor=owner, upload=contacts_upload()["file"]),
        finished_import_job=finished_import(business, owner),
        order=orders[0],
        completed_order=orders[1],
        pending_payment=pending_payment,
    )


def expected_answer(rule: Rule, user_type: str, *, api: bool) -> int | str:
    if rule.access == PUBLIC:
        return rule.ok
    if user_type == "anonymous":
        return 401 if api else TO_LOGIN
    if rule.access == LOGIN:
        return rule.ok
    if user_type not in Role.values:
        return 404
    if rule.permission is None or rule.permission in ROLE_PERMISSIONS[user_type]:
        return rule.ok
    return 403


def check_answer(response, expected: int | str, label: str) -> None:
    login = reverse("accounts:login")
    assert response.status_code < 500, f"{label}: {response.status_code}"
    if expected == TO_LOGIN:
        assert response.status_code == 302, f"{label}: {response.status_code}, expected a redirect to log in"
        assert response["Location"].startswith(login), f"{label}: redirected to {response['Location']}"
        return
    assert response.status_code == expected, f"{label}: {response.status_code}, expected {expected}"
    if response.status_code == 302:
        assert not response["Location"].startswith(login), f"{label}: sent a signed-in person to log in"


# --- the matrix --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built_world(user_type, django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[tuple[World, Path]]:
    """``build_world(user_type)`` once for all of that person's cases, and the folder its files are in.

    ``user_type`` is parametrized with module scope, so pytest runs one person's cases together and
    finishes this fixture (rolling the world back) before building the next person's. Building takes
    several times longer than trying a URL.

    The transaction is opened here, before pytest-django's own per-test one, which becomes a savepoint
    inside it and is rolled back after each case. On-commit callbacks never run, as in any ``db`` test:
    the outer transaction is rolled back too. A case using the world must not be transactional (its
    teardown empties every table).
    """
    media = tmp_path_factory.mktemp(f"world-{user_type}")
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
    try:
        roots = override_settings(MEDIA_ROOT=str(media / "public"), PRIVATE_MEDIA_ROOT=str(media / "private"))
        with django_db_blocker.unblock(), roots:
            world = build_world(user_type)
        yield world, media
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def world(built_world, _isolated_media, settings) -> Iterator[World]:
    """The world as ``build_world`` returned it, for one case.

    A deep copy, so what a case does to the Python objects (a login stamping ``last_login``, a service
    changing an instance) never reaches the next case; its rows are rolled back with the savepoint.
    The world's files are copied into the case's own media folder, where uploads and deletions stay.
    """
    built, media = built_world
    if (media / "public").exists():
        shutil.copytree(media / "public", settings.MEDIA_ROOT, dirs_exist_ok=True)
    if (media / "private").exists():
        shutil.copytree(media / "private", settings.PRIVATE_MEDIA_ROOT, dirs_exist_ok=True)
    yield copy.deepcopy(built)
    assert not connection.closed_in_transaction, "the case closed the connection, and the world's transaction with it"


def response_close(response) -> None:
    """Close a response as the test client does, keeping the connection the world's transaction is on.

    Closing sends ``request_finished``, whose ``close_old_connections`` closes a connection found
    inside a transaction.
    """
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


@pytest.mark.django_db
@pytest.mark.parametrize("user_type", USER_TYPES, scope="module")
@pytest.mark.parametrize("name", sorted(PAGES))
def test_page(name, user_type, world, client_for):
    rule = PAGES[name]
    pattern = resolve_pattern(name)
    kwargs = {parameter: world.path_value(rule, parameter) for parameter in pattern.pattern.converters}
    url = reverse(name, kwargs=kwargs)
    browser = client_for(world.acting)
    data = rule.data(world) if rule.data else {}

    response = browser.post(url, data) if rule.method == "POST" else browser.get(url)

    if name in STREAMS:
        assert response.status_code == (401 if world.acting is None else 200), f"{url} as {user_type}"
        if world.acting is not None:
            assert response["Content-Type"].startswith("text/event-stream")
        response_close(response)
        return
    check_answer(response, expected_answer(rule, user_type, api=False), f"{rule.method} {url} as {user_type}")


@pytest.mark.django_db
@pytest.mark.parametrize("user_type", USER_TYPES, scope="module")
@pytest.mark.parametrize(("method", "path"), sorted(API))
def test_api_operation(method, path, user_type, world, api_client_for):
    rule = API[(method, path)]
    names = [name for _text, name, _spec, _conversion in Formatter().parse(path) if name]
    url = path.format(**{name: world.path_value(rule, name) for name in names})
    api = api_client_for(world.acting)
    data = rule.data(world) if rule.data else None

    if rule.multipart:
        response = api.post(url, data)
    elif data is None:
        response = api.generic(method, url)
    else:
        response = getattr(api, method.lower())(url, data, content_type="application/json")

    expected = expected_answer(rule, user_type, api=True)
    check_answer(response, expected, f"{method} {url} as {user_type}")
    if response.status_code >= 400:
        assert set(response.json()["error"]) == {"code", "message", "fields"}


# --- every URL and every operation must be classified ------------------------------------------

SKIPPED_NAMESPACES = {"admin", "api"}


def url_names(patterns: list[URLPattern | URLResolver], namespace: str = "") -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in SKIPPED_NAMESPACES:
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_names(pattern.url_patterns, inner)
        elif pattern.callback is serve:  # uploaded files, served by Django only with DEBUG on
            continue
        else:
            yield f"{namespace}{pattern.name}" if pattern.name else f"<unnamed {pattern.pattern}>"


def resolve_pattern(name: str) -> URLPattern:
    namespace, _, short = name.rpartition(":")
    resolver = get_resolver()
    patterns = resolver.namespace_dict[namespace][1].url_patterns if namespace else resolver.url_patterns
    for pattern in patterns:
        if isinstance(pattern, URLPattern) and pattern.name == short:
            return pattern
    raise AssertionError(f"{name} is not a URL pattern")


def test_every_url_is_classified():
    found = list(url_names(get_resolver().url_patterns))

    assert len(found) == len(set(found)), "two URL patterns share a name"
    assert sorted(set(found) - set(PAGES)) == [], "classify these URLs in PAGES"
    assert sorted(set(PAGES) - set(found)) == [], "these PAGES entries are no longer URLs"


@pytest.mark.parametrize("name", sorted(PAGES))
def test_every_classified_url_reverses_to_its_own_view(name):
    pattern = resolve_pattern(name)
    kwargs = dict.fromkeys(pattern.pattern.converters, "1")
    if "slug" in kwargs:
        kwargs["slug"] = "batik-sari"

    assert resolve(reverse(name, kwargs=kwargs)).func == pattern.callback


@pytest.mark.django_db
def test_every_api_operation_is_classified(anonymous_client):
    document = anonymous_client.get("/api/v1/openapi.json").json()
    found = {(method.upper(), path) for path, operations in document["paths"].items() for method in operations}

    assert sorted(found - set(API)) == [], "classify these operations in API"
    assert sorted(set(API) - found) == [], "these API entries are no longer operations"


@pytest.mark.django_db
def test_the_api_documentation_is_public(anonymous_client):
    assert anonymous_client.get("/api/v1/openapi.json").status_code == 200
    assert anonymous_client.get("/api/v1/docs").status_code == 200


def test_the_tables_agree_with_the_documented_security():
    """An operation documented without authentication is public in the table, and the other way round."""
    from config.api import api

    document = api.get_openapi_schema(path_prefix="/api/v1/")
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            documented_public = not operation.get("security")
            assert documented_public == (API[(method.upper(), path)].access == PUBLIC), f"{method} {path}"
