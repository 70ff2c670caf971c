"""The demo's storefronts, through the command and the public pages: what the shops show, and that
what customers did there is consistent (in time, with the counters, with who may do what)."""

import datetime as dt
import re
from pathlib import Path

from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from PIL import Image

from etalase.accounts.enums import Language
from etalase.accounts.enums import Verb as AccountVerb
from etalase.activity.models import Activity
from etalase.catalog.enums import ProductStatus
from etalase.catalog.enums import Verb as CatalogVerb
from etalase.catalog.models import Post, Product, ProductImage
from etalase.demo.storefronts import DRAFT, STOREFRONTS
from etalase.directory.enums import Verb as DirectoryVerb
from etalase.directory.hours import opening_hours_clean
from etalase.directory.models import Business, Membership
from etalase.directory.permissions import Permission, permissions_for_role
from etalase.engagement.enums import CommentKind
from etalase.engagement.enums import Verb as EngagementVerb
from etalase.engagement.models import Comment, Favourite, Follow
from etalase.orders.enums import Verb as OrderVerb
from tests.support.demo import LoadedDemo, customers

# Where each city is (from any map); the shops are placed within a few kilometres of it.
CITY_CENTRES = {
    "Yogyakarta": (-7.80, 110.36),
    "Bandung": (-6.91, 107.61),
    "Surabaya": (-7.26, 112.75),
    "Medan": (3.59, 98.67),
    "Makassar": (-5.14, 119.42),
    "Denpasar": (-8.65, 115.22),
    "Semarang": (-6.97, 110.42),
    "Malang": (-7.98, 112.63),
}


def public_products() -> QuerySet[Product]:
    return Product.objects.filter(status=ProductStatus.PUBLISHED, is_hidden=False)


# --- the content, without a database ---------------------------------------------------------------


def test_every_shop_is_described_with_a_full_catalogue():
    for name, shop in STOREFRONTS.items():
        assert 8 <= len(shop.products) <= 15, name
        assert 2 <= len(shop.posts) <= 4, name
        assert opening_hours_clean(shop.hours) == shop.hours, name
        skus = [product.sku for product in shop.products]
        assert all(skus), name
        assert len(set(skus)) == len(skus), name
        for product in shop.products:
            assert product.price > 0, product.title
            assert product.price % 500 == 0, product.title  # whole rupiah, as shops price
            assert product.compare_at is None or product.compare_at > product.price, product.title
            assert 1 <= product.photos <= 3, product.title
        for post in shop.posts:
            assert 1 <= len(post.tags) <= 2, post.headline
            assert all(shop.products[tag].state != DRAFT for tag in post.tags), post.headline


# --- the seeded storefronts ----------------------------------------------------------------------


def test_every_shop_shows_a_storefront_and_a_catalogue_with_photos_and_posts(demo, client_for):
    # The storefront: cover, an address in its city, a map location there, hours that fit the trade.
    for business in Business.objects.all():
        assert business.cover, business.name
        assert Path(business.cover.path).is_file()
        assert business.city in business.address, business.name
        latitude, longitude = CITY_CENTRES[business.city]
        assert business.latitude is not None, business.name
        assert business.longitude is not None, business.name
        assert abs(float(business.latitude) - latitude) < 0.1, business.name
        assert abs(float(business.longitude) - longitude) < 0.1, business.name
        assert business.opening_hours, business.name
    hours = {business.name: business.opening_hours for business in Business.objects.all()}
    assert hours["Kopi Kembang"]["mon"] == [["07:00", "22:00"]]
    assert "sun" not in hours["Laundry Bersih Wangi"]  # closed on Sunday
    late = [end for ranges in hours["Dapur Bu Ani"].values() for start, end in ranges if end < start]
    assert late  # the warung stays open past midnight

    # The catalogue: priced products, a few drafts, one hidden, discounts, limited and sold-out stock.
    for business in Business.objects.all():
        assert 8 <= Product.objects.filter(business=business).count() <= 15, business.name
        assert public_products().filter(business=business).count() >= 7, business.name
        assert 2 <= Post.objects.filter(business=business).count() <= 4, business.name
    assert Product.objects.filter(status=ProductStatus.DRAFT).exists()
    assert Product.objects.filter(status=ProductStatus.PUBLISHED, is_hidden=True).exists()
    assert Product.objects.filter(stock=0).exists()  # sold out
    assert Product.objects.filter(stock__gt=0, stock__lte=10).exists()  # only a few left
    assert Product.objects.filter(stock=None).exists()  # always available
    assert len([product for product in Product.objects.all() if product.is_discounted]) >= 8
    assert set(Product.objects.values_list("currency", flat=True)) == {"IDR"}
    assert not Product.objects.filter(sku="").exists()

    # Photos and post pictures: WebP, without EXIF, in the media directory.
    for product in Product.objects.prefetch_related("images"):
        assert 1 <= len(product.images.all()) <= 3, product.title
    stored = [field for image in ProductImage.objects.all() for field in (image.detail, image.thumbnail)]
    stored += [field for post in Post.objects.all() for field in (post.image, post.thumbnail)]
    for field in stored:
        with Image.open(field.path) as picture:
            assert picture.format == "WEBP"
            assert not picture.getexif()
            assert "exif" not in picture.info

    # The public storefront shows what is published, and nothing else.
    business = Business.objects.get(name="Batik Sari")
    browser = client_for(None)
    response = browser.get(reverse("catalog:storefront", args=[business.slug]))
    assert response.status_code == 200
    page = response.content.decode()
    shown = public_products().filter(business=business)
    for product in shown:
        assert escape(product.title) in page, product.title
    for product in Product.objects.filter(business=business).exclude(pk__in=shown):
        assert escape(product.title) not in page, product.title
        assert browser.get(reverse("catalog:product", args=[business.slug, product.pk])).status_code == 404
    assert business.cover.url in page
    newest_post = Post.objects.filter(business=business).order_by("-published_at").first()
    assert newest_post is not None
    assert escape(newest_post.caption.splitlines()[0][:40]) in page
    product = Product.objects.get(business=business, title="Batik Tulis Parang")
    response = browser.get(reverse("catalog:product", args=[business.slug, product.pk]))
    assert response.status_code == 200
    for image in product.images.all():
        assert image.detail.url in response.content.decode()


