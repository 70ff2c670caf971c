"""The business's customer pages: the contact list with filters, bulk tags and saved segments; a
contact's page (profile, stage, tags, notes, consent, scores, timeline); add, edit and merge."""

from collections import defaultdict
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.timesince import timesince
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from etalase.accounts.auth import page_user
from etalase.activity.enums import Channel
from etalase.activity.models import Activity
from etalase.activity.registry import verb_label
from etalase.core.errors import DomainError
from etalase.core.forms import form_add_domain_error
from etalase.core.numbers import is_whole_number
from etalase.core.pagination import page_number, paginate
from etalase.core.templatetags.etalase import money, phone
from etalase.customers.enums import ConsentChannel, ConsentPurpose, RfmSegment, Stage, Verb, upper_verbs
from etalase.customers.filters import (
    FILTER_NAMES,
    SORT_LABELS,
    consent_keys,
    consent_label,
    contact_filter_read,
)
from etalase.customers.forms import ConsentForm, ContactForm, NoteForm, StageForm, TagForm
from etalase.customers.models import Contact, Segment
from etalase.customers.selectors import (
    consent_ledger,
    contact_get,
    contact_page,
    contact_search,
    contact_tags,
    contact_timeline,
    note_list,
    segment_count,
    segment_get,
    segment_list,
    tag_list,
)
from etalase.customers.services.aggregates import contact_stage_set
from etalase.customers.services.audit import contact_view_audit
from etalase.customers.services.consent import consent_set
from etalase.customers.services.contacts import EDITABLE_FIELDS, contact_create, contact_update
from etalase.customers.services.merge import contact_merge
from etalase.customers.services.notes import note_add
from etalase.customers.services.segments import segment_delete, segment_save
from etalase.customers.services.tags import contact_tag_add, contact_tag_remove, contacts_tag_bulk
from etalase.directory.permissions import Permission
from etalase.directory.tenancy import business_context_of, business_view

PAGE_SIZE = 30
TIMELINE_SIZE = 30
NOTES_SHOWN = 20
LEDGER_SHOWN = 50
MERGE_CANDIDATES = 10
SEEN_CHOICES = (1, 7, 30, 90, 365)


def _contact(request: HttpRequest, contact_id: int) -> Contact:
    contact = contact_get(business=business_context_of(request).business, contact_id=contact_id)
    if contact is None:
        raise Http404
    return contact


def _segment(request: HttpRequest, segment_id: int) -> Segment:
    segment = segment_get(business=business_context_of(request).business, segment_id=segment_id)
    if segment is None:
        raise Http404
    return segment


def _list_url(slug: str, params: dict[str, str] | None = None) -> str:
    url = reverse("customers:list", args=[slug])
    return f"{url}?{urlencode(params)}" if params else url


def _filters_from_post(request: HttpRequest) -> QueryDict:
    """The list's filters a form carries back (hidden ``return_query``), only the known names kept."""
    query = QueryDict(request.POST.get("return_query", "")[:2000])
    kept = QueryDict(mutable=True)
    for name in (*FILTER_NAMES, "saved", "page"):
        if name in query:
            kept[name] = query[name]
    return kept


def _back_to_list(request: HttpRequest) -> HttpResponse:
    slug = business_context_of(request).business.slug
    kept = _filters_from_post(request)
    return redirect(_list_url(slug, {key: str(kept.get(key, "")) for key in kept}))


# --- the list ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContactRow:
    """What one row of the list shows, in words: the template only places them."""

    pk: int
    url: str
    name: str
    choose: str
    stage: str
    tags: list[str]
    reach: str
    seen: str


def contact_rows(contacts: list[Contact], *, slug: str, currency: str) -> list[ContactRow]:
    """A page of contacts as rows, made in one pass.

    Resolving the same lookups, filters, links and translations row by row in the template took
    longer than reading the page from the database; here each is a plain call, and the link of a
    contact is the list's address and its id (``customers.urls``: CONTACT is CUSTOMERS + id).
    """
    list_url = reverse("customers:list", args=[slug])
    stages = {value: str(label) for value, label in Stage.choices}
    now = timezone.now()
    not_seen = _("Not seen yet")
    rows = []
    for contact in contacts:
        name = contact.display_name
        reach = [phone(contact.phone), contact.email, contact.city]
        if contact.last_seen_at:
            seen = [_("Last seen %(when)s ago") % {"when": timesince(contact.last_seen_at, now)}]
        else:
            seen = [not_seen]
        if contact.orders_count:
            seen.append(
                ngettext("%(orders)s order", "%(orders)s orders", contact.orders_count)
                % {"orders": contact.orders_count}
            )
            seen.append(money(contact.spent_minor, currency))
        rows.append(
            ContactRow(
                pk=contact.pk,
                url=f"{list_url}{contact.pk}/",
                name=name,
                choose=_("Choose %(name)s") % {"name": name},
                stage=stages.get(contact.stage, contact.stage),
                tags=[tag.name for tag in contact.tags.all()],
                reach=" · ".join(part for part in reach if part),
                seen=" · ".join(seen),
            )
        )
    return rows


