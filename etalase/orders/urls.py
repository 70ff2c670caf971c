from django.urls import URLPattern, URLResolver, path

import etalase.core.urls  # noqa: F401  (registers the "id" converter)
from etalase.orders.views import manage, receipts, shop

app_name = "orders"
MY_ORDER = "me/orders/<slug:slug>/<id:number>/"
MANAGE = "manage/<slug:slug>/"
MANAGE_ORDER = MANAGE + "orders/<id:number>/"
urlpatterns: list[URLPattern | URLResolver] = [
    # The customer: carts, checkout, orders.
    path("cart/", shop.cart_list, name="cart_list"),
    path("cart/resume/", shop.cart_resume, name="cart_resume"),
    path("b/<slug:slug>/cart/", shop.cart, name="cart"),
    path("b/<slug:slug>/cart/add/", shop.cart_add_view, name="cart_add"),
    path("b/<slug:slug>/cart/update/", shop.cart_update, name="cart_update"),
    path("b/<slug:slug>/cart/badge/", shop.cart_badge, name="cart_badge"),
    path("b/<slug:slug>/checkout/", shop.checkout, name="checkout"),
    path("me/orders/", shop.my_orders, name="my_orders"),
    path(MY_ORDER, shop.my_order, name="my_order"),
    path(MY_ORDER + "cancel/", shop.my_order_cancel, name="my_order_cancel"),
    path(MY_ORDER + "reorder/", shop.my_order_reorder, name="my_order_reorder"),
    path(MY_ORDER + "pay/", shop.my_order_pay, name="my_order_pay"),
    path(MY_ORDER + "payments/<id:payment_id>/proof/", shop.my_payment_proof, name="my_payment_proof"),
    path(MY_ORDER + "pay/online/", shop.my_order_gateway, name="my_order_gateway"),
    path(MY_ORDER + "review/", shop.my_order_review, name="my_order_review"),
    # Anyone with the link.
    path("receipt/<str:token>/", receipts.receipt, name="receipt"),
    path("pay/sandbox/<str:token>/", receipts.gateway_sandbox, name="gateway_sandbox"),
    # The business side.
    path(MANAGE + "orders/", manage.manage_list, name="manage_list"),
    path(MANAGE + "orders/new/", manage.manage_new, name="manage_new"),
    path(MANAGE + "orders/settings/", manage.order_settings, name="settings"),
    path(MANAGE + "orders/contacts/", manage.contact_picker, name="contact_picker"),
    path(MANAGE_ORDER, manage.manage_detail, name="manage_detail"),
    path(MANAGE_ORDER + "status/", manage.manage_status, name="manage_status"),
    path(MANAGE_ORDER + "cancel/", manage.manage_cancel, name="manage_cancel"),
    path(MANAGE_ORDER + "payments/", manage.manage_payment_record, name="manage_payment_record"),
    path(MANAGE + "payments/<id:payment_id>/confirm/", manage.payment_confirm_view, name="payment_confirm"),
    path(MANAGE + "payments/<id:payment_id>/proof/", manage.payment_proof, name="payment_proof"),
    path(MANAGE + "payments/<id:payment_id>/reject/", manage.payment_reject_view, name="payment_reject"),
    path(MANAGE + "payments/reconciliation/", manage.reconciliation, name="reconciliation"),
]
