"""Calling the JSON API from tests: one way to send a JSON body, whatever the method.

``send_json(client, "PUT", url, body)`` sends ``body`` encoded as the API's clients encode it (no
body at all when ``body`` is None) and returns the response; ``response.json()`` reads the answer.
``post_json`` and ``patch_json`` are the two calls tests make most.
"""

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.test import Client

if TYPE_CHECKING:
    # What the test client returns: a response that also reads its JSON body.
    from django.test.client import _MonkeyPatchedWSGIResponse as ApiResponse


def send_json(
    client: Client, method: str, url: str, body: Any = None, *, headers: Mapping[str, str] | None = None
) -> "ApiResponse":
    if body is None:
        return client.generic(method, url, headers=headers)
    data = json.dumps(body, cls=DjangoJSONEncoder)
    return client.generic(method, url, data=data, content_type="application/json", headers=headers)


def post_json(client: Client, url: str, body: Any = None, **headers: str) -> "ApiResponse":
    """POST ``body`` (an empty object when None) as JSON; keyword arguments are request headers."""
    return send_json(client, "POST", url, {} if body is None else body, headers=headers)


def patch_json(client: Client, url: str, body: Any, **headers: str) -> "ApiResponse":
    return send_json(client, "PATCH", url, body, headers=headers)
