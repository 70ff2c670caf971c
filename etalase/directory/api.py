"""Directory API: business fields, the public directory, registering a business, team and invitations."""

from datetime import datetime

from django.http import HttpRequest
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from etalase.accounts.auth import api_auth, api_user
from etalase.accounts.verification import user_require_verified
from etalase.activity.enums import Channel
from etalase.activity.registry import verb_label
from etalase.activity.selectors import activity_list
from etalase.core.api import Id, PageIn, PageMeta, Slug, errors, page_answer
from etalase.directory.models import Business, Category, Invitation, Membership
from etalase.directory.permissions import Permission, permissions_for_role
from etalase.directory.selectors import (
    business_public_list,
    business_public_require,
    category_list,
    invitation_list_for_user,
    invitation_pending_list,
    membership_list,
    membership_list_for_user,
)
from etalase.directory.services import (
    business_register,
    business_update,
    invitation_create,
    invitation_respond,
    invitation_revoke,
    membership_change_role,
    membership_remove,
)
from etalase.directory.tenancy import business_context_for

router = Router(tags=["directory"])

MEMBER_READ = errors(401, 403, 404, 422)
MEMBER_WRITE = errors(400, 401, 403, 404, 409, 422)
MEMBER = "/businesses/{slug}/members/{membership_id}"


class CategoryOut(Schema):
    slug: str
    name: str
    name_id: str
    name_en: str
    parent: str | None = Field(None, alias="parent.slug")


class BusinessOut(Schema):
    slug: str
    name: str
    category: str = Field(..., alias="category.slug")
    category_name: str = Field(..., alias="category.name")
    city: str
    whatsapp: str
    description: str
    logo_url: str | None
    is_verified: bool
    timezone: str
    currency: str

    @staticmethod
    def resolve_logo_url(obj: Business) -> str | None:
        return obj.logo.url if obj.logo else None


class BusinessPage(PageMeta):
    items: list[BusinessOut]


class BusinessIn(Schema):
    name: str = Field(..., max_length=200)
    category: str = Field(..., max_length=64)
    city: str = Field(..., max_length=200)
    whatsapp: str = Field(..., max_length=32)
    description: str = Field("", max_length=1000)
    timezone: str = Field("Asia/Jakarta", max_length=64)


class DirectoryFilters(Schema):
    category: str | None = Field(None, max_length=64)
    city: str | None = Field(None, max_length=80)
    q: str | None = Field(None, max_length=80)
    page: int = Field(1, ge=1, le=10_000)
    size: int = Field(20, ge=1, le=100)


class MembershipOut(Schema):
    id: int
    business: str = Field(..., alias="business.slug")
    business_name: str = Field(..., alias="business.name")
    user_id: int
    name: str = Field(..., alias="user.display_name")
    role: str
    permissions: list[str]
    joined_at: datetime = Field(..., alias="created_at")

    @staticmethod
    def resolve_permissions(obj: Membership) -> list[str]:
        return sorted(permissions_for_role(obj.role))


class RoleIn(Schema):
    role: str = Field(..., max_length=16)


class InvitationIn(Schema):
    identifier: str = Field(..., max_length=254, description="Phone number or email address")
    role: str = Field(..., max_length=16)


class InvitationOut(Schema):
    id: int
    business: str = Field(..., alias="business.slug")
    business_name: str = Field(..., alias="business.name")
    phone: str
    email: str
    role: str
    status: str
    created_at: datetime


class ActivityOut(Schema):
    id: int
    verb: str
    label: str
    actor_id: int | None
    channel: str
    data: dict[str, object]
    occurred_at: datetime

    @staticmethod
    def resolve_label(obj: object) -> str:
        return verb_label(obj.verb)  # type: ignore[attr-defined]


class ActivityPage(PageMeta):
    items: list[ActivityOut]


@router.get("/categories", response=list[CategoryOut], auth=None)
def categories(request: HttpRequest) -> list[Category]:
    return list(category_list().select_related("parent"))


@router.get("/businesses", response={200: BusinessPage, **errors(422)}, auth=None)
def businesses(request: HttpRequest, filters: Query[DirectoryFilters]) -> dict[str, object]:
    businesses = business_public_list(category_slug=filters.category, city=filters.city, query=filters.q)
    return page_answer(businesses, page=filters.page, size=filters.size)


@router.post("/businesses", response={201: BusinessOut, **errors(400, 401, 403, 422)}, auth=api_auth)
def business_create(request: HttpRequest, payload: BusinessIn) -> Status[Business]:
    owner = api_user(request)
    user_require_verified(owner)
    business = business_register(
        owner=owner,
        name=payload.name,
        category_slug=payload.category,
        city=payload.city,
        whatsapp=payload.whatsapp,
        description=payload.description,
        timezone_name=payload.timezone,
        channel=Channel.API,
    )
    return Status(201, business)


@router.get("/businesses/{slug}", response={200: BusinessOut, **errors(404, 422)}, auth=None)
def business_detail(request: HttpRequest, slug: Slug) -> Business:
    return business_public_require(slug=slug)


