"""The campaigns stage's tables beyond the decision: the KPIs against the previous period, the win-back question
of the lapsed customers, the 15%-to-500 question, the sensitivity of the focus option and the ROI analysis.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from retention import decisions as dc
from retention import roi
from retention.roi.columns import IN_BASE
from retention.stages.campaigns.regime import QUESTION_DISCOUNT, QUESTION_N, Regime, economics_settings
from retention.stages.context import Context

__all__ = ["kpis_json", "lapsed_question", "question_cells", "roi_analysis_table", "sensitivity"]


# -- the headline numbers now and one churn horizon earlier --------------------------------------------------

def _retention_rate(ctx: Context, cutoff: pd.Timestamp, horizon: int, window: int) -> float:
    try:
        last = ctx.log.customer_features(cutoff)["LastPurchase"]
        labels = ctx.log.churn_labels(cutoff, horizon)
    except ValueError:  # the cutoff lies before the data or its horizon after it: no rate to give
        return float("nan")
    return dc.retention_rate_from_labels(last, labels, cutoff, base_window_days=window)


def kpis_json(ctx: Context, frame: pd.DataFrame, end: pd.Timestamp, previous_as_of: pd.Timestamp) -> dict[str, Any]:
    """kpis.json: the headline KPIs now and one churn horizon earlier, with the retention rates."""
    d, horizon = ctx.params.decision, ctx.params.churn.horizon_days
    churn_before, values_before = ctx.read("churn.previous"), ctx.read("value.previous")
    last = ctx.log.customer_features(previous_as_of)[["LastPurchase"]]
    common = last.index.intersection(churn_before.index).intersection(values_before.index)
    previous = dc.decision_frame(last.loc[common], churn_before, values_before, as_of=previous_as_of,
                                 base_window_days=d.base_window_days, at_risk_threshold=d.at_risk_threshold,
                                 margin=economics_settings(ctx)["margin"])
    rates = (_retention_rate(ctx, previous_as_of, horizon, d.base_window_days),
             _retention_rate(ctx, previous_as_of - pd.Timedelta(days=horizon), horizon, d.base_window_days))
    kpis = dc.headline_kpis(frame, previous, as_of=end, horizon_days=horizon, base_window_days=d.base_window_days,
                            at_risk_threshold=d.at_risk_threshold, horizon_months=d.horizon_months,
                            retention_rates=rates)
    return dc.json_ready(dc.kpis_document(kpis, as_of=end, previous_as_of=previous_as_of, currency=ctx.currency,
                                          period_days=horizon))


# -- the lapsed customers, the question, sensitivity, the ROI analysis ------------------------------------------

def lapsed_question(frame: pd.DataFrame, regime: Regime, as_of: pd.Timestamp) -> dict[str, Any]:
    """The lapsed customers' own numbers and what the profit-maximising offer to all of them would do."""
    lapsed: dict[str, Any] = dc.lapsed_summary(frame, as_of)
    lapsed["offer"] = None
    if lapsed["lapsed"]:
        everyone = roi.Campaign("All lapsed customers", rules={"in_base": False}, offer=regime.list_offer,
                                assumptions=regime.list_assumptions)
        summary = roi.campaign_summary(regime.frame, everyone)
        lapsed["offer"] = {"targets": int(summary["targeted"]), "net_profit": summary["net_profit"],
                           "roi": summary["roi"], "break_even_uplift": summary["break_even_uplift"],
                           "extra_buyers": summary["saved_customers"], "cost_model": regime.list_offer.cost_model()}
    return lapsed


def question_cells(grid: pd.DataFrame, offer_type: str) -> dict[str, Any]:
    """The what-if cells of the question (15% to the 500 highest-risk vs the profit-maximising list)."""
    cells = {}
    for pool in ("highest_churn", "profit_maximising"):
        row = roi.what_if_cell(grid, pool, QUESTION_N, QUESTION_DISCOUNT, offer_type)
        cells[pool] = {k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
    return {"n": QUESTION_N, "discount": QUESTION_DISCOUNT, "offer_type": offer_type, **cells}


def sensitivity(regime: Regime, value_draws: pd.DataFrame | None, n_draws: int,
                seed: int) -> tuple[pd.DataFrame | None, pd.DataFrame | None, pd.DataFrame | None]:
    """Tornado, scenarios and Monte Carlo of the focus option (all None when no option targets anyone)."""
    focus = regime.decision.focus
    if focus is None or focus.targets == 0:
        return None, None, None
    campaign = focus.campaign
    tornado = roi.tornado(regime.frame, campaign, focus.offer, focus.assumptions, regime.ranges)
    scenarios = roi.scenario_table(regime.frame, campaign, roi.scenarios_from_ranges(regime.ranges)).reset_index()
    uncertain = {k: v for k, v in regime.ranges.items() if k in roi.UNCERTAIN_PARAMETERS}
    draws = None if regime.uplift_draws is None else {"uplift": regime.uplift_draws}
    mc = roi.monte_carlo(regime.frame, campaign, None, uncertain, n_draws=n_draws, seed=seed,
                         value_draws=value_draws, parameter_draws=draws)
    return tornado, scenarios, mc


def roi_analysis_table(options: pd.DataFrame, regime: Regime) -> pd.DataFrame:
    """roi_analysis.csv: every option and the economics of the list's offer per segment of the base."""
    base = regime.frame[regime.frame[IN_BASE]]
    per_segment = roi.segment_economics(base, regime.list_offer, regime.list_assumptions).reset_index()
    per_segment = per_segment.rename(columns={"Segment": "name", "customers": "targeted"}).assign(
        level="segment", source=regime.source, cost_model=regime.list_offer.cost_model())
    campaigns = options.rename(columns={"campaign": "name", "targets": "targeted",
                                        "expected_net_profit": "net_profit"}).assign(level="option")
    keep = ["level", "source", "name", "targeted", "expected_loss", "value_at_stake", "extra_buyers",
            "incremental_margin", "discount_cost", "contact_cost", "fixed_cost", "total_cost", "net_profit", "roi",
            "p_loss", "break_even_uplift", "cost_model"]
    per_segment = per_segment.rename(columns={"saved_customers": "extra_buyers"})
    table = pd.concat([campaigns, per_segment], ignore_index=True)
    return table[[c for c in keep if c in table.columns]].round(4)
