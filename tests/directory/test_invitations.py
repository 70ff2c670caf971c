"""Inviting staff by phone or email: newcomers join once they verify the invited number or address,
others accept or decline."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from etalase.activity.models import Activity
from etalase.directory.enums import InvitationStatus, Role
from etalase.directory.models import Invitation, Membership
from tests.factories import InvitationFactory, UserFactory, registered_business, unverified_user
from tests.support.accounts import code_sent_to


def team_url(business) -> str:
    return reverse("directory:team", args=[business.slug])


def invite(browser, business, identifier: str, role: str = Role.CASHIER):
    return browser.post(team_url(business), {"identifier": identifier, "role": role})


def signup(browser, **fields: str):
    form = {"name": "Dewi", "phone": "", "email": "", "password": "kasir-batik-77", "language": "en"}
    return browser.post(reverse("accounts:signup"), {**form, **fields})


def test_inviting_by_phone_stores_the_number_in_e164(owner_client, business):
    response = invite(owner_client, business, "0812-9999-1234")

    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.business, invitation.phone, invitation.email) == (business, "+6281299991234", "")
    assert (invitation.role, invitation.status) == (Role.CASHIER, InvitationStatus.PENDING)
    assert Activity.objects.filter(verb="member_invited", business=business).count() == 1
    team = owner_client.get(team_url(business)).content.decode()
    assert "+62 812-9999-1234" in team
    assert "Invitation sent." in team


def test_inviting_by_email_stores_the_address_in_lower_case(owner_client, business):
    response = invite(owner_client, business, "Dewi@Example.COM", Role.SUPPORT)

    assert response.status_code == 302
    assert Invitation.objects.get().email == "dewi@example.com"


def verify(browser, destination: str):
    return browser.post(reverse("accounts:verify"), {"code": code_sent_to(destination)})


@pytest.mark.django_db(transaction=True)
def test_an_invited_number_joins_the_team_once_it_is_verified(client_for, sms_outbox):
    owner = UserFactory()
    business = registered_business(owner=owner)
    invite(client_for(owner), business, "0812-9999-1234", Role.CASHIER)
    newcomer = client_for(None)

    response = signup(newcomer, phone="+62 812 9999 1234")

    # Signing up alone joins nothing: anyone can type any number.
    assert response.status_code == 302
    assert not Membership.objects.filter(user__phone="+6281299991234").exists()
    assert Invitation.objects.get().status == InvitationStatus.PENDING
    assert newcomer.get(reverse("orders:manage_list", args=[business.slug])).status_code == 404

    verified = verify(newcomer, "+6281299991234")

    assert verified.status_code == 302
    membership = Membership.objects.get(business=business, user__phone="+6281299991234")
    assert membership.role == Role.CASHIER
    invitation = Invitation.objects.get()
    assert invitation.status == InvitationStatus.ACCEPTED
    assert invitation.accepted_by == membership.user
    assert Activity.objects.filter(verb="member_joined", business=business, actor=membership.user).count() == 1
    assert newcomer.get(reverse("orders:manage_list", args=[business.slug])).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_an_invited_email_joins_the_team_once_it_is_verified(client_for):
    owner = UserFactory()
    business = registered_business(owner=owner)
    invite(client_for(owner), business, "dewi@example.com", Role.SUPPORT)
    newcomer = client_for(None)

    signup(newcomer, email="DEWI@example.com")
    assert not Membership.objects.filter(user__email="dewi@example.com").exists()
    verify(newcomer, "dewi@example.com")

    membership = Membership.objects.get(business=business, user__email="dewi@example.com")
    assert membership.role == Role.SUPPORT


@pytest.mark.django_db(transaction=True)
def test_verifying_the_phone_does_not_accept_an_invitation_for_the_unverified_email(client_for, sms_outbox):
    owner = UserFactory()
    business = registered_business(owner=owner)
    invite(client_for(owner), business, "dewi@example.com", Role.SUPPORT)
    newcomer = client_for(None)

    signup(newcomer, phone="0812-9999-1234", email="dewi@example.com")
    verify(newcomer, "+6281299991234")

    assert not Membership.objects.filter(business=business, user__email="dewi@example.com").exists()
    assert Invitation.objects.get().status == InvitationStatus.PENDING


def test_an_unverified_account_neither_sees_nor_answers_the_invitation_for_its_number(client_for, business):
    squatter = unverified_user(phone="+6281299991234", email=None)
    invitation = InvitationFactory(business=business, phone="+6281299991234")
    browser = client_for(squatter)

    notifications = browser.get(reverse("notifications:centre")).content.decode()
    response = browser.post(reverse("directory:invitation_respond", args=[invitation.pk]), {"accept": "1"})

    assert "invites you to join" not in notifications
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:verify"))
    assert Invitation.objects.get().status == InvitationStatus.PENDING
    assert not Membership.objects.filter(user=squatter).exists()


def test_the_api_refuses_an_unverified_account_the_invitation_for_its_number(api_client_for, business):
    squatter = unverified_user(phone="+6281299991234", email=None)
    invitation = InvitationFactory(business=business, phone="+6281299991234")
    api = api_client_for(squatter)

    listed = api.get("/api/v1/me/invitations")
    accepted = api.post(f"/api/v1/me/invitations/{invitation.pk}/accept")

    assert listed.json() == []
    assert accepted.status_code == 403
    assert accepted.json()["error"]["code"] == "verification_required"
    assert Invitation.objects.get().status == InvitationStatus.PENDING


@pytest.mark.django_db(transaction=True)
def test_signing_up_with_another_number_joins_nothing(client_for):
    business = registered_business(owner=UserFactory())
    InvitationFactory(business=business, phone="+6281299991234")

    signup(client_for(None), phone="0812-9999-4321")

    assert Membership.objects.filter(business=business).count() == 1
    assert Invitation.objects.get().status == InvitationStatus.PENDING


def test_an_existing_user_sees_the_invitation_and_accepts_it(client_for, business):
    dewi = UserFactory(email="dewi@example.com")
    invitation = InvitationFactory(business=business, phone="", email="dewi@example.com", role=Role.CASHIER)
    browser = client_for(dewi)

    notifications = browser.get(reverse("notifications:centre")).content.decode()
    assert escape("Batik Sari invites you to join its team as Cashier.") in notifications

    response = browser.post(reverse("directory:invitation_respond", args=[invitation.pk]), {"accept": "1"})

    assert response.status_code == 302
    assert response["Location"] == reverse("directory:dashboard", args=[business.slug])
    assert Membership.objects.get(business=business, user=dewi).role == Role.CASHIER
    invitation.refresh_from_db()
    assert (invitation.status, invitation.accepted_by) == (InvitationStatus.ACCEPTED, dewi)
    assert "invites you to join" not in browser.get(reverse("notifications:centre")).content.decode()


def test_an_existing_user_declines_the_invitation(client_for, business):
    dewi = UserFactory(phone="+6281299991234")
    invitation = InvitationFactory(business=business, phone="+6281299991234")
    browser = client_for(dewi)

    response = browser.post(reverse("directory:invitation_respond", args=[invitation.pk]), {"accept": "0"}, follow=True)

    assert "Invitation declined." in response.content.decode()
    assert not Membership.objects.filter(user=dewi).exists()
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.DECLINED
    assert Activity.objects.filter(verb="invitation_declined", actor=dewi).count() == 1


def test_an_invitation_for_someone_else_cannot_be_answered(client_for, business):
    invitation = InvitationFactory(business=business, phone="+6281299991234")

    response = client_for(UserFactory()).post(
        reverse("directory:invitation_respond", args=[invitation.pk]), {"accept": "1"}
    )

    assert response.status_code == 404
    assert Invitation.objects.get().status == InvitationStatus.PENDING
    assert Membership.objects.filter(business=business).count() == 1


def test_a_revoked_invitation_can_no_longer_be_accepted(client_for, owner_client, business):
    dewi = UserFactory(phone="+6281299991234")
    invitation = InvitationFactory(business=business, phone="+6281299991234")

    revoke = owner_client.post(reverse("directory:invitation_revoke", args=[business.slug, invitation.pk]))
    accept = client_for(dewi).post(reverse("directory:invitation_respond", args=[invitation.pk]), {"accept": "1"})

    assert revoke.status_code == 302
    assert accept.status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.REVOKED
    assert not Membership.objects.filter(user=dewi).exists()


@pytest.mark.parametrize(
    ("identifier", "message"),
    [
        ("0812 3456 7890", "This person is already a member of the team."),
        ("SARI@example.com", "This person is already a member of the team."),
        ("0812-777", "Enter a valid phone number or email address."),
        ("dewi@", "Enter a valid phone number or email address."),
    ],
    ids=["member-by-phone", "member-by-email", "bad-phone", "bad-email"],
)
def test_an_invitation_that_makes_no_sense_is_refused(owner_client, business, identifier, message):
    response = invite(owner_client, business, identifier)

    assert response.status_code == 400
    assert escape(message) in response.content.decode()
    assert Invitation.objects.count() == 0


def test_inviting_someone_twice_is_refused(owner_client, business):
    invite(owner_client, business, "0812-9999-1234")

    response = invite(owner_client, business, "+62 812 9999 1234", Role.SALES)

    assert response.status_code == 400
    assert "This person has already been invited." in response.content.decode()
    assert Invitation.objects.count() == 1


def test_the_api_answers_a_duplicate_invitation_with_409(api_client_for, owner, business):
    api = api_client_for(owner)
    body = {"identifier": "0812-9999-1234", "role": "cashier"}
    assert api.post(f"/api/v1/businesses/{business.slug}/invitations", body, "application/json").status_code == 201

    response = api.post(f"/api/v1/businesses/{business.slug}/invitations", body, "application/json")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "already_invited"
    assert Invitation.objects.count() == 1


def test_the_api_lists_and_answers_my_invitations(api_client_for, business):
    dewi = UserFactory(phone="+6281299991234")
    invitation = InvitationFactory(business=business, phone="+6281299991234", role=Role.TECHNICIAN)
    api = api_client_for(dewi)

    listed = api.get("/api/v1/me/invitations")
    accepted = api.post(f"/api/v1/me/invitations/{invitation.pk}/accept")

    assert [item["id"] for item in listed.json()] == [invitation.pk]
    assert listed.json()[0]["business_name"] == "Batik Sari"
    assert accepted.status_code == 200
    assert accepted.json()["status"] == "accepted"
    assert Membership.objects.get(user=dewi).role == Role.TECHNICIAN
    assert api.get("/api/v1/me/invitations").json() == []
