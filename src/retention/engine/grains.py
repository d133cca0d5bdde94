"""Small work tables every per-customer step reads, each made once from the kept lines or the returns.

A customer's features, labels and BTYD summaries at any cutoff only need the kept lines summed per
invoice (:func:`invoice_days`) and per customer and day (:func:`purchase_days`, from the invoices), the
day each product was first bought (:func:`new_products`) and the returns per customer and day
(:func:`returned_days`). These tables are a tenth of the lines or less, so any number of cutoffs is
cheap once they exist.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from retention.engine.sql import exact_sum

if TYPE_CHECKING:  # pragma: no cover
    import ibis

__all__ = ["invoice_days", "new_products", "purchase_days", "returned_days"]


def purchase_days(invoices: ibis.Table) -> ibis.Table:
    """Kept revenue per customer and purchase day (``DAYS_SCHEMA``), from :func:`invoice_days`."""
    return invoices.group_by(["CustomerID", "day"]).aggregate(month=invoices.month.max(),
                                                                  value=exact_sum(invoices.value))


def invoice_days(lines: ibis.Table) -> ibis.Table:
    """Kept lines per customer, invoice, country and day (``INVOICES_SCHEMA``).

    An invoice almost always has one customer, country and day, so this is about one row per order.
    """
    return lines.group_by(["CustomerID", "InvoiceNo", "Country", "day"]).aggregate(
        month=lines.month.max(), value=exact_sum(lines.Revenue), lines=lines.count(), items=exact_sum(lines.Quantity),
        first_time=lines.InvoiceDate.min(), last_time=lines.InvoiceDate.max(),
    )


def new_products(lines: ibis.Table) -> ibis.Table:
    """How many products (StockCodes) each customer buys for the first time on each day (``NEW_PRODUCTS_SCHEMA``)."""
    coded = lines.filter(lines.StockCode.notnull())
    first = coded.group_by(["CustomerID", "StockCode"]).aggregate(day=coded.day.min())
    return first.group_by(["CustomerID", "day"]).aggregate(products=first.count())


def returned_days(returns: ibis.Table) -> ibis.Table:
    """Returned value (positive) per customer and day (``BACK_SCHEMA``)."""
    return returns.group_by(["CustomerID", "day"]).aggregate(value=exact_sum(-returns.Revenue))
