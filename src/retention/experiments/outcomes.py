"""What each customer in a test did in the outcome window after the send date.

The window of a customer sent an offer on day ``s`` is the ``outcome_days`` days after it: purchases dated
strictly after the send day and at most ``outcome_days`` days after it (``s < day <= s + outcome_days``).
Purchases on the send day itself are history, not outcome (the offer may have gone out after them), and
nothing after the window counts. Outcomes are gross purchases (returns are not netted). The lines are
counted in the engine (:meth:`retention.engine.Session.window_purchases`); this module joins the counts to
the assignment and turns them into outcomes.

Margin net of the discount: the gross margin ``m`` is a share of full-price revenue and the discount is
taken off at face value (as in :mod:`retention.roi`). The log holds what customers paid, so for treated
customers the discounted orders are assumed to be the first order in the window (a next-order offer) or
every order in it (an offer on all orders); their full price is ``paid / (1 - discount)``. Then
``margin = m * paid - (1 - m) * discount given``, with ``discount given = paid_discounted * d / (1 - d)``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["OUTCOME_COLUMNS", "campaign_outcomes", "margin_outcome"]

OUTCOME_COLUMNS: tuple[str, ...] = ("purchased", "orders", "revenue", "first_order_revenue")


def campaign_outcomes(assignment: pd.DataFrame, purchases: pd.DataFrame) -> pd.DataFrame:
    """Each test customer's outcomes: their arm, send day and purchases in their outcome window.

    Parameters
    ----------
    assignment : pandas.DataFrame
        ``CustomerID``, ``group`` and ``sent_at`` (a validated results table).
    purchases : pandas.DataFrame
        Index CustomerID: ``orders``, ``revenue`` and ``first_order_revenue`` in each customer's window, as the
        engine counts them (:meth:`retention.engine.Session.window_purchases`: only the days after the send
        day, up to the window's end); every customer of the assignment must have a row.

    Returns
    -------
    pandas.DataFrame
        Indexed by CustomerID (the assignment's order): ``group``, ``sent_at``, ``purchased`` (bool),
        ``orders`` (distinct invoices), ``revenue`` (paid, currency units) and ``first_order_revenue``
        (the first invoice in the window).
    """
    missing = [c for c in ("orders", "revenue", "first_order_revenue") if c not in purchases.columns]
    if missing:
        raise ValueError(f"purchases lack the columns {missing}; pass Session.window_purchases' table")
    plan = assignment[["CustomerID", "group", "sent_at"]].copy()
    plan["CustomerID"] = plan["CustomerID"].astype(str)
    plan["sent_at"] = pd.to_datetime(plan["sent_at"]).dt.normalize()
    plan = plan.set_index("CustomerID")
    found = purchases.set_axis(purchases.index.astype(str))
    absent = plan.index.difference(found.index)
    if len(absent):
        raise ValueError(f"{len(absent)} test customers have no outcome row, e.g. {list(absent[:3])}")
    out = plan.join(found[["orders", "revenue", "first_order_revenue"]], how="left")
    out["orders"] = out["orders"].astype(np.int64)
    out[["revenue", "first_order_revenue"]] = out[["revenue", "first_order_revenue"]].astype(float)
    out["purchased"] = out["orders"] > 0
    out.index.name = "CustomerID"
    return out[["group", "sent_at", *OUTCOME_COLUMNS]]


def margin_outcome(outcomes: pd.DataFrame, *, margin: float, discount: float = 0.0,
                   offer_type: str = "next_order") -> pd.Series:
    """Gross margin net of the discount per customer (see the module docstring for the assumption)."""
    if not 0.0 <= margin <= 1.0 or not 0.0 <= discount < 1.0:
        raise ValueError(f"margin must be in [0, 1] and discount in [0, 1), got {margin} and {discount}")
    if offer_type not in ("next_order", "all_orders"):
        raise ValueError(f"offer_type must be 'next_order' or 'all_orders', got {offer_type!r}")
    discounted = outcomes["first_order_revenue"] if offer_type == "next_order" else outcomes["revenue"]
    given = np.where(outcomes["group"] == "treatment", discounted * discount / (1.0 - discount), 0.0)
    return (margin * outcomes["revenue"] - (1.0 - margin) * given).rename("margin")
