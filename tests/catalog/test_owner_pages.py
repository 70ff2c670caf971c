"""The owner's product and post pages under /manage/<slug>/ (the More tab)."""

import pytest
from django.urls import reverse

from etalase.catalog.enums import ProductStatus
from etalase.catalog.models import Post, Product, ProductImage
from etalase.directory.enums import Role
from tests.factories import UserFactory
from tests.support.catalog import picture, text_file

pytestmark = pytest.mark.django_db


def url(name: str, business, *args) -> str:
    return reverse(f"catalog:{name}", args=[business.slug, *args])


NEW_PRODUCT = {
    "title": "Kopi Gayo 250 g",
    "price_minor": "15.000",
    "compare_at_minor": "",
    "stock": "",
    "sku": "",
    "description": "Arabika.\nSangrai sedang.",
}


# --- the list ------------------------------------------------------------------------------------


def test_the_list_shows_cover_price_and_status_of_each_product(owner_client, business, make_product):
    live = make_product(business, title="Batik Parang", price_minor=150_000, photos=1)
    make_product(business, title="Batik Kawung", price_minor=95_000, publish=False)
    sold_out = make_product(business, title="Batik Mega", price_minor=5_000, stock=0)
    owner_client.post(url("product_hide", business, sold_out.pk))

    response = owner_client.get(url("product_list", business))

    page = response.content.decode()
    assert response.status_code == 200
    assert ProductImage.objects.get(product=live).thumbnail.url in page
    assert "IDR 150,000" in page
    assert "IDR 95,000" in page
    assert page.count('badge badge-muted">Draft<') == 1
    assert page.count('badge badge-warn">Hidden<') == 1
    assert page.count('badge badge-soldout">Sold out<') == 1
    assert page.count('class="badge">Published<') == 1
    assert 'aria-current="page"' in page
    assert "More" in page


def test_the_list_shows_rupiah_the_indonesian_way(client_for, owner, business, make_product):
    make_product(business, price_minor=15_000)

    page = client_for(owner, language="id").get(url("product_list", business)).content.decode()

    assert "Rp 15.000" in page


def test_the_list_filters_by_status(owner_client, business, make_product):
    make_product(business, title="Dijual")
    make_product(business, title="Masih draf", publish=False)

    drafts = owner_client.get(url("product_list", business), {"status": "draft"})

    assert [product.title for product in drafts.context["page"].items] == ["Masih draf"]


def test_the_list_is_paginated_with_the_same_queries_per_page(
    owner_client, business, make_product, django_assert_max_num_queries
):
    for n in range(3):
        make_product(business, title=f"Produk {n}", photos=1)
    owner_client.get(url("product_list", business))
    with django_assert_max_num_queries(8):
        owner_client.get(url("product_list", business))
    for n in range(22):
        make_product(business, title=f"Produk lagi {n}", photos=1)

    with django_assert_max_num_queries(8):
        first = owner_client.get(url("product_list", business))
    second = owner_client.get(url("product_list", business), {"page": 2})

    assert len(first.context["page"].items) == 20
    assert len(second.context["page"].items) == 5
    assert "?page=2" in first.content.decode()


def test_publish_hide_show_and_archive_buttons(owner_client, business, make_product):
    product = make_product(business, title="Batik Parang", publish=False)

    published = owner_client.post(url("product_publish", business, product.pk), follow=True)
    product.refresh_from_db()
    assert product.status == ProductStatus.PUBLISHED
    owner_client.post(url("product_hide", business, product.pk))
    product.refresh_from_db()
    assert product.is_hidden
    owner_client.post(url("product_show", business, product.pk))
    product.refresh_from_db()
    assert not product.is_hidden
    archived = owner_client.post(url("product_archive", business, product.pk), follow=True)
    product.refresh_from_db()

    assert "“Batik Parang” is published." in published.content.decode()
    assert published.redirect_chain[-1][0] == url("product_list", business)
    assert product.status == ProductStatus.ARCHIVED
    assert "“Batik Parang” is archived." in archived.content.decode()
    assert "Batik Parang</a>" not in archived.content.decode()


def test_a_button_pressed_with_htmx_answers_the_refreshed_list_only(owner_client, business, make_product):
    product = make_product(business, title="Batik Parang")

    response = owner_client.post(url("product_hide", business, product.pk), HTTP_HX_REQUEST="true")

    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<div id="product-list">')
    assert "<html" not in page
    assert "“Batik Parang” is hidden from customers." in page
    assert ">Show<" in page


