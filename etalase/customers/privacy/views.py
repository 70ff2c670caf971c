"""Privacy pages: Me → My data at shops (download, consent, erasure); the owners' audit log; an
erasure that staff take by phone or in person."""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from etalase.accounts.auth import page_user
from etalase.activity.enums import Channel
from etalase.core.errors import DomainError, NotFound
from etalase.core.pagination import page_number, paginate
from etalase.customers.enums import ConsentChannel, ConsentPurpose
from etalase.customers.models import Contact
from etalase.customers.privacy.forms import AuditFilterForm, EraseConfirmForm, MarketingConsentForm, StaffEraseForm
from etalase.customers.privacy.permissions import AUDIT_VIEW
from etalase.customers.privacy.selectors import (
    audit_list,
    audit_members,
    privacy_contact_for_user,
    privacy_contacts_for_user,
    privacy_summary,
)
from etalase.customers.privacy.services import privacy_erase, privacy_export, privacy_marketing_consent_set
from etalase.customers.selectors import contact_get
from etalase.directory.permissions import Permission
from etalase.directory.tenancy import business_context_of, business_view

AUDIT_PAGE_SIZE = 30
LIST_PAGE_SIZE = 30


def _own_contact_page(view: Callable[[HttpRequest, Contact], HttpResponse]) -> Callable[..., HttpResponse]:
    """A page about the signed-in customer's own record at the shop ``slug``, given that record.

    Another person's shop, an unknown shop and data already erased all answer the same 404.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, slug: str) -> HttpResponse:
        try:
            contact = privacy_contact_for_user(user=page_user(request), slug=slug)
        except NotFound:
            return render(request, "customers/privacy_gone.html", {"nav": "me"}, status=404)
        return view(request, contact)

    return wrapper


def _marketing_initial(contact: Contact) -> dict[str, bool]:
    return {
        channel: contact.consent.get(f"{channel}_{ConsentPurpose.MARKETING}") is True
        for channel in ConsentChannel.values
    }


# --- the customer's side ------------------------------------------------------------------------


@login_required
@require_GET
def my_businesses(request: HttpRequest) -> HttpResponse:
    page = paginate(privacy_contacts_for_user(user=page_user(request)), page=page_number(request), size=LIST_PAGE_SIZE)
    return render(request, "customers/privacy_businesses.html", {"nav": "me", "page": page})


@login_required
@require_GET
@_own_contact_page
def my_business(request: HttpRequest, contact: Contact) -> HttpResponse:
    return render(
        request,
        "customers/privacy_business.html",
        {
            "nav": "me",
            "contact": contact,
            "business": contact.business,
            "summary": privacy_summary(contact=contact),
            "consent_form": MarketingConsentForm(initial=_marketing_initial(contact)),
        },
    )


@login_required
@require_POST
@_own_contact_page
def my_download(request: HttpRequest, contact: Contact) -> HttpResponse:
    document = privacy_export(contact=contact, requested_by=request.user, channel=Channel.WEB)
    response = JsonResponse(document, encoder=DjangoJSONEncoder, json_dumps_params={"ensure_ascii": False, "indent": 2})
    filename = f"etalase-{contact.business.slug}-my-data-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_POST
@_own_contact_page
def my_consent(request: HttpRequest, contact: Contact) -> HttpResponse:
    form = MarketingConsentForm(request.POST)
    form.is_valid()  # every field is an optional box: always valid
    privacy_marketing_consent_set(contact=contact, user=page_user(request), channels=form.cleaned_data)
    messages.success(request, _("Your choices are saved. They apply from now on."))
    return redirect("customers_privacy:my_business", slug=contact.business.slug)


@login_required
@require_http_methods(["GET", "POST"])
@_own_contact_page
def my_erase(request: HttpRequest, contact: Contact) -> HttpResponse:
    form = EraseConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            privacy_erase(contact=contact, requested_by=request.user, by_staff=False, channel=Channel.WEB)
        except DomainError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(
                request,
                _("%(business)s no longer holds personal data about you.") % {"business": contact.business.name},
            )
            return redirect("customers_privacy:my_businesses")
    return render(
        request,
        "customers/privacy_erase.html",
        {"nav": "me", "contact": contact, "business": contact.business, "form": form},
        status=400 if form.is_bound else 200,
    )


# --- the business's side ------------------------------------------------------------------------


@business_view(AUDIT_VIEW)
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    business = business_context_of(request).business
    members = list(audit_members(business=business))
    filters = {key: value for key, value in request.GET.items() if key != "page" and value}
    form = AuditFilterForm(filters, members=members)
    page = None
    status = 200
    if form.is_valid():
        entries = audit_list(
            business=business,
            action=form.cleaned_data["action"] or None,
            actor_id=form.cleaned_data["member"],
            date_from=form.cleaned_data["date_from"],
            date_to=form.cleaned_data["date_to"],
        )
        page = paginate(entries, page=page_number(request), size=AUDIT_PAGE_SIZE)
    else:
        status = 400
    team = {membership.user_id for membership in members}
    return render(
        request,
        "customers/privacy_audit.html",
        {"nav": "customers", "form": form, "page": page, "team": team},
        status=status,
    )


@business_view(Permission.CUSTOMERS_MANAGE)
@require_http_methods(["GET", "POST"])
def contact_erase(request: HttpRequest, contact_id: int) -> HttpResponse:
    context = business_context_of(request)
    contact = contact_get(business=context.business, contact_id=contact_id)
    if contact is None:
        raise Http404
    form = StaffEraseForm(request.POST if request.method == "POST" else None)
    status = 200
    if contact.erased_at is not None:
        status = 409 if request.method == "POST" else 200
    elif request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                privacy_erase(
                    contact=contact,
                    requested_by=request.user,
                    by_staff=True,
                    channel=form.cleaned_data["received_via"],
                )
            except DomainError as error:
                form.add_error(None, str(error.message))
                status = error.status
            else:
                messages.success(request, _("The customer's personal data is erased."))
                return redirect("customers:detail", slug=context.business.slug, contact_id=contact.pk)
    return render(
        request,
        "customers/privacy_contact_erase.html",
        {"nav": "customers", "contact": contact, "form": form},
        status=status,
    )
