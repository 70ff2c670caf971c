"""Whole numbers read from loose data: activity ``data``, JSON bodies, imported cells, and a whole
number a client sent (a price, a stock, a quantity) checked against its bounds.

``True`` and ``False`` are ``int`` in Python, so ``isinstance(value, int)`` alone lets a boolean
pass as a count, an amount or an id; these helpers say no to them.
"""

from dataclasses import dataclass
from typing import TypeGuard

from django.utils.functional import Promise


def is_whole_number(value: object) -> TypeGuard[int]:
    """Whether ``value`` is an ``int`` that is not a ``bool``."""
    return isinstance(value, int) and not isinstance(value, bool)


def positive_whole_number(value: object) -> int | None:
    """``value`` when it is a whole number above zero (an id, an amount), else None."""
    return value if is_whole_number(value) and value > 0 else None


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
