"""Business pages: registration, the business side's tabs, team and profile, the public profile."""

import io
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from etalase.accounts.auth import page_user, verified_required
from etalase.activity.registry import verb_label
from etalase.activity.selectors import activity_list
from etalase.core.errors import DomainError
from etalase.core.forms import form_add_domain_error
from etalase.directory.forms import BusinessForm, InviteForm, RoleForm, StorefrontForm
from etalase.directory.permissions import Permission
from etalase.directory.selectors import (
    invitation_pending_list,
    membership_list,
    membership_list_for_user,
)
from etalase.directory.services import (
    business_register,
    business_storefront_update,
    business_update,
    invitation_create,
    invitation_respond,
    invitation_revoke,
    membership_change_role,
    membership_remove,
)
from etalase.directory.tenancy import business_context_of, business_view, redirect_to_business


def _profile_fields(data: dict[str, Any]) -> dict[str, Any]:
    """The business form's answers, as ``business_register`` and ``business_update`` take them."""
    return {
        "name": data["name"],
        "category_slug": data["category"],
        "city": data["city"],
        "whatsapp": data["whatsapp"],
        "description": data["description"],
        "logo": data.get("logo"),
    }


@login_required
@require_GET
def business_home(request: HttpRequest) -> HttpResponse:
    return redirect_to_business(request)


@login_required
@verified_required
@require_http_methods(["GET", "POST"])
def business_register_view(request: HttpRequest) -> HttpResponse:
    form = BusinessForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            business = business_register(
                owner=page_user(request),
                **_profile_fields(data),
                timezone_name=data["timezone"] or "Asia/Jakarta",
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("Your business is registered. Welcome!"))
            return redirect("directory:dashboard", slug=business.slug)
    return render(
        request,
        "directory/business_form.html",
        {"form": form, "title": _("Register your business")},
        status=400 if form.is_bound else 200,
    )


@business_view()
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    context = business_context_of(request)
    activities = []
    can_see_activity = context.has(Permission.DASHBOARD_VIEW) and context.has(Permission.ACTIVITY_VIEW)
    if can_see_activity:
        activities = list(activity_list(business=context.business)[:10])
        for activity in activities:
            activity.label = verb_label(activity.verb)  # type: ignore[attr-defined]
    return render(
        request,
        "directory/dashboard.html",
        {
            "nav": "dashboard",
            "activities": activities,
            "can_see_activity": can_see_activity,
            "member_count": context.business.memberships.count(),
            "public_url": request.build_absolute_uri(f"/b/{context.business.slug}/"),
        },
    )


@business_view(Permission.INBOX_VIEW)
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    return render(request, "directory/tab_inbox.html", {"nav": "inbox"})


@business_view()
@require_GET
def more(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "directory/more.html",
        {"nav": "more", "memberships": membership_list_for_user(user=business_context_of(request).user)},
    )


@business_view(Permission.MEMBERS_VIEW)
@require_http_methods(["GET", "POST"])
def team(request: HttpRequest) -> HttpResponse:
    context = business_context_of(request)
    form = InviteForm(request.POST or None)
    if request.method == "POST":
        context.require(Permission.MEMBERS_MANAGE)
        if form.is_valid():
            try:
                invitation_create(context=context, **form.cleaned_data)
            except DomainError as error:
                form_add_domain_error(form, error)
            else:
                messages.success(request, _("Invitation sent."))
                return redirect("directory:team", slug=context.business.slug)
    return render(
        request,
        "directory/team.html",
        {
            "nav": "more",
            "form": form,
            "members": membership_list(business=context.business),
            "invitations": invitation_pending_list(business=context.business),
            "role_form": RoleForm(),
            "can_manage": context.has(Permission.MEMBERS_MANAGE),
        },
        status=400 if form.is_bound else 200,
    )


@business_view(Permission.MEMBERS_MANAGE)
@require_POST
def invitation_revoke_view(request: HttpRequest, invitation_id: int) -> HttpResponse:
    context = business_context_of(request)
    invitation_revoke(context=context, invitation_id=invitation_id)
    messages.success(request, _("Invitation revoked."))
    return redirect("directory:team", slug=context.business.slug)