@business_view(Permission.CUSTOMERS_VIEW)
@require_GET
def contact_list_page(request: HttpRequest) -> HttpResponse:
    business = business_context_of(request).business
    contact_filter, problems = contact_filter_read(request.GET)
    page = contact_page(business=business, filters=contact_filter, page=page_number(request), size=PAGE_SIZE)
    saved: Segment | None = None
    raw_saved = request.GET.get("saved", "")
    if raw_saved.isdigit() and len(raw_saved) < 19:
        saved = segment_get(business=business, segment_id=int(raw_saved))
    context = {
        "nav": "customers",
        "page": page,
        "rows": contact_rows(page.items, slug=business.slug, currency=business.currency),
        "query": contact_filter.q,
        "filter": contact_filter,
        "problems": problems,
        "saved": saved,
        "return_query": request.GET.urlencode(),
        "can_manage": business_context_of(request).has(Permission.CUSTOMERS_MANAGE),
    }
    if getattr(request, "htmx", False):
        return render(request, "customers/contact_list.html#contact-results", context)
    context.update(
        tags=list(tag_list(business=business)),
        stages=Stage.choices,
        rfm_segments=RfmSegment.choices,
        consents=[(key, consent_label(key)) for key in consent_keys()],
        sorts=list(SORT_LABELS.items()),
        seen_choices=SEEN_CHOICES,
        advanced_open=bool(contact_filter.as_params(with_sort=False).keys() - {"q"} or set(problems) - {"q"}),
    )
    return render(request, "customers/contact_list.html", context)


@business_view(Permission.CUSTOMERS_MANAGE)
@require_POST
def contacts_tag_bulk_view(request: HttpRequest) -> HttpResponse:
    ids = [value for value in request.POST.getlist("contact") if value.isdigit() and len(value) < 19]
    try:
        count = contacts_tag_bulk(
            business=business_context_of(request).business,
            contact_ids=[int(value) for value in ids],
            tag=request.POST.get("tag", ""),
            actor=page_user(request),
        )
    except DomainError as error:
        messages.error(request, str(error.fields.get("tag") or error.fields.get("contact_ids") or error.message))
    else:
        tag = " ".join(request.POST.get("tag", "").split())
        messages.success(
            request,
            ngettext("%(count)s customer tagged “%(tag)s”.", "%(count)s customers tagged “%(tag)s”.", count)
            % {"count": count, "tag": tag},
        )
    return _back_to_list(request)


# --- saved segments ------------------------------------------------------------------------------


@business_view(Permission.CUSTOMERS_VIEW)
@require_GET
def segment_list_page(request: HttpRequest) -> HttpResponse:
    """The saved segments; each one's count is a fragment of its own, so the page shows at once."""
    business = business_context_of(request).business
    segments = list(segment_list(business=business))
    return render(
        request,
        "customers/segment_list.html",
        {
            "nav": "customers",
            "rows": [(segment, urlencode({**segment.filters, "saved": segment.pk})) for segment in segments],
            "can_manage": business_context_of(request).has(Permission.CUSTOMERS_MANAGE),
        },
    )


@business_view(Permission.CUSTOMERS_VIEW)
@require_GET
def segment_count_fragment(request: HttpRequest, segment_id: int) -> HttpResponse:
    """How many customers match the segment now (an htmx fragment of the segments page)."""
    business = business_context_of(request).business
    segment = _segment(request, segment_id)
    try:
        count: int | None = segment_count(business=business, segment=segment)
        problem = ""
    except DomainError as error:
        count, problem = None, " ".join([str(error.message), *map(str, error.fields.values())])
    return render(request, "customers/segment_list.html#segment-count", {"count": count, "problem": problem})


@business_view(Permission.CUSTOMERS_MANAGE)
@require_POST
def segment_create_view(request: HttpRequest) -> HttpResponse:
    return _segment_save(request, None)


