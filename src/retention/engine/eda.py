"""The aggregates of the EDA report, computed in the engine; only the aggregates reach pandas.

Each ``*_expr`` function is the engine side (an Ibis expression over the work tables) and each
``*_table`` function the pandas side that turns the small aggregate into the report's table.
:mod:`retention.eda` computes the same aggregates from a pandas frame and calls the same ``*_table``
functions, so a derived column (a share, a ratio, the "all other countries" row) is defined once.

Order-free definitions, so every engine gives the same answer: an order's customer is the smallest
CustomerID on the invoice and a product's description the most common one on its lines (ties: the
alphabetically first).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from retention.engine.sql import exact_sum, ibis_module

if TYPE_CHECKING:  # pragma: no cover
    import ibis

__all__ = [
    "WEEKDAYS", "cohort_counts_expr", "cohort_table", "count_distinct", "countries_table", "country_expr",
    "headline_table", "histogram_counts_expr", "histogram_table", "integer_log_edges", "log_bin_edges", "month_start",
    "monthly_expr", "monthly_table", "orders_expr", "product_descriptions_expr", "products_table", "top_products_expr",
    "weekday_hour_expr", "weekday_hour_table",
]

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def month_start(index: pd.Series | np.ndarray) -> pd.Series:
    """Month indexes (``12 * year + month - 1``) -> the first day of the month (datetime64[us])."""
    idx = np.asarray(index, dtype=np.int64)
    return pd.Series((idx - 1970 * 12).astype("datetime64[M]").astype("datetime64[us]"))


# ---------------------------------------------------------------------------------------------------------
# Engine side: expressions over the work tables
# ---------------------------------------------------------------------------------------------------------


def orders_expr(invoices: ibis.Table) -> ibis.Table:
    """One row per invoice: customer (smallest id), first time, lines, items, value (:func:`retention.eda.orders`)."""
    return invoices.group_by("InvoiceNo").aggregate(
        CustomerID=invoices.CustomerID.min(), InvoiceDate=invoices.first_time.min(),
        lines=invoices.lines.sum(), items=exact_sum(invoices.items), value=exact_sum(invoices.value),
    )


def count_distinct(table: ibis.Table, keys: list[str], column: str, name: str) -> ibis.Table:
    """Distinct ``column`` values per ``keys``, as a GROUP BY and a count (DuckDB can spill it to disk,
    which it cannot do with ``count(DISTINCT ...)``)."""
    distinct = table.filter(table[column].notnull()).select(*keys, column).distinct()
    return distinct.group_by(keys).aggregate(**{name: distinct.count()})


def _joined(left: ibis.Table, right: ibis.Table, key: str) -> ibis.Table:
    right = right.rename(**{f"{key}_r": key})
    return left.join(right, left[key] == right[f"{key}_r"]).drop(f"{key}_r")


def monthly_expr(days: ibis.Table, invoices: ibis.Table) -> ibis.Table:
    """Per month index: revenue, orders, active customers and customers buying for the first time."""
    per = days.group_by("month").aggregate(revenue=exact_sum(days.value))
    per = _joined(per, count_distinct(days, ["month"], "CustomerID", "active_customers"), "month")
    per = _joined(per, count_distinct(invoices, ["month"], "InvoiceNo", "orders"), "month")
    first = days.group_by("CustomerID").aggregate(first=days.month.min())
    new = first.group_by("first").aggregate(new_customers=first.count())
    joined = per.left_join(new, per.month == new.first)
    return joined.select("month", "revenue", "orders", "active_customers",
                         new_customers=joined.new_customers.fill_null(0)).order_by("month")


def weekday_hour_expr(orders: ibis.Table) -> ibis.Table:
    """Orders per weekday (0 = Monday) and hour of their first line."""
    keyed = orders.select(weekday=orders.InvoiceDate.day_of_week.index(), hour=orders.InvoiceDate.hour())
    return keyed.group_by(["weekday", "hour"]).aggregate(orders=keyed.count())


def country_expr(invoices: ibis.Table) -> ibis.Table:
    """Per known country: revenue, customers and orders."""
    known = invoices.filter(invoices.Country.notnull())
    by = known.group_by("Country").aggregate(revenue=exact_sum(known.value))
    by = _joined(by, count_distinct(known, ["Country"], "CustomerID", "customers"), "Country")
    return _joined(by, count_distinct(known, ["Country"], "InvoiceNo", "orders"), "Country")


def top_products_expr(lines: ibis.Table, n: int) -> ibis.Table:
    """The ``n`` products with the most revenue (ties: by code): revenue, units, customers."""
    coded = lines.filter(lines.StockCode.notnull())
    by = coded.group_by("StockCode").aggregate(revenue=exact_sum(coded.Revenue), units=exact_sum(coded.Quantity))
    top = by.order_by([ibis_module().desc("revenue"), "StockCode"]).limit(int(n))
    buyers = count_distinct(coded.filter(coded.StockCode.isin(top.StockCode)), ["StockCode"], "CustomerID",
                            "customers")
    return _joined(top, buyers, "StockCode").order_by([ibis_module().desc("revenue"), "StockCode"])


def product_descriptions_expr(lines: ibis.Table, codes: list[str]) -> ibis.Table:
    """The most common description of each product in ``codes`` (ties: alphabetical)."""
    ibis = ibis_module()
    named = lines.filter(lines.StockCode.isin(codes) & lines.Description.notnull())
    counts = named.group_by(["StockCode", "Description"]).aggregate(n=named.count())
    ranked = counts.mutate(rank=ibis.row_number().over(group_by="StockCode",
                                                       order_by=[ibis.desc("n"), "Description"]))
    return ranked.filter(ranked["rank"] == 0).select("StockCode", "Description")


def cohort_counts_expr(days: ibis.Table) -> ibis.Table:
    """Active customers per acquisition month (cohort) and months since it (age)."""
    active = days.select("CustomerID", "month").distinct()
    first = active.group_by("CustomerID").aggregate(cohort=active.month.min()).rename(CustomerID_f="CustomerID")
    joined = active.join(first, active.CustomerID == first.CustomerID_f)
    keyed = joined.select("cohort", age=joined.month - joined.cohort, CustomerID=joined.CustomerID)
    return keyed.group_by(["cohort", "age"]).aggregate(customers=keyed.count())


def histogram_counts_expr(orders: ibis.Table, column: str, edges: ibis.Table, low: float, n_bins: int) -> ibis.Table:
    """Orders per bin of ``edges`` (``bin``, ``lo``, ``hi``) by ``column`` clipped at ``low``, as ``np.histogram``:
    bins are closed on the left, the last one on both sides."""
    ibis = ibis_module()
    value = ibis.greatest(orders[column].cast("float64"), float(low))
    inside = (value >= edges.lo) & ((value < edges.hi) | ((edges.bin == n_bins - 1) & (value <= edges.hi)))
    joined = orders.select(v=value).join(edges, inside)
    return joined.group_by("bin").aggregate(orders=joined.count())


# ---------------------------------------------------------------------------------------------------------
# pandas side: the report tables, from the aggregates
# ---------------------------------------------------------------------------------------------------------


def monthly_table(per_month: pd.DataFrame) -> pd.DataFrame:
    """:func:`retention.eda.monthly_activity` from ``month`` (timestamp), revenue, orders, active and new customers."""
    out = per_month.sort_values("month").reset_index(drop=True)
    out = pd.DataFrame({
        "month": pd.to_datetime(out["month"]).astype("datetime64[us]"),
        "revenue": out["revenue"].astype(float),
        "orders": out["orders"].astype(np.int64),
        "active_customers": out["active_customers"].astype(np.int64),
        "new_customers": out["new_customers"].astype(np.int64),
    })
    out["returning_customers"] = out["active_customers"] - out["new_customers"]
    out["revenue_per_order"] = out["revenue"] / out["orders"]
    return out


def weekday_hour_table(counts: pd.DataFrame) -> pd.DataFrame:
    """:func:`retention.eda.weekday_hour_orders` from ``weekday`` (0 = Monday), ``hour`` and ``orders``."""
    grid = np.zeros((7, 24), dtype=np.int64)
    for weekday, hour, n in counts[["weekday", "hour", "orders"]].itertuples(index=False):
        grid[int(weekday), int(hour)] += int(n)
    return pd.DataFrame(grid, index=list(WEEKDAYS), columns=pd.Index(range(24), name="hour"))


def countries_table(by_country: pd.DataFrame, n: int) -> pd.DataFrame:
    """:func:`retention.eda.top_countries`: the ``n`` countries with the most revenue, the rest summed."""
    by = by_country.rename(columns={"Country": "country"}).astype({"country": "str"}).set_index("country")
    by = by[["revenue", "customers", "orders"]]
    by = by.astype({"revenue": float, "customers": np.int64, "orders": np.int64})
    by = by.sort_index().sort_values(["revenue"], ascending=False, kind="stable")
    top = by.head(n)
    rest = by.iloc[n:]
    if len(rest):
        top = pd.concat([top, pd.DataFrame(rest.sum()).T.rename(index={0: "All other countries"})])
    top = top.assign(revenue_share=top["revenue"] / by["revenue"].sum())
    return top.rename_axis("country").reset_index()


def products_table(top: pd.DataFrame, total_revenue: float) -> pd.DataFrame:
    """:func:`retention.eda.top_products` from the top products (stock_code, description, revenue, units,
    customers; sorted) and the revenue of every kept line."""
    out = top[["stock_code", "description", "revenue", "units", "customers"]].reset_index(drop=True)
    out = out.astype({"revenue": float, "customers": np.int64})
    return out.assign(revenue_share=out["revenue"] / total_revenue)


def cohort_table(counts: pd.DataFrame) -> pd.DataFrame:
    """:func:`retention.eda.cohort_retention` from ``cohort`` and ``age`` (month indexes) and ``customers``."""
    matrix = counts.pivot_table(index="cohort", columns="age", values="customers", aggfunc="sum", fill_value=0)
    matrix = matrix.reindex(columns=range(int(counts["age"].max()) + 1), fill_value=0).sort_index()
    size = matrix[0].astype(np.int64)
    shares = matrix.div(size, axis=0).astype(float)
    last = int((counts["cohort"] + counts["age"]).max())
    ages = np.asarray(shares.columns, dtype=np.int64)
    for cohort in shares.index:  # months after the end of the data are unknown, not zero
        shares.loc[cohort, ages[int(cohort) + ages > last]] = np.nan
    shares.columns = pd.Index([int(a) for a in ages], name="age")
    shares.index = pd.DatetimeIndex(month_start(shares.index.to_numpy()), name="cohort")
    shares.insert(0, "customers", size.to_numpy())
    return shares


def headline_table(numbers: Mapping[str, Any], monthly: pd.DataFrame) -> dict[str, Any]:
    """:func:`retention.eda.headline` from the order and customer numbers and :func:`monthly_table`."""
    peak = monthly.loc[monthly["revenue"].idxmax()]
    return {
        "revenue": float(numbers["revenue"]),
        "orders": int(numbers["orders"]),
        "customers": int(numbers["customers"]),
        "first_date": pd.Timestamp(numbers["first_date"]),
        "last_date": pd.Timestamp(numbers["last_date"]),
        "median_order_value": float(numbers["median_order_value"]),
        "mean_order_value": float(numbers["mean_order_value"]),
        "median_lines_per_order": float(numbers["median_lines_per_order"]),
        "one_time_share": float(numbers["one_time_share"]),
        "orders_with_time": int(numbers.get("orders_with_time") or 0),
        "peak_month": peak["month"],
        "peak_month_revenue": float(peak["revenue"]),
        "peak_month_share": float(peak["revenue"] / monthly["revenue"].sum()),
    }


def log_bin_edges(low: float, high: float, n_bins: int) -> np.ndarray:
    """``n_bins + 1`` log-spaced edges from ``low`` to ``high`` (exact ends, as the report's log histograms)."""
    edges = np.logspace(np.log10(low), np.log10(high), int(n_bins) + 1)
    edges[0], edges[-1] = low, high
    return edges


def integer_log_edges(low: int, high: int, n_bins: int) -> np.ndarray:
    """Edges of about ``n_bins`` bins of whole numbers from ``low`` to ``high``: bin ``i`` holds ``edges[i] <=
    value < edges[i + 1]``, each at least one number wide and growing geometrically (1, 2, 3, ..., 12, 14, 16,
    ...), so no bin on a log axis is empty only because no whole number falls in it."""
    low, stop = max(int(low), 1), max(int(high), int(low), 1) + 1
    ratio = (stop / low) ** (1.0 / max(int(n_bins), 1))
    edges = [low]
    while edges[-1] < stop:
        edges.append(min(stop, max(edges[-1] + 1, int(np.floor(edges[-1] * ratio)))))
    return np.asarray(edges, dtype=float)


def histogram_table(edges: np.ndarray, counts: pd.DataFrame) -> pd.DataFrame:
    """``left``, ``right`` and ``orders`` per bin, from ``bin`` and ``orders`` counts (missing bins: 0)."""
    n = np.zeros(len(edges) - 1, dtype=np.int64)
    for b, k in counts[["bin", "orders"]].itertuples(index=False):
        n[int(b)] = int(k)
    return pd.DataFrame({"left": edges[:-1], "right": edges[1:], "orders": n})
