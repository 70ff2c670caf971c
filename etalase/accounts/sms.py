"""Text messages from accounts (one-time codes), through the sender ``settings.SMS_SENDER`` names.

A sender is a callable ``(phone, text) -> None``. The console sender prints and logs each message,
which is all the demo and development need; a gateway (or the messaging outbox) replaces it by
naming another callable in the setting. Tests use :func:`memory_send` and read :data:`outbox`.
"""

import logging
from collections.abc import Callable
from typing import cast

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

outbox: list[tuple[str, str]] = []
"""What :func:`memory_send` was given, as ``(phone, text)``, oldest first."""


def console_send(phone: str, text: str) -> None:
    line = f"SMS to {phone}: {text}"
    print(line, flush=True)  # the console channel: the code shows where the server runs
    logger.info(line)


def memory_send(phone: str, text: str) -> None:
    outbox.append((phone, text))


def sms_send(*, phone: str, text: str) -> None:
    sender = cast(Callable[[str, str], None], import_string(settings.SMS_SENDER))
    sender(phone, text)
