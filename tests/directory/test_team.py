"""The team: roles decide what each member may do; a business always keeps an owner."""

import pytest
from django.urls import reverse

from etalase.activity.models import Activity
from etalase.directory.enums import Role
from etalase.directory.models import Invitation, Membership
from etalase.directory.permissions import ROLE_PERMISSIONS, Permission
from tests.factories import registered_business

LAST_OWNER = "A business needs at least one owner."
NOT_ALLOWED = "You do not have permission to do this."


def team_url(business) -> str:
    return reverse("directory:team", args=[business.slug])


def role_url(business, membership) -> str:
    return reverse("directory:member_role", args=[business.slug, membership.pk])


def remove_url(business, membership) -> str:
    return reverse("directory:member_remove", args=[business.slug, membership.pk])


def members_api(business, membership=None) -> str:
    url = f"/api/v1/businesses/{business.slug}/members"
    return f"{url}/{membership.pk}" if membership else url


@pytest.fixture
def owner_membership(business, owner):
    return Membership.objects.get(business=business, user=owner)


# --- who may do what -----------------------------------------------------------------------------


def test_a_cashier_sees_the_team_but_not_the_invite_form(client_for, business, member_of):
    cashier = member_of(business, Role.CASHIER)
    browser = client_for(cashier.user)

    page = browser.get(team_url(business))
    refused = browser.post(team_url(business), {"identifier": "0812-9999-1234", "role": Role.SALES})

    assert page.status_code == 200
    assert "Send invitation" not in page.content.decode()
    assert refused.status_code == 403
    assert "Not allowed" in refused.content.decode()
    assert Invitation.objects.count() == 0


def test_an_owner_sees_the_invite_form(owner_client, business):
    assert "Send invitation" in owner_client.get(team_url(business)).content.decode()


def test_a_cashier_sees_orders_and_customers_but_not_the_inbox(client_for, business, member_of):
    browser = client_for(member_of(business, Role.CASHIER).user)

    assert browser.get(reverse("orders:manage_list", args=[business.slug])).status_code == 200
    assert browser.get(reverse("customers:list", args=[business.slug])).status_code == 200
    assert browser.get(reverse("directory:inbox", args=[business.slug])).status_code == 403


def test_only_editors_see_and_save_the_business_profile(client_for, business, member_of):
    sales = client_for(member_of(business, Role.SALES).user)
    manager = client_for(member_of(business, Role.MANAGER).user)
    profile = reverse("directory:profile", args=[business.slug])
    form = {
        "name": "Batik Sari Baru",
        "category": "fashion-batik",
        "city": "Solo",
        "whatsapp": "0812-3456-7890",
        "description": "",
        "timezone": "Asia/Jakarta",
    }

    assert sales.get(profile).status_code == 403
    assert sales.post(profile, form).status_code == 403
    business.refresh_from_db()
    assert business.name == "Batik Sari"

    assert manager.post(profile, form).status_code == 302
    business.refresh_from_db()
    assert (business.name, business.city) == ("Batik Sari Baru", "Solo")
    assert Activity.objects.filter(verb="business_updated", business=business).count() == 1


@pytest.mark.parametrize("role", Role.values)
def test_the_dashboard_activity_list_is_for_roles_that_see_the_dashboard(client_for, business, member_of, role):
    """Support staff, technicians and cashiers have no ``dashboard.view``: no activity list for them."""
    browser = client_for(member_of(business, role).user)
    permissions = ROLE_PERMISSIONS[role]
    may_see = Permission.DASHBOARD_VIEW in permissions and Permission.ACTIVITY_VIEW in permissions

    page = browser.get(reverse("directory:dashboard", args=[business.slug]))

    assert page.status_code == 200
    assert ("Latest activity" in page.content.decode()) is may_see
    assert ("registered the business" in page.content.decode()) is may_see


@pytest.mark.parametrize("role", Role.values)
def test_the_api_activity_timeline_follows_the_activity_permission(api_client_for, business, member_of, role):
    response = api_client_for(member_of(business, role).user).get(f"/api/v1/businesses/{business.slug}/activities")

    if Permission.ACTIVITY_VIEW in ROLE_PERMISSIONS[role]:
        assert response.status_code == 200
        assert "business_registered" in [item["verb"] for item in response.json()["items"]]
    else:
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "permission_denied"


def test_the_api_lists_members_with_their_permissions(api_client_for, owner, business, member_of):
    cashier = member_of(business, Role.CASHIER)

    response = api_client_for(cashier.user).get(members_api(business))

    assert response.status_code == 200
    by_role = {item["role"]: item for item in response.json()}
    assert set(by_role) == {Role.OWNER, Role.CASHIER}
    assert by_role[Role.OWNER]["user_id"] == owner.pk
    assert set(by_role[Role.CASHIER]["permissions"]) == set(ROLE_PERMISSIONS[Role.CASHIER])


# --- appointing owners ---------------------------------------------------------------------------


def test_a_manager_cannot_invite_an_owner(client_for, business, member_of):
    manager = client_for(member_of(business, Role.MANAGER).user)

    response = manager.post(team_url(business), {"identifier": "0812-9999-1234", "role": Role.OWNER})

    assert response.status_code == 400
    assert NOT_ALLOWED in response.content.decode()
    assert Invitation.objects.count() == 0


def test_a_manager_may_invite_other_roles(client_for, business, member_of):
    manager = client_for(member_of(business, Role.MANAGER).user)

    response = manager.post(team_url(business), {"identifier": "0812-9999-1234", "role": Role.SALES})

    assert response.status_code == 302
    assert Invitation.objects.get().role == Role.SALES


