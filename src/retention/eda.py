"""Exploratory aggregates of clean purchase lines, in pandas: the reference for the engine's EDA aggregates.

Every function takes the clean transactions of :func:`retention.cleaning.clean_transactions` (one row
per purchase line with ``Revenue``), computes a small aggregate in pandas and hands it to the same
``*_table`` function of :mod:`retention.engine.eda` that the engine's aggregates use
(:class:`retention.engine.aggregates.EdaAggregates`), so every derived column is defined once.
Order-free definitions: an order's customer is the smallest CustomerID on the invoice, a product's
description the most common one on its lines (ties: alphabetical).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from retention.engine.eda import (
    WEEKDAYS,
    cohort_table,
    countries_table,
    headline_table,
    histogram_table,
    log_bin_edges,
    month_start,
    monthly_table,
    products_table,
    weekday_hour_table,
)

__all__ = [
    "WEEKDAYS",
    "orders",
    "monthly_activity",
    "weekday_hour_orders",
    "top_countries",
    "top_products",
    "cohort_retention",
    "headline",
    "log_histogram_counts",
]


def _month_index(dates: pd.Series) -> pd.Series:
    return dates.dt.year * 12 + dates.dt.month - 1


def orders(transactions: pd.DataFrame) -> pd.DataFrame:
    """One row per invoice: customer (smallest id), first time, number of lines, items and order value."""
    grouped = transactions.groupby("InvoiceNo", sort=True)
    out = grouped.agg(CustomerID=("CustomerID", "min"), InvoiceDate=("InvoiceDate", "min"),
                      lines=("Revenue", "size"), items=("Quantity", "sum"), value=("Revenue", "sum"))
    return out.reset_index()


def monthly_activity(transactions: pd.DataFrame) -> pd.DataFrame:
    """Per calendar month: revenue, orders, active customers, and new vs returning customers.

    A customer is *new* in the month of their first purchase in the data, *returning* afterwards.
    """
    tx = transactions.assign(month=_month_index(transactions["InvoiceDate"]))
    per = tx.groupby("month").agg(revenue=("Revenue", "sum"), orders=("InvoiceNo", "nunique"),
                                  active_customers=("CustomerID", "nunique"))
    first = tx.groupby("CustomerID")["month"].min()
    per["new_customers"] = first.value_counts().reindex(per.index, fill_value=0)
    per = per.reset_index()
    return monthly_table(per.assign(month=month_start(per["month"])))


def weekday_hour_orders(transactions: pd.DataFrame) -> pd.DataFrame:
    """Number of orders by weekday (rows, Monday first) and hour of day (columns, 0-23) of their first line."""
    first = orders(transactions)["InvoiceDate"]
    counts = pd.DataFrame({"weekday": first.dt.day_of_week, "hour": first.dt.hour})
    counts = counts.groupby(["weekday", "hour"]).size().rename("orders").reset_index()
    return weekday_hour_table(counts)


def top_countries(transactions: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """Countries by revenue with customers and orders; the rest summed as 'All other countries'."""
    by = transactions.groupby("Country").agg(revenue=("Revenue", "sum"), customers=("CustomerID", "nunique"),
                                             orders=("InvoiceNo", "nunique"))
    return countries_table(by.reset_index(), n)


def top_products(transactions: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """Products by revenue (ties: by code) with units sold, the customers who bought them and their
    most common description."""
    by = transactions.groupby("StockCode").agg(revenue=("Revenue", "sum"), units=("Quantity", "sum"),
                                               customers=("CustomerID", "nunique"))
    top = by.sort_values(["revenue"], ascending=False, kind="stable").head(n)
    named = transactions[transactions["StockCode"].isin(top.index) & transactions["Description"].notna()]
    counts = named.groupby(["StockCode", "Description"]).size().rename("n").reset_index()
    counts = counts.sort_values(["StockCode", "n", "Description"], ascending=[True, False, True], kind="stable")
    described = counts.drop_duplicates("StockCode").set_index("StockCode")["Description"]
    top = top.assign(description=described.reindex(top.index).astype("str"))
    top = top.rename_axis("stock_code").reset_index()
    top["stock_code"] = top["stock_code"].astype("str")
    return products_table(top, float(transactions["Revenue"].sum()))


def cohort_retention(transactions: pd.DataFrame) -> pd.DataFrame:
    """Share of each monthly acquisition cohort active N months after its first month.

    Rows: cohort (month of first purchase); columns: months since acquisition (0 = the first month,
    always 1.0); values: active customers / cohort size; NaN after the end of the data. A column
    ``customers`` holds the cohort size.
    """
    tx = pd.DataFrame({"CustomerID": transactions["CustomerID"],
                       "month": _month_index(transactions["InvoiceDate"])}).drop_duplicates()
    tx["cohort"] = tx.groupby("CustomerID")["month"].transform("min")
    tx["age"] = tx["month"] - tx["cohort"]
    counts = tx.groupby(["cohort", "age"]).size().rename("customers").reset_index()
    return cohort_table(counts)


def headline(transactions: pd.DataFrame) -> dict[str, object]:
    """The numbers the EDA summary paragraph is written from."""
    o = orders(transactions)
    per_customer = o.groupby("CustomerID").size()
    numbers = {
        "revenue": transactions["Revenue"].sum(),
        "orders": len(o),
        "customers": transactions["CustomerID"].nunique(),
        "first_date": transactions["InvoiceDate"].min(),
        "last_date": transactions["InvoiceDate"].max(),
        "median_order_value": o["value"].median(),
        "mean_order_value": o["value"].mean(),
        "median_lines_per_order": o["lines"].median(),
        "one_time_share": (per_customer == 1).mean(),
    }
    return headline_table(numbers, monthly_activity(transactions))


def log_histogram_counts(values: pd.Series | np.ndarray, n_bins: int) -> pd.DataFrame:
    """Counts on ``n_bins`` log-spaced bins from the smallest to the largest positive value (values at or
    below zero in the first bin): ``left``, ``right``, ``orders``, as the report's log histograms."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    positive = v[v > 0]
    low, high = (float(positive.min()), float(positive.max())) if positive.size else (1.0, 10.0)
    edges = log_bin_edges(low, high, n_bins)
    counts, _ = np.histogram(np.clip(v, low, None), bins=edges)
    return histogram_table(edges, pd.DataFrame({"bin": np.arange(n_bins), "orders": counts}))
