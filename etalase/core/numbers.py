"""Whole numbers read from loose data: activity ``data``, JSON bodies, imported cells.

``True`` and ``False`` are ``int`` in Python, so ``isinstance(value, int)`` alone lets a boolean
pass as a count, an amount or an id; these helpers say no to them.
"""

from typing import TypeGuard


def is_whole_number(value: object) -> TypeGuard[int]:
    """Whether ``value`` is an ``int`` that is not a ``bool``."""
    return isinstance(value, int) and not isinstance(value, bool)


def positive_whole_number(value: object) -> int | None:
    """``value`` when it is a whole number above zero (an id, an amount), else None."""
    return value if is_whole_number(value) and value > 0 else None
