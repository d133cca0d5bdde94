"""The decision vocabulary (contract C2), defined once: every report, KPI card, CSV column and sentence uses it.

* **customer base** -- customers with a purchase within ``base_window_days`` of the as-of date;
* **lapsed** -- every other customer ever seen: a win-back question with its own numbers, never part of the
  expected loss of the base;
* **at risk** -- customers of the base whose churn probability is at or above ``at_risk_threshold``;
* **value at stake** -- margin x the revenue a customer is expected to bring over the decision horizon if they
  are still a customer now (``expected_revenue_if_alive``, contract C1): bounded by their own buying rate,
  never divided by a small P(alive);
* **expected loss** -- churn probability x value at stake.

:data:`GLOSSARY` states each term in one plain sentence; :data:`RETIRED_NAMES` lists names that meant the
same thing before and must not be used any more. :data:`DEFAULTS` mirrors the ``decision`` section of the
params (contract C7) for callers that do not have it yet.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from retention.roi.columns import (
    AT_RISK,
    EXPECTED_LOSS,
    EXPECTED_PROFIT,
    ID,
    IN_BASE,
    ORDER_VALUE,
    PROBA,
    REVENUE,
    SEGMENT,
    VALUE_AT_STAKE,
    offer_window_column,
)

__all__ = ["DEFAULTS", "GLOSSARY", "RETIRED_NAMES", "ID", "PROBA", "REVENUE", "ORDER_VALUE", "IN_BASE", "AT_RISK",
           "SEGMENT", "VALUE_AT_STAKE", "EXPECTED_LOSS", "EXPECTED_PROFIT", "LAST_PURCHASE", "offer_window_column",
           "decision_settings"]

LAST_PURCHASE = "LastPurchase"

DEFAULTS: MappingProxyType[str, Any] = MappingProxyType({
    "base_window_days": 180, "at_risk_threshold": 0.5, "horizon_months": 12, "max_p_loss": 0.2,
    "pinned_campaign": None, "offer_type": "next_order", "offer_months": 3,
})
"""The ``decision`` params section with its defaults (C7)."""

GLOSSARY: MappingProxyType[str, str] = MappingProxyType({
    "customer base": "Customers who bought at least once in the last base-window days before the as-of date; "
                     "everyone the retention numbers are about.",
    "lapsed customer": "A customer seen before who has not bought within the base window; winning them back is a "
                       "separate question with its own numbers, not part of the expected loss.",
    "churn probability": "The churn model's calibrated probability that a customer makes no purchase within the "
                         "churn horizon.",
    "at risk": "A customer of the base whose churn probability is at or above the at-risk threshold.",
    "at-risk share": "At-risk customers as a share of the customer base.",
    "expected revenue if alive": "The revenue a customer is expected to bring over the decision horizon if they are "
                                 "still a customer today, from the buy-till-you-die model.",
    "value at stake": "Margin times the expected revenue if alive over the decision horizon: what the business "
                      "loses if this customer stops.",
    "expected loss": "Churn probability times value at stake, summed over the customers in question.",
    "retention rate": "Of the customer base one churn horizon ago, the share who bought again within that horizon.",
    "decision horizon": "The months over which value at stake and campaign returns are counted.",
    "uplift": "The share of would-be non-buyers an offer turns into buyers; an assumption from the params until a "
              "controlled test measures it.",
    "measured uplift": "The uplift a controlled test measured (offer against a random control group): the extra "
                       "purchase rate over the control group's non-buyer share, with its interval.",
    "predicted uplift": "An uplift model's estimate of how many points the offer adds to one customer's chance of "
                        "buying within the test's outcome window.",
    "sleeping dog": "A customer the offer is predicted to make less likely to buy (negative predicted uplift); "
                    "never put on a list.",
    "value of a response": "What one extra buyer brings: the margin on one order, because a test measures a "
                           "purchase, not a year of a customer's life.",
    "offer cost model": "How a discount is charged: off the next order only, or off all orders for a number of "
                        "months.",
    "wasted discount": "Discount redeemed by customers who would have bought anyway; pure cost.",
    "expected incremental profit": "For one customer: the extra purchase the offer is expected to cause times the "
                                   "margin on one order, minus the expected discount given to them and to customers "
                                   "who would have bought anyway, minus the contact cost.",
    "expected net profit": "The sum of the targets' expected incremental profit minus the campaign's fixed cost.",
    "ROI": "Expected net profit divided by the campaign's total expected cost.",
    "break-even uplift": "The uplift at which a campaign's expected net profit is exactly zero.",
    "P(loss)": "The share of simulated scenarios, drawn over the assumption ranges (and customer values when "
               "available), in which the campaign loses money.",
    "profit-maximising list": "The customers of the base whose expected incremental profit from the offer is "
                              "positive, highest first (sleeping dogs are never on it).",
    "oracle list": "Generated data only: the list of the same size with the highest true incremental profit, "
                   "which only the generator's truth knows; the best any targeting could do.",
    "pinned campaign": "A campaign the params force; the decision says so and what the analysis would pick.",
})
"""Every decision term in one plain sentence (the report's glossary appendix)."""

RETIRED_NAMES: MappingProxyType[str, str] = MappingProxyType({
    "revenue exposure": "expected loss",
    "revenue at risk": "expected loss",
    "revenue_at_risk": "expected_loss",
    "value if retained": "value at stake",
    "value if active": "value at stake",
    "value_if_active": "expected_revenue_if_alive",
    "expected_value": "expected_revenue_if_alive",
    "active customers": "customer base",
    "chosen campaign": "pinned campaign",
})
"""Old names that meant the same thing -> the one name used now."""


def decision_settings(section: dict[str, Any] | None = None) -> dict[str, Any]:
    """The ``decision`` params section over :data:`DEFAULTS` (unknown keys are errors)."""
    section = dict(section or {})
    unknown = sorted(set(section) - set(DEFAULTS))
    if unknown:
        raise ValueError(f"unknown decision setting(s) {unknown}; known: {sorted(DEFAULTS)}.")
    return {**DEFAULTS, **section}
