"""Members manage products through the API: clear errors for bad input, another shop's rows are 404."""

import pytest

from etalase.activity.models import Activity
from etalase.catalog.enums import ProductStatus, Verb
from etalase.catalog.models import Post, Product
from etalase.directory.enums import Role
from tests.support.api import patch_json, post_json, send_json
from tests.support.catalog import picture

pytestmark = pytest.mark.django_db


def catalog_url(business, suffix: str = "") -> str:
    return f"/api/v1/businesses/{business.slug}/catalog/products{suffix}"


@pytest.fixture
def owner_api(api_client_for, owner):
    return api_client_for(owner)


KOPI = {"title": "Kopi Gayo 250 g", "price_minor": 85_000, "description": "Arabika dari Aceh.", "sku": "KG-250"}


# --- creating ------------------------------------------------------------------------------------


def test_an_owner_adds_a_draft_product_and_the_timeline_records_who_did_it(owner_api, business, owner):
    response = post_json(owner_api, catalog_url(business), KOPI)

    assert response.status_code == 201
    body = response.json()
    assert body["title"] == "Kopi Gayo 250 g"
    assert body["price_minor"] == 85_000
    assert body["status"] == "draft"
    assert body["is_public"] is False
    product = Product.objects.get(pk=body["id"])
    assert (product.business, product.currency, product.stock) == (business, "IDR", None)
    assert product.search_text == "kopi gayo 250 g arabika dari aceh kg 250"
    activity = Activity.objects.get(verb=Verb.PRODUCT_CREATED)
    assert (activity.business, activity.actor, activity.target_id, activity.channel) == (
        business,
        owner,
        str(product.pk),
        "api",
    )


def test_an_owner_adds_and_publishes_in_one_call(owner_api, business):
    response = post_json(owner_api, catalog_url(business), {**KOPI, "publish": True, "stock": 12})

    body = response.json()
    assert response.status_code == 201
    assert (body["status"], body["is_public"], body["stock"]) == ("published", True, 12)
    assert body["published_at"] is not None
    assert set(Activity.objects.values_list("verb", flat=True)) >= {Verb.PRODUCT_CREATED, Verb.PRODUCT_PUBLISHED}


def test_a_title_with_html_is_stored_exactly_as_typed(owner_api, business):
    response = post_json(
        owner_api, catalog_url(business), {"title": "<script>alert(1)</script> Batik", "price_minor": 1}
    )

    assert response.json()["title"] == "<script>alert(1)</script> Batik"
    assert Product.objects.get().title == "<script>alert(1)</script> Batik"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"price_minor": -1}, "price_minor", "The price cannot be negative."),
        ({"stock": -3}, "stock", "The stock cannot be negative. Leave it empty for unlimited stock."),
        ({"title": "   "}, "title", "Enter the product's name."),
        ({"title": "x" * 121}, "title", "The name can have at most 120 characters."),
        ({"description": "x" * 5001}, "description", "The description can have at most 5000 characters."),
        ({"sku": "S" * 65}, "sku", "The SKU can have at most 64 characters."),
        ({"compare_at_minor": 80_000}, "compare_at_minor", "The price before discount must be at least the price."),
        ({"price_minor": 10**13}, "price_minor", "The price is too high."),
    ],
)
def test_bad_product_input_is_refused_with_a_message_on_the_field(owner_api, business, change, field, message):
    response = post_json(owner_api, catalog_url(business), {**KOPI, **change})

    assert response.status_code == 400
    assert response.json() == {"error": {"code": "invalid", "message": message, "fields": {field: message}}}
    assert not Product.objects.exists()


def test_several_bad_fields_are_reported_together(owner_api, business):
    response = post_json(owner_api, catalog_url(business), {"title": "", "price_minor": -5, "stock": -1})

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"title", "price_minor", "stock"}


