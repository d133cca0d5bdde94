"""Each customer's purchases in a window after their own date (a campaign's outcomes), in the engine.

A customer sent an offer on day ``s`` is followed over the ``W`` days after it: the purchases on the days
``s + 1 .. s + W``. Purchases on the send day itself are history (the offer may have gone out after them),
nothing after the window counts, and returns are not netted (gross purchases, as the kept lines hold them).
Per customer: ``orders`` (distinct invoices), ``revenue`` (their kept revenue) and ``first_order_revenue``
(the revenue of the first invoice in the window, by its earliest line time, then InvoiceNo: the order a
next-order offer discounts).

The dates come as a small uploaded table ``sends`` (``CustomerID``, ``sent`` day number), so every customer
may have their own send day; the work is one join of the invoice table (:func:`~retention.engine.grains.
invoice_days`, about one row per order) with it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from retention.engine.sql import exact_sum, ibis_module

if TYPE_CHECKING:  # pragma: no cover
    import ibis

__all__ = ["OUTCOME_COLUMNS", "SENDS_SCHEMA", "finish_window_purchases", "window_purchases"]

SENDS_SCHEMA: dict[str, str] = {"CustomerID": "string", "sent": "int32"}
"""One row per customer followed: the day number of their send date."""

OUTCOME_COLUMNS: tuple[str, ...] = ("orders", "revenue", "first_order_revenue")


def window_purchases(invoices: ibis.Table, sends: ibis.Table, window_days: int) -> ibis.Table:
    """``CustomerID``, ``orders``, ``revenue``, ``first_order_revenue`` of the customers of ``sends`` who bought
    on the days ``sent + 1 .. sent + window_days`` (customers without such a purchase have no row)."""
    ibis = ibis_module()
    followed = sends.rename(CustomerID_s="CustomerID")
    t = invoices.join(followed, invoices.CustomerID == followed.CustomerID_s)
    inside = t.filter((t.day > t.sent) & (t.day <= t.sent + int(window_days)))
    orders = inside.group_by(["CustomerID", "InvoiceNo"]).aggregate(when=inside.first_time.min(),
                                                                    value=exact_sum(inside.value))
    ranked = orders.mutate(position=ibis.row_number().over(group_by="CustomerID",
                                                           order_by=["when", "InvoiceNo"]))
    return ranked.group_by("CustomerID").aggregate(
        orders=ranked.count(), revenue=exact_sum(ranked.value),
        first_order_revenue=exact_sum(ranked.value, where=ranked.position == 0),
    )


def finish_window_purchases(frame: pd.DataFrame, customers: pd.Index) -> pd.DataFrame:
    """Engine rows -> one row per followed customer (index CustomerID, in the order of ``customers``), zeros
    for those who bought nothing in their window; ``orders`` int64, the revenues float."""
    found = frame.assign(CustomerID=frame["CustomerID"].astype("string")).set_index("CustomerID")
    out = found.reindex(pd.Index(customers, dtype="string", name="CustomerID"))[list(OUTCOME_COLUMNS)]
    out["orders"] = out["orders"].fillna(0).astype(np.int64)
    for column in ("revenue", "first_order_revenue"):
        out[column] = pd.to_numeric(out[column], errors="coerce").fillna(0.0).astype(float)
    return out
