"""The Customers pages as a phone shows them: what comes first on a contact's page, the labels screen
readers hear on the list, the score filters, and the import's column examples."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from etalase.customers.enums import ConsentChannel, ConsentPurpose, ConsentSource
from etalase.customers.io.forms import MappingForm
from etalase.customers.models import Contact
from etalase.customers.services.consent import consent_set
from etalase.customers.services.contacts import contact_create
from etalase.customers.services.notes import note_add
from etalase.customers.services.tags import contact_tags_set

pytestmark = pytest.mark.django_db


def test_the_list_offers_the_score_filters_and_names_the_bulk_tag_field_apart(owner_client, business):
    contact_create(business=business, name="Bu Ani")

    text = owner_client.get(reverse("customers:list", args=[business.slug])).content.decode()

    filters = text.split('id="contact-filters"')[1].split("</form>")[0]
    for name, label in (
        ("info_min", "Information known from (%)"),
        ("info_max", "Information known up to (%)"),
        ("personal_min", "Individual service from (%)"),
        ("personal_max", "Individual service up to (%)"),
    ):
        field = re.search(rf'<label for="([\w-]+)">{re.escape(label)}</label>\s*<input id="\1"[^>]*>', filters)
        assert field, label
        assert f'name="{name}" min="0" max="100"' in field.group(0)
        assert 'value=""' in field.group(0)
    assert '<label for="filter-tag">Tag</label>' in filters
    assert '<label for="bulk-tag" class="visually-hidden">Tag to add</label>' in text


def test_the_contact_page_shows_the_summary_and_the_timeline_before_notes_tags_and_consent(
    owner_client, business, owner
):
    contact = contact_create(business=business, name="Bu Ani", phone="0812-1111-0001", city="Solo")
    contact_tags_set(contact=contact, names=["Reseller"], actor=owner)
    note_add(contact=contact, author=owner, body="Minta dikirim sore")
    Contact.objects.filter(pk=contact.pk).update(last_seen_at=dt.datetime(2026, 11, 3, 5, 0, tzinfo=dt.UTC))

    text = owner_client.get(reverse("customers:detail", args=[business.slug, contact.pk])).content.decode()

    order = [
        text.index(marker)
        for marker in (
            'aria-label="Summary"',
            'aria-label="On this page"',
            'id="profile-heading"',
            'id="timeline-heading"',
            'id="notes-heading"',
            'id="tags-heading"',
            'id="consent-heading"',
        )
    ]
    assert order == sorted(order)
    for part in ("timeline", "notes", "tags", "consent"):
        assert f'href="#{part}"' in text
        assert f'id="{part}"' in text
    assert 'href="#scores"' not in text  # no scores yet: no link to a section that is not there
    assert "+62 812-1111-0001" in text.split('id="timeline-heading"')[0]  # the number to call, before the timeline
    summary = text.split('aria-label="Summary"')[1].split("</section>")[0]
    assert ">3 Nov 2026</time>" in summary  # short enough for its card at 360 px
    assert 'class="badge badge-tag">Reseller</span>' in text.split('aria-label="Summary"')[0]


def test_consent_not_asked_yet_is_listed_one_purpose_a_line_under_its_channel(owner_client, business):
    contact = contact_create(business=business, name="Bu Ani")
    consent_set(
        contact=contact,
        channel=ConsentChannel.WHATSAPP,
        purpose=ConsentPurpose.MARKETING,
        granted=True,
        source=ConsentSource.KEYWORD,
        actor=None,
    )

    text = owner_client.get(reverse("customers:detail", args=[business.slug, contact.pk])).content.decode()

    not_asked = text.split('<dl class="not-asked">')[1].split("</dl>")[0]
    assert re.findall(r"<(dt|dd)>([^<]+)</\1>", not_asked) == [
        ("dt", "WhatsApp"),
        ("dd", "Order and service messages"),
        ("dt", "SMS"),
        ("dd", "Promotions and news"),
        ("dd", "Order and service messages"),
        ("dt", "Email"),
        ("dd", "Promotions and news"),
        ("dd", "Order and service messages"),
        ("dt", "App notifications"),
        ("dd", "Promotions and news"),
        ("dd", "Order and service messages"),
    ]


def test_a_column_shows_each_example_once_and_a_few_at_most():
    form = MappingForm(
        headers=["Kota", "Nama", "Kosong"],
        samples=[["Sleman", "sleman ", "Bantul"], ["Rina", "Agus", "Sari", "Budi"], ["", " "]],
        show_header=True,
    )

    assert form.fields["column_0"].help_text == "For example: Sleman, Bantul"
    assert form.fields["column_1"].help_text == "For example: Rina, Agus, Sari"
    assert form.fields["column_2"].help_text == ""