@pytest.mark.parametrize("price", [15000.5, "15000", True, None])
def test_a_price_that_is_not_a_whole_number_is_refused(owner_api, business, price):
    response = post_json(owner_api, catalog_url(business), {**KOPI, "price_minor": price})

    assert response.status_code == 422
    assert "price_minor" in response.json()["error"]["fields"]
    assert not Product.objects.exists()


def test_a_duplicate_sku_in_the_same_shop_is_a_clear_conflict(owner_api, business, make_product):
    make_product(business, title="Kopi Gayo 500 g", sku="KG-250")

    response = post_json(owner_api, catalog_url(business), KOPI)

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "duplicate_sku"
    assert error["message"] == "“Kopi Gayo 500 g” already has the SKU KG-250. Each product needs its own SKU."
    assert error["fields"] == {"sku": error["message"]}
    assert Product.objects.count() == 1


def test_the_same_sku_in_another_shop_and_empty_skus_are_fine(owner_api, business, other_business, make_product):
    make_product(other_business, sku="KG-250")
    make_product(business, sku="")

    assert post_json(owner_api, catalog_url(business), KOPI).status_code == 201
    assert post_json(owner_api, catalog_url(business), {**KOPI, "sku": ""}).status_code == 201


# --- changing ------------------------------------------------------------------------------------


def test_patch_changes_only_the_fields_sent(owner_api, business, make_product, owner):
    product = make_product(business, title="Batik Parang", price_minor=150_000, stock=4, compare_at_minor=200_000)

    response = patch_json(owner_api, catalog_url(business, f"/{product.pk}"), {"price_minor": 120_000, "stock": None})

    assert response.status_code == 200
    product.refresh_from_db()
    assert (product.title, product.price_minor, product.stock, product.compare_at_minor) == (
        "Batik Parang",
        120_000,
        None,
        200_000,
    )
    activity = Activity.objects.filter(verb=Verb.PRODUCT_UPDATED).get()
    assert activity.data == {"fields": ["price_minor", "stock"]}
    assert activity.actor == owner


def test_patch_to_a_taken_sku_is_refused_and_changes_nothing(owner_api, business, make_product):
    make_product(business, title="A", sku="A-1")
    second = make_product(business, title="B", sku="B-1")

    response = patch_json(owner_api, catalog_url(business, f"/{second.pk}"), {"sku": "A-1", "title": "B baru"})

    assert response.status_code == 409
    second.refresh_from_db()
    assert (second.sku, second.title) == ("B-1", "B")


def test_patch_with_a_negative_stock_is_refused(owner_api, business, make_product):
    product = make_product(business, stock=5)

    response = patch_json(owner_api, catalog_url(business, f"/{product.pk}"), {"stock": -1})

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "stock": "The stock cannot be negative. Leave it empty for unlimited stock."
    }
    product.refresh_from_db()
    assert product.stock == 5


# --- status --------------------------------------------------------------------------------------


def test_publish_hide_show_and_archive_each_leave_a_trace(owner_api, business, make_product):
    product = make_product(business, publish=False)
    base = catalog_url(business, f"/{product.pk}")

    published = post_json(owner_api, base + "/publish").json()
    hidden = post_json(owner_api, base + "/hide").json()
    shown = post_json(owner_api, base + "/show").json()
    archived = owner_api.delete(base)

    assert (published["status"], published["is_public"]) == ("published", True)
    assert (hidden["is_hidden"], hidden["is_public"]) == (True, False)
    assert (shown["is_hidden"], shown["is_public"]) == (False, True)
    assert archived.status_code == 204
    product.refresh_from_db()
    assert product.status == ProductStatus.ARCHIVED
    verbs = list(Activity.objects.filter(target_id=str(product.pk)).order_by("id").values_list("verb", flat=True))
    assert verbs[-4:] == [Verb.PRODUCT_PUBLISHED, Verb.PRODUCT_HIDDEN, Verb.PRODUCT_SHOWN, Verb.PRODUCT_ARCHIVED]


