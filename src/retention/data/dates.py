"""Invoice dates in any common spelling, read the same way throughout a file.

ISO 8601 first. A UTC offset (``+01:00``, ``Z``) is dropped and the local wall-clock time kept, so a
purchase stays on the day and hour the shop saw it (time-zone-aware Parquet/Excel columns likewise).
``yyyy/mm/dd`` is year first. Dates written as three numbers (``05/06/2011``, ``11/06/05``) are read in the
order :mod:`retention.data.date_order` decides. Month names with a four-digit year are read as written
(``1 Dec 2010 08:26``). Numbers are read as YYYYMMDD, Excel serial days or Unix seconds when every value
fits one of them. Empty dates are counted in the cleaning ledger (``missing_date``); dates that do not
parse stop the run. The evidence of the whole file (:class:`DateEvidence`) decides, then every chunk is
converted with the same :class:`DateReading`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from retention.data.date_order import T3_PATTERN, TIME, DayCounts, OrderEvidence, decide_order, parse_order
from retention.data.errors import Context, Sample, plural
from retention.data.numbers import is_number, unique_text

__all__ = ["DateEvidence", "DateReading", "from_parts", "to_datetime", "one_datetime"]

_OFFSET = re.compile(r"^(?P<base>.*\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(?P<tz>Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)$",
                     re.IGNORECASE)
_HAS_OFFSET = r"(?i)\d:\d\d(?::\d\d(?:\.\d+)?)?\s*(?:Z|UTC|GMT|[+-]\d\d(?::?\d\d)?)$"
_YMD = r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})" + TIME + r"$"
_NUMBER_TEXT = r"[+-]?\d+(?:\.\d+)?"
_NUMBER_READINGS = ("yyyymmdd", "excel", "unix")


# ---------------------------------------------------------------------------------------------------------
# Parsing primitives
# ---------------------------------------------------------------------------------------------------------


def _out_of_range(parsed: pd.Series) -> np.ndarray:
    """Dates nanosecond timestamps cannot hold (before 1677-09-22 or after 2262-04-11)."""
    low, high = pd.Timestamp.min.ceil("D"), pd.Timestamp.max.floor("D")
    return (parsed.notna() & ((parsed < low) | (parsed > high))).to_numpy()


def _as_naive(parsed: pd.Series) -> pd.Series:
    """Wall-clock datetimes in ns; dates out of the ns range become NaT (reported as not parsing)."""
    if isinstance(parsed.dtype, pd.DatetimeTZDtype):
        parsed = parsed.dt.tz_localize(None)
    if pd.api.types.is_datetime64_any_dtype(parsed):
        parsed = parsed.mask(_out_of_range(parsed))
    return parsed.astype("datetime64[ns]")


def one_datetime(value: object, **kwargs) -> pd.Timestamp:
    try:
        stamp = pd.to_datetime(value, errors="coerce", **kwargs)
    except (ValueError, TypeError, OverflowError):
        return pd.NaT
    stamp = stamp.tz_localize(None) if getattr(stamp, "tzinfo", None) is not None else stamp
    return pd.NaT if pd.isna(stamp) or not pd.Timestamp.min < stamp < pd.Timestamp.max else stamp


def to_datetime(values: pd.Series, **kwargs) -> pd.Series:
    """pd.to_datetime with coercion that never raises (mixed offsets or odd values give NaT)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return _as_naive(pd.to_datetime(values, errors="coerce", **kwargs))
        except (ValueError, TypeError, OverflowError):
            return pd.Series([one_datetime(v, **kwargs) for v in values], index=values.index,
                             dtype="datetime64[ns]")


def from_parts(year: pd.Series, month: pd.Series, day: pd.Series, time: pd.DataFrame) -> pd.Series:
    """Datetimes from extracted text parts (NaT where they make no date, e.g. month 13)."""
    year = pd.to_numeric(year).astype(float)
    year = year.where(year >= 100, year + np.where(year < 69, 2000, 1900))  # two-digit years as strptime's %y
    hour = pd.to_numeric(time.iloc[:, 0]).fillna(0).astype(float)
    pm = time.iloc[:, 3].str.lower().eq("pm").fillna(False).astype(bool).to_numpy()
    am_pm = time.iloc[:, 3].notna().to_numpy()
    hour = hour.where(~am_pm, hour % 12 + np.where(pm, 12, 0))
    parts = pd.DataFrame({"year": year, "month": pd.to_numeric(month).astype(float),
                          "day": pd.to_numeric(day).astype(float), "hour": hour,
                          "minute": pd.to_numeric(time.iloc[:, 1]).fillna(0).astype(float),
                          "second": pd.to_numeric(time.iloc[:, 2]).fillna(0).astype(float)})
    bad = (parts["hour"] > 23) | (parts["minute"] > 59) | (parts["second"] > 59)
    parsed = to_datetime(parts)
    return parsed.mask(bad.to_numpy())