def test_move_buttons_change_the_shop_order(owner_client, business, make_product):
    for title in ("Satu", "Dua", "Tiga"):
        make_product(business, title=title)
    satu = Product.objects.get(title="Satu")

    response = owner_client.post(
        url("product_move", business, satu.pk), {"direction": "up", "page": "1"}, HTTP_HX_REQUEST="true"
    )

    assert [product.title for product in response.context["page"].items] == ["Tiga", "Satu", "Dua"]
    assert "Moved up." in response.content.decode()
    public = owner_client.get(url("storefront", business)).context["page"].items
    assert [product.title for product in public] == ["Tiga", "Satu", "Dua"]


# --- adding and editing --------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "stored"), [("15000", 15_000), ("15.000", 15_000), ("Rp 1.250.000", 1_250_000)])
def test_a_new_product_takes_the_price_as_people_type_it(owner_client, business, typed, stored):
    response = owner_client.post(url("product_create", business), {**NEW_PRODUCT, "price_minor": typed})

    product = Product.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("product_edit", business, product.pk)
    assert (product.price_minor, product.status) == (stored, ProductStatus.DRAFT)
    assert product.description == "Arabika.\nSangrai sedang."


def test_save_and_publish_with_several_photos_at_once(owner_client, business):
    response = owner_client.post(
        url("product_create", business),
        {**NEW_PRODUCT, "publish": "1", "images": [picture("a.png"), picture("b.jpg"), picture("c.webp")]},
        follow=True,
    )

    product = Product.objects.get()
    assert product.status == ProductStatus.PUBLISHED
    assert product.images.count() == 3
    assert "“Kopi Gayo 250 g” is published." in response.content.decode()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"price_minor": "-15000"}, "The price cannot be negative."),
        ({"price_minor": "15.5"}, "Enter an amount such as 15000 or 15.000."),
        ({"price_minor": ""}, "This field is required."),
        ({"stock": "-1"}, "The stock cannot be negative. Leave it empty for unlimited stock."),
        ({"compare_at_minor": "10.000"}, "The price before discount must be at least the price."),
        ({"title": ""}, "This field is required."),
    ],
)
def test_bad_input_is_shown_next_to_the_field_and_nothing_is_saved(owner_client, business, change, message):
    response = owner_client.post(url("product_create", business), {**NEW_PRODUCT, **change})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'class="field field-error"' in response.content.decode()
    assert not Product.objects.exists()


def test_a_duplicate_sku_is_shown_on_the_sku_field(owner_client, business, make_product):
    make_product(business, title="Kopi lama", sku="KG-1")

    response = owner_client.post(url("product_create", business), {**NEW_PRODUCT, "sku": "KG-1"})

    assert response.status_code == 400
    assert "“Kopi lama” already has the SKU KG-1." in response.content.decode()
    assert response.context["form"].errors["sku"]
    assert Product.objects.count() == 1


def test_a_bad_photo_in_the_new_product_form_saves_nothing(owner_client, business):
    response = owner_client.post(
        url("product_create", business),
        {**NEW_PRODUCT, "images": [picture("ok.png"), text_file()]},
    )

    assert response.status_code == 400
    assert "price-list.txt: Upload a picture in JPEG, PNG, WebP or GIF format." in response.content.decode()
    assert not Product.objects.exists()
    assert not ProductImage.objects.exists()


def test_the_edit_form_shows_and_saves_every_field(owner_client, business, make_product):
    product = make_product(business, title="Batik Parang", price_minor=150_000, stock=3, sku="BP-1")
    edit = url("product_edit", business, product.pk)

    form_page = owner_client.get(edit)
    saved = owner_client.post(
        edit,
        {
            "title": "Batik Parang Rusak",
            "price_minor": "175.000",
            "compare_at_minor": "200000",
            "stock": "",
            "sku": "BP-2",
            "description": "Katun primisima",
        },
        follow=True,
    )

    assert 'value="Batik Parang"' in form_page.content.decode()
    assert 'value="150000"' in form_page.content.decode()
    assert "Changes saved." in saved.content.decode()
    product.refresh_from_db()
    assert (product.title, product.price_minor, product.compare_at_minor, product.stock, product.sku) == (
        "Batik Parang Rusak",
        175_000,
        200_000,
        None,
        "BP-2",
    )


def test_the_owner_previews_a_draft_that_the_public_cannot_open(owner_client, client_for, business, make_product):
    draft = make_product(business, title="Batik Rahasia", publish=False)

    preview = owner_client.get(url("product_preview", business, draft.pk))
    public = client_for(None).get(url("product", business, draft.pk))

    assert preview.status_code == 200
    assert "Preview: this is how customers will see the product." in preview.content.decode()
    assert "Batik Rahasia" in preview.content.decode()
    assert public.status_code == 404


# --- posts ---------------------------------------------------------------------------------------


