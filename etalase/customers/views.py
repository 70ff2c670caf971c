"""The business's customer pages: the contact list, a contact's page with the timeline, add and edit."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from etalase.activity.registry import verb_label
from etalase.core.errors import DomainError
from etalase.core.pagination import paginate
from etalase.customers.forms import ContactForm
from etalase.customers.models import Contact
from etalase.customers.selectors import contact_get, contact_list, contact_timeline
from etalase.customers.services import contact_create, contact_update
from etalase.directory.permissions import Permission
from etalase.directory.tenancy import BusinessContext, business_view

PAGE_SIZE = 30


def _context(request: HttpRequest) -> BusinessContext:
    return request.business_context  # type: ignore[attr-defined,no-any-return]


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, min(int(request.GET.get("page", "1")), 10_000))
    except ValueError:
        return 1


def _contact(request: HttpRequest, contact_id: int) -> Contact:
    contact = contact_get(business=_context(request).business, contact_id=contact_id)
    if contact is None:
        raise Http404
    return contact


@business_view(Permission.CUSTOMERS_VIEW)
@require_GET
def contact_list_page(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:100]
    page = paginate(
        contact_list(business=_context(request).business, query=query), page=_page_number(request), size=PAGE_SIZE
    )
    template = (
        "customers/contact_list.html#contact-results"
        if getattr(request, "htmx", False)
        else "customers/contact_list.html"
    )
    return render(request, template, {"nav": "customers", "page": page, "query": query})


@business_view(Permission.CUSTOMERS_VIEW)
@require_GET
def contact_detail(request: HttpRequest, contact_id: int) -> HttpResponse:
    contact = _contact(request, contact_id)
    page = paginate(
        contact_timeline(business=_context(request).business, contact=contact),
        page=_page_number(request),
        size=PAGE_SIZE,
    )
    entries = [(activity, verb_label(activity.verb)) for activity in page.items]
    return render(
        request,
        "customers/contact_detail.html",
        {
            "nav": "customers",
            "contact": contact,
            "page": page,
            "entries": entries,
            "can_manage": _context(request).has(Permission.CUSTOMERS_MANAGE),
        },
    )


def _save(request: HttpRequest, contact: Contact | None) -> HttpResponse:
    business = _context(request).business
    if request.method == "POST":
        form = ContactForm(request.POST)
        if form.is_valid():
            try:
                if contact is None:
                    contact = contact_create(business=business, **form.cleaned_data)
                else:
                    contact = contact_update(contact=contact, **form.cleaned_data)
            except DomainError as error:
                for field, message in error.fields.items():
                    form.add_error(field if field in form.fields else None, str(message))
                if not error.fields:
                    form.add_error(None, str(error.message))
            else:
                return redirect("customers:detail", slug=business.slug, contact_id=contact.pk)
        status = 400
    else:
        initial = {}
        if contact is not None:
            initial = {name: getattr(contact, name) for name in ("name", "phone", "email", "city", "address")}
        form = ContactForm(initial=initial)
        status = 200
    return render(
        request, "customers/contact_form.html", {"nav": "customers", "form": form, "contact": contact}, status=status
    )


@business_view(Permission.CUSTOMERS_MANAGE)
@require_http_methods(["GET", "POST"])
def contact_add(request: HttpRequest) -> HttpResponse:
    return _save(request, None)


@business_view(Permission.CUSTOMERS_MANAGE)
@require_http_methods(["GET", "POST"])
def contact_edit(request: HttpRequest, contact_id: int) -> HttpResponse:
    return _save(request, _contact(request, contact_id))
