"""Customer features as of a cutoff date: recency, frequency, spend, tenure, rhythm, returns and trend.

:func:`customer_features` turns clean purchase lines (and, optionally, the cancellation lines of
identified customers) into one row per customer. It only ever reads lines dated on or before the
cutoff day, so the churn model can call it at several cutoffs without leaking the future.

Time conventions
----------------
* The cutoff is a calendar day and is inclusive: a line counts when ``InvoiceDate`` is before the end
  of that day (``cutoff day + 1 day``, exclusive). A time of day on the cutoff is ignored.
* "The last N days" are the N calendar days ending with the cutoff day, i.e. lines at or after
  ``end of cutoff day - N days``. ``window_days`` and the ``_90d`` features use this rule.
* Day counts (Recency, Tenure, PurchaseVelocity) are whole calendar days between purchase *days*
  (the time of day is dropped), so two orders on one day are one order day.

Every column, with its unit, is described once in :data:`FEATURE_DESCRIPTIONS`.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

__all__ = ["FEATURE_DESCRIPTIONS", "FEATURE_COLUMNS", "RECENT_DAYS", "REQUIRED_COLUMNS", "as_day",
           "customer_features"]

RECENT_DAYS = 90
"""Length in days of the recent-activity window behind the ``_90d`` features and the trend."""

REQUIRED_COLUMNS: tuple[str, ...] = ("InvoiceNo", "InvoiceDate", "CustomerID", "Revenue")
"""Columns ``transactions`` must have. ``StockCode`` and ``Country`` are optional."""

_RETURN_COLUMNS: tuple[str, ...] = ("InvoiceDate", "CustomerID", "Revenue")

FEATURE_DESCRIPTIONS: dict[str, str] = {
    "Recency": "Days from the customer's last purchase day to the cutoff day (0 = bought on the cutoff day).",
    "Frequency": "Number of distinct invoices (orders) up to the cutoff.",
    "Monetary": "Net spend in currency units: purchases minus returns up to the cutoff, floored at 0.",
    "Tenure": "Days from the customer's first purchase day to the cutoff day.",
    "PurchaseVelocity": (
        "Mean days between consecutive distinct order days, (last - first order day) / (order days - 1). "
        "For customers with a single order day it is max(Tenure, 1): the gap to their next order is at "
        "least that long (a lower bound, not a measured gap)."
    ),
    "AvgOrderValue": "Gross purchase value per invoice in currency units, before returns.",
    "ReturnRate": (
        "Returned value / gross purchased value in the same period, between 0 and 1 (0 when no returns; "
        "capped at 1 when the returns reverse purchases made before the period)."
    ),
    "UniqueProducts": "Number of distinct StockCodes bought; NaN when the data has no StockCode.",
    "PeakSeasonShare": "Share (0 to 1) of gross purchase value bought in the peak months.",
    "PeakSeason": "True when PeakSeasonShare is at least 0.5: a mainly seasonal buyer.",
    f"Frequency_{RECENT_DAYS}d": f"Distinct invoices in the last {RECENT_DAYS} days up to the cutoff day.",
    f"Monetary_{RECENT_DAYS}d": (
        f"Net spend in currency units in the last {RECENT_DAYS} days (purchases minus returns, floored at 0)."
    ),
    "OrdersPerMonthRecentVsOverall": (
        f"Order-rate trend: invoices per 30 days in the last {RECENT_DAYS} days divided by invoices per "
        f"30 days over the customer's whole history (Tenure + 1 days). The recent window is shortened to "
        f"the history for customers younger than {RECENT_DAYS} days, so they score 1. 0 = no order in the "
        f"last {RECENT_DAYS} days, below 1 = slowing down, 1 = steady, above 1 = speeding up."
    ),
    "Country": "Country of most of the customer's invoices (ties: alphabetical); missing if unknown.",
    "FirstPurchase": "Day (midnight timestamp) of the customer's first purchase.",
    "LastPurchase": "Day (midnight timestamp) of the customer's last purchase on or before the cutoff.",
}
"""Meaning and unit of every column returned by :func:`customer_features`."""

FEATURE_COLUMNS: tuple[str, ...] = tuple(FEATURE_DESCRIPTIONS)
"""The columns of :func:`customer_features`, in order."""


def _validate_lines(frame: pd.DataFrame, name: str, required: Iterable[str]) -> None:
    """Raise ValueError unless ``frame`` has the required columns with usable types and no gaps."""
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"{name} must be a pandas DataFrame, not {type(frame).__name__}.")
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise ValueError(f"{name} is missing required column(s) {missing}; it has {list(frame.columns)}.")
    if not pd.api.types.is_datetime64_any_dtype(frame["InvoiceDate"]):
        raise ValueError(
            f"{name}['InvoiceDate'] must have a datetime64 dtype, not {frame['InvoiceDate'].dtype}; "
            "convert it with pd.to_datetime first."
        )
    if not pd.api.types.is_numeric_dtype(frame["Revenue"]) or pd.api.types.is_bool_dtype(frame["Revenue"]):
        raise ValueError(f"{name}['Revenue'] must be numeric, not {frame['Revenue'].dtype}.")
    for column in ("InvoiceDate", "CustomerID", "Revenue"):
        n_missing = int(frame[column].isna().sum())
        if n_missing:
            raise ValueError(f"{name}['{column}'] has {n_missing} missing value(s); drop or fix those lines.")


def _validate_options(peak_months: Iterable[int], window_days: int | None) -> frozenset[int]:
    """Check ``peak_months`` (whole months 1-12) and ``window_days`` (positive whole days)."""
    months = list(peak_months)
    if not all(isinstance(m, int | np.integer) and not isinstance(m, bool) and 1 <= m <= 12 for m in months):
        raise ValueError(f"peak_months must be whole month numbers from 1 to 12, got {months}.")
    if window_days is not None and (
        isinstance(window_days, bool) or not isinstance(window_days, int | np.integer) or window_days < 1
    ):
        raise ValueError(f"window_days must be a positive whole number of days or None, got {window_days!r}.")
    return frozenset(int(m) for m in months)


def as_day(value: object, name: str) -> pd.Timestamp:
    """``value`` as a :class:`pandas.Timestamp`, or a ValueError naming ``name`` when it is not a date."""
    try:
        day = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} {value!r} is not a date: {exc}") from None
    if pd.isna(day):
        raise ValueError(f"{name} must be a date, not missing.")
    return day


def _cutoff_day(cutoff: object, dates: pd.Series) -> pd.Timestamp:
    """The cutoff as a midnight timestamp, in the time zone of ``dates`` when they have one."""
    day = as_day(cutoff, "cutoff")
    tz = getattr(dates.dtype, "tz", None)
    if tz is not None and day.tzinfo is None:
        day = day.tz_localize(tz)
    elif tz is None and day.tzinfo is not None:
        raise ValueError(f"cutoff {cutoff!r} has a time zone but InvoiceDate has none; pass a naive date.")
    return day.normalize()


def _in_period(frame: pd.DataFrame, start: pd.Timestamp | None, end: pd.Timestamp) -> pd.DataFrame:
    """Lines with ``start <= InvoiceDate < end`` (no lower bound when ``start`` is None)."""
    keep = frame["InvoiceDate"] < end
    if start is not None:
        keep &= frame["InvoiceDate"] >= start
    return frame.loc[keep]


def _order_stats(lines: pd.DataFrame, cutoff_day: pd.Timestamp) -> pd.DataFrame:
    """Frequency, first and last purchase day, Recency, Tenure and PurchaseVelocity per customer."""
    by_customer = lines.groupby("CustomerID", sort=True, observed=True)
    out = pd.DataFrame({
        "Frequency": by_customer["InvoiceNo"].nunique().astype(np.int64),
        "FirstPurchase": by_customer["Day"].min(),
        "LastPurchase": by_customer["Day"].max(),
    })
    order_days = lines[["CustomerID", "Day"]].drop_duplicates().groupby("CustomerID", observed=True).size()
    out["Recency"] = (cutoff_day - out["LastPurchase"]).dt.days.astype(np.int64)
    out["Tenure"] = (cutoff_day - out["FirstPurchase"]).dt.days.astype(np.int64)
    span = (out["LastPurchase"] - out["FirstPurchase"]).dt.days.astype(float)
    gaps = order_days.reindex(out.index).astype(float) - 1.0
    one_day = gaps == 0
    measured = span / gaps.where(~one_day, 1.0)
    out["PurchaseVelocity"] = measured.where(~one_day, out["Tenure"].clip(lower=1)).astype(float)
    return out


def _returned_value(returned: pd.DataFrame | None, index: pd.Index) -> pd.Series:
    """Positive returned value per customer of ``index`` (0 without returns)."""
    if returned is None or returned.empty:
        return pd.Series(0.0, index=index)
    value = (-returned["Revenue"]).groupby(returned["CustomerID"], observed=True).sum()
    return value.reindex(index, fill_value=0.0).astype(float)


def _spend_stats(lines: pd.DataFrame, returned: pd.DataFrame | None, frequency: pd.Series,
                 peak_months: frozenset[int]) -> pd.DataFrame:
    """Monetary, AvgOrderValue, ReturnRate, PeakSeasonShare and PeakSeason per customer."""
    gross = lines.groupby("CustomerID", sort=True, observed=True)["Revenue"].sum().reindex(frequency.index)
    in_peak = lines["Day"].dt.month.isin(list(peak_months))
    peak = lines["Revenue"].where(in_peak, 0.0).groupby(lines["CustomerID"], observed=True).sum()
    back = _returned_value(returned, frequency.index)
    safe_gross = gross.where(gross > 0)
    out = pd.DataFrame(index=frequency.index)
    out["Monetary"] = (gross - back).clip(lower=0.0)
    out["AvgOrderValue"] = gross / frequency
    out["ReturnRate"] = (back / safe_gross).fillna(0.0).clip(0.0, 1.0)
    out["PeakSeasonShare"] = (peak.reindex(frequency.index) / safe_gross).fillna(0.0)
    out["PeakSeason"] = out["PeakSeasonShare"] >= 0.5
    return out


def _recent_stats(lines: pd.DataFrame, returned: pd.DataFrame | None, end: pd.Timestamp,
                  orders: pd.DataFrame) -> pd.DataFrame:
    """Invoices and net spend in the last RECENT_DAYS days, and the order-rate trend, per customer."""
    start = end - pd.Timedelta(days=RECENT_DAYS)
    recent = _in_period(lines, start, end)
    by_customer = recent.groupby("CustomerID", observed=True)
    count = by_customer["InvoiceNo"].nunique().reindex(orders.index, fill_value=0).astype(np.int64)
    gross = by_customer["Revenue"].sum().reindex(orders.index, fill_value=0.0)
    back = _returned_value(None if returned is None else _in_period(returned, start, end), orders.index)
    history_days = orders["Tenure"] + 1
    recent_days = history_days.clip(upper=RECENT_DAYS)
    trend = (count / recent_days) / (orders["Frequency"] / history_days)
    return pd.DataFrame({
        f"Frequency_{RECENT_DAYS}d": count,
        f"Monetary_{RECENT_DAYS}d": (gross - back).clip(lower=0.0),
        "OrdersPerMonthRecentVsOverall": trend.astype(float),
    })


def _unique_products(lines: pd.DataFrame, index: pd.Index, has_codes: bool) -> pd.Series:
    """Distinct non-missing StockCodes per customer (float; all NaN when the data has no codes)."""
    if not has_codes:
        return pd.Series(np.nan, index=index, dtype=float)
    counts = lines.groupby("CustomerID", observed=True)["StockCode"].nunique(dropna=True)
    return counts.reindex(index, fill_value=0).astype(float)


def _main_country(lines: pd.DataFrame, index: pd.Index) -> pd.Series:
    """The country of most of each customer's invoices (ties: alphabetical); missing when unknown."""
    if "Country" not in lines.columns:
        return pd.Series(np.nan, index=index, dtype="str")
    known = lines.loc[lines["Country"].notna(), ["CustomerID", "Country", "InvoiceNo"]]
    known = known.assign(Country=known["Country"].astype("str"))
    counts = known.groupby(["CustomerID", "Country"], observed=True)["InvoiceNo"].nunique()
    counts = counts.rename("n").reset_index()
    counts = counts.sort_values(["CustomerID", "n", "Country"], ascending=[True, False, True], kind="stable")
    top = counts.drop_duplicates("CustomerID").set_index("CustomerID")["Country"]
    return top.reindex(index).astype("str")


