"""Names of the per-customer columns the campaign economics read (the decision frame of ``retention.decisions``).

Only names live here, so that ``retention.decisions`` (which defines what they mean, in its ``GLOSSARY``)
and ``retention.roi`` (which does the money maths on them) share one spelling without importing each other
in a circle.
"""

from __future__ import annotations

__all__ = [
    "ID", "PROBA", "REVENUE", "ORDER_VALUE", "IN_BASE", "AT_RISK", "SEGMENT", "RISK_BAND", "MONETARY",
    "VALUE_AT_STAKE", "EXPECTED_LOSS", "EXPECTED_PROFIT", "RESPONSE_WEIGHT", "RESPONSE_VALUE", "BUY_ANYWAY",
    "offer_window_column",
]

ID = "CustomerID"
PROBA = "churn_probability"
"""Calibrated probability of no purchase within the churn horizon."""
REVENUE = "expected_revenue_if_alive"
"""Expected revenue over the decision horizon if the customer is still a customer now (no margin, undiscounted)."""
ORDER_VALUE = "expected_order_value"
"""Expected value of one order (Gamma-Gamma posterior mean): what a next-order discount is taken off."""
IN_BASE = "in_base"
AT_RISK = "at_risk"
SEGMENT = "Segment"
RISK_BAND = "risk_band"
MONETARY = "Monetary"
VALUE_AT_STAKE = "value_at_stake"
EXPECTED_LOSS = "expected_loss"
EXPECTED_PROFIT = "expected_profit"
RESPONSE_WEIGHT = "response_weight"
"""Extra buyers the offer makes of a customer per unit of uplift (default: the churn probability)."""
RESPONSE_VALUE = "response_value"
"""Revenue one extra buyer brings (default: ``expected_revenue_if_alive``)."""
BUY_ANYWAY = "buy_anyway"
"""Chance the customer buys while the offer is valid without it (default: 1 - churn probability)."""


def offer_window_column(months: int) -> str:
    """Column with the expected revenue over the first ``months`` months if alive (the base of an all-orders offer)."""
    return f"{REVENUE}_{int(months)}m"
