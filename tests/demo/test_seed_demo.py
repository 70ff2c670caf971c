"""The demo data set, through its command: what it holds, that a seed always gives the same data,
that its logins work, and that it can be loaded again from scratch."""

import datetime as dt
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from etalase.accounts.enums import Language
from etalase.accounts.enums import Verb as AccountVerb
from etalase.accounts.models import User
from etalase.activity.models import Activity
from etalase.core.phones import phone_normalize
from etalase.demo.data import DEMO_PASSWORD, demo_is_loaded, demo_logins
from etalase.directory.enums import InvitationStatus, Role
from etalase.directory.enums import Verb as DirectoryVerb
from etalase.directory.models import Business, Invitation, Membership

SMALL = {"customers": 30, "days": 10}


def seed_demo(**options: Any) -> str:
    output = StringIO()
    call_command("seed_demo", **{**SMALL, **options}, stdout=output)
    return output.getvalue()


def customers() -> Any:
    return User.objects.filter(memberships__isnull=True, is_staff=False)


def snapshot() -> dict[str, list[Any]]:
    return {
        "businesses": list(Business.objects.order_by("pk").values_list("name", "slug", "category__slug", "city")),
        "team": list(
            Membership.objects.order_by("business__name", "user__name").values_list(
                "business__name", "user__name", "role"
            )
        ),
        "customers": list(customers().order_by("pk").values_list("name", "phone", "email", "language")),
    }


def logo_files() -> list[Path]:
    return sorted(Path(settings.MEDIA_ROOT).rglob("*.webp"))


@pytest.mark.django_db
def test_the_demo_has_businesses_in_several_fields_and_cities_with_every_role_and_customers():
    output = seed_demo()

    businesses = Business.objects.all()
    assert businesses.count() >= 6
    assert businesses.values("category").distinct().count() >= 4
    assert businesses.values("city").distinct().count() >= 4
    for business in businesses:
        assert business.logo, business.name
        assert business.description, business.name
        assert phone_normalize(business.whatsapp) == business.whatsapp
        assert business.memberships.filter(role=Role.OWNER).exists(), business.name
    assert businesses.filter(is_verified=True).exists()
    assert businesses.filter(is_verified=False).exists()
    assert set(Membership.objects.values_list("role", flat=True)) == set(Role.values)
    assert Invitation.objects.filter(status=InvitationStatus.PENDING).exists()

    assert customers().count() == 30
    assert {Language.INDONESIAN, Language.ENGLISH} <= set(customers().values_list("language", flat=True))
    assert customers().exclude(email=None).exists()
    for phone in User.objects.exclude(phone=None).values_list("phone", flat=True):
        assert phone_normalize(phone) == phone

    operator = User.objects.get(is_superuser=True)
    assert operator.is_staff
    assert demo_is_loaded()
    assert "customers: 30" in output
    assert "businesses: 8" in output


@pytest.mark.django_db
def test_activity_is_spread_over_the_days_with_the_apps_own_verbs():
    started = timezone.now()

    seed_demo()

    known = set(AccountVerb.values) | set(DirectoryVerb.values)
    verbs = set(Activity.objects.values_list("verb", flat=True))
    assert verbs <= known
    assert {"signed_up", "logged_in", "business_registered", "member_invited", "member_joined"} <= verbs
    moments = list(Activity.objects.values_list("occurred_at", flat=True))
    assert max(moments) < started
    assert min(moments) <= started - dt.timedelta(days=9)
    assert max(moments) >= started - dt.timedelta(days=1)
    assert len({timezone.localtime(moment).date() for moment in moments}) >= 10
    assert not Activity.objects.filter(occurred_at__lt=started).exclude(recorded_at=F("occurred_at")).exists()

    joined = sorted(customers().values_list("date_joined", flat=True))
    assert started - dt.timedelta(days=11) < joined[0]
    assert joined[-1] < started
    assert len({timezone.localtime(moment).date() for moment in joined}) >= 5
    # The businesses were there before their customers.
    assert max(Business.objects.values_list("created_at", flat=True)) < joined[0]


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_data_and_another_seed_other_customers():
    seed_demo(seed=7)
    first = snapshot()

    seed_demo(seed=7, reset=True)
    assert snapshot() == first

    seed_demo(seed=8, reset=True)
    other = snapshot()
    assert other["businesses"] == first["businesses"]  # the cast of businesses is fixed
    assert other["customers"] != first["customers"]


@pytest.mark.django_db
def test_every_demo_login_works_on_the_login_page_with_the_demo_password(client_for):
    seed_demo()

    assert len(set(User.objects.values_list("password", flat=True))) == 1
    assert User.objects.values_list("password", flat=True)[0].startswith("argon2$")
    logins = dict(demo_logins())
    assert {"owner (Batik Sari)", "operator", "customer"} <= set(logins)
    for label, login in logins.items():
        browser = client_for(None)
        response = browser.post(reverse("accounts:login"), {"identifier": login, "password": DEMO_PASSWORD})
        assert response.status_code == 302, label
    owner = User.objects.get(phone=phone_normalize(logins["owner (Batik Sari)"]))
    assert owner.memberships.get().business.name == "Batik Sari"


@pytest.mark.django_db
def test_the_operator_can_use_the_admin(client_for):
    seed_demo()
    browser = client_for(None)
    browser.post(reverse("accounts:login"), {"identifier": "operator@example.com", "password": DEMO_PASSWORD})

    assert browser.get("/admin/").status_code == 200
    assert browser.get("/admin/directory/business/").status_code == 200


@pytest.mark.django_db
def test_reset_twice_in_a_row_loads_the_same_data_again_and_removes_old_logos(
    django_capture_on_commit_callbacks,
):
    seed_demo()
    first = snapshot()

    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            output = seed_demo(reset=True)
        assert "Demo data loaded" in output
        assert snapshot() == first
        assert User.objects.filter(is_superuser=True).count() == 1
        assert len(logo_files()) == Business.objects.count()


@pytest.mark.django_db
def test_seeded_activities_are_processed_like_any_other(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        seed_demo()

    assert Activity.objects.exists()
    assert not Activity.objects.filter(processed_at=None).exists()
    # Joining on sign-up ran again through the task; it changed nothing.
    assert Membership.objects.count() == len(snapshot()["team"])
    assert not Invitation.objects.filter(status=InvitationStatus.PENDING, accepted_by__isnull=False).exists()


@pytest.mark.django_db
def test_loading_twice_without_reset_is_refused_and_changes_nothing():
    seed_demo()
    before = snapshot()

    with pytest.raises(CommandError, match="--reset"):
        seed_demo()

    assert snapshot() == before


@pytest.mark.django_db
def test_reset_is_refused_in_production_mode(settings):
    seed_demo()
    settings.PRODUCTION = True

    with pytest.raises(CommandError, match="production"):
        seed_demo(reset=True)

    assert demo_is_loaded()


@pytest.mark.django_db
@pytest.mark.parametrize("options", [{"days": 0}, {"customers": -1}])
def test_impossible_sizes_are_refused(options):
    with pytest.raises(CommandError):
        seed_demo(**options)

    assert not demo_is_loaded()