def customer_features(transactions: pd.DataFrame, cutoff: object, *, returns: pd.DataFrame | None = None,
                      peak_months: Iterable[int] = (10, 11, 12),
                      window_days: int | None = None) -> pd.DataFrame:
    """One row of behavioural features per customer, using only lines up to the cutoff day.

    Parameters
    ----------
    transactions : pandas.DataFrame
        Clean purchase lines with at least InvoiceNo, InvoiceDate (datetime64), CustomerID (no missing
        values) and Revenue (= Quantity * UnitPrice, not negative). StockCode and Country are used when
        present.
    cutoff : date-like
        The analysis day (anything :class:`pandas.Timestamp` accepts). The whole day is included;
        nothing after it is read.
    returns : pandas.DataFrame, optional
        Cancellation lines of identified customers (same columns, Revenue <= 0). Returns dated in the
        period reduce Monetary and Monetary_90d and make up ReturnRate. Returns of customers without a
        purchase in the period are ignored.
    peak_months : iterable of int, default (10, 11, 12)
        Calendar months (1-12) counted as the peak season.
    window_days : int, optional
        When given, only lines in the last ``window_days`` days up to the cutoff day are used (for all
        features, including Tenure and FirstPurchase).

    Returns
    -------
    pandas.DataFrame
        Indexed by CustomerID (sorted), columns :data:`FEATURE_COLUMNS`, described in
        :data:`FEATURE_DESCRIPTIONS`. Integer columns: Recency, Frequency, Tenure, Frequency_90d.

    Raises
    ------
    ValueError
        If a required column is missing, InvoiceDate is not datetime, a key column has missing values,
        transactions hold negative or returns positive Revenue, an option is invalid, or no customer
        has a purchase in the period (the message names the cutoff and the data's first date).
    """
    _validate_lines(transactions, "transactions", REQUIRED_COLUMNS)
    if returns is not None:
        _validate_lines(returns, "returns", _RETURN_COLUMNS)
        if (returns["Revenue"] > 0).any():
            raise ValueError("returns must hold cancellation lines with Revenue <= 0; some are positive.")
    if (transactions["Revenue"] < 0).any():
        raise ValueError("transactions hold lines with negative Revenue; pass cancellations as returns=.")
    months = _validate_options(peak_months, window_days)
    cutoff_day = _cutoff_day(cutoff, transactions["InvoiceDate"])
    end = cutoff_day + pd.Timedelta(days=1)
    start = None if window_days is None else end - pd.Timedelta(days=int(window_days))

    columns = [c for c in (*REQUIRED_COLUMNS, "StockCode", "Country") if c in transactions.columns]
    lines = _in_period(transactions[columns], start, end)
    if lines.empty:
        first = transactions["InvoiceDate"].min()
        first_text = "the data is empty" if pd.isna(first) else f"the data starts on {first.date()}"
        period = "" if start is None else f" within the {window_days}-day window starting {start.date()}"
        raise ValueError(f"No customer has a transaction on or before the cutoff {cutoff_day.date()}"
                         f"{period}; {first_text}.")
    lines = lines.assign(Day=lines["InvoiceDate"].dt.normalize())
    returned = None if returns is None else _in_period(returns[list(_RETURN_COLUMNS)], start, end)
    has_codes = "StockCode" in transactions.columns and bool(transactions["StockCode"].notna().any())

    orders = _order_stats(lines, cutoff_day)
    spend = _spend_stats(lines, returned, orders["Frequency"], months)
    recent = _recent_stats(lines, returned, end, orders)
    features = pd.concat([orders, spend, recent], axis=1)
    features["UniqueProducts"] = _unique_products(lines, orders.index, has_codes)
    features["Country"] = _main_country(lines, orders.index)
    features.index.name = "CustomerID"
    return features[list(FEATURE_COLUMNS)]
