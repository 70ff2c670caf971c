from django.urls import path

import etalase.core.urls  # noqa: F401  (registers the "id" converter)
from etalase.accounts import views

app_name = "accounts"
urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("verify/", views.verify, name="verify"),
    path("password/forgot/", views.password_reset, name="password_reset"),
    path("password/reset/", views.password_reset_confirm_view, name="password_reset_confirm"),
    path("language/", views.language, name="language"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<id:token_id>/revoke/", views.token_revoke, name="token_revoke"),
]