@business_view(Permission.MEMBERS_MANAGE)
@require_POST
def member_role(request: HttpRequest, membership_id: int) -> HttpResponse:
    context = business_context_of(request)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the roles in the list."))
    else:
        try:
            membership_change_role(context=context, membership_id=membership_id, role=form.cleaned_data["role"])
        except DomainError as error:
            if error.status == 404:
                raise
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("Role changed."))
    return redirect("directory:team", slug=context.business.slug)


@business_view()
@require_POST
def member_remove(request: HttpRequest, membership_id: int) -> HttpResponse:
    context = business_context_of(request)
    leaving = context.membership.pk == membership_id
    try:
        membership_remove(context=context, membership_id=membership_id)
    except DomainError as error:
        if error.status in (403, 404):
            raise
        messages.error(request, str(error.message))
        return redirect("directory:team", slug=context.business.slug)
    if leaving:
        messages.success(request, _("You have left the team."))
        return redirect("web:me")
    messages.success(request, _("Member removed."))
    return redirect("directory:team", slug=context.business.slug)


@business_view(Permission.BUSINESS_EDIT)
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    context = business_context_of(request)
    business = context.business
    initial = {
        "name": business.name,
        "category": business.category.slug,
        "city": business.city,
        "whatsapp": business.whatsapp,
        "description": business.description,
        "timezone": business.timezone,
    }
    form = BusinessForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            business_update(
                context=context, **_profile_fields(data), timezone_name=data["timezone"] or business.timezone
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("The business profile is saved."))
            return redirect("directory:more", slug=business.slug)
    return render(
        request,
        "directory/business_form.html",
        {"form": form, "title": _("Business profile"), "nav": "more"},
        status=400 if form.is_bound else 200,
    )


@login_required
@verified_required
@require_POST
def invitation_respond_view(request: HttpRequest, invitation_id: int) -> HttpResponse:
    accept = request.POST.get("accept") == "1"
    invitation = invitation_respond(user=page_user(request), invitation_id=invitation_id, accept=accept)
    if accept:
        messages.success(request, _("You joined %(business)s.") % {"business": invitation.business.name})
        return redirect("directory:dashboard", slug=invitation.business.slug)
    messages.success(request, _("Invitation declined."))
    return redirect("notifications:centre")


@business_view(Permission.BUSINESS_EDIT)
@require_http_methods(["GET", "POST"])
def storefront_edit(request: HttpRequest) -> HttpResponse:
    context = business_context_of(request)
    business = context.business
    form = StorefrontForm(request.POST or None, request.FILES or None, initial=StorefrontForm.initial_for(business))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            business_storefront_update(
                context=context,
                address=data["address"],
                latitude=data["latitude"],
                longitude=data["longitude"],
                opening_hours=form.opening_hours(),
                cover=data.get("cover"),
                cover_remove=data["cover_remove"],
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("The storefront is saved."))
            return redirect("directory:storefront_edit", slug=business.slug)
    return render(
        request,
        "directory/storefront_form.html",
        {"form": form, "nav": "more", "share_url": _share_url(request, business.slug)},
        status=400 if form.is_bound else 200,
    )


def _share_url(request: HttpRequest, slug: str) -> str:
    return request.build_absolute_uri(f"/b/{slug}/")


@business_view()
@require_GET
def storefront_qr(request: HttpRequest) -> HttpResponse:
    """The storefront's link as a QR code (SVG), to print and stick on the counter."""
    context = business_context_of(request)
    code = segno.make(_share_url(request, context.business.slug), error="m")
    buffer = io.BytesIO()
    code.save(buffer, kind="svg", scale=10, border=2, dark="#115e59", xmldecl=False, svgns=True)
    response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="{context.business.slug}-qr.svg"'
    return response


@business_view()
@require_GET
def storefront_print(request: HttpRequest) -> HttpResponse:
    context = business_context_of(request)
    return render(
        request,
        "directory/storefront_print.html",
        {"share_url": _share_url(request, context.business.slug), "nav": "more"},
    )