@business_view(Permission.CUSTOMERS_MANAGE)
@require_POST
def segment_update_view(request: HttpRequest, segment_id: int) -> HttpResponse:
    return _segment_save(request, _segment(request, segment_id))


def _segment_save(request: HttpRequest, segment: Segment | None) -> HttpResponse:
    business = business_context_of(request).business
    filters = _filters_from_post(request)
    try:
        saved = segment_save(
            business=business,
            name=request.POST.get("name", ""),
            filters={key: filters[key] for key in filters if key in FILTER_NAMES},
            actor=page_user(request),
            segment=segment,
        )
    except DomainError as error:
        messages.error(request, str(error.fields.get("name") or error.fields.get("filters") or error.message))
        return _back_to_list(request)
    messages.success(request, _("Segment “%(name)s” saved.") % {"name": saved.name})
    return redirect(_list_url(business.slug, {**saved.filters, "saved": str(saved.pk)}))


@business_view(Permission.CUSTOMERS_MANAGE)
@require_POST
def segment_delete_view(request: HttpRequest, segment_id: int) -> HttpResponse:
    business = business_context_of(request).business
    segment = _segment(request, segment_id)
    segment_delete(segment=segment, actor=page_user(request))
    messages.success(request, _("Segment “%(name)s” deleted.") % {"name": segment.name})
    return redirect("customers:segments", slug=business.slug)


# --- a contact's page ----------------------------------------------------------------------------


def _targets(activities: list[Activity]) -> dict[tuple[int, str], str]:
    """What each activity is about, by name: one query per kind of thing on the page (products, posts...).

    Only activities whose data carries no title or number need it; the business itself is never shown.
    """
    wanted: dict[int, set[str]] = defaultdict(set)
    for activity in activities:
        data = activity.data if isinstance(activity.data, dict) else {}
        if activity.target_type_id and activity.target_id and not (data.get("title") or data.get("number")):
            wanted[activity.target_type_id].add(activity.target_id)
    names: dict[tuple[int, str], str] = {}
    for type_id, ids in wanted.items():
        content_type = ContentType.objects.get_for_id(type_id)
        model = content_type.model_class()
        if model is None or content_type.model in ("business", "contact"):
            continue
        valid = [pk for pk in ids if pk.isdigit()]
        for pk, row in model._default_manager.in_bulk(valid).items():
            names[(type_id, str(pk))] = str(row)
    return names


def timeline_entries(activities: list[Activity], *, slug: str, currency: str) -> list[dict[str, Any]]:
    """Each activity as a readable line: who did what, to what, for how much, when, and a link; every
    text made here (the template formatting dates and amounts row by row cost more)."""
    names = _targets(activities)
    verbs = upper_verbs()
    by_staff: set[str] = {Verb.NOTE_ADDED, Verb.CONTACT_CREATED, Verb.CONTACT_MERGED}
    by_staff |= {verbs.order_status_changed, verbs.payment_confirmed}
    channels = {value: str(label) for value, label in Channel.choices}
    entries = []
    for activity in activities:
        data = activity.data if isinstance(activity.data, dict) else {}
        thing = ""
        url = ""
        if isinstance(data.get("title"), str):
            thing = data["title"]
        elif data.get("number") and activity.verb in verbs.orders:
            thing = _("Order #%(number)s") % {"number": data["number"]}
            if isinstance(data["number"], int):
                url = reverse("orders:manage_detail", args=[slug, data["number"]])
        elif activity.verb == Verb.CONTACT_MERGED:
            thing = _("with %(name)s") % {"name": data.get("from_name", "")}
        elif activity.verb == Verb.CONSENT_CHANGED:
            key = f"{data.get('channel')}_{data.get('purpose')}"
            if key in consent_keys():
                state = _("given") if data.get("granted") else _("withdrawn")
                thing = f"{consent_label(key)} · {state}"
        elif activity.target_type_id:
            thing = names.get((activity.target_type_id, activity.target_id), "")
        if not url and isinstance(data.get("product_id"), int):
            url = reverse("catalog:product", args=[slug, data["product_id"]])
        amount = data.get("amount_minor")
        when = timezone.localtime(activity.occurred_at)
        entries.append(
            {
                "activity": activity,
                "label": capfirst(verb_label(activity.verb)),
                "thing": thing,
                "url": url,
                "amount": money(amount, currency) if is_whole_number(amount) else "",
                "when": date_format(when, "DATETIME_FORMAT"),
                "when_iso": when.isoformat(),
                "channel": channels.get(activity.channel, activity.channel),
                "excerpt": data.get("excerpt") if isinstance(data.get("excerpt"), str) else "",
                "rating": data.get("rating") if isinstance(data.get("rating"), int) else None,
                "by_staff": activity.actor_id is not None and activity.verb in by_staff,
            }
        )
    return entries


