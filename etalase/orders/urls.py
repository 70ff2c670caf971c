from django.urls import URLPattern, URLResolver, path

import etalase.core.urls  # noqa: F401  (registers the "id" converter)
from etalase.orders import views

app_name = "orders"
MY_ORDER = "me/orders/<slug:slug>/<id:number>/"
MANAGE = "manage/<slug:slug>/"
MANAGE_ORDER = MANAGE + "orders/<id:number>/"
urlpatterns: list[URLPattern | URLResolver] = [
    # The customer: carts, checkout, orders.
    path("cart/", views.cart_list, name="cart_list"),
    path("cart/resume/", views.cart_resume, name="cart_resume"),
    path("b/<slug:slug>/cart/", views.cart, name="cart"),
    path("b/<slug:slug>/cart/add/", views.cart_add_view, name="cart_add"),
    path("b/<slug:slug>/cart/update/", views.cart_update, name="cart_update"),
    path("b/<slug:slug>/cart/badge/", views.cart_badge, name="cart_badge"),
    path("b/<slug:slug>/checkout/", views.checkout, name="checkout"),
    path("me/orders/", views.my_orders, name="my_orders"),
    path(MY_ORDER, views.my_order, name="my_order"),
    path(MY_ORDER + "cancel/", views.my_order_cancel, name="my_order_cancel"),
    path(MY_ORDER + "reorder/", views.my_order_reorder, name="my_order_reorder"),
    path(MY_ORDER + "pay/", views.my_order_pay, name="my_order_pay"),
    path(MY_ORDER + "payments/<id:payment_id>/proof/", views.my_payment_proof, name="my_payment_proof"),
    path(MY_ORDER + "pay/online/", views.my_order_gateway, name="my_order_gateway"),
    path(MY_ORDER + "review/", views.my_order_review, name="my_order_review"),
    # Anyone with the link.
    path("receipt/<str:token>/", views.receipt, name="receipt"),
    path("pay/sandbox/<str:token>/", views.gateway_sandbox, name="gateway_sandbox"),
    # The business side.
    path(MANAGE + "orders/", views.manage_list, name="manage_list"),
    path(MANAGE + "orders/new/", views.manage_new, name="manage_new"),
    path(MANAGE + "orders/settings/", views.order_settings, name="settings"),
    path(MANAGE + "orders/contacts/", views.contact_picker, name="contact_picker"),
    path(MANAGE_ORDER, views.manage_detail, name="manage_detail"),
    path(MANAGE_ORDER + "status/", views.manage_status, name="manage_status"),
    path(MANAGE_ORDER + "cancel/", views.manage_cancel, name="manage_cancel"),
    path(MANAGE_ORDER + "payments/", views.manage_payment_record, name="manage_payment_record"),
    path(MANAGE + "payments/<id:payment_id>/confirm/", views.payment_confirm_view, name="payment_confirm"),
    path(MANAGE + "payments/<id:payment_id>/proof/", views.payment_proof, name="payment_proof"),
    path(MANAGE + "payments/<id:payment_id>/reject/", views.payment_reject_view, name="payment_reject"),
    path(MANAGE + "payments/reconciliation/", views.reconciliation, name="reconciliation"),
]
