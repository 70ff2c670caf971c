"""Sign up, verify, log in and out, forgotten passwords, language and personal API tokens."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from etalase.accounts.addresses import client_address
from etalase.accounts.auth import page_user
from etalase.accounts.codes import CODE_LIFETIME, resend_wait_seconds
from etalase.accounts.enums import CodeChannel, CodePurpose, Language
from etalase.accounts.forms import (
    LoginForm,
    PasswordResetConfirmForm,
    PasswordResetForm,
    SignupForm,
    TokenForm,
    VerifyForm,
)
from etalase.accounts.models import User
from etalase.accounts.password_reset import password_reset_confirm, password_reset_request
from etalase.accounts.selectors import api_token_list, code_pending
from etalase.accounts.services import (
    api_token_create,
    api_token_revoke,
    user_login_check,
    user_set_language,
    user_signup,
)
from etalase.accounts.verification import verification_confirm, verification_send
from etalase.core.errors import DomainError
from etalase.core.forms import form_add_domain_error
from etalase.core.phones import phone_display

RESET_IDENTIFIER = "accounts_password_reset_identifier"


def _shown(identifier: str) -> str:
    """A phone number as people write it; an email address as it is."""
    return identifier if "@" in identifier else phone_display(identifier)


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
            next_url = _safe_next(request, reverse("web:home"))
            verify_url = f"{reverse('accounts:verify')}?{urlencode({'next': next_url})}"
            response = _start_session(request, user, verify_url)
            messages.success(request, _("Welcome to Etalase!"))  # in the language just chosen
            try:
                _channel, destination = verification_send(user=user, address=client_address(request))
            except DomainError as error:  # too many codes from this address: the page offers another
                messages.error(request, str(error.message))
            else:
                messages.info(request, _("We sent a code to %(destination)s.") % {"destination": _shown(destination)})
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


def _verify_next(request: HttpRequest) -> str:
    return _safe_next(request, reverse("web:me"))


@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Enter the code sent to the phone number or email address, or ask for another."""
    user = page_user(request)
    next_url = _verify_next(request)
    here = f"{reverse('accounts:verify')}?{urlencode({'next': next_url})}"
    form = VerifyForm(request.POST if request.method == "POST" and "code" in request.POST else None)
    status = 200
    if request.method == "POST" and "send" in request.POST:
        try:
            _channel, destination = verification_send(
                user=user, address=client_address(request), channel=request.POST.get("send", "")
            )
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("We sent a code to %(destination)s.") % {"destination": _shown(destination)})
        return redirect(here)
    if form.is_bound:
        status = 400
        if form.is_valid():
            try:
                user = verification_confirm(user=user, code=form.cleaned_data["code"], address=client_address(request))
            except DomainError as error:
                form_add_domain_error(form, error)
                status = error.status
            else:
                messages.success(request, _("Verified. Thank you!"))
                return redirect(next_url if user.is_verified else here)
    pending = code_pending(user=user, purpose=CodePurpose.VERIFY)
    unverified = [
        (channel, destination)
        for channel, destination, verified in (
            (CodeChannel.PHONE, user.phone, user.phone_verified),
            (CodeChannel.EMAIL, user.email, user.email_verified),
        )
        if destination and not verified
    ]
    context = {
        "form": form,
        "next": next_url,
        "pending": pending,
        "unverified": unverified,
        "resend_wait": resend_wait_seconds(purpose=CodePurpose.VERIFY, destination=pending.destination)
        if pending
        else 0,
        "minutes": int(CODE_LIFETIME.total_seconds() // 60),
    }
    return render(request, "accounts/verify.html", context, status=status)


@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    """Forgot password: the phone number or email address to send a code to."""
    form = PasswordResetForm(request.POST or None, initial={"identifier": request.GET.get("identifier", "")[:254]})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                identifier = password_reset_request(
                    identifier=form.cleaned_data["identifier"], address=client_address(request)
                )
            except DomainError as error:
                form_add_domain_error(form, error)
                status = error.status
            else:
                request.session[RESET_IDENTIFIER] = identifier
                messages.info(
                    request,
                    _("If an account uses %(identifier)s, we sent it a code. It works for %(minutes)d minutes.")
                    % {"identifier": _shown(identifier), "minutes": int(CODE_LIFETIME.total_seconds() // 60)},
                )
                return redirect("accounts:password_reset_confirm")
    return render(request, "accounts/password_reset.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def password_reset_confirm_view(request: HttpRequest) -> HttpResponse:
    """The code and a new password; the right code logs the person in."""
    form = PasswordResetConfirmForm(
        request.POST or None, initial={"identifier": request.session.get(RESET_IDENTIFIER, "")}
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                user = password_reset_confirm(
                    identifier=form.cleaned_data["identifier"],
                    code=form.cleaned_data["code"],
                    password=form.cleaned_data["password"],
                    address=client_address(request),
                )
            except DomainError as error:
                form_add_domain_error(form, error)
                status = error.status
            else:
                request.session.pop(RESET_IDENTIFIER, None)
                response = _start_session(request, user, reverse("web:home"))
                messages.success(request, _("Your password is changed. Welcome back!"))
                return response
    response = render(request, "accounts/password_reset_confirm.html", {"form": form}, status=status)
    response["Cache-Control"] = "no-store"
    return response
