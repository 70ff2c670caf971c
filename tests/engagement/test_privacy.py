"""A customer's data download and erasure at one shop: what engagement adds and removes.

Given Budi follows Batik Sari and Kopi Senja, favourites Batik Parang and Batik Kawung at Batik Sari
and a coffee at Kopi Senja, and wrote at Batik Sari a comment nobody answered, a comment the shop
hid, and a question that Sari answered by quoting it and naming him. Rina follows Batik Sari,
favourites and comments there too. When Budi downloads or erases his data at Batik Sari through
Me → My data at shops (the page or the API), then Batik Sari's rows say what he did, or no longer
know him; Kopi Senja's and Rina's rows stay as they were.
"""

import datetime as dt
import json
from dataclasses import dataclass

import pytest
from django.urls import reverse

from etalase.accounts.models import User
from etalase.catalog.models import Product
from etalase.core.phones import phone_display
from etalase.customers.models import Contact
from etalase.customers.privacy.services import privacy_erasers
from etalase.customers.services.contacts import contact_for_user
from etalase.customers.services.merge import contact_merge
from etalase.directory.models import Business
from etalase.engagement.models import Comment, Favourite, Follow
from etalase.engagement.selectors import follower_count
from etalase.engagement.services import comment_add, comment_answer, comment_hide, favourite_add, follow_add
from tests.factories import UserFactory, business_owner
from tests.support.engagement import product_made

pytestmark = pytest.mark.django_db

COMMENT = "Motifnya cantik, Budi suka sekali"
HIDDEN = "Mahal banget, Budi kecewa"
QUESTION = "Ada ukuran XL untuk kondangan Sabtu?"
RINA_COMMENT = "Kainnya adem, terima kasih"
OTHER_COMMENT = "Kopinya mantap, salam dari Budi"
PLACEHOLDER = "Removed at the customer's request."


@dataclass
class Acts:
    business: Business
    other: Business
    owner: User
    customer: User
    rina: User
    parang: Product
    kawung: Product
    kopi: Product
    question: Comment
    answer: Comment
    contact: Contact


def answer_text(customer: User) -> str:
    assert customer.phone is not None
    return (
        f'"{QUESTION}" Ada, kak Budi! Katalognya kami kirim ke {customer.email} atau {phone_display(customer.phone)}.'
    )


ANSWER_AFTER = '"…" Ada, kak …! Katalognya kami kirim ke … atau ….'


@pytest.fixture
def acts(business, other_shop, customer, committed) -> Acts:
    owner = business_owner(business)
    rina = UserFactory(name="Rina Wulandari")
    parang = product_made(business, "Batik Parang", photo=False)
    kawung = product_made(business, "Batik Kawung", photo=False)
    kopi = product_made(other_shop, "Kopi Gayo", photo=False)
    with committed():
        follow_add(user=customer, business=business)
        follow_add(user=customer, business=other_shop)
        follow_add(user=rina, business=business)
        favourite_add(user=customer, product_id=parang.pk)
        favourite_add(user=customer, product_id=kawung.pk)
        favourite_add(user=customer, product_id=kopi.pk)
        favourite_add(user=rina, product_id=parang.pk)
        comment_add(user=customer, product_id=parang.pk, body=COMMENT)
        hidden = comment_add(user=customer, product_id=kawung.pk, body=HIDDEN)
        comment_hide(user=owner, comment_id=hidden.pk)
        question = comment_add(user=customer, product_id=parang.pk, body=QUESTION, kind="question")
        answer = comment_answer(user=owner, comment_id=question.pk, body=answer_text(customer))
        comment_add(user=rina, product_id=parang.pk, body=RINA_COMMENT)
        comment_add(user=customer, product_id=kopi.pk, body=OTHER_COMMENT)
    return Acts(
        business=business,
        other=other_shop,
        owner=owner,
        customer=customer,
        rina=rina,
        parang=parang,
        kawung=kawung,
        kopi=kopi,
        question=question,
        answer=answer,
        contact=Contact.objects.get(business=business, user=customer),
    )


def url(name: str, *args: object) -> str:
    return reverse(f"customers_privacy:{name}", args=args)


def counts(*products: Product) -> list[tuple[int, int]]:
    """(favourites, comments) as each product keeps them."""
    kept = {row.pk: row for row in Product.objects.filter(pk__in=[product.pk for product in products])}
    return [(kept[product.pk].favourite_count, kept[product.pk].comment_count) for product in products]


def same_moment(text: str, moment: dt.datetime) -> bool:
    """A download's time (milliseconds kept) is the row's time."""
    return abs(dt.datetime.fromisoformat(text) - moment) < dt.timedelta(milliseconds=1)