def test_a_manager_cannot_promote_to_owner(client_for, business, member_of):
    manager = client_for(member_of(business, Role.MANAGER).user)
    sales = member_of(business, Role.SALES)

    response = manager.post(role_url(business, sales), {"role": Role.OWNER}, follow=True)

    assert NOT_ALLOWED in response.content.decode()
    sales.refresh_from_db()
    assert sales.role == Role.SALES


def test_a_manager_cannot_demote_or_remove_an_owner(client_for, business, member_of, owner_membership):
    manager = client_for(member_of(business, Role.MANAGER).user)

    demote = manager.post(role_url(business, owner_membership), {"role": Role.CASHIER}, follow=True)
    remove = manager.post(remove_url(business, owner_membership))

    assert NOT_ALLOWED in demote.content.decode()
    assert remove.status_code == 403
    owner_membership.refresh_from_db()
    assert owner_membership.role == Role.OWNER


def test_the_api_refuses_a_manager_appointing_an_owner(api_client_for, business, member_of):
    manager = member_of(business, Role.MANAGER)
    sales = member_of(business, Role.SALES)
    api = api_client_for(manager.user)

    promote = api.patch(members_api(business, sales), {"role": "owner"}, content_type="application/json")
    invite = api.post(
        f"/api/v1/businesses/{business.slug}/invitations",
        {"identifier": "0812-9999-1234", "role": "owner"},
        content_type="application/json",
    )

    assert promote.status_code == 403
    assert invite.status_code == 403
    assert promote.json()["error"]["code"] == "permission_denied"
    sales.refresh_from_db()
    assert sales.role == Role.SALES
    assert Invitation.objects.count() == 0


def test_an_owner_appoints_another_owner(owner_client, business, member_of):
    sales = member_of(business, Role.SALES)

    response = owner_client.post(role_url(business, sales), {"role": Role.OWNER}, follow=True)

    assert "Role changed." in response.content.decode()
    sales.refresh_from_db()
    assert sales.role == Role.OWNER
    change = Activity.objects.get(verb="member_role_changed")
    assert change.data == {"from": "sales", "to": "owner", "member": sales.user_id}


def test_an_unknown_role_is_refused(owner_client, api_client_for, owner, business, member_of):
    sales = member_of(business, Role.SALES)

    page = owner_client.post(role_url(business, sales), {"role": "boss"}, follow=True)
    api = api_client_for(owner).patch(members_api(business, sales), {"role": "boss"}, "application/json")

    assert "Choose one of the roles in the list." in page.content.decode()
    assert api.status_code == 400
    sales.refresh_from_db()
    assert sales.role == Role.SALES


# --- the last owner ------------------------------------------------------------------------------


def test_the_last_owner_cannot_step_down(owner_client, business, owner_membership):
    response = owner_client.post(role_url(business, owner_membership), {"role": Role.MANAGER}, follow=True)

    assert LAST_OWNER in response.content.decode()
    owner_membership.refresh_from_db()
    assert owner_membership.role == Role.OWNER


def test_the_last_owner_cannot_leave(owner_client, business, owner_membership):
    response = owner_client.post(remove_url(business, owner_membership), follow=True)

    assert LAST_OWNER in response.content.decode()
    assert Membership.objects.filter(pk=owner_membership.pk).exists()


def test_the_api_answers_409_for_the_last_owner(api_client_for, owner, business, owner_membership):
    api = api_client_for(owner)

    demote = api.patch(members_api(business, owner_membership), {"role": "manager"}, "application/json")
    leave = api.delete(members_api(business, owner_membership))

    assert (demote.status_code, leave.status_code) == (409, 409)
    assert demote.json()["error"] == {"code": "last_owner", "message": LAST_OWNER, "fields": {}}
    owner_membership.refresh_from_db()
    assert owner_membership.role == Role.OWNER


def test_one_of_two_owners_may_leave(owner_client, business, owner_membership, member_of):
    member_of(business, Role.OWNER)

    response = owner_client.post(remove_url(business, owner_membership))

    assert response.status_code == 302
    assert not Membership.objects.filter(pk=owner_membership.pk).exists()


# --- leaving and removing ------------------------------------------------------------------------


def test_a_member_can_leave_the_team(client_for, business, member_of):
    cashier = member_of(business, Role.CASHIER)
    browser = client_for(cashier.user)

    response = browser.post(remove_url(business, cashier), follow=True)

    assert response.redirect_chain[-1][0] == reverse("web:me")
    assert "You have left the team." in response.content.decode()
    assert not Membership.objects.filter(pk=cashier.pk).exists()
    left = Activity.objects.get(verb="member_removed")
    assert left.data == {"role": "cashier", "member": cashier.user_id, "left": True}
    assert browser.get(reverse("directory:dashboard", args=[business.slug])).status_code == 404


def test_an_owner_removes_a_member(owner_client, business, member_of):
    sales = member_of(business, Role.SALES)

    response = owner_client.post(remove_url(business, sales), follow=True)

    assert "Member removed." in response.content.decode()
    assert not Membership.objects.filter(pk=sales.pk).exists()


def test_a_cashier_cannot_remove_a_colleague(client_for, business, member_of):
    cashier = member_of(business, Role.CASHIER)
    sales = member_of(business, Role.SALES)

    response = client_for(cashier.user).post(remove_url(business, sales))

    assert response.status_code == 403
    assert Membership.objects.filter(pk=sales.pk).exists()


def test_a_second_business_is_listed_to_switch_to(client_for, owner, business):
    other = registered_business(owner=owner, name="Kopi Sari")

    page = client_for(owner).get(reverse("directory:more", args=[business.slug])).content.decode()

    assert reverse("directory:dashboard", args=[other.slug]) in page
