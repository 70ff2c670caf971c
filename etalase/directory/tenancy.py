"""The one place that answers "which business, which member, which permissions" for a request.

Pages (``business_view`` then ``business_context_of``) and the API (``business_context_for``) both
go through :func:`business_context_resolve`. A business the user is not a member of answers exactly
like a business that does not exist: 404.

The permission rule of the house: **the boundary checks, services trust.** A page names its
permission in ``@business_view(Permission.X)``; an API operation in ``business_context_for(request,
slug, Permission.X)``. Services take the resolved business (and the acting user) and check only what
keeps the data consistent, never who may call them, so the demo, the worker and the keyword engine
call the same services without a member.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from etalase.accounts.auth import redirect_to_verification
from etalase.accounts.models import User
from etalase.accounts.verification import user_require_verified
from etalase.core.errors import NotFound, PermissionDenied
from etalase.directory.models import Business, Membership
from etalase.directory.permissions import permissions_for_role

SESSION_KEY = "etalase_business"


REQUEST_ATTRIBUTE = "business_context"


@dataclass(frozen=True)
class BusinessContext:
    business: Business
    membership: Membership
    permissions: frozenset[str]

    @property
    def user(self) -> User:
        return self.membership.user

    def has(self, permission: str) -> bool:
        return permission in self.permissions

    def require(self, permission: str) -> None:
        if permission not in self.permissions:
            raise PermissionDenied()


def business_context_resolve(*, user: User | AnonymousUser | None, slug: str) -> BusinessContext:
    """Raise :class:`NotFound` unless ``user`` is a member of the business called ``slug``."""
    if not isinstance(user, User):
        raise NotFound()
    membership = (
        Membership.objects.select_related("business", "business__category", "user")
        .filter(business__slug=slug, user=user)
        .first()
    )
    if membership is None:
        raise NotFound()
    return BusinessContext(
        business=membership.business,
        membership=membership,
        permissions=permissions_for_role(membership.role),
    )


def business_view(
    permission: str | None = None,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Decorate a page taking ``slug``: resolves ``request.business_context`` once, or 404/403.

    A member whose account is not verified (see ``accounts.verification``) is sent to verify first."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path())
            try:
                context = business_context_resolve(user=request.user, slug=slug)
            except NotFound as exc:
                raise Http404 from exc
            if not context.user.is_verified:
                return redirect_to_verification(request)
            if permission is not None:
                context.require(permission)  # PermissionDenied -> 403 page via middleware
            setattr(request, REQUEST_ATTRIBUTE, context)
            if request.session.get(SESSION_KEY) != context.business.slug:
                # Written only when it changes: an unchanged session is not saved again (a write per page).
                request.session[SESSION_KEY] = context.business.slug
            # The business side shows times in the business's own timezone.
            with timezone.override(ZoneInfo(context.business.timezone)):
                return view(request, *args, **kwargs)

        return wrapper

    return decorator


def business_context_of(request: HttpRequest) -> BusinessContext:
    """The context ``@business_view`` resolved for this page."""
    context = getattr(request, REQUEST_ATTRIBUTE, None)
    if not isinstance(context, BusinessContext):
        raise RuntimeError("business_context_of() needs a page decorated with @business_view.")
    return context


def business_context_for(request: HttpRequest, slug: str, permission: str | None = None) -> BusinessContext:
    """For an API operation: the caller's membership of ``slug`` (404 otherwise) holding ``permission``,
    for an account that has verified its phone number or email address (403 ``verification_required``)."""
    context = business_context_resolve(user=getattr(request, "auth", None), slug=slug)
    user_require_verified(context.user)
    if permission is not None:
        context.require(permission)
    return context


def current_business_slug(request: HttpRequest) -> str | None:
    """The business the member last worked in, to offer the business side."""
    if not request.user.is_authenticated:
        return None
    slug = request.session.get(SESSION_KEY)
    if slug and Membership.objects.filter(user=request.user, business__slug=slug).exists():
        return str(slug)
    first = (
        Membership.objects.filter(user=request.user)
        .order_by("created_at")
        .values_list("business__slug", flat=True)
        .first()
    )
    return first


def redirect_to_business(request: HttpRequest) -> HttpResponse:
    slug = current_business_slug(request)
    if slug is None:
        return redirect("directory:business_register")
    return redirect("directory:dashboard", slug=slug)
