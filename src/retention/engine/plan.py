"""The SQL text of every step, for one dialect and one input: the definitions bound to table names.

A :class:`Plan` knows the dialect, the input's column types, the layout and the names the runner gives
its work tables; each method returns the SQL of one step. :class:`~retention.engine.session.Session`
runs them in order and :func:`~retention.engine.api.compile_sql` shows them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from retention.engine import btyd, cleaning, eda, features, grains, labels, outcomes
from retention.engine.config import EngineConfig
from retention.engine.lines import canonical_lines, raw_lines
from retention.engine.runners import WORK_TABLES
from retention.engine.sql import (
    BACK_SCHEMA,
    CUTOFFS_SCHEMA,
    DAYS_SCHEMA,
    INVOICES_SCHEMA,
    LINES_SCHEMA,
    NEW_PRODUCTS_SCHEMA,
    RETURNS_SCHEMA,
    exact_sum,
    raw_schema,
    to_sql,
    work_table,
)

if TYPE_CHECKING:  # pragma: no cover
    import ibis

__all__ = ["Plan"]

_ORDERS_SCHEMA = {"InvoiceNo": "string", "CustomerID": "string", "InvoiceDate": "timestamp", "lines": "int64",
                  "items": "float64", "value": "float64"}
_EDGES_SCHEMA = {"bin": "int32", "lo": "float64", "hi": "float64"}
_SCHEMAS: dict[str, Mapping[str, str]] = {
    "lines": LINES_SCHEMA, "returns": RETURNS_SCHEMA, "days": DAYS_SCHEMA, "invoices": INVOICES_SCHEMA,
    "products": NEW_PRODUCTS_SCHEMA, "back": BACK_SCHEMA, "orders": _ORDERS_SCHEMA, "cutoffs": CUTOFFS_SCHEMA,
    "edges": _EDGES_SCHEMA, "sends": outcomes.SENDS_SCHEMA,
}


@dataclass(frozen=True)
class Plan:
    """The steps' SQL for ``dialect`` over an input with columns ``raw_types`` (engine type names)."""

    dialect: str
    raw_types: Mapping[str, str]
    config: EngineConfig = field(default_factory=EngineConfig)
    layout: str = "canonical"
    names: Mapping[str, str] = field(default_factory=lambda: {name: name for name in WORK_TABLES})
    headers: Mapping[str, str] | None = None

    def table(self, name: str) -> ibis.Table:
        """The abstract work table ``name`` (``raw``: the input)."""
        schema = raw_schema(self.raw_types) if name == "raw" else _SCHEMAS[name]
        return work_table(schema, self.names[name])

    def sql(self, expr: ibis.Expr) -> str:
        return to_sql(expr, self.dialect)

    def input_lines(self) -> ibis.Table:
        raw = self.table("raw")
        return canonical_lines(raw) if self.layout == "canonical" else raw_lines(raw, self.headers)

    # -- cleaning ---------------------------------------------------------------------------------------

    def last_date(self) -> str:
        return self.sql(cleaning.last_date(self.input_lines()))

    def reason_counts(self, end_day: pd.Timestamp) -> str:
        return self.sql(cleaning.reason_counts(self.input_lines(), self.config, end_day))

    def kept_lines(self, end_day: pd.Timestamp, detect_duplicates: bool) -> str:
        return self.sql(cleaning.kept_lines(self.input_lines(), self.config, end_day, detect_duplicates))

    def return_lines(self, end_day: pd.Timestamp) -> str:
        return self.sql(cleaning.return_lines(self.input_lines(), self.config, end_day))

    def kept_totals(self) -> str:
        return self.sql(cleaning.kept_totals(self.table("lines"), self.table("returns")))

    def kept_facts(self) -> str:
        return self.sql(cleaning.kept_facts(self.table("lines"), self.table("days")))

    def clean_output(self, name: str, whole_quantities: bool) -> str:
        """The kept lines (``"lines"``) or the returns as written to Parquet, in a stable order.

        The kept lines' Quantity becomes whole numbers when every one is whole; the returns keep the input's
        float Quantity.
        """
        t = self.table(name)
        quantity = t.Quantity.cast("int64") if whole_quantities and name == "lines" else t.Quantity
        out = t.select(*cleaning.CANONICAL, Revenue=t.Revenue).mutate(Quantity=quantity)
        return self.sql(out.order_by(["InvoiceDate", "InvoiceNo", "StockCode", "CustomerID", "Description",
                                      "Quantity", "UnitPrice", "Country"]))

    # -- grains -----------------------------------------------------------------------------------------

    def grain(self, name: str) -> str:
        """The SQL of the work table ``name`` (days, invoices, products, back or orders)."""
        builders = {
            "days": lambda: grains.purchase_days(self.table("invoices")),
            "invoices": lambda: grains.invoice_days(self.table("lines")),
            "products": lambda: grains.new_products(self.table("lines")),
            "back": lambda: grains.returned_days(self.table("returns")),
            "orders": lambda: eda.orders_expr(self.table("invoices")),
        }
        return self.sql(builders[name]())

    # -- customers --------------------------------------------------------------------------------------

    def customer_features(self, peak_months: Sequence[int], window_days: int | None, has_codes: bool,
                          products_from: str = "products") -> str:
        """The features at the uploaded cutoffs; products counted from the first-purchase days
        (``products_from="products"``, no window) or the kept lines (``"lines"``)."""
        if window_days is not None:
            products_from = "lines"
        products = self.table(products_from)
        expr = features.customer_features_at(
            self.table("days"), self.table("invoices"), products, self.table("back"), self.table("cutoffs"),
            peak_months=peak_months, window_days=window_days, has_codes=has_codes)
        return self.sql(expr)

    def churn_labels(self, horizon_days: int) -> str:
        return self.sql(labels.churn_labels_at(self.table("days"), self.table("cutoffs"), horizon_days))

    def window_purchases(self, window_days: int) -> str:
        """Purchases of the customers of the uploaded ``sends`` in the ``window_days`` after their send day."""
        return self.sql(outcomes.window_purchases(self.table("invoices"), self.table("sends"), window_days))

    def rfm_summary(self, cutoff_day: int, unit: str, start_day: int | None = None) -> str:
        return self.sql(btyd.rfm_summary_expr(self.table("days"), cutoff_day, unit, self.dialect, start_day))

    def calibration_holdout(self, calibration_day: int, holdout_day: int, unit: str,
                            start_day: int | None = None) -> str:
        return self.sql(btyd.calibration_holdout_expr(self.table("days"), calibration_day, holdout_day, unit,
                                                      self.dialect, start_day))

    def purchase_days(self, start_day: int | None = None, end_day: int | None = None) -> str:
        return self.sql(btyd.purchase_days_expr(self.table("days"), start_day, end_day))

    def last_day_from(self, start_day: int) -> str:
        days = self.table("days")
        later = days.filter(days.day >= start_day)
        return self.sql(later.aggregate(last=later.day.max()))

    # -- EDA --------------------------------------------------------------------------------------------

    def eda(self, name: str, **options: Any) -> str:
        """The SQL of an EDA aggregate: monthly, weekday_hour, countries, top_products (``n``),
        descriptions (``codes``), cohorts, order_numbers, customers, value_range (``column``), large_orders
        (``threshold``), histogram (``column``, ``low``, ``n_bins``)."""
        t = self.table
        builders = {
            "monthly": lambda: eda.monthly_expr(t("days"), t("invoices")),
            "weekday_hour": lambda: eda.weekday_hour_expr(t("orders")),
            "countries": lambda: eda.country_expr(t("invoices")),
            "top_products": lambda: eda.top_products_expr(t("lines"), options["n"]),
            "descriptions": lambda: eda.product_descriptions_expr(t("lines"), options["codes"]),
            "cohorts": lambda: eda.cohort_counts_expr(t("days")),
            "order_numbers": lambda: _order_numbers(t("orders")),
            "customers": lambda: _customer_numbers(t("orders"), t("days")),
            "value_range": lambda: _positive_range(t("orders"), options["column"]),
            "large_orders": lambda: _large_orders(t("orders"), options["threshold"]),
            "histogram": lambda: eda.histogram_counts_expr(t("orders"), options["column"], t("edges"),
                                                           options["low"], options["n_bins"]),
        }
        return self.sql(builders[name]())


