"""Sign up, log in and out, language, the Me page and personal API tokens."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from etalase.accounts.auth import page_user
from etalase.accounts.enums import Language
from etalase.accounts.forms import LoginForm, SignupForm, TokenForm
from etalase.accounts.models import User
from etalase.accounts.selectors import api_token_list
from etalase.accounts.services import (
    api_token_create,
    api_token_revoke,
    user_login_check,
    user_set_language,
    user_signup,
)
from etalase.core.errors import DomainError
from etalase.core.forms import form_add_domain_error


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _remember_language(response: HttpResponse, language: str) -> HttpResponse:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=getattr(settings, "LANGUAGE_COOKIE_SECURE", False),
    )
    return response


def _start_session(request: HttpRequest, user: User, next_url: str) -> HttpResponse:
    login(request, user, backend="etalase.accounts.backends.PhoneOrEmailBackend")
    translation.activate(user.language)
    return _remember_language(HttpResponseRedirect(next_url), user.language)


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    initial = {"language": translation.get_language() or Language.INDONESIAN}
    form = SignupForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            user = user_signup(**form.cleaned_data)
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            response = _start_session(request, user, _safe_next(request, reverse("web:home")))
            messages.success(request, _("Welcome to Etalase!"))  # in the language just chosen
            return response
    status = 400 if form.is_bound else 200
    return render(request, "accounts/signup.html", {"form": form, "next": _safe_next(request, "")}, status=status)


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                user = user_login_check(
                    request=request,
                    identifier=form.cleaned_data["identifier"],
                    password=form.cleaned_data["password"],
                )
            except DomainError as error:
                form_add_domain_error(form, error)
                status = error.status
            else:
                return _start_session(request, user, _safe_next(request, reverse("web:home")))
    return render(request, "accounts/login.html", {"form": form, "next": _safe_next(request, "")}, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.success(request, _("You have logged out."))
    return redirect("web:home")


@require_POST
def language(request: HttpRequest) -> HttpResponse:
    chosen = request.POST.get("language", "")
    if chosen not in Language.values:
        messages.error(request, _("Choose Bahasa Indonesia or English."))
        return redirect(_safe_next(request, reverse("web:me")))
    if request.user.is_authenticated:
        user_set_language(user=page_user(request), language=chosen)
    translation.activate(chosen)
    messages.success(request, _("Language changed."))
    return _remember_language(HttpResponseRedirect(_safe_next(request, reverse("web:me"))), chosen)


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    """Create and list tokens. A new secret appears once, in the answer to the POST that made it;
    it is never stored anywhere (not even in the session) and never shown again."""
    user = page_user(request)
    form = TokenForm(request.POST or None)
    secret = None
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                _token, secret = api_token_create(user=user, name=form.cleaned_data["name"])
            except DomainError as error:
                form_add_domain_error(form, error)
            else:
                status = 200
                form = TokenForm()
    response = render(
        request,
        "accounts/tokens.html",
        {"nav": "me", "form": form, "secret": secret, "tokens": api_token_list(user=user)},
        status=status,
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    api_token_revoke(user=page_user(request), token_id=token_id)
    messages.success(request, _("The token is revoked; it no longer works."))
    return redirect("accounts:tokens")
