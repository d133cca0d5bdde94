"""Honest campaign economics: who a retention campaign targets, what the offer costs, what it saves, how sure
we are.

The package works on a per-customer table, the *decision frame* of :func:`retention.decisions.decision_frame`
(index ``CustomerID``): ``churn_probability``, ``expected_revenue_if_alive`` (revenue over the decision horizon
if the customer stays), ``expected_order_value`` and, for all-orders offers, ``expected_revenue_if_alive_<N>m``;
target rules may use ``Segment``, ``risk_band``, ``Monetary``, ``in_base`` and ``at_risk``. It never sees a
model object and never draws anything.

Modules, one concern each:

* :mod:`~retention.roi.offers` -- :class:`Offer` with its explicit cost model (next order / all orders for N
  months), :class:`Assumptions`;
* :mod:`~retention.roi.economics` -- the per-customer and campaign formulas (read its docstring);
* :mod:`~retention.roi.targeting` -- the registry of target rules and rankings;
* :mod:`~retention.roi.campaign` -- :class:`Campaign` and the campaign dicts of a params file;
* :mod:`~retention.roi.evaluate` -- targets, summaries, tables, the profit curve and profit-maximising list;
* :mod:`~retention.roi.sensitivity` -- scenarios, tornado, grid, Monte Carlo (with value draws);
* :mod:`~retention.roi.whatif` -- the pool x N x discount x offer-type grid for the report.

Every campaign result names its cost model (``cost_model`` in words, ``offer_type`` and ``offer_months``).
"""

from retention.roi.campaign import (
    CAMPAIGN_KEYS,
    STANDARD_CAMPAIGNS,
    STANDARD_ECONOMICS,
    TARGET_FIELDS,
    Campaign,
    campaign_from_dict,
    campaign_keys,
    campaign_to_dict,
    campaigns_from_dicts,
    resolve,
    standard_campaigns,
)
from retention.roi.columns import offer_window_column
from retention.roi.economics import SUMMARY_KEYS, Pool, customer_economics, prepare_customers, totals
from retention.roi.evaluate import (
    PROFIT_LIST_NAME,
    best_n,
    campaign_summary,
    profit_curve,
    profit_maximising_campaign,
    roi_table,
    segment_economics,
    select_targets,
)
from retention.roi.offers import (
    ASSUMPTION_FIELDS,
    OFFER_FIELDS,
    OFFER_MODEL_FIELDS,
    OFFER_TYPES,
    PARAMETERS,
    Assumptions,
    Offer,
    override,
)
from retention.roi.sensitivity import (
    UNCERTAIN_PARAMETERS,
    grid,
    monte_carlo,
    probability_of_loss,
    scenario_table,
    scenarios_from_ranges,
    tornado,
)
from retention.roi.targeting import (
    RANKINGS,
    TARGET_RULES,
    Ranking,
    TargetRule,
    register_ranking,
    register_target_rule,
)
from retention.roi.whatif import WHAT_IF_COLUMNS, WHAT_IF_POOLS, pool_label, what_if_cell, what_if_grid

__all__ = [
    "OFFER_FIELDS", "OFFER_MODEL_FIELDS", "OFFER_TYPES", "ASSUMPTION_FIELDS", "PARAMETERS", "UNCERTAIN_PARAMETERS",
    "TARGET_FIELDS", "CAMPAIGN_KEYS", "SUMMARY_KEYS", "STANDARD_CAMPAIGNS", "STANDARD_ECONOMICS", "TARGET_RULES",
    "RANKINGS", "WHAT_IF_POOLS", "WHAT_IF_COLUMNS", "PROFIT_LIST_NAME",
    "Offer", "Assumptions", "Campaign", "TargetRule", "Ranking", "Pool",
    "override", "resolve", "register_target_rule", "register_ranking", "campaign_keys", "offer_window_column",
    "prepare_customers", "select_targets", "customer_economics", "totals", "campaign_summary", "profit_curve",
    "best_n", "profit_maximising_campaign", "scenarios_from_ranges", "scenario_table", "tornado", "grid",
    "what_if_grid", "what_if_cell", "pool_label", "monte_carlo", "probability_of_loss", "campaign_from_dict",
    "campaign_to_dict", "campaigns_from_dicts", "standard_campaigns", "roi_table", "segment_economics",
]