def _order_numbers(orders: ibis.Table) -> ibis.Table:
    when = orders.InvoiceDate
    timed = (when.hour() * 3600 + when.minute() * 60 + when.second()) > 0
    return orders.aggregate(orders=orders.count(), median_order_value=orders.value.median(),
                            mean_order_value=exact_sum(orders.value) / orders.count(),
                            median_lines_per_order=orders.lines.median(),
                            orders_with_time=timed.cast("int64").sum())


def _large_orders(orders: ibis.Table, threshold: float) -> ibis.Table:
    large = orders.value >= float(threshold)
    return orders.aggregate(large_orders=large.cast("int64").sum(), large_revenue=exact_sum(orders.value, where=large))


def _customer_numbers(orders: ibis.Table, days: ibis.Table) -> ibis.Table:
    per = orders.group_by("CustomerID").aggregate(n=orders.count())
    share = per.aggregate(one_time_share=(per.n == 1).cast("float64").mean())
    customers = days.select("CustomerID").distinct()
    total = days.aggregate(revenue=exact_sum(days.value)).cross_join(customers.aggregate(customers=customers.count()))
    return total.cross_join(share)


def _positive_range(orders: ibis.Table, column: str) -> ibis.Table:
    value = orders[column].cast("float64")
    positive = orders.select(v=value).filter(lambda t: t.v > 0)
    return positive.aggregate(low=positive.v.min(), high=positive.v.max())
