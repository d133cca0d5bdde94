"""Customer features at one or many cutoffs in one query: :meth:`retention.engine.Session.customer_features`.

Every grain table (:mod:`retention.engine.grains`) is joined to the table of cutoff day numbers on
"the row's day lies in the cutoff's period" and aggregated per cutoff and customer, so K cutoffs cost
one query over K copies of small tables, not K passes over the lines. Periods follow
:mod:`retention.features`: a cutoff day ``c`` includes the whole day; "the last N days" are the days
``c - N + 1 .. c``; ``window_days`` W keeps the days ``c - W + 1 .. c`` for every feature.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from retention.engine.sql import exact_sum, ibis_module, safe_div
from retention.features import FEATURE_COLUMNS, RECENT_DAYS

if TYPE_CHECKING:  # pragma: no cover
    import ibis

__all__ = ["customer_features_at", "days_to_timestamps", "finish_features", "in_period"]

_INTEGER_FEATURES = ("Recency", "Frequency", "Tenure", f"Frequency_{RECENT_DAYS}d")


def in_period(table: ibis.Table, cutoffs: ibis.Table, window_days: int | None, column: str = "day") -> ibis.Table:
    """``table`` joined to every cutoff whose period holds the row's ``column`` day (adds ``cutoff``)."""
    day = table[column]
    condition = day <= cutoffs.cutoff
    if window_days is not None:
        condition &= day >= cutoffs.cutoff + (1 - int(window_days))
    return table.join(cutoffs, condition)


def _per_day(days: ibis.Table, cutoffs: ibis.Table, window_days: int | None,
             peak_months: Sequence[int]) -> ibis.Table:
    t = in_period(days, cutoffs, window_days)
    recent = t.day > t.cutoff - RECENT_DAYS
    month_of_year = t.month % 12 + 1
    return t.group_by(["cutoff", "CustomerID"]).aggregate(
        first_day=t.day.min(), last_day=t.day.max(), order_days=t.count(), gross=exact_sum(t.value),
        peak=exact_sum(t.value, where=month_of_year.isin([int(m) for m in peak_months])),
        recent_gross=exact_sum(t.value, where=recent),
    )


def _per_invoice(invoices: ibis.Table, cutoffs: ibis.Table, window_days: int | None) -> tuple[ibis.Table, ...]:
    """Invoice counts (all and recent) and the main country per cutoff and customer.

    Distinct counts are written as a GROUP BY on the counted column followed by a count, which DuckDB
    can spill to disk (a ``count(DISTINCT ...)`` per customer cannot, and runs out of memory at 100M lines).
    """
    ibis = ibis_module()
    t = in_period(invoices, cutoffs, window_days)
    recent = (t.day > t.cutoff - RECENT_DAYS).cast("int64")
    orders = t.group_by(["cutoff", "CustomerID", "InvoiceNo"]).aggregate(recent=recent.max())
    counts = orders.group_by(["cutoff", "CustomerID"]).aggregate(Frequency=orders.count(),
                                                                 recent_orders=orders.recent.sum())
    known = t.filter(t.Country.notnull()).select("cutoff", "CustomerID", "Country", "InvoiceNo").distinct()
    by_country = known.group_by(["cutoff", "CustomerID", "Country"]).aggregate(invoices=known.count())
    ranked = by_country.mutate(rank=ibis.row_number().over(group_by=["cutoff", "CustomerID"],
                                                           order_by=[ibis.desc("invoices"), "Country"]))
    top = ranked.filter(ranked["rank"] == 0).select("cutoff", "CustomerID", "Country")
    return counts, top


def _products(source: ibis.Table, cutoffs: ibis.Table, window_days: int | None) -> ibis.Table:
    """Distinct products per cutoff and customer: from the lines, or from first-purchase days (no window)."""
    if window_days is not None and "StockCode" not in source.columns:
        raise ValueError("with window_days, UniqueProducts needs the kept lines, not the first-purchase days.")
    t = in_period(source, cutoffs, window_days)
    if "StockCode" in source.columns:
        bought = t.filter(t.StockCode.notnull()).select("cutoff", "CustomerID", "StockCode").distinct()
        return bought.group_by(["cutoff", "CustomerID"]).aggregate(products=bought.count())
    return t.group_by(["cutoff", "CustomerID"]).aggregate(products=t.products.sum())


def _returned(back: ibis.Table, cutoffs: ibis.Table, window_days: int | None) -> ibis.Table:
    t = in_period(back, cutoffs, window_days)
    return t.group_by(["cutoff", "CustomerID"]).aggregate(
        back=exact_sum(t.value), recent_back=exact_sum(t.value, where=t.day > t.cutoff - RECENT_DAYS),
    )


def _keyed(table: ibis.Table, suffix: str) -> ibis.Table:
    return table.rename(**{f"cutoff_{suffix}": "cutoff", f"CustomerID_{suffix}": "CustomerID"})


