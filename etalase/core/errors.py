"""Domain errors: raised by services, turned into 4xx answers by pages and the API.

Each error carries a stable ``code`` (for clients) and a translatable ``message`` (for people),
and optionally per-field messages.
"""

from collections.abc import Mapping

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    code = "invalid"
    status = 400
    default_message: str | Promise = _("The request could not be completed.")

    def __init__(
        self,
        message: str | Promise | None = None,
        *,
        code: str | None = None,
        fields: Mapping[str, str | Promise] | None = None,
    ) -> None:
        self.message = message if message is not None else self.default_message
        if code:
            self.code = code
        self.fields = dict(fields or {})
        super().__init__(str(self.message))

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "message": str(self.message),
            "fields": {name: str(text) for name, text in self.fields.items()},
        }


class ValidationError(DomainError):
    code = "invalid"


class NotFound(DomainError):
    """A missing row and another business's row look the same."""

    code = "not_found"
    status = 404
    default_message = _("Not found.")


class PermissionDenied(DomainError):
    code = "permission_denied"
    status = 403
    default_message = _("You do not have permission to do this.")


class Conflict(DomainError):
    code = "conflict"
    status = 409


class Throttled(DomainError):
    code = "throttled"
    status = 429
    default_message = _("Too many attempts. Please wait a while and try again.")
