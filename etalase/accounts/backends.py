from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from etalase.accounts.models import User
from etalase.accounts.selectors import user_get_by_identifier


class PhoneOrEmailBackend(ModelBackend):
    """Authenticate with a phone number (any common Indonesian spelling) or an email address."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        identifier = username or kwargs.get("email") or kwargs.get("phone")
        if not identifier or password is None:
            return None
        user = user_get_by_identifier(identifier=identifier)
        if user is None:
            # Spend the same time as a real check so timing does not reveal who has an account.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
