"""The waiting rule both fake messenger servers use (tests/botapi, tests/zaloapi)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def next_unseen(items: list[T], start: int, seen: set[int], fits: Callable[[T], bool],
                predicate: Callable[[T], bool] | None) -> T | None:
    """The first item that ``fits`` and was not returned by an earlier wait (``seen``):
    without ``predicate``, only items from ``start`` on (what came after the wait began);
    with one, earlier items too, if they satisfy it."""
    for item in items[start:] if predicate is None else items:
        if id(item) not in seen and fits(item) and (predicate is None or predicate(item)):
            return item
    return None