def shop_text(business: Business) -> str:
    """Every engagement row of the shop, serialised, to look for the person in it."""
    rows = [
        *Comment.objects.filter(business=business).values("author_id", "body"),
        *Favourite.objects.filter(business=business).values("user_id"),
        *Follow.objects.filter(business=business).values("user_id"),
    ]
    return json.dumps(rows, ensure_ascii=False)


# --- the download ---------------------------------------------------------------------------------


def test_the_download_lists_what_i_did_at_that_shop(client_for, acts):
    answer = client_for(acts.customer).post(url("my_download", acts.business.slug))

    assert answer.status_code == 200
    rows = json.loads(answer.content)["sections"]["engagement"]
    assert [row["kind"] for row in rows] == ["follow", "favourite", "favourite", "comment", "comment", "question"]
    follow = Follow.objects.get(business=acts.business, user=acts.customer)
    assert same_moment(rows[0]["following_since"], follow.created_at)
    favourites = Favourite.objects.filter(business=acts.business, user=acts.customer).order_by("created_at", "pk")
    assert [(row["product_id"], row["product"]) for row in rows[1:3]] == [
        (acts.parang.pk, "Batik Parang"),
        (acts.kawung.pk, "Batik Kawung"),
    ]
    assert all(
        same_moment(row["favourited_at"], favourite.created_at)
        for row, favourite in zip(rows[1:3], favourites, strict=True)
    )
    written = [(row["product"], row["text"], row["is_hidden"], row["is_answered"]) for row in rows[3:]]
    assert written == [
        ("Batik Parang", COMMENT, False, False),
        ("Batik Kawung", HIDDEN, True, False),
        ("Batik Parang", QUESTION, False, True),
    ]
    assert same_moment(rows[5]["written_at"], acts.question.created_at)
    # Nothing of Kopi Senja, nor of Rina.
    text = answer.content.decode()
    for elsewhere in (OTHER_COMMENT, "Kopi Gayo", RINA_COMMENT, "Rina"):
        assert elsewhere not in text, elsewhere


def test_the_api_download_has_the_same_section(api_client_for, acts):
    answer = api_client_for(acts.customer).get(f"/api/v1/me/privacy/businesses/{acts.business.slug}/export")

    assert answer.status_code == 200
    rows = answer.json()["sections"]["engagement"]
    assert [(row["kind"], row.get("product"), row.get("text")) for row in rows] == [
        ("follow", None, None),
        ("favourite", "Batik Parang", None),
        ("favourite", "Batik Kawung", None),
        ("comment", "Batik Parang", COMMENT),
        ("comment", "Batik Kawung", HIDDEN),
        ("question", "Batik Parang", QUESTION),
    ]


def test_a_customer_who_never_engaged_gets_an_empty_section(client_for, business):
    walker = UserFactory(name="Dewi")
    contact_for_user(business=business, user=walker)

    answer = client_for(walker).post(url("my_download", business.slug))

    assert answer.status_code == 200
    assert json.loads(answer.content)["sections"]["engagement"] == []


# --- the erasure ----------------------------------------------------------------------------------


def test_erasing_removes_my_follow_favourites_and_words_at_that_shop_only(client_for, acts, committed):
    assert counts(acts.parang, acts.kawung, acts.kopi) == [(2, 3), (1, 0), (1, 1)]
    assert follower_count(acts.business) == 2
    assert Contact.objects.get(pk=acts.contact.pk).favourites_count == 2

    with committed():
        answer = client_for(acts.customer).post(url("my_erase", acts.business.slug), {"confirm": "on"})

    assert answer.status_code == 302
    # The follow and the favourites are gone, and every count says so.
    assert list(Follow.objects.filter(business=acts.business).values_list("user_id", flat=True)) == [acts.rina.pk]
    assert follower_count(acts.business) == 1
    assert list(Favourite.objects.filter(business=acts.business).values_list("user_id", flat=True)) == [acts.rina.pk]
    # Parang keeps Rina's favourite, and the answered question and Rina's comment; the hidden
    # comment on Kawung was never counted.
    assert counts(acts.parang, acts.kawung) == [(1, 2), (0, 0)]
    assert Contact.objects.get(pk=acts.contact.pk).favourites_count == 0
    # The unanswered comments are deleted; the answered question stays, without text or author.
    assert not Comment.objects.filter(business=acts.business, author=acts.customer).exists()
    assert not Comment.objects.filter(body__in=[COMMENT, HIDDEN, QUESTION]).exists()
    question = Comment.objects.get(pk=acts.question.pk)
    assert (question.author, question.body, question.kind, question.is_hidden) == (None, "", "question", False)
    answer_row = Comment.objects.get(pk=acts.answer.pk)
    assert (answer_row.parent_id, answer_row.author, answer_row.body) == (question.pk, acts.owner, ANSWER_AFTER)
    text = shop_text(acts.business)
    customer = acts.customer
    for personal in ("Budi", "Pelanggan", customer.email, customer.phone, phone_display(customer.phone)):
        assert personal not in text, personal
    assert f'"author_id": {customer.pk}' not in text
    assert f'"user_id": {customer.pk}' not in text
    # Rina's rows at Batik Sari and Budi's at Kopi Senja are as they were.
    assert Comment.objects.filter(author=acts.rina, body=RINA_COMMENT).exists()
    assert Follow.objects.filter(business=acts.other, user=customer).exists()
    assert Favourite.objects.filter(business=acts.other, user=customer, product=acts.kopi).exists()
    assert Comment.objects.filter(business=acts.other, author=customer, body=OTHER_COMMENT).exists()
    assert counts(acts.kopi) == [(1, 1)]


