"""Exploratory aggregates of clean purchase lines: activity over time, shopping hours, baskets, cohorts.

Every function takes the clean transactions of :func:`retention.cleaning.clean_transactions`
(one row per purchase line with ``Revenue``) and returns a tidy DataFrame for a chart or table.
"""

from __future__ import annotations

import pandas as pd

__all__ = [
    "WEEKDAYS",
    "orders",
    "monthly_activity",
    "weekday_hour_orders",
    "top_countries",
    "top_products",
    "cohort_retention",
    "headline",
]

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def orders(transactions: pd.DataFrame) -> pd.DataFrame:
    """One row per invoice: customer, time, number of lines, items and order value."""
    grouped = transactions.groupby("InvoiceNo", sort=True)
    out = grouped.agg(CustomerID=("CustomerID", "first"), InvoiceDate=("InvoiceDate", "min"),
                      lines=("Revenue", "size"), items=("Quantity", "sum"), value=("Revenue", "sum"))
    return out.reset_index()


def monthly_activity(transactions: pd.DataFrame) -> pd.DataFrame:
    """Per calendar month: revenue, orders, active customers, and new vs returning customers.

    A customer is *new* in the month of their first purchase in the data, *returning* afterwards.
    """
    tx = transactions.assign(month=transactions["InvoiceDate"].dt.to_period("M"))
    first = tx.groupby("CustomerID")["month"].min().rename("first_month")
    tx = tx.join(first, on="CustomerID")
    monthly = tx.groupby("month").agg(revenue=("Revenue", "sum"), orders=("InvoiceNo", "nunique"),
                                      active_customers=("CustomerID", "nunique"))
    new = tx[tx["month"] == tx["first_month"]].groupby("month")["CustomerID"].nunique()
    monthly["new_customers"] = new.reindex(monthly.index, fill_value=0)
    monthly["returning_customers"] = monthly["active_customers"] - monthly["new_customers"]
    monthly["revenue_per_order"] = monthly["revenue"] / monthly["orders"]
    monthly.index = monthly.index.to_timestamp()
    return monthly.rename_axis("month").reset_index()


def weekday_hour_orders(transactions: pd.DataFrame) -> pd.DataFrame:
    """Number of orders by weekday (rows, Monday first) and hour of day (columns, 0-23)."""
    o = orders(transactions)
    table = pd.crosstab(o["InvoiceDate"].dt.day_of_week, o["InvoiceDate"].dt.hour)
    table = table.reindex(index=range(7), columns=range(24), fill_value=0)
    table.index = WEEKDAYS
    return table


def top_countries(transactions: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """Countries by revenue with customers and orders; the rest summed as 'All other countries'."""
    by = transactions.groupby("Country").agg(revenue=("Revenue", "sum"), customers=("CustomerID", "nunique"),
                                             orders=("InvoiceNo", "nunique"))
    by = by.sort_values(["revenue"], ascending=False, kind="stable")
    top = by.head(n)
    rest = by.iloc[n:]
    if len(rest):
        top = pd.concat([top, pd.DataFrame(rest.sum()).T.rename(index={0: "All other countries"})])
    top["revenue_share"] = top["revenue"] / by["revenue"].sum()
    return top.rename_axis("country").reset_index()


def top_products(transactions: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """Products by revenue with units sold and the number of customers who bought them."""
    by = transactions.groupby("StockCode").agg(description=("Description", "first"), revenue=("Revenue", "sum"),
                                               units=("Quantity", "sum"), customers=("CustomerID", "nunique"))
    by = by.sort_values(["revenue"], ascending=False, kind="stable").head(n)
    by["revenue_share"] = by["revenue"] / transactions["Revenue"].sum()
    return by.rename_axis("stock_code").reset_index()


def cohort_retention(transactions: pd.DataFrame) -> pd.DataFrame:
    """Share of each monthly acquisition cohort active N months after its first month.

    Rows: cohort (month of first purchase); columns: months since acquisition (0 = the first month,
    always 1.0); values: active customers / cohort size. A column ``customers`` holds the cohort size.
    """
    month = transactions["InvoiceDate"].dt.to_period("M")
    tx = pd.DataFrame({"CustomerID": transactions["CustomerID"], "month": month}).drop_duplicates()
    first = tx.groupby("CustomerID")["month"].transform("min")
    tx["cohort"] = first
    tx["age"] = (tx["month"] - tx["cohort"]).apply(lambda offset: offset.n)
    counts = tx.groupby(["cohort", "age"])["CustomerID"].nunique().unstack(fill_value=0)
    size = counts[0]
    matrix = counts.div(size, axis=0)
    # Months that lie after the end of the data are unknown, not zero.
    last = tx["month"].max()
    for cohort in matrix.index:
        matrix.loc[cohort, [a for a in matrix.columns if cohort + a > last]] = float("nan")
    matrix.index = matrix.index.to_timestamp()
    matrix.insert(0, "customers", size.to_numpy())
    return matrix.rename_axis("cohort")


def headline(transactions: pd.DataFrame) -> dict[str, float]:
    """The numbers the EDA summary paragraph is written from."""
    o = orders(transactions)
    monthly = monthly_activity(transactions)
    peak = monthly.loc[monthly["revenue"].idxmax()]
    per_customer = o.groupby("CustomerID").size()
    return {
        "revenue": float(transactions["Revenue"].sum()),
        "orders": int(len(o)),
        "customers": int(transactions["CustomerID"].nunique()),
        "first_date": transactions["InvoiceDate"].min(),
        "last_date": transactions["InvoiceDate"].max(),
        "median_order_value": float(o["value"].median()),
        "mean_order_value": float(o["value"].mean()),
        "median_lines_per_order": float(o["lines"].median()),
        "one_time_share": float((per_customer == 1).mean()),
        "peak_month": peak["month"],
        "peak_month_revenue": float(peak["revenue"]),
        "peak_month_share": float(peak["revenue"] / monthly["revenue"].sum()),
    }
