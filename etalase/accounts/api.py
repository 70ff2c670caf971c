"""Accounts API: the signed-in person, API tokens, and token login for apps."""

from datetime import datetime
from typing import Annotated

from django.db import transaction
from django.http import HttpRequest
from ninja import Path, Router, Schema, Status
from pydantic import Field

from etalase.accounts.auth import api_auth, api_user
from etalase.accounts.models import ApiToken, User
from etalase.accounts.selectors import api_token_list
from etalase.accounts.services import (
    api_token_create,
    api_token_revoke,
    user_login_check,
    user_set_language,
    user_signup,
    user_update_profile,
)
from etalase.activity.enums import Channel
from etalase.core.api import MAX_ID, errors

router = Router(tags=["accounts"])


class UserOut(Schema):
    id: int
    name: str
    phone: str | None
    email: str | None
    language: str


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
    return Status(201, user_signup(**payload.dict(), channel=Channel.API))


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
