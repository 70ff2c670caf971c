"""Reading the one-time codes accounts sends (by SMS to ``sms_outbox``, by email to ``mail.outbox``)."""

import re

from django.core import mail

from etalase.accounts import sms

CODE = re.compile(r"\b(\d{6})\b")


def code_in(text: object) -> str:
    found = CODE.search(str(text))
    assert found, f"no code in {text!r}"
    return found.group(1)


def code_sent_to(destination: str) -> str:
    """The latest code sent to a phone number (E.164) or an email address; fails when none was."""
    for phone, text in reversed(sms.outbox):
        if phone == destination:
            return code_in(text)
    for message in reversed(mail.outbox):
        if destination in message.to:
            return code_in(message.body)
    raise AssertionError(f"no code was sent to {destination}")


def messages_to(destination: str) -> int:
    """How many codes went to ``destination``."""
    texts = sum(1 for phone, _text in sms.outbox if phone == destination)
    return texts + sum(1 for message in mail.outbox if destination in message.to)
