from django.urls import path

import etalase.core.urls  # noqa: F401  (registers the "id" converter)
from etalase.catalog import views

app_name = "catalog"
PRODUCT = "manage/<slug:slug>/products/<id:product_id>/"
urlpatterns = [
    path("manage/<slug:slug>/products/", views.product_list, name="product_list"),
    path("manage/<slug:slug>/products/new/", views.product_create_view, name="product_create"),
    path(PRODUCT, views.product_edit, name="product_edit"),
    path(PRODUCT + "preview/", views.product_preview, name="product_preview"),
    path(PRODUCT + "publish/", views.product_publish_view, name="product_publish"),
    path(PRODUCT + "hide/", views.product_hide_view, name="product_hide"),
    path(PRODUCT + "show/", views.product_show_view, name="product_show"),
    path(PRODUCT + "archive/", views.product_archive_view, name="product_archive"),
    path(PRODUCT + "move/", views.product_move_view, name="product_move"),
    path(PRODUCT + "photos/", views.product_images_add_view, name="product_images_add"),
    path(PRODUCT + "photos/<id:image_id>/remove/", views.product_image_remove_view, name="product_image_remove"),
    path(PRODUCT + "photos/<id:image_id>/cover/", views.product_image_cover_view, name="product_image_cover"),
    path("manage/<slug:slug>/posts/", views.post_list, name="post_list"),
    path("manage/<slug:slug>/posts/new/", views.post_create_view, name="post_create"),
    path("manage/<slug:slug>/posts/<id:post_id>/hide/", views.post_hide_view, name="post_hide"),
    path("b/<slug:slug>/", views.storefront, name="storefront"),
    path("b/<slug:slug>/posts/", views.business_posts, name="posts"),
    path("b/<slug:slug>/p/<id:product_id>/", views.product_detail, name="product"),
]