def test_a_post_with_a_picture_a_caption_and_tagged_products(owner_client, business, make_product):
    product = make_product(business, title="Batik Parang")

    response = owner_client.post(
        url("post_create", business),
        {"image": picture("promo.jpg", size=(1200, 1200)), "caption": "Diskon akhir pekan!", "products": [product.pk]},
        follow=True,
    )

    post = Post.objects.get()
    assert "Your post is published." in response.content.decode()
    assert (post.caption, list(post.products.all())) == ("Diskon akhir pekan!", [product])
    assert (post.width, post.height) == (1080, 1080)
    assert "Diskon akhir pekan!" in response.content.decode()


def test_a_post_needs_a_picture(owner_client, business):
    response = owner_client.post(url("post_create", business), {"caption": "Tanpa gambar"})

    assert response.status_code == 400
    assert not Post.objects.exists()


def test_the_post_form_offers_only_this_shops_products(owner_client, business, other_business, make_product):
    mine = make_product(business, title="Batik Parang")
    theirs = make_product(other_business, title="Kopi Senja")

    form = owner_client.get(url("post_create", business)).content.decode()
    refused = owner_client.post(
        url("post_create", business), {"image": picture("p.png"), "caption": "x", "products": [theirs.pk]}
    )

    assert "Batik Parang" in form
    assert str(mine.pk) in form
    assert "Kopi Senja" not in form
    assert refused.status_code == 400
    assert not Post.objects.exists()


def test_hiding_a_post(owner_client, business, make_post):
    post = make_post(business, caption="Lama")

    response = owner_client.post(url("post_hide", business, post.pk), follow=True)

    post.refresh_from_db()
    assert post.is_hidden
    assert "The post is hidden from customers." in response.content.decode()


# --- who may open them ---------------------------------------------------------------------------

OWNER_PAGES = [("product_list", ()), ("product_create", ()), ("post_list", ()), ("post_create", ())]


@pytest.mark.parametrize(("name", "args"), OWNER_PAGES)
@pytest.mark.parametrize("role", [Role.CASHIER, Role.SALES, Role.SUPPORT, Role.TECHNICIAN])
def test_members_without_catalog_permission_get_403(client_for, business, member_of, name, args, role):
    response = client_for(member_of(business, role).user).get(url(name, business, *args))

    assert response.status_code == 403


def test_a_cashier_cannot_press_the_buttons_either(client_for, business, member_of, make_product, make_post):
    product = make_product(business)
    post = make_post(business)
    cashier = client_for(member_of(business, Role.CASHIER).user)

    answers = [
        cashier.post(url("product_hide", business, product.pk)),
        cashier.post(url("product_archive", business, product.pk)),
        cashier.post(url("product_edit", business, product.pk), {**NEW_PRODUCT, "title": "Diubah"}),
        cashier.post(url("post_hide", business, post.pk)),
    ]

    assert [answer.status_code for answer in answers] == [403] * 4
    product.refresh_from_db()
    post.refresh_from_db()
    assert (product.title, product.is_hidden, product.status, post.is_hidden) == (
        "Batik Parang",
        False,
        "published",
        False,
    )


@pytest.mark.parametrize(("name", "args"), OWNER_PAGES)
def test_outsiders_get_404_and_anonymous_visitors_are_sent_to_log_in(client_for, business, name, args):
    target = url(name, business, *args)

    stranger = client_for(UserFactory()).get(target)
    anonymous = client_for(None).get(target)

    assert stranger.status_code == 404
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("accounts:login"))


def test_another_shops_product_is_404_on_my_pages(owner_client, business, other_business, make_product, make_post):
    theirs = make_product(other_business, title="Kopi Senja")
    their_post = make_post(other_business)

    answers = [
        owner_client.get(url("product_edit", business, theirs.pk)),
        owner_client.get(url("product_preview", business, theirs.pk)),
        owner_client.post(url("product_hide", business, theirs.pk)),
        owner_client.post(url("product_archive", business, theirs.pk)),
        owner_client.post(url("product_move", business, theirs.pk), {"direction": "up"}),
        owner_client.post(url("product_images_add", business, theirs.pk), {"images": [picture()]}),
        owner_client.post(url("post_hide", business, their_post.pk)),
    ]

    assert [answer.status_code for answer in answers] == [404] * 7
    theirs.refresh_from_db()
    their_post.refresh_from_db()
    assert (theirs.is_hidden, theirs.status, their_post.is_hidden) == (False, "published", False)


def test_a_refused_button_with_htmx_explains_why_in_the_list(owner_client, business, make_product):
    product = make_product(business, title="Batik Lama")
    owner_client.post(url("product_archive", business, product.pk))

    response = owner_client.post(
        url("product_hide", business, product.pk), {"status": "archived"}, HTTP_HX_REQUEST="true"
    )

    page = response.content.decode()
    assert response.status_code == 200  # htmx swaps only successful answers
    assert 'class="notice notice-error"' in page
    assert "This product is archived. Publish it again before hiding or showing it." in page
    assert [item.title for item in response.context["page"].items] == ["Batik Lama"]
