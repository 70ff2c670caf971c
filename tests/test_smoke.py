import pytest
from django.urls import reverse

from etalase.activity.models import Activity
from etalase.directory.models import Business, Membership
from tests.support.accounts import code_sent_to


@pytest.mark.django_db
def test_sign_up_register_business_and_land_on_dashboard(client, sms_outbox):
    response = client.post(
        reverse("accounts:signup"),
        {"name": "Sari", "phone": "0812-3456-7890", "password": "kopi-gayo-88", "language": "en"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    response = client.post(reverse("accounts:verify"), {"code": code_sent_to("+6281234567890")})
    assert response.status_code == 302, response.content.decode()[:3000]
    response = client.post(
        reverse("directory:business_register"),
        {
            "name": "Batik Sari",
            "category": "fashion-batik",
            "city": "Yogyakarta",
            "whatsapp": "+62 812 3456 7890",
            "description": "Batik tulis",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    business = Business.objects.get()
    assert Membership.objects.get().role == "owner"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Batik Sari" in page.content.decode()
    assert set(Activity.objects.values_list("verb", flat=True)) >= {"signed_up", "business_registered"}
    for name in [
        "orders:manage_list",
        "customers:list",
        *(f"directory:{tab}" for tab in ["inbox", "more", "team", "profile"]),
    ]:
        assert client.get(reverse(name, args=[business.slug])).status_code == 200, name
    assert client.get(reverse("engagement:feed")).status_code == 200
    assert client.get(reverse("notifications:centre")).status_code == 200
    for name in ["home", "discover", "me", "offline", "manifest", "service_worker"]:
        assert client.get(reverse(f"web:{name}")).status_code == 200, name
    assert client.get("/api/v1/openapi.json").status_code == 200
    assert client.get("/api/v1/docs").status_code == 200
    assert client.get(reverse("catalog:storefront", args=[business.slug])).status_code == 200