@router.patch("/businesses/{slug}", response={200: BusinessOut, **errors(400, 401, 403, 404, 422)}, auth=api_auth)
def business_edit(request: HttpRequest, slug: Slug, payload: BusinessIn) -> Business:
    context = business_context_for(request, slug, Permission.BUSINESS_EDIT)
    return business_update(
        context=context,
        name=payload.name,
        category_slug=payload.category,
        city=payload.city,
        whatsapp=payload.whatsapp,
        description=payload.description,
        timezone_name=payload.timezone,
    )


@router.post("/businesses/{slug}/logo", response={200: BusinessOut, **errors(400, 401, 403, 404, 422)}, auth=api_auth)
def business_logo(request: HttpRequest, slug: Slug, logo: File[UploadedFile]) -> Business:
    context = business_context_for(request, slug, Permission.BUSINESS_EDIT)
    business = context.business
    return business_update(
        context=context,
        name=business.name,
        category_slug=business.category.slug,
        city=business.city,
        whatsapp=business.whatsapp,
        description=business.description,
        logo=logo,
    )


@router.get("/me/businesses", response={200: list[MembershipOut], **errors(401)}, auth=api_auth)
def my_businesses(request: HttpRequest) -> list[Membership]:
    return list(membership_list_for_user(user=api_user(request)).select_related("user")[:200])


@router.get("/businesses/{slug}/members", response={200: list[MembershipOut], **MEMBER_READ}, auth=api_auth)
def members(request: HttpRequest, slug: Slug) -> list[Membership]:
    context = business_context_for(request, slug, Permission.MEMBERS_VIEW)
    return list(membership_list(business=context.business).select_related("business")[:500])


@router.patch(MEMBER, response={200: MembershipOut, **MEMBER_WRITE}, auth=api_auth)
def member_role(request: HttpRequest, slug: Slug, membership_id: Id, payload: RoleIn) -> Membership:
    context = business_context_for(request, slug, Permission.MEMBERS_MANAGE)
    return membership_change_role(context=context, membership_id=membership_id, role=payload.role)


@router.delete(
    MEMBER,
    response={204: None, **errors(401, 403, 404, 409, 422)},
    auth=api_auth,
)
def member_remove(request: HttpRequest, slug: Slug, membership_id: Id) -> Status[None]:
    # No permission named here: any member may leave; removing someone else needs members.manage,
    # which membership_remove checks once it knows whose membership it is.
    membership_remove(context=business_context_for(request, slug), membership_id=membership_id)
    return Status(204, None)


@router.get("/businesses/{slug}/invitations", response={200: list[InvitationOut], **MEMBER_READ}, auth=api_auth)
def invitations(request: HttpRequest, slug: Slug) -> list[Invitation]:
    context = business_context_for(request, slug, Permission.MEMBERS_MANAGE)
    return list(invitation_pending_list(business=context.business).select_related("business")[:500])


@router.post("/businesses/{slug}/invitations", response={201: InvitationOut, **MEMBER_WRITE}, auth=api_auth)
def invitation_add(request: HttpRequest, slug: Slug, payload: InvitationIn) -> Status[Invitation]:
    context = business_context_for(request, slug, Permission.MEMBERS_MANAGE)
    return Status(201, invitation_create(context=context, identifier=payload.identifier, role=payload.role))


@router.delete(
    "/businesses/{slug}/invitations/{invitation_id}",
    response={204: None, **errors(401, 403, 404, 422)},
    auth=api_auth,
)
def invitation_delete(request: HttpRequest, slug: Slug, invitation_id: Id) -> Status[None]:
    context = business_context_for(request, slug, Permission.MEMBERS_MANAGE)
    invitation_revoke(context=context, invitation_id=invitation_id)
    return Status(204, None)


@router.get("/me/invitations", response={200: list[InvitationOut], **errors(401)}, auth=api_auth)
def my_invitations(request: HttpRequest) -> list[Invitation]:
    return list(invitation_list_for_user(user=api_user(request))[:100])


@router.post(
    "/me/invitations/{invitation_id}/accept",
    response={200: InvitationOut, **errors(401, 403, 404, 422)},
    auth=api_auth,
)
def invitation_accept(request: HttpRequest, invitation_id: Id) -> Invitation:
    user = api_user(request)
    user_require_verified(user)
    return invitation_respond(user=user, invitation_id=invitation_id, accept=True)


@router.post(
    "/me/invitations/{invitation_id}/decline",
    response={200: InvitationOut, **errors(401, 403, 404, 422)},
    auth=api_auth,
)
def invitation_decline(request: HttpRequest, invitation_id: Id) -> Invitation:
    return invitation_respond(user=api_user(request), invitation_id=invitation_id, accept=False)


@router.get("/businesses/{slug}/activities", response={200: ActivityPage, **MEMBER_READ}, auth=api_auth)
def activities(request: HttpRequest, slug: Slug, paging: Query[PageIn]) -> dict[str, object]:
    context = business_context_for(request, slug, Permission.ACTIVITY_VIEW)
    return page_answer(activity_list(business=context.business), page=paging.page, size=paging.size)