def _without_offsets(text: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Text with UTC offsets dropped (local wall-clock time kept), and which values had one."""
    has = text.str.contains(_HAS_OFFSET, regex=True).fillna(False).to_numpy(dtype=bool)
    if not has.any():
        return text, has
    local = text.copy()
    local[has] = [_OFFSET.sub(r"\g<base>", v) for v in text[has]]
    return local, has


def _parse_text(local: pd.Series, y4_order: str, t3_order: str | None) -> tuple[np.ndarray, np.ndarray]:
    """Datetimes of distinct date texts (NaT: not parsed) and which of them are three-number dates."""
    parsed = pd.Series(pd.NaT, index=local.index, dtype="datetime64[ns]")
    iso = local.str.match(r"^\d{4}-").fillna(False).to_numpy(dtype=bool)
    if iso.any():
        parsed[iso] = to_datetime(local[iso], format="ISO8601").to_numpy()
    ymd = local.str.extract(_YMD)
    slashed = (parsed.isna() & ymd[0].notna()).to_numpy()
    if slashed.any():
        y, a, b = ymd[0][slashed], ymd[1][slashed], ymd[2][slashed]
        month, day = (b, a) if y4_order == "ydm" else (a, b)
        parsed[slashed] = from_parts(y, month, day, ymd.iloc[:, 3:][slashed]).to_numpy()
    t3 = ~iso & ~slashed & local.str.match(T3_PATTERN).fillna(False).to_numpy(dtype=bool)
    if t3.any() and t3_order is not None:
        parsed[t3] = parse_order(local[t3].str.extract(T3_PATTERN), t3_order).to_numpy()
    todo = (parsed.isna() & ~t3 & local.str.contains(r"\d{4}", regex=True).fillna(False)).to_numpy()
    if todo.any():  # month names and other spellings with a four-digit year: "1 Dec 2010 08:26"
        parsed[todo] = to_datetime(local[todo], format="mixed").to_numpy()
    return parsed.to_numpy(dtype="datetime64[ns]"), t3


def _kinds(values: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """Per value 'missing', 'datetime', 'number' or 'text'; plus the stripped text of every value."""
    if pd.api.types.is_numeric_dtype(values):
        return np.where(values.isna(), "missing", "number").astype(object), values.astype("string")
    if values.dtype == object:
        kinds = values.map(_kind).to_numpy(dtype=object)
    else:
        kinds = np.full(len(values), "text", dtype=object)
    text = values.astype("string").str.strip()
    is_text = kinds == "text"
    kinds[is_text & text.fillna("").eq("").to_numpy()] = "missing"
    kinds[(kinds == "text") & text.str.fullmatch(_NUMBER_TEXT).fillna(False).to_numpy(dtype=bool)] = "number"
    return kinds, text


def _kind(value: object) -> str:
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return "missing"
    if isinstance(value, dt.date | np.datetime64):
        return "datetime"
    if is_number(value):
        return "number"
    return "text"


def _numbers_as(numbers: pd.Series, reading: str) -> pd.Series:
    """Datetimes of date numbers under one reading (NaT where the value does not fit it)."""
    if reading == "yyyymmdd":
        whole = (numbers % 1 == 0) & numbers.between(19000101, 21001231)
        result = pd.Series(pd.NaT, index=numbers.index, dtype="datetime64[ns]")
        if whole.any():
            result[whole] = to_datetime(numbers[whole].astype(np.int64).astype(str), format="%Y%m%d").to_numpy()
        return result
    if reading == "excel":
        fits = numbers.between(20_000, 80_000)
        stamps = pd.to_datetime(numbers.where(fits), unit="D", origin="1899-12-30")
    else:
        fits = numbers.between(9e8, 4.2e9)
        stamps = pd.to_datetime(numbers.where(fits), unit="s")
    return stamps.dt.round("s").astype("datetime64[ns]")


# ---------------------------------------------------------------------------------------------------------
# Evidence over the whole file
# ---------------------------------------------------------------------------------------------------------


@dataclass
class _NumberDates:
    count: int = 0
    low: float = math.inf
    high: float = -math.inf
    first: Sample = field(default_factory=lambda: Sample(limit=1))
    values: Sample = field(default_factory=Sample)
    days: dict[str, DayCounts] = field(default_factory=lambda: {r: DayCounts() for r in _NUMBER_READINGS})
    yyyymmdd_misfits: int = 0

    def observe(self, numbers: pd.Series, original: pd.Series) -> None:
        self.count += len(numbers)
        self.low, self.high = min(self.low, float(numbers.min())), max(self.high, float(numbers.max()))
        self.first.add(original.astype(str).head(1))
        self.values.add(original.astype(str))
        for reading in _NUMBER_READINGS:
            parsed = _numbers_as(numbers, reading)
            self.days[reading].add(parsed.to_numpy())
            if reading == "yyyymmdd":
                self.yyyymmdd_misfits += int(parsed.isna().sum())

    def reading(self, ctx: Context) -> str:
        """YYYYMMDD, Excel serial days or Unix seconds, whichever every value fits; noted."""
        example = self.first.text(ctx)
        if not self.yyyymmdd_misfits:
            ctx.notes.append(f"InvoiceDate holds numbers written as YYYYMMDD (e.g. {example}).")
            return "yyyymmdd"
        if self.low >= 20_000 and self.high <= 80_000:
            first = float(self.first.pairs[0][0])
            stamp = _numbers_as(pd.Series([first]), "excel").iloc[0]
            ctx.notes.append(f"InvoiceDate holds Excel serial day numbers (e.g. {example} is {stamp:%Y-%m-%d %H:%M}); "
                             f"converted to dates. Format the column as a date in Excel to avoid this.")
            return "excel"
        if self.low >= 9e8 and self.high <= 4.2e9:
            ctx.notes.append(f"InvoiceDate holds Unix timestamps in seconds (e.g. {example}); read as UTC.")
            return "unix"
        ctx.fail("InvoiceDate", "numbers that are not dates", self.count, self.values.text(ctx),
                 "write dates as YYYY-MM-DD HH:MM (ISO 8601); numbers are read only as YYYYMMDD, Excel serial days "
                 "or Unix seconds")
        raise AssertionError("unreachable")


@dataclass
class DateEvidence:
    """Everything about the InvoiceDate column that decides how it is read, gathered over the whole file."""

    date_order: str = "auto"
    fixed: DayCounts = field(default_factory=DayCounts)
    unparsed: Sample = field(default_factory=Sample)
    offsets: Sample = field(default_factory=lambda: Sample(limit=1))
    time_zone: str | None = None
    out_of_range: Sample = field(default_factory=Sample)
    numbers: _NumberDates = field(default_factory=_NumberDates)
    orders: OrderEvidence = field(default_factory=OrderEvidence)

    @property
    def y4_order(self) -> str:
        return "ydm" if self.date_order == "ydm" else "ymd"

    def observe(self, values: pd.Series) -> None:
        """Add one chunk of the date column (index: positions)."""
        if pd.api.types.is_datetime64_any_dtype(values):
            if isinstance(values.dtype, pd.DatetimeTZDtype):
                self.time_zone = self.time_zone or str(values.dt.tz)
                values = values.dt.tz_localize(None)
            far = _out_of_range(values)
            self.out_of_range.add(values[far].astype(str))
            self.fixed.add(_as_naive(values).to_numpy())
            return
        kinds, text = _kinds(values)
        stamps = kinds == "datetime"
        if stamps.any():
            parsed = pd.Series([one_datetime(v) for v in values[stamps]], index=values.index[stamps],
                               dtype="datetime64[ns]")
            self.unparsed.add(values[stamps][parsed.isna().to_numpy()].astype(str))
            self.fixed.add(parsed.to_numpy())
        numbers = kinds == "number"
        if numbers.any():
            self.numbers.observe(pd.to_numeric(text[numbers]).astype(float), values[numbers])
        words = kinds == "text"
        if words.any():
            self._observe_text(text[words])

    def _observe_text(self, text: pd.Series) -> None:
        codes, uniques, counts = unique_text(text)
        local, has = _without_offsets(uniques)
        self.offsets.add(uniques[has], counts[has])
        parsed, t3 = _parse_text(local, self.y4_order, None)
        fixed = ~t3
        self.fixed.add(parsed[fixed], counts[fixed])
        bad = fixed & np.isnat(parsed)
        self.unparsed.add(uniques[bad], counts[bad])
        if t3.any():
            index_of = np.full(len(uniques), -1)
            index_of[t3] = np.arange(int(t3.sum()))
            sequence = index_of[codes[codes >= 0]]
            self.orders.observe(local[t3], counts[t3], sequence[sequence >= 0])


@dataclass(frozen=True)
class DateReading:
    """How every chunk of InvoiceDate is converted, decided from a :class:`DateEvidence`."""

    y4_order: str = "ymd"
    t3_order: str | None = None
    number_reading: str | None = None
    days: DayCounts = field(default_factory=DayCounts)

    @classmethod
    def decide(cls, ev: DateEvidence, ctx: Context) -> DateReading:
        """Decide (notes in the order the loader always wrote them) or stop on dates that cannot be read."""
        if ev.out_of_range:
            ctx.fail("InvoiceDate", "dates outside the years 1678 to 2261", ev.out_of_range.count,
                     ev.out_of_range.text(ctx), "correct the listed dates")
        if ev.time_zone:
            ctx.notes.append(f"InvoiceDate has the time zone {ev.time_zone}; the local wall-clock time was kept.")
        days = ev.fixed
        number_reading = ev.numbers.reading(ctx) if ev.numbers.count else None
        if number_reading:
            days = days.merged(ev.numbers.days[number_reading])
        if ev.offsets:
            value, position = ev.offsets.pairs[0]
            ctx.notes.append(f"InvoiceDate carries a time zone on {plural(ev.offsets.count, 'line')} (e.g. "
                             f"{ctx.render([(value, position)])}); the offset was dropped and the local wall-clock "
                             f"time kept, so each purchase keeps the day and hour of the shop's clock.")
        t3_order = decide_order(ev.orders, ev.date_order, ctx) if ev.orders.lines else None
        unparsed = ev.unparsed
        if t3_order:
            days = days.merged(ev.orders.candidates[t3_order].days)
            unparsed = _combined(unparsed, ev.orders.candidates[t3_order].invalid)
        if unparsed:
            ctx.fail("InvoiceDate", "dates that do not parse", unparsed.count, unparsed.text(ctx),
                     "write dates as YYYY-MM-DD HH:MM (ISO 8601), or fix the listed values")
        return cls(ev.y4_order, t3_order, number_reading, days)

    def convert(self, values: pd.Series) -> pd.Series:
        """Datetimes (ns, no time zone) of one chunk; NaT for missing dates."""
        if pd.api.types.is_datetime64_any_dtype(values):
            if isinstance(values.dtype, pd.DatetimeTZDtype):
                values = values.dt.tz_localize(None)
            return _as_naive(values)
        kinds, text = _kinds(values)
        result = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
        stamps = kinds == "datetime"
        if stamps.any():
            result[stamps] = [one_datetime(v) for v in values[stamps]]
        numbers = kinds == "number"
        if numbers.any():
            as_float = pd.to_numeric(text[numbers]).astype(float)
            result[numbers] = _numbers_as(as_float, self.number_reading or "yyyymmdd").to_numpy()
        words = kinds == "text"
        if words.any():
            codes, uniques, _ = unique_text(text[words])
            local, _ = _without_offsets(uniques)
            parsed, _ = _parse_text(local.reset_index(drop=True), self.y4_order, self.t3_order)
            result[words] = parsed[codes]
        return result


def _combined(a: Sample, b: Sample) -> Sample:
    pairs = sorted(a.pairs + b.pairs, key=lambda p: p[1])
    seen, kept = set(), []
    for value, position in pairs:
        if str(value) not in seen:
            seen.add(str(value))
            kept.append((value, position))
    return Sample(a.count + b.count, kept[: a.limit])