def test_customers_engage_consistently_over_the_days_with_the_apps_own_verbs(demo: LoadedDemo):
    started = demo.started

    # Counters kept by the services match the rows.
    for product in Product.objects.all():
        assert product.favourite_count == product.favourites.count(), product.title
        visible = product.comments.filter(parent=None, is_hidden=False).count()
        assert product.comment_count == visible, product.title
    assert Follow.objects.count() >= 20
    assert Favourite.objects.count() >= 30
    favourite = Product.objects.order_by("-favourite_count").first()
    assert favourite is not None
    assert favourite.favourite_count >= 5
    questions = Comment.objects.filter(kind=CommentKind.QUESTION)
    assert questions.exists()
    assert Comment.objects.filter(kind=CommentKind.COMMENT).exists()
    assert questions.filter(answers__isnull=False).exists()
    assert Comment.objects.filter(author__language=Language.ENGLISH).exists()
    views = Activity.objects.filter(verb__in=[CatalogVerb.VIEWED_BUSINESS, CatalogVerb.VIEWED_PRODUCT])
    assert {CatalogVerb.VIEWED_BUSINESS, CatalogVerb.VIEWED_PRODUCT} <= set(views.values_list("verb", flat=True))
    assert views.count() >= 100
    for data in views.values_list("data", flat=True):
        assert re.fullmatch(r"[0-9a-f]{32}", data["visitor"])
    assert views.filter(actor=None).exists()  # passers-by who are not signed in
    assert views.exclude(actor=None).exists()
    assert Activity.objects.filter(verb=EngagementVerb.SHARED).exists()

    # Only members who may answer do; everyone acts after signing up, on products already public.
    may_answer = {Permission.CATALOG_MANAGE, Permission.INBOX_VIEW}
    for answer in Comment.objects.filter(kind=CommentKind.ANSWER).select_related("parent"):
        assert answer.author_id is not None
        assert answer.parent is not None
        role = Membership.objects.get(business_id=answer.business_id, user_id=answer.author_id).role
        assert may_answer & permissions_for_role(role)
        assert answer.created_at > answer.parent.created_at
    for liked in Favourite.objects.select_related("user", "product"):
        assert liked.product.published_at is not None
        assert liked.created_at > liked.user.date_joined
        assert liked.created_at > liked.product.published_at
    for follow in Follow.objects.select_related("user", "business"):
        assert follow.business.created_at < follow.created_at
        assert follow.user.date_joined < follow.created_at
    for comment in Comment.objects.exclude(kind=CommentKind.ANSWER).select_related("author", "product"):
        assert comment.author is not None
        assert comment.product.published_at is not None
        assert comment.author.date_joined < comment.created_at
        assert comment.product.published_at < comment.created_at
    for product in Product.objects.select_related("business"):
        assert product.business.created_at < product.created_at < started
        assert product.published_at is None or product.published_at < started
    for post in Post.objects.prefetch_related("products"):
        assert all(
            tagged.published_at is not None and tagged.published_at <= post.published_at
            for tagged in post.products.all()
        )
        assert post.published_at < started
    assert Post.objects.filter(published_at__gte=started - dt.timedelta(days=2)).exists()  # fresh news

    # Every activity has its moment in the story, recorded as it happened, with the apps' own verbs.
    known = set(AccountVerb.values) | set(DirectoryVerb.values) | set(CatalogVerb.values) | set(EngagementVerb.values)
    known |= set(OrderVerb.values)
    verbs = set(Activity.objects.values_list("verb", flat=True))
    assert verbs <= known
    assert {"signed_up", "logged_in", "business_registered", "member_invited", "member_joined"} <= verbs
    assert {"product_created", "product_published", "post_published", "viewed_business", "viewed_product"} <= verbs
    assert {"followed", "favourited", "asked", "answered", "commented", "shared"} <= verbs
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
