"""Engagement API: follow shops, favourite products, comments and questions, shares, the two feeds."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Query, Router, Schema, Status
from pydantic import Field

from etalase.accounts.auth import api_auth, api_user
from etalase.activity.enums import Channel
from etalase.catalog.api import StorefrontPostOut, StorefrontProductOut
from etalase.core.api import MAX_ID, Id, PageIn, PageMeta, Slug, errors, page_answer, page_out
from etalase.core.errors import NotFound
from etalase.directory.models import Business
from etalase.directory.selectors import business_public_require
from etalase.engagement.enums import CommentKind, ShareChannel
from etalase.engagement.models import Comment
from etalase.engagement.privacy import ERASED_TEXT
from etalase.engagement.selectors import (
    FeedItem,
    comment_list_public,
    favourite_count_of,
    favourite_list_for_user,
    feed_following,
    feed_for_you,
    follow_list_for_user,
    follower_count,
    product_public_by_id,
)
from etalase.engagement.services import (
    comment_add,
    comment_answer,
    comment_hide,
    favourite_add,
    favourite_remove,
    follow_add,
    follow_remove,
    share_record,
)
from etalase.engagement.templatetags.engagement_tags import shop_path

router = Router(tags=["engagement"], auth=api_auth)


# --- schemas --------------------------------------------------------------------------------------


class FollowOut(Schema):
    business: str
    following: bool
    follower_count: int


class FavouriteOut(Schema):
    product_id: int
    favourite: bool
    favourite_count: int


class ShopOut(Schema):
    slug: str
    name: str
    category: str = Field(..., alias="category.slug")
    category_name: str = Field(..., alias="category.name")
    city: str
    logo_url: str | None
    is_verified: bool
    url: str
    followed_at: datetime | None = None

    @staticmethod
    def resolve_logo_url(obj: Business) -> str | None:
        return obj.logo.url if obj.logo else None

    @staticmethod
    def resolve_url(obj: Business) -> str:
        return shop_path(obj.slug)


class ShopPage(PageMeta):
    items: list[ShopOut]


class FeedProductOut(StorefrontProductOut):
    """A product in a customer's lists and feed: the catalog's public product, with the shop's name."""

    business_name: str = Field(..., alias="business.name")


class FeedProductPage(PageMeta):
    items: list[FeedProductOut]


class FeedPostOut(StorefrontPostOut):
    """A post in the feed: the catalog's public post, with the shop's name."""

    business_name: str = Field(..., alias="business.name")


class FeedItemOut(Schema):
    kind: str = Field(..., description="product or post")
    published_at: datetime
    product: FeedProductOut | None
    post: FeedPostOut | None

    @staticmethod
    def resolve_product(obj: FeedItem) -> Any:
        return obj.object if obj.is_product else None

    @staticmethod
    def resolve_post(obj: FeedItem) -> Any:
        return None if obj.is_product else obj.object


class FeedOut(Schema):
    items: list[FeedItemOut]
    next_cursor: str | None = Field(..., description="Pass as ?before= for the next page; null at the end")


class AnswerOut(Schema):
    id: int
    kind: str
    body: str
    author_name: str
    created_at: datetime

    @staticmethod
    def resolve_author_name(obj: Comment) -> str:
        if obj.kind == CommentKind.ANSWER:
            return obj.business.name
        if obj.author is None:
            return gettext("Customer")
        return obj.author.name or gettext("Customer")

    @staticmethod
    def resolve_body(obj: Comment) -> str:
        return str(ERASED_TEXT) if obj.is_erased else obj.body


class CommentOut(AnswerOut):
    product_id: int
    answers: list[AnswerOut]

    @staticmethod
    def resolve_answers(obj: Comment) -> list[Comment]:
        return list(getattr(obj, "visible_answers", []))


class CommentPage(PageMeta):
    items: list[CommentOut]


class CommentIn(Schema):
    kind: str = Field(CommentKind.COMMENT, max_length=16, description="comment or question")
    body: str = Field(..., max_length=10_000, description="1 to 2000 characters")


class AnswerIn(Schema):
    body: str = Field(..., max_length=10_000, description="1 to 2000 characters")


class HiddenOut(Schema):
    id: int
    hidden: bool


class ShareIn(Schema):
    what: str = Field(..., max_length=16, description="product or business")
    product_id: int | None = Field(None, ge=1, le=MAX_ID)
    slug: str | None = Field(None, max_length=64)
    channel: str = Field(ShareChannel.OTHER, max_length=16, description=", ".join(ShareChannel.values))


class FeedIn(Schema):
    before: str | None = Field(None, max_length=80, description="next_cursor of the previous page")
    size: int = Field(20, ge=1, le=100)


# --- follow ---------------------------------------------------------------------------------------


