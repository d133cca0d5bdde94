"""The bench's pandas peer: the customer features and the BG/NBD summary computed in pandas.

``bench/run.py`` measures "pandas same work" as a *peer* of the engine, for a speed ratio. The product has no
pandas path any more (every per-line computation is the engine's, :mod:`retention.engine`); this module keeps
the minimal pandas code that benchmark needs, here in bench/ and nowhere else. It is the last pandas version of
``retention.features.customer_features`` and of ``retention.clv.rfm_summary`` on lines before they were deleted
(``rfm_summary`` now reads the engine's purchase days); the bench
checks its customer table against the engine's, so a drift shows up in the bench results.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from retention.clv import PurchaseDays
from retention.features import FEATURE_COLUMNS, RECENT_DAYS, as_day

__all__ = ["customer_features", "rfm_summary"]

REQUIRED_COLUMNS: tuple[str, ...] = ("InvoiceNo", "InvoiceDate", "CustomerID", "Revenue")
_RETURN_COLUMNS: tuple[str, ...] = ("InvoiceDate", "CustomerID", "Revenue")


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


def rfm_summary(transactions: pd.DataFrame, cutoff: object, unit: str = "D") -> pd.DataFrame:
    """frequency, recency, T, monetary_value per customer up to the cutoff day (purchase days of the lines)."""
    known = transactions[transactions["CustomerID"].notna()]
    days = known["InvoiceDate"].to_numpy().astype("datetime64[D]").astype(np.int64)
    codes, uniques = pd.factorize(known["CustomerID"], sort=True)
    log = PurchaseDays._from_arrays(pd.Index(uniques, name="CustomerID"), codes, days,
                                    known["Revenue"].to_numpy(dtype=np.float64))
    return log.summary(log.day_of(cutoff, "cutoff"), None, unit)
