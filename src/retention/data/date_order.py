"""Dates written as three numbers (``05/06/11``): which number is the day, the month and the year.

Each possible order (``dmy``, ``mdy``, ``ymd``, ``ydm``; a two-digit year may stand first or last) is
tried on every such date of the file, chunk by chunk (:class:`OrderEvidence`). ``data.date_order``
fixes the order; with ``auto`` it is decided from evidence, in this order:

1. Orders under which some date is impossible (a month 13) are out (``ydm`` is never guessed: nobody
   writes it unless ``data.date_order`` says so). A first number above 12 means day
   first, a second above 12 month first; both in one file is an error.
2. Of the orders left, those that spread the log implausibly are out: fewer than half as many of the
   calendar months between its first and last date have a purchase as under the best order, or a span
   over 20 years when another order gives less (``yy/mm/dd`` read as ``mm/dd/yy`` smears a year over 30).
3. The order under which the lines are in date order (at least 90% of consecutive dated lines, 5 points
   ahead of the others).
4. The order under which the shop's week shows (a weekday with under a quarter of its share of the lines,
   while every other order spreads the lines evenly), given at least 500 lines.
5. Still tied: between day-first and month-first (four-digit years) month first is assumed, as in the
   UCI exports (day first for dates with dots), and noted; a tie that involves a year-first reading stops
   with the choice to make in ``data.date_order``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from retention.data.errors import Context, Sample

__all__ = ["ORDERS", "ORDER_NAMES", "T3_PATTERN", "DayCounts", "OrderEvidence", "parse_order", "decide_order"]

ORDERS = ("dmy", "mdy", "ymd", "ydm")
AUTO_ORDERS = ("dmy", "mdy", "ymd")  # year/day/month is read only when data.date_order says so
ORDER_NAMES = {"dmy": "day/month/year", "mdy": "month/day/year (US style)", "ymd": "year/month/day",
               "ydm": "year/day/month"}
TIME = r"(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*([AaPp][Mm])?)?"
# three numbers: (first, separator, second, third, hour, minute, second, am/pm)
T3_PATTERN = r"^(\d{1,2})([/.\-])(\d{1,2})[/.\-](\d{4}|\d{2})" + TIME + r"$"
_WEEKDAYS = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays")
_FIELDS = {"dmy": (2, 1, 0), "mdy": (2, 0, 1), "ymd": (0, 1, 2), "ydm": (0, 2, 1)}  # (year, month, day) parts


@dataclass
class DayCounts:
    """Lines per calendar day (days since 1970-01-01), merged over chunks."""

    counts: dict[int, int] = field(default_factory=dict)

    def add(self, stamps: np.ndarray, weights: np.ndarray | None = None) -> None:
        stamps = np.asarray(stamps, dtype="datetime64[ns]")
        keep = ~np.isnat(stamps)
        days = stamps[keep].astype("datetime64[D]").astype(np.int64)
        w = np.ones(len(days), dtype=np.int64) if weights is None else np.asarray(weights, dtype=np.int64)[keep]
        if not len(days):
            return
        unique, inverse = np.unique(days, return_inverse=True)
        for day, n in zip(unique.tolist(), np.bincount(inverse, weights=w).astype(np.int64).tolist(), strict=True):
            self.counts[day] = self.counts.get(day, 0) + n

    def merged(self, other: DayCounts) -> DayCounts:
        result = DayCounts(dict(self.counts))
        for day, n in other.counts.items():
            result.counts[day] = result.counts.get(day, 0) + n
        return result

    @property
    def lines(self) -> int:
        return sum(self.counts.values())

    def span_days(self) -> int:
        return max(self.counts) - min(self.counts) if self.counts else 0

    def month_coverage(self) -> float:
        """Share of the calendar months from the first to the last date that have a line."""
        if not self.counts:
            return 0.0
        months = np.unique(np.array(list(self.counts), dtype="datetime64[D]").astype("datetime64[M]").astype(int))
        return len(months) / (int(months.max()) - int(months.min()) + 1)

    def weekday_floor(self) -> float:
        """The least busy weekday's share of lines, times 7 (1: an even week; 0: a day with no sales)."""
        days = np.array(list(self.counts), dtype=np.int64)
        weights = np.array(list(self.counts.values()), dtype=float)
        per_day = np.bincount((days + 3) % 7, weights=weights, minlength=7)
        return float(per_day.min() / per_day.sum() * 7) if per_day.sum() else 1.0

    def quietest_weekday(self) -> str:
        days = np.array(list(self.counts), dtype=np.int64)
        per_day = np.bincount((days + 3) % 7, weights=np.array(list(self.counts.values()), float), minlength=7)
        return _WEEKDAYS[int(per_day.argmin())]