def _consent_rows(contact: Contact, ledger: list[Any]) -> list[dict[str, Any]]:
    """The current consent per channel and purpose, with its latest ledger line (when, how, by whom)."""
    latest: dict[str, Any] = {}
    for entry in ledger:  # newest first
        latest.setdefault(f"{entry.channel}_{entry.purpose}", entry)
    rows = []
    for key in consent_keys():
        channel, _sep, purpose = key.partition("_")
        rows.append(
            {
                "key": key,
                "channel": ConsentChannel(channel).label,
                "purpose": ConsentPurpose(purpose).label,
                "granted": (contact.consent or {}).get(key),
                "entry": latest.get(key),
            }
        )
    return rows


def _asked(row: dict[str, Any]) -> bool:
    return row["entry"] is not None or row["granted"] is not None


def _preferences(contact: Contact) -> dict[str, list[str]]:
    """Favourite products and business fields from ``preferences`` (filled by customer intelligence)."""
    prefs = contact.preferences if isinstance(contact.preferences, dict) else {}
    language = (get_language() or "id")[:2]
    products = [
        str(item.get("title")) for item in prefs.get("products") or [] if isinstance(item, dict) and item.get("title")
    ]
    fields = []
    for item in prefs.get("categories") or prefs.get("fields") or []:
        if isinstance(item, dict):
            name = item.get(f"name_{language}") or item.get("name") or item.get("name_en") or item.get("slug")
            if name:
                fields.append(str(name))
        elif isinstance(item, str):
            fields.append(item)
    return {"products": products, "fields": fields}


def _detail_context(request: HttpRequest, contact: Contact, **forms: Any) -> dict[str, Any]:
    context = business_context_of(request)
    business = context.business
    page = paginate(contact_timeline(business=business, contact=contact), page=page_number(request), size=TIMELINE_SIZE)
    ledger = list(consent_ledger(business=business, contact=contact)[:LEDGER_SHOWN])
    consents = _consent_rows(contact, ledger)
    can_manage = context.has(Permission.CUSTOMERS_MANAGE)
    values = {
        "nav": "customers",
        "contact": contact,
        "page": page,
        "entries": timeline_entries(page.items, slug=business.slug, currency=business.currency),
        "tags": contact_tags(contact=contact),
        "notes": list(note_list(business=business, contact=contact)[:NOTES_SHOWN]),
        "consents": consents,
        "not_asked": [
            f"{row['channel']} · {row['purpose']}"
            for row in consents
            if row["entry"] is None and row["granted"] is None
        ],
        "ledger": ledger,
        "preferences": _preferences(contact),
        "can_manage": can_manage,
        "can_erase": context.has(Permission.CUSTOMERS_MANAGE),
    }
    if can_manage:
        values.update(
            note_form=forms.get("note_form") or NoteForm(),
            tag_form=forms.get("tag_form") or TagForm(),
            stage_form=StageForm(initial={"stage": contact.stage if contact.stage_set_by_staff else "auto"}),
            consent_form=forms.get("consent_form") or ConsentForm(),
            tag_names=list(tag_list(business=business).values_list("name", flat=True)[:200]),
        )
    return values


@business_view(Permission.CUSTOMERS_VIEW)
@require_GET
def contact_detail(request: HttpRequest, contact_id: int) -> HttpResponse:
    contact = _contact(request, contact_id)
    if contact.pk != contact_id:  # merged into another: show the one that remains
        return redirect("customers:detail", slug=business_context_of(request).business.slug, contact_id=contact.pk)
    contact_view_audit(business=business_context_of(request).business, actor=page_user(request), contact=contact)
    return render(request, "customers/contact_detail.html", _detail_context(request, contact))


def _after_contact_action(request: HttpRequest, contact: Contact, notice: str, *, failed: bool = False) -> HttpResponse:
    (messages.error if failed else messages.success)(request, notice)
    return redirect("customers:detail", slug=business_context_of(request).business.slug, contact_id=contact.pk)


def _render_detail_with(request: HttpRequest, contact: Contact, **forms: Any) -> HttpResponse:
    return render(request, "customers/contact_detail.html", _detail_context(request, contact, **forms), status=400)


