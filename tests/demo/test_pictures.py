"""The demo's pictures: every product, post and cover of the storefronts draws, at its real size."""

import io

import pytest
from PIL import Image

from etalase.demo import pictures
from etalase.demo.data import BUSINESSES, _cover_job, _look, _post_job
from etalase.demo.storefronts import STOREFRONTS


@pytest.fixture(autouse=True)
def _small_pictures() -> None:
    """Here the real sizes are tested: the small pictures of the other demo tests are not used."""


def opened(data: bytes) -> Image.Image:
    picture = Image.open(io.BytesIO(data))
    picture.load()
    return picture


def test_product_photos_posts_and_covers_have_their_real_sizes():
    product = STOREFRONTS["Batik Sari"].products[0]
    photo = pictures.product_photo(product.motif, product.variant, _look(product), label="Tulis", shop="Batik Sari")
    assert opened(photo).size == (800, 800)
    assert opened(_post_job(BUSINESSES[0], 0)()).size == (1080, 1080)
    assert opened(_cover_job(BUSINESSES[0])()).size == (1600, 700)


def test_every_product_of_every_shop_draws_in_each_of_its_shots():
    for name, shop in STOREFRONTS.items():
        for product in shop.products:
            for shot in range(product.photos):
                data = pictures.product_photo(
                    product.motif,
                    product.variant,
                    _look(product),
                    label=product.label,
                    shop=name,
                    shot=shot,
                    text=product.text,
                    side=96,
                )
                picture = opened(data)
                assert picture.format == "JPEG"
                assert picture.size == (96, 96), product.title
    assert set(pictures.MOTIFS) >= {product.motif for shop in STOREFRONTS.values() for product in shop.products}


def test_a_drawing_is_the_same_every_time():
    product = STOREFRONTS["Kopi Kembang"].products[3]
    draw = pictures.product_photo.__wrapped__

    def once() -> bytes:
        return draw(product.motif, product.variant, _look(product), label=product.label, shop="Kopi Kembang", side=96)

    assert once() == once()
