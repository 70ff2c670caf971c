"""Accounts API: sign-up and verification, token login, forgotten passwords, the signed-in person,
API tokens."""

import contextlib
from datetime import datetime
from typing import Annotated

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Router, Schema, Status
from pydantic import Field

from etalase.accounts.addresses import client_address
from etalase.accounts.auth import api_auth, api_user
from etalase.accounts.codes import CODE_LIFETIME
from etalase.accounts.models import ApiToken, User
from etalase.accounts.password_reset import password_reset_confirm, password_reset_request
from etalase.accounts.selectors import api_token_list
from etalase.accounts.services import (
    api_token_create,
    api_token_revoke,
    user_login_check,
    user_set_language,
    user_signup,
    user_update_profile,
)
from etalase.accounts.verification import verification_confirm, verification_send
from etalase.activity.enums import Channel
from etalase.core.api import MAX_ID, errors
from etalase.core.errors import DomainError

router = Router(tags=["accounts"])


class UserOut(Schema):
    id: int
    name: str
    phone: str | None
    email: str | None
    language: str
    phone_verified: bool
    email_verified: bool


class UserPatch(Schema):
    name: str | None = Field(None, max_length=120)
    language: str | None = Field(None, max_length=8)


class SignupIn(Schema):
    phone: str = Field("", max_length=32)
    email: str = Field("", max_length=254)
    password: str = Field(..., max_length=128)
    name: str = Field("", max_length=120)
    language: str = Field("id", max_length=8)


class TokenIn(Schema):
    name: str = Field(..., max_length=200)


class TokenLoginIn(Schema):
    identifier: str = Field(..., max_length=254)
    password: str = Field(..., max_length=128)
    name: str = Field("app", max_length=200)


class VerificationIn(Schema):
    channel: str = Field("", max_length=8, description='"phone" or "email"; empty: the first one unverified.')


class VerificationSentOut(Schema):
    channel: str
    destination: str
    expires_in_seconds: int


class CodeIn(Schema):
    code: str = Field(..., max_length=12)


class PasswordResetIn(Schema):
    identifier: str = Field(..., max_length=254)


class PasswordResetSentOut(Schema):
    detail: str


class PasswordResetConfirmIn(Schema):
    identifier: str = Field(..., max_length=254)
    code: str = Field(..., max_length=12)
    password: str = Field(..., max_length=128)
    name: str = Field("app", max_length=200, description="A name for the API token this answer carries.")


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreatedOut(TokenOut):
    token: str = Field(..., description="The secret token. Shown only in this answer; store it now.")


def _token_created(token: ApiToken, secret: str) -> dict[str, object]:
    return {**TokenOut.from_orm(token).dict(), "token": secret}


@router.post("/auth/signup", response={201: UserOut, **errors(400, 422)}, auth=None)
def signup(request: HttpRequest, payload: SignupIn) -> Status[User]:
    """Create an account; a verification code goes to its phone number (or email address)."""
    user = user_signup(**payload.dict(), channel=Channel.API)
    # Too many codes from this address for now: POST /me/verification asks again later.
    with contextlib.suppress(DomainError):
        verification_send(user=user, address=client_address(request))
    return Status(201, user)


@router.post("/me/verification", response={202: VerificationSentOut, **errors(400, 401, 422, 429)}, auth=api_auth)
def verification_request(request: HttpRequest, payload: VerificationIn) -> Status[dict[str, object]]:
    """Send a code to verify the phone number or email address (a wait applies between codes)."""
    channel, destination = verification_send(
        user=api_user(request), address=client_address(request), channel=payload.channel
    )
    expires = int(CODE_LIFETIME.total_seconds())
    return Status(202, {"channel": channel, "destination": destination, "expires_in_seconds": expires})


@router.post("/me/verification/confirm", response={200: UserOut, **errors(400, 401, 422, 429)}, auth=api_auth)
def verification_code(request: HttpRequest, payload: CodeIn) -> User:
    """Enter the code: the number or address it went to is verified (and pending invitations accepted)."""
    return verification_confirm(
        user=api_user(request), code=payload.code, address=client_address(request), channel=Channel.API
    )


@router.post("/auth/password-reset", response={202: PasswordResetSentOut, **errors(400, 422, 429)}, auth=None)
def password_reset(request: HttpRequest, payload: PasswordResetIn) -> Status[dict[str, str]]:
    """Send a code to reset the password. The answer is the same whether an account uses the identifier."""
    password_reset_request(identifier=payload.identifier, address=client_address(request))
    return Status(202, {"detail": str(_("If an account uses this phone number or email address, we sent it a code."))})


@router.post("/auth/password-reset/confirm", response={201: TokenCreatedOut, **errors(400, 422, 429)}, auth=None)
def password_reset_finish(request: HttpRequest, payload: PasswordResetConfirmIn) -> Status[dict[str, object]]:
    """Set a new password with the code; answers with a new API token, as a login does."""
    user = password_reset_confirm(
        identifier=payload.identifier,
        code=payload.code,
        password=payload.password,
        address=client_address(request),
        channel=Channel.API,
    )
    token, secret = api_token_create(user=user, name=payload.name)
    return Status(201, _token_created(token, secret))


@router.post("/auth/token", response={201: TokenCreatedOut, **errors(400, 401, 422, 429)}, auth=None)
def token_login(request: HttpRequest, payload: TokenLoginIn) -> Status[dict[str, object]]:
    """Exchange a phone number/email and password for a new personal API token."""
    user = user_login_check(
        request=request, identifier=payload.identifier, password=payload.password, channel=Channel.API
    )
    token, secret = api_token_create(user=user, name=payload.name)
    return Status(201, _token_created(token, secret))


@router.get("/me", response={200: UserOut, **errors(401)}, auth=api_auth)
def me(request: HttpRequest) -> User:
    return api_user(request)


@router.patch("/me", response={200: UserOut, **errors(400, 401, 403, 422)}, auth=api_auth)
def me_update(request: HttpRequest, payload: UserPatch) -> User:
    user = api_user(request)
    with transaction.atomic():  # a bad language leaves the name untouched too
        if payload.language is not None:
            user_set_language(user=user, language=payload.language)
        if payload.name is not None:
            user_update_profile(user=user, name=payload.name)
    return user


@router.get("/me/tokens", response={200: list[TokenOut], **errors(401)}, auth=api_auth)
def tokens(request: HttpRequest) -> list[ApiToken]:
    return list(api_token_list(user=api_user(request))[:100])


@router.post("/me/tokens", response={201: TokenCreatedOut, **errors(400, 401, 403, 422)}, auth=api_auth)
def token_create(request: HttpRequest, payload: TokenIn) -> Status[dict[str, object]]:
    token, secret = api_token_create(user=api_user(request), name=payload.name)
    return Status(201, _token_created(token, secret))


@router.delete("/me/tokens/{token_id}", response={204: None, **errors(401, 403, 404)}, auth=api_auth)
def token_revoke(request: HttpRequest, token_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> Status[None]:
    api_token_revoke(user=api_user(request), token_id=token_id)
    return Status(204, None)