def test_after_the_erasure_the_answer_still_reads_under_a_placeholder(anonymous_client, api_client_for, acts):
    client_for_budi = api_client_for(acts.customer)
    erased = client_for_budi.post(
        f"/api/v1/me/privacy/businesses/{acts.business.slug}/erasure", {"confirm": True}, "application/json"
    )
    assert erased.status_code == 201

    page = anonymous_client.get(reverse("engagement:comments", args=[acts.parang.pk]))

    assert page.status_code == 200
    html = page.content.decode()
    assert PLACEHOLDER in html
    assert "Ada, kak …! Katalognya kami kirim ke … atau …." in html
    assert RINA_COMMENT in html
    assert "Budi" not in html
    listing = anonymous_client.get(f"/api/v1/products/{acts.parang.pk}/comments")
    assert listing.status_code == 200
    items = {item["id"]: item for item in listing.json()["items"]}
    question = items[acts.question.pk]
    assert (question["body"], question["author_name"], question["kind"]) == (PLACEHOLDER, "Customer", "question")
    assert [(row["body"], row["author_name"]) for row in question["answers"]] == [(ANSWER_AFTER, "Batik Sari")]
    assert "Budi" not in listing.content.decode()


def test_the_shop_can_still_answer_an_erased_question(client_for, acts, committed):
    with committed():
        client_for(acts.customer).post(url("my_erase", acts.business.slug), {"confirm": "on"})

    with committed():
        reply = comment_answer(user=acts.owner, comment_id=acts.question.pk, body="Stoknya datang Senin.")

    assert reply.parent_id == acts.question.pk
    assert counts(acts.parang) == [(1, 2)]


def test_erasing_twice_is_harmless(client_for, acts, committed):
    budi = client_for(acts.customer)
    with committed():
        budi.post(url("my_erase", acts.business.slug), {"confirm": "on"})
    before = (shop_text(acts.business), counts(acts.parang, acts.kawung, acts.kopi))

    again = budi.post(url("my_erase", acts.business.slug), {"confirm": "on"})
    # The eraser itself, run again with the contact as it was before the erasure, finds nothing left.
    privacy_erasers()["engagement"](acts.contact)
    privacy_erasers()["engagement"](Contact.objects.get(pk=acts.contact.pk))

    assert again.status_code == 404
    assert (shop_text(acts.business), counts(acts.parang, acts.kawung, acts.kopi)) == before
    assert Comment.objects.get(pk=acts.answer.pk).body == ANSWER_AFTER


def test_a_staff_erasure_covers_the_accounts_merged_into_the_contact(client_for, acts, committed):
    """Budi's old account also favourited Kawung; the shop merged its contact into Budi's."""
    old_account = UserFactory(name="Budi Lama")
    with committed():
        favourite_add(user=old_account, product_id=acts.kawung.pk)
        follow_add(user=old_account, business=acts.business)
    old_contact = Contact.objects.get(business=acts.business, user=old_account)
    with committed():
        contact_merge(business=acts.business, keep=acts.contact, other=old_contact, actor=acts.owner)
    download = client_for(acts.customer).post(url("my_download", acts.business.slug))
    kinds = [(row["kind"], row.get("product")) for row in json.loads(download.content)["sections"]["engagement"]]
    assert kinds.count(("favourite", "Batik Kawung")) == 2
    assert kinds.count(("follow", None)) == 2
    assert counts(acts.kawung) == [(2, 0)]

    with committed():
        answer = client_for(acts.owner).post(
            url("contact_erase", acts.business.slug, acts.contact.pk), {"received_via": "phone", "confirm": "on"}
        )

    assert answer.status_code == 302
    assert not Favourite.objects.filter(business=acts.business, user__in=[acts.customer, old_account]).exists()
    assert not Follow.objects.filter(business=acts.business, user__in=[acts.customer, old_account]).exists()
    assert counts(acts.parang, acts.kawung) == [(1, 2), (0, 0)]
    assert follower_count(acts.business) == 1
    assert Favourite.objects.filter(business=acts.other, user=acts.customer).exists()
