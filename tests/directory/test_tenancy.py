"""Business A's pages and API answer outsiders exactly as if A did not exist."""

import re

import pytest
from django.urls import reverse

from etalase.directory.enums import BusinessStatus, InvitationStatus, Role
from etalase.directory.models import Invitation, Membership
from tests.factories import InvitationFactory, UserFactory, registered_business

PAGES = [
    "directory:dashboard",
    "orders:manage_list",
    "customers:list",
    "directory:inbox",
    "directory:more",
    "directory:profile",
    "directory:team",
]
API_READS = ["/members", "/invitations", "/activities"]


def comparable(response, slug: str) -> str:
    """The page without what differs on every answer (nonce, CSRF token) or names the address."""
    text = response.content.decode().replace(slug, "<slug>")
    text = re.sub(r'nonce="[^"]*"', "", text)
    return re.sub(r'("X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]*', r"\1", text)


@pytest.fixture
def business_b(db):
    return registered_business(owner=UserFactory(), name="Kopi Senja")


@pytest.fixture
def outsiders(business_b):
    member_of_b = Membership.objects.get(business=business_b).user
    return {"member of another business": member_of_b, "customer": UserFactory()}


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("who", ["member of another business", "customer"])
def test_a_business_page_is_404_to_outsiders_like_a_missing_business(client_for, business, outsiders, page, who):
    browser = client_for(outsiders[who])

    response = browser.get(reverse(page, args=[business.slug]))
    missing = browser.get(reverse(page, args=["no-such-business"]))

    assert response.status_code == 404
    assert comparable(response, business.slug) == comparable(missing, "no-such-business")
    assert "Batik Sari" not in response.content.decode()


@pytest.mark.parametrize("page", PAGES)
def test_a_business_page_sends_anonymous_visitors_to_log_in(anonymous_client, business, page):
    url = reverse(page, args=[business.slug])

    response = anonymous_client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={url}"


@pytest.mark.parametrize("suffix", API_READS)
@pytest.mark.parametrize("who", ["member of another business", "customer"])
def test_a_business_api_read_is_404_to_outsiders_like_a_missing_business(
    api_client_for, business, outsiders, suffix, who
):
    api = api_client_for(outsiders[who])

    response = api.get(f"/api/v1/businesses/{business.slug}{suffix}")
    missing = api.get(f"/api/v1/businesses/no-such-business{suffix}")

    assert response.status_code == 404
    assert response.json() == missing.json() == {"error": {"code": "not_found", "message": "Not found.", "fields": {}}}


@pytest.mark.parametrize("suffix", API_READS)
def test_a_business_api_read_is_401_without_a_token(api_client_for, business, suffix):
    response = api_client_for(None).get(f"/api/v1/businesses/{business.slug}{suffix}")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_a_member_of_b_cannot_change_a_through_the_api(api_client_for, business, outsiders):
    api = api_client_for(outsiders["member of another business"])
    owner_membership = Membership.objects.get(business=business)
    invitation = InvitationFactory(business=business)
    body = {"name": "Taken", "category": "fashion-batik", "city": "Solo", "whatsapp": "0812-3456-7890"}

    answers = [
        api.patch(f"/api/v1/businesses/{business.slug}", body, content_type="application/json"),
        api.patch(
            f"/api/v1/businesses/{business.slug}/members/{owner_membership.pk}",
            {"role": "cashier"},
            content_type="application/json",
        ),
        api.delete(f"/api/v1/businesses/{business.slug}/members/{owner_membership.pk}"),
        api.post(
            f"/api/v1/businesses/{business.slug}/invitations",
            {"identifier": "0812-9999-1234", "role": "owner"},
            content_type="application/json",
        ),
        api.delete(f"/api/v1/businesses/{business.slug}/invitations/{invitation.pk}"),
    ]

    assert [answer.status_code for answer in answers] == [404] * 5
    business.refresh_from_db()
    owner_membership.refresh_from_db()
    invitation.refresh_from_db()
    assert (business.name, owner_membership.role, invitation.status) == (
        "Batik Sari",
        Role.OWNER,
        InvitationStatus.PENDING,
    )
    assert Invitation.objects.count() == 1


def test_rows_of_b_cannot_be_reached_through_the_address_of_a(
    owner_client, api_client_for, owner, business, business_b
):
    """The owner of A addresses B's membership and invitation under A's own slug."""
    membership_b = Membership.objects.get(business=business_b)
    invitation_b = InvitationFactory(business=business_b)
    api = api_client_for(owner)

    answers = [
        owner_client.post(reverse("directory:member_role", args=[business.slug, membership_b.pk]), {"role": "cashier"}),
        owner_client.post(reverse("directory:member_remove", args=[business.slug, membership_b.pk])),
        owner_client.post(reverse("directory:invitation_revoke", args=[business.slug, invitation_b.pk])),
        api.patch(
            f"/api/v1/businesses/{business.slug}/members/{membership_b.pk}",
            {"role": "cashier"},
            content_type="application/json",
        ),
        api.delete(f"/api/v1/businesses/{business.slug}/members/{membership_b.pk}"),
        api.delete(f"/api/v1/businesses/{business.slug}/invitations/{invitation_b.pk}"),
    ]

    assert [answer.status_code for answer in answers] == [404] * 6
    membership_b.refresh_from_db()
    invitation_b.refresh_from_db()
    assert (membership_b.role, invitation_b.status) == (Role.OWNER, InvitationStatus.PENDING)


def test_huge_ids_are_404_not_a_database_error(owner_client, api_client_for, owner, business):
    huge = 10**17
    page = owner_client.post(reverse("directory:member_remove", args=[business.slug, huge]))
    api = api_client_for(owner).delete(f"/api/v1/businesses/{business.slug}/members/{10**30}")

    assert page.status_code == 404
    assert api.status_code in (404, 422)
    assert "error" in api.json()


def test_a_suspended_business_is_hidden_from_the_public(anonymous_client, business):
    business.status = BusinessStatus.SUSPENDED
    business.save()

    assert anonymous_client.get(reverse("catalog:storefront", args=[business.slug])).status_code == 404
    assert anonymous_client.get(f"/api/v1/businesses/{business.slug}").status_code == 404


def test_a_suspended_business_is_still_open_to_its_team_with_a_notice(owner_client, business):
    business.status = BusinessStatus.SUSPENDED
    business.save()

    page = owner_client.get(reverse("directory:dashboard", args=[business.slug]))

    assert page.status_code == 200
    assert "suspended" in page.content.decode()
