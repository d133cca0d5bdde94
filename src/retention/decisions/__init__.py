"""One decision model: who is in the base, who is at risk, what is at stake, which campaign to run.

Modules:

* :mod:`~retention.decisions.vocabulary` -- the terms (C2), :data:`GLOSSARY`, :data:`RETIRED_NAMES` and the
  ``decision`` defaults (C7);
* :mod:`~retention.decisions.value` -- expected revenue if alive (C1), until ``retention.clv`` provides it;
* :mod:`~retention.decisions.frame` -- the per-customer decision frame, the value x risk data by segment and the
  lapsed customers' own numbers;
* :mod:`~retention.decisions.kpis` -- the headline KPIs now and one churn horizon earlier (``kpis.json``);
* :mod:`~retention.decisions.options` and :mod:`~retention.decisions.decision` -- evaluating every campaign
  and the profit-maximising list, and choosing (``decision.json``);
* :mod:`~retention.decisions.truth` -- checks of a recommendation against the generator's truth.

Typical use::

    frame = decision_frame(segments, churn, values, as_of=end, base_window_days=180, at_risk_threshold=0.5,
                           margin=0.4, offer_months=[3])
    options = evaluate_options(frame, campaigns, list_offer=offer, list_assumptions=assumptions, ranges=ranges)
    decision = decide(options, max_p_loss=0.2, pinned_campaign=None, currency="GBP")
    write_json(decision_document(decision, as_of=end, currency="GBP", target_list="artifacts/targets.csv"),
               "reports/artifacts/decision.json")
"""

from retention.decisions.actions import customer_actions
from retention.decisions.artifacts import json_ready, write_json
from retention.decisions.confirm import ASSIGNMENT_COLUMNS, ConfirmingTest, confirming_test, window_purchase_rate
from retention.decisions.decision import Decision, break_even_status, decide, decision_document, money_text
from retention.decisions.frame import customer_base, decision_frame, lapsed_summary, last_purchases, segment_value_risk
from retention.decisions.kpis import (
    KPI_KEYS,
    Kpi,
    change_text,
    headline_kpis,
    kpis_document,
    retention_rate,
    retention_rate_from_labels,
    snapshot,
)
from retention.decisions.options import Option, evaluate_option, evaluate_options, profit_list_terms, target_list
from retention.decisions.response import (
    PREDICTED_UPLIFT,
    ResponseModel,
    assumed_response,
    measured_response,
    response_columns,
    sleeping_dogs,
)
from retention.decisions.truth import list_against_truth, nonbuyer_shares, options_against_truth
from retention.decisions.value import offer_window_values, value_table_as_of
from retention.decisions.vocabulary import DEFAULTS, GLOSSARY, RETIRED_NAMES, decision_settings

__all__ = [
    "DEFAULTS", "GLOSSARY", "RETIRED_NAMES", "KPI_KEYS", "decision_settings",
    "offer_window_values", "value_table_as_of",
    "last_purchases", "customer_base", "decision_frame", "segment_value_risk", "lapsed_summary",
    "Kpi", "snapshot", "retention_rate", "headline_kpis", "kpis_document", "change_text",
    "Option", "evaluate_option", "evaluate_options", "profit_list_terms", "target_list",
    "Decision", "decide", "break_even_status", "decision_document", "money_text",
    "list_against_truth", "nonbuyer_shares", "options_against_truth", "json_ready", "write_json",
    "retention_rate_from_labels", "PREDICTED_UPLIFT", "ResponseModel", "assumed_response", "measured_response",
    "response_columns", "sleeping_dogs", "ASSIGNMENT_COLUMNS", "ConfirmingTest", "confirming_test",
    "window_purchase_rate", "customer_actions",
]
