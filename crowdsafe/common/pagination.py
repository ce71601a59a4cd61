"""Pagination that never counts a whole register (issue 19 point 1).

Counting every row a list shows is a read of every one of them: the city leader's 清单 at a million gatherings
counted the million (a sequential scan, over a second). No index makes ``count(*)`` of a whole table cheap, so the
list counts at most ``cap`` + 1 rows — ``SELECT count(*) FROM (… ORDER BY <the list's order> LIMIT cap + 1)``,
which PostgreSQL reads through the list's own index and stops — and beyond the cap says "over 10,000" instead of a
total. Pages go on past the cap (each fetches one row more than it shows, to know whether a next page exists), so
nothing becomes unreachable; only the number of pages is not given.

Below the cap nothing changes: the same count, the same pages, the same "page N of M".
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import Any

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator

COUNT_CAP = 10_000


class CappedPage(Page):
    """A page past a capped count: whether there is a next one is known from the row fetched beyond it."""

    def __init__(self, object_list: Sequence[Any], number: int, paginator: CappedPaginator, *, more: bool) -> None:
        super().__init__(object_list, number, paginator)
        self.more = more

    def has_next(self) -> bool:
        return self.more

    def next_page_number(self) -> int:
        return self.number + 1

    def end_index(self) -> int:
        return (self.number - 1) * self.paginator.per_page + len(self.object_list)


class CappedPaginator(Paginator):
    """A ``Paginator`` whose count stops at ``cap``: ``count`` is then ``cap`` and ``capped`` is True (the page
    shows "over <cap>", the API ``count_capped``), ``num_pages`` covers the first ``cap`` rows and later pages are
    still served. The count is ``SELECT count(*) FROM (… LIMIT cap + 1)`` in the order ``count_order`` names, or the
    list's own: an ordered, limited read goes through an index and stops — never a sequential scan of the table."""

    def __init__(
        self,
        object_list: Any,
        per_page: int | str,
        *args: Any,
        cap: int | None = None,
        count_order: Sequence[Any] | None = None,
        lower_bound: Any = None,
        known: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(object_list, per_page, *args, **kwargs)
        self.cap = COUNT_CAP if cap is None else cap
        self.count_order = count_order
        self.lower_bound = lower_bound
        self.known = known

    @cached_property
    def counted(self) -> int:
        """The rows counted, at most ``cap`` + 1. ``count_order``: the order the count reads them in, to steer it to
        an index that holds the list's conditions (a territory's path: an index-only range scan that stops at the
        cap; ``()``: no order, e.g. a set of ids read through the primary key); None: the list's own order.
        ``lower_bound``: rows that are all in the list, cheaper to count (e.g. a territory's alone, from one index):
        when they pass the cap the list does too, and it is not counted at all. ``known``: the number of rows, already
        known to the caller (a list that is exactly a set of ids read for the request): nothing is counted."""
        if self.known is not None:
            return self.known
        if self.lower_bound is not None:
            found = self._count(self.lower_bound)
            if found > self.cap:
                return found
        rows = self.object_list
        if self.count_order is not None and hasattr(rows, "order_by"):
            rows = rows.order_by(*self.count_order)
        return self._count(rows)

    def _count(self, rows: Any) -> int:
        sliced = rows[: self.cap + 1]
        count = getattr(sliced, "count", None)
        if callable(count):
            try:
                return int(count())
            except TypeError:
                pass
        return len(sliced)

    @cached_property
    def count(self) -> int:
        return min(self.counted, self.cap)

    @property
    def capped(self) -> bool:
        """More rows than the cap: the count is a lower bound."""
        return self.counted > self.cap

    def validate_number(self, number: Any) -> int:
        if not self.capped:
            return super().validate_number(number)
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError) as exc:
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from exc
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return number

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        if not self.capped:
            return super().page(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows and number > 1:
            raise EmptyPage(self.error_messages["no_results"])
        return CappedPage(rows[: self.per_page], number, self, more=len(rows) > self.per_page)