@router.put("/businesses/{slug}/follow", response={200: FollowOut, **errors(401, 404, 422)})
def follow(request: HttpRequest, slug: Slug) -> dict[str, object]:
    business = business_public_require(slug=slug)
    follow_add(user=api_user(request), business=business, channel=Channel.API)
    return {"business": business.slug, "following": True, "follower_count": follower_count(business)}


@router.delete("/businesses/{slug}/follow", response={200: FollowOut, **errors(401, 404, 422)})
def unfollow(request: HttpRequest, slug: Slug) -> dict[str, object]:
    business = business_public_require(slug=slug)
    follow_remove(user=api_user(request), business=business, channel=Channel.API)
    return {"business": business.slug, "following": False, "follower_count": follower_count(business)}


@router.get("/me/following", response={200: ShopPage, **errors(401, 422)})
def my_following(request: HttpRequest, paging: Query[PageIn]) -> dict[str, object]:
    return page_answer(follow_list_for_user(api_user(request)), page=paging.page, size=paging.size)


# --- favourite ------------------------------------------------------------------------------------


@router.put("/products/{product_id}/favourite", response={200: FavouriteOut, **errors(401, 404, 422)})
def favourite(request: HttpRequest, product_id: Id) -> dict[str, object]:
    favourite_add(user=api_user(request), product_id=product_id, channel=Channel.API)
    return {"product_id": product_id, "favourite": True, "favourite_count": favourite_count_of(product_id)}


@router.delete("/products/{product_id}/favourite", response={200: FavouriteOut, **errors(401, 422)})
def unfavourite(request: HttpRequest, product_id: Id) -> dict[str, object]:
    favourite_remove(user=api_user(request), product_id=product_id, channel=Channel.API)
    return {"product_id": product_id, "favourite": False, "favourite_count": favourite_count_of(product_id)}


@router.get("/me/favourites", response={200: FeedProductPage, **errors(401, 422)})
def my_favourites(request: HttpRequest, paging: Query[PageIn]) -> dict[str, object]:
    return page_answer(favourite_list_for_user(api_user(request)), page=paging.page, size=paging.size)


# --- comments and questions -----------------------------------------------------------------------


@router.get("/products/{product_id}/comments", response={200: CommentPage, **errors(404, 422)}, auth=None)
def comments(request: HttpRequest, product_id: Id, paging: Query[PageIn]) -> dict[str, object]:
    product = product_public_by_id(product_id)
    if product is None:
        raise NotFound()
    return page_answer(comment_list_public(product), page=paging.page, size=paging.size)


@router.post("/products/{product_id}/comments", response={201: CommentOut, **errors(400, 401, 404, 422)})
def comment_create(request: HttpRequest, product_id: Id, payload: CommentIn) -> Status[Comment]:
    comment = comment_add(
        user=api_user(request), product_id=product_id, body=payload.body, kind=payload.kind, channel=Channel.API
    )
    return Status(201, comment)


@router.post("/comments/{comment_id}/answers", response={201: CommentOut, **errors(400, 401, 403, 404, 422)})
def answer_create(request: HttpRequest, comment_id: Id, payload: AnswerIn) -> Status[Comment]:
    answer = comment_answer(user=api_user(request), comment_id=comment_id, body=payload.body, channel=Channel.API)
    return Status(201, answer)


@router.post("/comments/{comment_id}/hide", response={200: HiddenOut, **errors(401, 403, 404, 422)})
def comment_hide_endpoint(request: HttpRequest, comment_id: Id) -> dict[str, object]:
    comment = comment_hide(user=api_user(request), comment_id=comment_id, channel=Channel.API)
    return {"id": comment.pk, "hidden": comment.is_hidden}


# --- share ----------------------------------------------------------------------------------------


@router.post("/share", response={204: None, **errors(400, 401, 404, 422)})
def share(request: HttpRequest, payload: ShareIn) -> Status[None]:
    share_record(
        user=api_user(request),
        what=payload.what,
        product_id=payload.product_id,
        business_slug=payload.slug,
        share_channel=payload.channel,
        channel=Channel.API,
    )
    return Status(204, None)


# --- feeds ----------------------------------------------------------------------------------------


@router.get("/feed", response={200: FeedOut, **errors(400, 401, 422)})
def feed(request: HttpRequest, query: Query[FeedIn]) -> dict[str, object]:
    page = feed_following(api_user(request), before=query.before or None, size=query.size)
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.get("/feed/for-you", response={200: FeedProductPage, **errors(401, 422)})
def feed_for_you_endpoint(request: HttpRequest, paging: Query[PageIn]) -> dict[str, object]:
    return page_out(feed_for_you(api_user(request), page=paging.page, size=paging.size))