def _join(left: ibis.Table, right: ibis.Table, suffix: str, how: str) -> ibis.Table:
    right = _keyed(right, suffix)
    keys = [left.cutoff == right[f"cutoff_{suffix}"], left.CustomerID == right[f"CustomerID_{suffix}"]]
    return left.join(right, keys, how=how)


def customer_features_at(days: ibis.Table, invoices: ibis.Table, products: ibis.Table, back: ibis.Table,
                         cutoffs: ibis.Table, *, peak_months: Sequence[int], window_days: int | None,
                         has_codes: bool) -> ibis.Table:
    """``cutoff``, ``CustomerID`` and :data:`~retention.features.FEATURE_COLUMNS` per cutoff and customer.

    ``products`` is the kept lines, or (without a window, and faster) the
    :func:`~retention.engine.grains.new_products` table. FirstPurchase and LastPurchase come out as day
    numbers (:func:`finish_features` makes them timestamps).
    """
    ibis = ibis_module()
    per_day = _per_day(days, cutoffs, window_days, peak_months)
    counts, country = _per_invoice(invoices, cutoffs, window_days)
    joined = _join(per_day, counts, "i", "inner")
    joined = _join(joined, _products(products, cutoffs, window_days), "p", "left")
    joined = _join(joined, _returned(back, cutoffs, window_days), "b", "left")
    joined = _join(joined, country, "c", "left")

    gross, cutoff = joined.gross, joined.cutoff
    back_total = joined.back.fill_null(0.0)
    share = ibis.ifelse(gross > 0, joined.peak.fill_null(0.0) / gross, 0.0)
    rate = ibis.ifelse(gross > 0, back_total / gross, 0.0)
    tenure = (cutoff - joined.first_day).cast("int64")
    gaps = joined.order_days - 1
    span = (joined.last_day - joined.first_day).cast("float64")
    velocity = ibis.ifelse(gaps == 0, ibis.greatest(tenure, 1).cast("float64"), safe_div(span, gaps))
    history = tenure + 1
    trend = safe_div(safe_div(joined.recent_orders, ibis.least(history, RECENT_DAYS)),
                     safe_div(joined.Frequency, history))
    products = joined.products.fill_null(0).cast("float64") if has_codes else ibis.null("float64")
    columns = {
        "cutoff": cutoff,
        "CustomerID": joined.CustomerID,
        "Recency": (cutoff - joined.last_day).cast("int64"),
        "Frequency": joined.Frequency.cast("int64"),
        "Monetary": ibis.greatest(gross - back_total, 0.0),
        "Tenure": tenure,
        "PurchaseVelocity": velocity,
        "AvgOrderValue": safe_div(gross, joined.Frequency),
        "ReturnRate": ibis.least(ibis.greatest(rate, 0.0), 1.0),
        "UniqueProducts": products,
        "PeakSeasonShare": share,
        "PeakSeason": share >= 0.5,
        f"Frequency_{RECENT_DAYS}d": joined.recent_orders.cast("int64"),
        f"Monetary_{RECENT_DAYS}d": ibis.greatest(joined.recent_gross.fill_null(0.0)
                                                  - joined.recent_back.fill_null(0.0), 0.0),
        "OrdersPerMonthRecentVsOverall": trend,
        "Country": joined.Country,
        "FirstPurchase": joined.first_day.cast("int64"),
        "LastPurchase": joined.last_day.cast("int64"),
    }
    return joined.select(**columns)


def days_to_timestamps(days: pd.Series) -> pd.Series:
    """Day numbers -> midnight timestamps (datetime64[ns])."""
    values = days.to_numpy(dtype=np.int64).astype("datetime64[D]").astype("datetime64[ns]")
    return pd.Series(values, index=days.index)


def finish_features(frame: pd.DataFrame) -> pd.DataFrame:
    """Engine rows -> the dtypes of :meth:`retention.engine.Session.customer_features` (``cutoff`` kept as a column)."""
    out = frame.copy()
    out["CustomerID"] = out["CustomerID"].astype("string")
    for column in _INTEGER_FEATURES:
        out[column] = out[column].astype(np.int64)
    for column in ("Monetary", "PurchaseVelocity", "AvgOrderValue", "ReturnRate", "UniqueProducts",
                   "PeakSeasonShare", f"Monetary_{RECENT_DAYS}d", "OrdersPerMonthRecentVsOverall"):
        out[column] = pd.to_numeric(out[column], errors="coerce").astype(float)
    out["PeakSeason"] = out["PeakSeason"].astype(bool)
    out["Country"] = out["Country"].astype("str")
    out["FirstPurchase"] = days_to_timestamps(out["FirstPurchase"])
    out["LastPurchase"] = days_to_timestamps(out["LastPurchase"])
    out["cutoff"] = days_to_timestamps(out["cutoff"])
    out = out.sort_values(["cutoff", "CustomerID"], kind="stable").reset_index(drop=True)
    return out[["cutoff", "CustomerID", *FEATURE_COLUMNS]]
