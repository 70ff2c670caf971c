"""Checking a whole number a client sent (a price, a stock, a quantity) against its bounds.

JSON gives ``true`` where a number was expected as easily as ``15000``; Python counts ``True`` as
the integer 1, so a bool is never a whole number here.
"""

from dataclasses import dataclass
from typing import TypeGuard

from django.utils.functional import Promise


def is_whole_number(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class WholeNumberRule:
    """What a field accepts, and the message for each way a value can miss it."""

    maximum: int
    not_whole: str | Promise
    negative: str | Promise
    too_high: str | Promise
    minimum: int = 0

    def problem(self, value: object) -> str | Promise | None:
        """The message saying what is wrong with ``value``, or ``None`` when it is accepted."""
        if not is_whole_number(value):
            return self.not_whole
        if value < self.minimum:
            return self.negative
        if value > self.maximum:
            return self.too_high
        return None