def parse_order(parts: pd.DataFrame, order: str) -> pd.Series:
    """Datetimes of extracted :data:`T3_PATTERN` parts read in ``order`` (NaT where that makes no date)."""
    from retention.data.dates import from_parts

    y, m, d = (parts[[0, 2, 3][i]] for i in _FIELDS[order])
    bad = ~y.str.len().isin([2, 4]).to_numpy() | (d.str.len() > 2).to_numpy() | (m.str.len() > 2).to_numpy()
    return from_parts(y, m, d, parts.iloc[:, 4:]).mask(bad)


@dataclass
class _Candidate:
    invalid: Sample = field(default_factory=Sample)
    days: DayCounts = field(default_factory=DayCounts)
    pairs: int = 0
    forward: int = 0
    last: np.datetime64 | None = None

    def score(self) -> float:
        return self.forward / self.pairs if self.pairs else 1.0


@dataclass
class OrderEvidence:
    """Every three-number date of the file read in every order."""

    candidates: dict[str, _Candidate] = field(default_factory=lambda: {o: _Candidate() for o in ORDERS})
    day_first: Sample = field(default_factory=Sample)
    month_first: Sample = field(default_factory=Sample)
    separators: dict[str, int] = field(default_factory=dict)
    values: Sample = field(default_factory=Sample)

    @property
    def lines(self) -> int:
        return self.values.count

    def observe(self, uniques: pd.Series, counts: np.ndarray, sequence: np.ndarray) -> None:
        """``uniques`` (index: first position) with their line ``counts``; ``sequence`` their codes in line order."""
        self.values.add(uniques, counts)
        parts = uniques.str.extract(T3_PATTERN)
        first, second = pd.to_numeric(parts[0]).to_numpy(), pd.to_numeric(parts[2]).to_numpy()
        day = (first > 12) & (second <= 12)
        month = (second > 12) & (first <= 12)
        self.day_first.add(uniques[day], counts[day])
        self.month_first.add(uniques[month], counts[month])
        for sep, n in pd.Series(counts).groupby(parts[1].to_numpy()).sum().items():
            self.separators[str(sep)] = self.separators.get(str(sep), 0) + int(n)
        for order, candidate in self.candidates.items():
            parsed = parse_order(parts, order).to_numpy(dtype="datetime64[ns]")
            bad = np.isnat(parsed)
            candidate.invalid.add(uniques[bad], counts[bad])
            candidate.days.add(parsed, counts)
            line_values = parsed[sequence]
            line_values = line_values[~np.isnat(line_values)]
            if candidate.last is not None:
                line_values = np.concatenate([[candidate.last], line_values])
            if len(line_values):
                candidate.pairs += len(line_values) - 1
                candidate.forward += int((np.diff(line_values) >= np.timedelta64(0)).sum())
                candidate.last = line_values[-1]


def _plausible(orders: list[str], ev: OrderEvidence) -> tuple[list[str], str]:
    """Drop orders that smear the log over decades or leave most months empty; say why when one is left."""
    coverage = {o: ev.candidates[o].days.month_coverage() for o in orders}
    years = {o: ev.candidates[o].days.span_days() / 365.25 for o in orders}
    best = max(coverage.values())
    kept = [o for o in orders if coverage[o] >= 0.5 * best]
    if any(years[o] <= 20 for o in kept):
        kept = [o for o in kept if years[o] <= 20]
    dropped = [o for o in orders if o not in kept]
    if not dropped:
        return kept, ""
    worst = max(dropped, key=lambda o: years[o])
    return kept, (f"read as {ORDER_NAMES[worst].split(' (')[0]} the dates would spread over {years[worst]:.0f} "
                  f"years with purchases in only {coverage[worst]:.0%} of the months")


def _by_sequence(orders: list[str], ev: OrderEvidence) -> str | None:
    scores = sorted(((ev.candidates[o].score(), o) for o in orders), reverse=True)
    if scores[0][0] >= 0.9 and scores[0][0] - scores[1][0] >= 0.05:
        return scores[0][1]
    return None


