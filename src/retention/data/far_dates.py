"""Lines dated far before or after the rest of the log (a 2031 line in a 2011 log, a 1970 null date).

Such a line would move the analysis date (the last day) or the start of every history by years, so it is
left out and counted in the cleaning ledger (``far_future_date``, ``far_past_date``) with a note; the
analysis date stays the last day with normal activity. A group of lines counts as far when a gap of at
least :data:`MIN_GAP_DAYS` days, and at least :data:`GAP_FACTOR` times the log's usual gap between active
days (its 75th percentile), separates it from the rest, and it is small: at most 1% of the lines (3 lines
in a small log) on at most 1% of the active days (2 days in a small log). Anything larger is the log
itself (a shop that paused and reopened) and stays. Far-future lines are only looked for when
``data.end_date`` is empty: a date the user set decides which lines are after the analysis date.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from retention.data.date_order import DayCounts
from retention.data.errors import Context, Sample, plural

__all__ = ["MIN_GAP_DAYS", "GAP_FACTOR", "FarDates", "find_far_dates"]

MIN_GAP_DAYS = 60
GAP_FACTOR = 20
_EPOCH = np.datetime64("1970-01-01", "D")


def _day(number: int) -> str:
    return str(_EPOCH + np.timedelta64(int(number), "D"))


@dataclass
class FarDates:
    """Days outside ``[first_day, last_day]`` (days since 1970-01-01; None: no bound) are left out."""

    first_day: int | None = None
    last_day: int | None = None
    gap_before: int = 0
    gap_after: int = 0
    past: Sample = field(default_factory=Sample)
    future: Sample = field(default_factory=Sample)

    def mask(self, stamps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per line: (dated far in the past, dated far in the future); missing dates are neither."""
        days = np.asarray(stamps, dtype="datetime64[ns]").astype("datetime64[D]").astype(np.int64)
        known = ~np.isnat(np.asarray(stamps, dtype="datetime64[ns]"))
        past = known & (days < self.first_day) if self.first_day is not None else np.zeros(len(days), bool)
        future = known & (days > self.last_day) if self.last_day is not None else np.zeros(len(days), bool)
        return past, future

    def dropped(self) -> dict[str, int]:
        counts = {"far_past_date": self.past.count, "far_future_date": self.future.count}
        return {k: v for k, v in counts.items() if v}

    def notes(self, ctx: Context) -> list[str]:
        notes = []
        if self.past:
            n = self.past.count
            notes.append(f"{plural(n, 'line')} dated far before the rest ({self.past.text(ctx)}) "
                         f"{'was' if n == 1 else 'were'} left out and counted in the ledger as 'far_past_date': "
                         f"{self.gap_before:,} days without a purchase separate {'it' if n == 1 else 'them'} from "
                         f"{_day(self.first_day)}, where the log really starts. Correct the date in the file if "
                         f"{'it is' if n == 1 else 'they are'} real.")
        if self.future:
            n = self.future.count
            notes.append(f"{plural(n, 'line')} dated far after the rest ({self.future.text(ctx)}) "
                         f"{'was' if n == 1 else 'were'} left out and counted in the ledger as 'far_future_date', "
                         f"so {'it does' if n == 1 else 'they do'} not move the analysis date: {self.gap_after:,} "
                         f"days without a purchase separate {'it' if n == 1 else 'them'} from {_day(self.last_day)}, "
                         f"the last day with normal activity. If {'it is' if n == 1 else 'they are'} real, set "
                         f"data.end_date to a day on or after {'it' if n == 1 else 'them'}.")
        return notes


def _small(lines: int, days: int, total_lines: int, total_days: int) -> bool:
    return lines <= max(3, 0.01 * total_lines) and days <= max(2, 0.01 * total_days)


def find_far_dates(counts: DayCounts, future: bool = True) -> FarDates:
    """The bounds of normal activity in a log's lines per day (see the module)."""
    if len(counts.counts) < 5:
        return FarDates()
    days = np.array(sorted(counts.counts), dtype=np.int64)
    lines = np.array([counts.counts[d] for d in days], dtype=np.int64)
    gaps = np.diff(days)
    threshold = max(MIN_GAP_DAYS, GAP_FACTOR * float(np.percentile(gaps, 75)))
    large = np.flatnonzero(gaps >= threshold)
    total, n_days = int(lines.sum()), len(days)
    result = FarDates()
    for i in large[::-1]:  # the latest gap whose head is small: every far-past line before it
        if _small(int(lines[: i + 1].sum()), i + 1, total, n_days):
            result.first_day, result.gap_before = int(days[i + 1]), int(gaps[i])
            break
    if future:
        for i in large:  # the earliest gap whose tail is small
            if _small(int(lines[i + 1:].sum()), n_days - i - 1, total, n_days):
                if result.first_day is None or days[i] >= result.first_day:
                    result.last_day, result.gap_after = int(days[i]), int(gaps[i])
                break
    return result