@business_view(Permission.CUSTOMERS_MANAGE)
@require_POST
def contact_note_add(request: HttpRequest, contact_id: int) -> HttpResponse:
    contact = _contact(request, contact_id)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            note_add(contact=contact, author=request.user, body=form.cleaned_data["body"])
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            return _after_contact_action(request, contact, _("Note added."))
    return _render_detail_with(request, contact, note_form=form)


@business_view(Permission.CUSTOMERS_MANAGE)
@require_POST
def contact_tag_add_view(request: HttpRequest, contact_id: int) -> HttpResponse:
    contact = _contact(request, contact_id)
    form = TagForm(request.POST)
    if form.is_valid():
        try:
            tag = contact_tag_add(contact=contact, name=form.cleaned_data["tag"], actor=page_user(request))
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            return _after_contact_action(request, contact, _("Tagged “%(tag)s”.") % {"tag": tag.name})
    return _render_detail_with(request, contact, tag_form=form)


@business_view(Permission.CUSTOMERS_MANAGE)
@require_POST
def contact_tag_remove_view(request: HttpRequest, contact_id: int, tag_id: int) -> HttpResponse:
    contact = _contact(request, contact_id)
    contact_tag_remove(contact=contact, tag_id=tag_id, actor=page_user(request))
    return _after_contact_action(request, contact, _("Tag removed."))


@business_view(Permission.CUSTOMERS_MANAGE)
@require_POST
def contact_stage_view(request: HttpRequest, contact_id: int) -> HttpResponse:
    contact = _contact(request, contact_id)
    form = StageForm(request.POST)
    if not form.is_valid():
        return _after_contact_action(request, contact, _("Choose VIP, inactive or automatic."), failed=True)
    contact = contact_stage_set(contact=contact, stage=form.cleaned_data["stage"], actor=page_user(request))
    return _after_contact_action(
        request, contact, _("Stage is now “%(stage)s”.") % {"stage": contact.get_stage_display()}
    )


@business_view(Permission.CUSTOMERS_MANAGE)
@require_POST
def contact_consent_view(request: HttpRequest, contact_id: int) -> HttpResponse:
    contact = _contact(request, contact_id)
    form = ConsentForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            consent_set(
                contact=contact,
                channel=data["channel"],
                purpose=data["purpose"],
                granted=data["granted"],
                source=data["source"],
                actor=page_user(request),
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            return _after_contact_action(request, contact, _("Consent recorded."))
    return _render_detail_with(request, contact, consent_form=form)


# --- add, edit, merge ----------------------------------------------------------------------------


def _save(request: HttpRequest, contact: Contact | None) -> HttpResponse:
    business = business_context_of(request).business
    if request.method == "POST":
        form = ContactForm(request.POST)
        if form.is_valid():
            try:
                if contact is None:
                    contact = contact_create(business=business, actor=page_user(request), **form.cleaned_data)
                else:
                    contact = contact_update(contact=contact, actor=page_user(request), **form.cleaned_data)
            except DomainError as error:
                form_add_domain_error(form, error)
            else:
                return redirect("customers:detail", slug=business.slug, contact_id=contact.pk)
        status = 400
    else:
        initial = {}
        if contact is not None:
            initial = {name: getattr(contact, name) for name in EDITABLE_FIELDS}
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


@business_view(Permission.CUSTOMERS_MANAGE)
@require_http_methods(["GET", "POST"])
def contact_merge_view(request: HttpRequest, contact_id: int) -> HttpResponse:
    """Find the duplicate of this customer and merge it in: this customer's details win."""
    business = business_context_of(request).business
    contact = _contact(request, contact_id)
    if request.method == "POST":
        raw = request.POST.get("other", "")
        other = contact_get(business=business, contact_id=int(raw)) if raw.isdigit() and len(raw) < 19 else None
        if other is None:
            raise Http404
        try:
            kept = contact_merge(business=business, keep=contact, other=other, actor=page_user(request))
        except DomainError as error:
            return _after_contact_action(request, contact, str(error.message), failed=True)
        return _after_contact_action(
            request, kept, _("%(other)s was merged into this customer.") % {"other": other.display_name}
        )
    query = request.GET.get("q", "")[:100]
    candidates = list(contact_search(business=business, query=query, limit=MERGE_CANDIDATES + 1)) if query else []
    candidates = [row for row in candidates if row.pk != contact.pk][:MERGE_CANDIDATES]
    return render(
        request,
        "customers/contact_merge.html",
        {"nav": "customers", "contact": contact, "query": query, "candidates": candidates},
    )