def _by_week(orders: list[str], ev: OrderEvidence) -> str | None:
    if ev.lines < 500:
        return None
    floors = {o: ev.candidates[o].days.weekday_floor() for o in orders}
    shows = [o for o in orders if floors[o] < 0.25]
    if len(shows) == 1 and all(floors[o] > 0.6 for o in orders if o != shows[0]):
        return shows[0]
    return None


def _only_order_why(order: str, ev: OrderEvidence) -> str:
    if order == "dmy" and ev.day_first:
        return f"some first numbers are above 12, e.g. {ev.day_first.pairs[0][0]!r}"
    if order == "mdy" and ev.month_first:
        return f"some second numbers are above 12, e.g. {ev.month_first.pairs[0][0]!r}"
    return "no other order reads every date as a real date"


def decide_order(ev: OrderEvidence, date_order: str, ctx: Context) -> str:
    """The order of the file's three-number dates (see the module); notes the choice and why."""
    if date_order != "auto":
        bad = ev.candidates[date_order].invalid
        if bad:
            ctx.fail("InvoiceDate", f"dates that are not dates when read as {ORDER_NAMES[date_order]} "
                     f"(data.date_order: {date_order})", bad.count, bad.text(ctx),
                     "set data.date_order to the order the file uses (dmy, mdy, ymd or ydm), or to auto")
        ctx.notes.append(f"InvoiceDate is read as {ORDER_NAMES[date_order]}, as data.date_order says.")
        return date_order
    valid = [o for o in AUTO_ORDERS if not ev.candidates[o].invalid]
    if not valid:
        if ev.day_first and ev.month_first:
            _both_orders(ev, ctx)
        return min(AUTO_ORDERS, key=lambda o: (ev.candidates[o].invalid.count, o != "mdy"))  # the rest: not dates
    order, why = _choose(valid, ev)
    if order is None:
        shown = " or ".join(ORDER_NAMES[o].split(" (")[0] for o in why)
        ctx.fail("InvoiceDate", f"the dates can be read as {shown}, and nothing in the file tells which",
                 ev.values.count, ev.values.text(ctx), f"set data.date_order to {' or '.join(why)} in your params "
                 f"file (the order of day, month and year in the file), or write the dates as YYYY-MM-DD")
    ctx.notes.append(f"InvoiceDate is read as {ORDER_NAMES[order]}: {why}.")
    return order


def _choose(valid: list[str], ev: OrderEvidence) -> tuple[str | None, object]:
    """(order, why) or (None, the orders still tied)."""
    if len(valid) == 1:
        return valid[0], _only_order_why(valid[0], ev)
    kept, smeared = _plausible(valid, ev)
    if len(kept) == 1:
        return kept[0], smeared
    hint = "; if that is wrong, set data.date_order or write the dates as YYYY-MM-DD"
    order = _by_sequence(kept, ev)
    if order:
        return order, "no number is above 12, and the lines are in date order when read this way" + hint
    order = _by_week(kept, ev)
    if order:
        quiet = ev.candidates[order].days.quietest_weekday()
        return order, (f"no number is above 12, and only read this way the shop's week shows (hardly any sales on "
                       f"{quiet})" + hint)
    if set(kept) <= {"dmy", "mdy"}:
        dots = max(ev.separators, key=ev.separators.get) == "."
        order = "dmy" if dots else "mdy"
        return order, ("no number is above 12 and either order fits, so "
                       + ("day first was assumed (dates with dots are day first by convention)" if dots
                          else "month first was assumed (as in the UCI exports)") + hint)
    return None, kept


def _both_orders(ev: OrderEvidence, ctx: Context) -> None:
    n_day, n_month = ev.day_first.count, ev.month_first.count
    shown = ctx.render([ev.day_first.pairs[0], ev.month_first.pairs[0]])
    ctx.fail("InvoiceDate", f"dates written day first ({n_day:,} {'row' if n_day == 1 else 'rows'} with a first "
             f"number above 12) and month first ({n_month:,} {'row' if n_month == 1 else 'rows'} with a second "
             f"number above 12)", n_day + n_month, shown, "write every date as YYYY-MM-DD HH:MM (ISO 8601)")
