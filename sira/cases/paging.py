"""Keyset (cursor) pagination for the case list page and the API: a page is the rows that come after
(or before) the last row seen in the list's order, never an OFFSET, so a deep page costs what the first
one does; and a total counted only up to a cap, never over the whole visible set.

A cursor is opaque to clients: the ordering values of a row (for the list, its identification date and
id; for a search, its score first), as URL-safe base64 of a JSON list."""

import base64
import binascii
import json
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

# Beyond this many cases the list says "1 000+ cases" instead of counting them all.
COUNT_CAP = 1000


def ordering(queryset: QuerySet) -> list[str]:
    """The queryset's ordering as field or annotation names ('-name' descending), ending with the
    primary key so that every row has one place."""
    order = [str(o) for o in (queryset.query.order_by or queryset.model._meta.ordering)]
    names = [o.lstrip("-") for o in order]
    if "id" not in names and "pk" not in names:
        order.append("-id")
    return ["-id" if o == "-pk" else "id" if o == "pk" else o for o in order]


def encode_cursor(values: list) -> str:
    raw = json.dumps([v.isoformat() if hasattr(v, "isoformat") else v for v in values])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(token: str | None, length: int) -> list | None:
    """The values of a cursor, or None when there is none or it is not one of ours (the first page)."""
    if not token:
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    if not isinstance(values, list) or len(values) != length:
        return None
    if not all(isinstance(v, (int, str)) and not isinstance(v, bool) for v in values):
        return None
    return values


def _beyond(order: list[str], values: list) -> Q:
    """Rows strictly after `values` in `order`: (a, b) after (x, y) is a after x, or a = x and b after y.
    The first key's bound (a ≤ x when descending) is repeated on its own so that PostgreSQL starts its
    index scan at the cursor instead of filtering every row before it."""
    after = Q(pk__in=[])
    equal = Q()
    for key, value in zip(order, values, strict=True):
        name = key.lstrip("-")
        lookup = "lt" if key.startswith("-") else "gt"
        after |= equal & Q(**{f"{name}__{lookup}": value})
        equal &= Q(**{name: value})
    first = order[0].lstrip("-")
    bound = Q(**{f"{first}__{'lte' if order[0].startswith('-') else 'gte'}": values[0]})
    return bound & after


def _flip(key: str) -> str:
    return key[1:] if key.startswith("-") else f"-{key}"


def _values(row, order: list[str]) -> list:
    return [getattr(row, key.lstrip("-")) for key in order]


@dataclass
class KeysetPage:
    rows: list
    count: int
    capped: bool
    next_cursor: str | None = None
    previous_cursor: str | None = None
    cap: int = COUNT_CAP
    first: bool = field(default=True)

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def has_previous(self) -> bool:
        return self.previous_cursor is not None


def capped_count(queryset: QuerySet, cap: int = COUNT_CAP) -> tuple[int, bool]:
    """How many rows, counting no further than `cap` (COUNT over a LIMIT cap + 1 subquery): (count,
    whether there are more)."""
    n = queryset.order_by().values("pk")[: cap + 1].count()
    return min(n, cap), n > cap


def _page_before(
    rows: list, order: list[str], *, size: int, count: int, capped: bool, cap: int
) -> KeysetPage:
    """The page ending just before a cursor, from up to size + 1 `rows` read backwards."""
    more_before = len(rows) > size
    rows = rows[:size][::-1]
    return KeysetPage(
        rows=rows,
        count=count,
        capped=capped,
        cap=cap,
        first=not more_before,
        next_cursor=encode_cursor(_values(rows[-1], order)) if rows else None,
        previous_cursor=encode_cursor(_values(rows[0], order)) if rows and more_before else None,
    )


def _page_after(
    rows: list, order: list[str], *, size: int, first: bool, count: int, capped: bool, cap: int
) -> KeysetPage:
    """The first page, or the one after a cursor, from up to size + 1 `rows` read forwards."""
    more_after = len(rows) > size
    rows = rows[:size]
    return KeysetPage(
        rows=rows,
        count=count,
        capped=capped,
        cap=cap,
        first=first,
        next_cursor=encode_cursor(_values(rows[-1], order)) if rows and more_after else None,
        previous_cursor=encode_cursor(_values(rows[0], order)) if rows and not first else None,
    )


def paginate(
    queryset: QuerySet,
    *,
    after: str | None = None,
    before: str | None = None,
    size: int = 25,
    cap: int | None = None,
    counted: tuple[int, bool] | None = None,
) -> KeysetPage:
    """One page of `queryset` in its own order: the first page, the one after cursor `after`, or the one
    before cursor `before`. `counted` is the capped count when the caller has it already."""
    cap = COUNT_CAP if cap is None else cap
    order = ordering(queryset)
    queryset = original = queryset.order_by(*order)
    count, capped = counted or capped_count(queryset, cap)
    forward = decode_cursor(after, len(order))
    backward = None if forward is not None else decode_cursor(before, len(order))
    try:
        if backward is not None:
            reverse = [_flip(k) for k in order]
            rows = list(queryset.filter(_beyond(reverse, backward)).order_by(*reverse)[: size + 1])
            return _page_before(rows, order, size=size, count=count, capped=capped, cap=cap)
        if forward is not None:
            queryset = queryset.filter(_beyond(order, forward))
        rows = list(queryset[: size + 1])
    except (ValidationError, ValueError, TypeError):
        # A cursor whose values do not fit the ordering's fields: the first page.
        return paginate(original, size=size, cap=cap, counted=(count, capped))
    return _page_after(rows, order, size=size, first=forward is None, count=count, capped=capped, cap=cap)


def paginate_tiers(
    tiers: list[tuple[int, QuerySet]],
    *,
    after: str | None = None,
    before: str | None = None,
    size: int = 25,
    cap: int | None = None,
    counted: tuple[int, bool],
) -> KeysetPage:
    """One page of the concatenation of `tiers`: (score, queryset) pairs, scores descending, each
    queryset in the same order and annotated `search_score` = its score. The cursors are those of
    `paginate` over the same rows ordered by (-search_score, then the tiers' order), so a list can go
    from one way of reading to the other between two pages. Only the tiers a page reaches are read."""
    cap = COUNT_CAP if cap is None else cap
    count, capped = counted
    inner = ordering(tiers[0][1]) if tiers else ["-id"]
    order = ["-search_score", *inner]
    length = len(order)
    forward = decode_cursor(after, length)
    backward = None if forward is not None else decode_cursor(before, length)
    try:
        if backward is not None:
            score, values = backward[0], backward[1:]
            reverse = [_flip(k) for k in inner]
            rows = []
            for tier, queryset in reversed(tiers):
                if tier < score:
                    continue
                if tier == score:
                    queryset = queryset.filter(_beyond(reverse, values))
                rows += list(queryset.order_by(*reverse)[: size + 1 - len(rows)])
                if len(rows) > size:
                    break
            return _page_before(rows, order, size=size, count=count, capped=capped, cap=cap)
        rows = []
        for tier, queryset in tiers:
            if forward is not None:
                if tier > forward[0]:
                    continue
                if tier == forward[0]:
                    queryset = queryset.filter(_beyond(inner, forward[1:]))
            rows += list(queryset[: size + 1 - len(rows)])
            if len(rows) > size:
                break
    except (ValidationError, ValueError, TypeError):
        return paginate_tiers(tiers, size=size, cap=cap, counted=counted)
    return _page_after(rows, order, size=size, first=forward is None, count=count, capped=capped, cap=cap)