def test_publishing_twice_changes_nothing_the_second_time(owner_api, business, make_product):
    product = make_product(business)
    first_published_at = product.published_at

    response = post_json(owner_api, catalog_url(business, f"/{product.pk}/publish"))

    assert response.status_code == 200
    product.refresh_from_db()
    assert product.published_at == first_published_at
    assert Activity.objects.filter(verb=Verb.PRODUCT_PUBLISHED).count() == 1


def test_an_archived_product_cannot_be_hidden_but_can_be_published_again(owner_api, business, make_product):
    product = make_product(business)
    owner_api.delete(catalog_url(business, f"/{product.pk}"))

    hidden = post_json(owner_api, catalog_url(business, f"/{product.pk}/hide"))
    published = post_json(owner_api, catalog_url(business, f"/{product.pk}/publish"))

    assert hidden.status_code == 409
    assert hidden.json()["error"]["code"] == "product_archived"
    assert published.status_code == 200
    assert published.json()["status"] == "published"


def test_the_owner_list_leaves_out_archived_products_unless_asked(owner_api, business, make_product):
    kept = make_product(business, title="Dipajang")
    draft = make_product(business, title="Draf", publish=False)
    archived = make_product(business, title="Lama")
    owner_api.delete(catalog_url(business, f"/{archived.pk}"))

    default = owner_api.get(catalog_url(business)).json()
    only_archived = owner_api.get(catalog_url(business), {"status": "archived"}).json()
    drafts = owner_api.get(catalog_url(business), {"status": "draft"}).json()

    assert {item["id"] for item in default["items"]} == {kept.pk, draft.pk}
    assert [item["id"] for item in only_archived["items"]] == [archived.pk]
    assert [item["id"] for item in drafts["items"]] == [draft.pk]


def test_new_products_come_first_and_reorder_puts_the_given_ones_first(owner_api, business, make_product):
    first, second, third = (make_product(business, title=title) for title in ("Satu", "Dua", "Tiga"))

    before = [item["title"] for item in owner_api.get(catalog_url(business)).json()["items"]]
    response = post_json(owner_api, catalog_url(business, "/reorder"), {"ids": [first.pk]})
    after = [item["title"] for item in owner_api.get(catalog_url(business)).json()["items"]]

    assert before == ["Tiga", "Dua", "Satu"]
    assert response.status_code == 200
    assert response.json() == {"ids": [first.pk, third.pk, second.pk]}
    assert after == ["Satu", "Tiga", "Dua"]
    assert Activity.objects.filter(verb=Verb.PRODUCTS_REORDERED, business=business).count() == 1


def test_reordering_with_another_shops_product_is_404_and_changes_nothing(
    owner_api, business, other_business, make_product
):
    mine = make_product(business)
    theirs = make_product(other_business)
    position = mine.position

    response = post_json(owner_api, catalog_url(business, "/reorder"), {"ids": [theirs.pk, mine.pk]})

    assert response.status_code == 404
    mine.refresh_from_db()
    assert mine.position == position


# --- tenancy and roles ---------------------------------------------------------------------------


def operations(business, product):
    base = catalog_url(business, f"/{product.pk}")
    return [
        ("GET", base, None),
        ("PATCH", base, {"title": "Diambil"}),
        ("DELETE", base, None),
        ("POST", base + "/publish", None),
        ("POST", base + "/hide", None),
        ("POST", base + "/show", None),
    ]


def test_another_shops_product_is_404_under_my_shop_and_stays_untouched(
    owner_api, business, other_business, make_product
):
    theirs = make_product(other_business, title="Kopi Senja")

    answers = [send_json(owner_api, method, url, body) for method, url, body in operations(business, theirs)]

    assert [answer.status_code for answer in answers] == [404] * 6
    assert {answer.json()["error"]["code"] for answer in answers} == {"not_found"}
    theirs.refresh_from_db()
    assert (theirs.title, theirs.status, theirs.is_hidden) == ("Kopi Senja", "published", False)


def test_a_member_of_another_shop_gets_404_for_my_catalog(api_client_for, business, other_business, make_product):
    product = make_product(business)
    stranger = api_client_for(other_business.memberships.get().user)

    answers = [send_json(stranger, method, url, body) for method, url, body in operations(business, product)]
    created = post_json(stranger, catalog_url(business), KOPI)

    assert [answer.status_code for answer in answers] == [404] * 6
    assert created.status_code == 404
    assert Product.objects.filter(business=business).count() == 1


@pytest.mark.parametrize("role", [Role.CASHIER, Role.SALES, Role.SUPPORT, Role.TECHNICIAN])
def test_members_without_catalog_permission_get_403(api_client_for, business, member_of, make_product, role):
    product = make_product(business)
    api = api_client_for(member_of(business, role).user)

    listed = api.get(catalog_url(business))
    created = post_json(api, catalog_url(business), KOPI)
    hidden = post_json(api, catalog_url(business, f"/{product.pk}/hide"))

    assert (listed.status_code, created.status_code, hidden.status_code) == (403, 403, 403)
    assert created.json()["error"]["code"] == "permission_denied"
    product.refresh_from_db()
    assert not product.is_hidden


@pytest.mark.parametrize("role", [Role.CASHIER, Role.SALES, Role.SUPPORT, Role.TECHNICIAN])
def test_every_catalog_write_is_refused_at_the_door_without_catalog_permission(
    api_client_for, business, member_of, make_product, role
):
    """The services trust their caller: each operation that writes names ``catalog.manage`` itself."""
    product = make_product(business, title="Batik Parang", publish=False)
    api = api_client_for(member_of(business, role).user)
    posts = f"/api/v1/businesses/{business.slug}/catalog/posts"

    answers = [
        post_json(api, catalog_url(business), KOPI),
        patch_json(api, catalog_url(business, f"/{product.pk}"), {"title": "Diubah"}),
        post_json(api, catalog_url(business, "/reorder"), {"ids": [product.pk]}),
        post_json(api, catalog_url(business, f"/{product.pk}/publish")),
        api.delete(catalog_url(business, f"/{product.pk}")),
        api.post(catalog_url(business, f"/{product.pk}/images"), {"images": [picture()]}),
        api.post(posts, {"image": picture()}),
    ]

    assert [answer.status_code for answer in answers] == [403] * len(answers)
    product.refresh_from_db()
    assert (product.title, product.status, product.images.count()) == ("Batik Parang", ProductStatus.DRAFT, 0)
    assert Product.objects.filter(business=business).count() == 1
    assert not Post.objects.filter(business=business).exists()


def test_a_manager_manages_the_catalog(api_client_for, business, member_of):
    api = api_client_for(member_of(business, Role.MANAGER).user)

    assert post_json(api, catalog_url(business), KOPI).status_code == 201


def test_anonymous_callers_get_401(api_client_for, business):
    response = api_client_for(None).get(catalog_url(business))

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


@pytest.mark.parametrize("product_id", ["0", "99999999999999999999999", "abc"])
def test_impossible_ids_are_a_clear_error_never_a_crash(owner_api, business, product_id):
    response = owner_api.get(catalog_url(business, f"/{product_id}"))

    assert response.status_code in (404, 422)
    assert set(response.json()["error"]) == {"code", "message", "fields"}


def test_the_owner_list_costs_the_same_queries_for_3_or_30_products(
    owner_api, business, make_product, django_assert_max_num_queries
):
    # the token, the membership, the products, their covers
    for n in range(3):
        make_product(business, title=f"Produk {n}", photos=1)
    owner_api.get(catalog_url(business))  # the token's first use is written once
    with django_assert_max_num_queries(4):
        assert len(owner_api.get(catalog_url(business), {"size": 100}).json()["items"]) == 3
    for n in range(27):
        make_product(business, title=f"Produk lagi {n}", photos=1)

    with django_assert_max_num_queries(4):
        response = owner_api.get(catalog_url(business), {"size": 100})

    assert len(response.json()["items"]) == 30
    assert all(item["cover"]["thumbnail_url"].endswith(".webp") for item in response.json()["items"])
