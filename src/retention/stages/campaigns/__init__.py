"""Stage 06: who is at risk, what is at stake, which campaign to run (or none), and the test that would confirm it.

One decision model (issue 13) on the products of the stages before: the customer base and its at-risk
customers, value at stake and expected loss (:mod:`retention.decisions`), every params campaign and the
profit-maximising list evaluated the same way (:mod:`retention.roi`), with the uplift a controlled test measured
when there is one (issue 17: the Monte Carlo draws it from its interval, each customer's share follows the
uplift model's prediction, sleeping dogs are left out and counted) and the decision an assumed uplift would
have made beside it. On generated data the recommendation is checked against the generator's truth.

This module holds the stage (:func:`run`) and its result; the parts live beside it: :mod:`.regime` (the decision
under one response model and its options table), :mod:`.analysis` (KPIs against the previous period, the lapsed
customers, the question, sensitivity, ROI analysis), :mod:`.truth` (the check against the generator's truth) and
:mod:`.texts` (the report's sentences).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from retention import decisions as dc
from retention import roi
from retention.roi.columns import IN_BASE
from retention.stages.campaigns.analysis import (
    kpis_json,
    lapsed_question,
    question_cells,
    roi_analysis_table,
    sensitivity,
)
from retention.stages.campaigns.regime import (
    QUESTION_DISCOUNT,
    QUESTION_N,
    Regime,
    aligned_value_draws,
    comparison_table,
    control_rate,
    decide_under,
    economics_settings,
    options_table,
)
from retention.stages.campaigns.texts import (
    change_text,
    dogs_text,
    lapsed_text,
    lead_text,
    options_title,
    question_text,
    truth_texts,
)
from retention.stages.campaigns.truth import TruthCheck, truth_check
from retention.stages.context import Context

__all__ = ["CampaignsResult", "Regime", "TruthCheck", "run", "QUESTION_DISCOUNT", "QUESTION_N"]

TARGET_LIST = "artifacts/campaign_targets.csv"
ASSIGNMENT_FILE = "artifacts/experiment_assignment.csv"
TARGET_COLUMNS = {"p_churn": "churn_probability", "saved_customers": "extra_buyers",
                  "saved_revenue": "incremental_revenue", "net_profit": "expected_profit"}
"""The economics' column names -> the decision vocabulary, in campaign_targets.csv."""



@dataclass(frozen=True)
class CampaignsResult:
    """Everything the campaigns report shows."""

    info: dict[str, Any]
    currency: str
    as_of: pd.Timestamp
    previous_as_of: pd.Timestamp
    settings: dict[str, Any]             # the decision, experiment and economics params in force
    frame: pd.DataFrame                  # the decision frame of the decision's regime (one row per customer)
    regime: Regime                       # the regime the decision uses (measured when a test exists)
    assumed: Regime | None               # the assumed-uplift regime beside it (None when it is the decision's)
    kpis: dict[str, Any]                 # kpis.json
    decision: dict[str, Any]             # decision.json
    options: pd.DataFrame                # every option of the decision's regime, for the options table
    comparison: pd.DataFrame | None      # assumed vs measured, option by option
    by_segment: pd.DataFrame             # value x risk per segment of the base
    lapsed: dict[str, Any]               # the win-back question's own numbers
    targets: pd.DataFrame                # campaign_targets.csv (the focus option's list)
    test: dc.ConfirmingTest
    sleeping_dogs: int                   # base customers left out because the offer is predicted to put them off
    what_if: pd.DataFrame                # what_if_grid.csv
    question: dict[str, Any]             # 15% to the 500 highest-risk customers vs the profit-maximising list
    tornado: pd.DataFrame | None
    scenarios: pd.DataFrame | None
    monte_carlo: pd.DataFrame | None
    roi_analysis: pd.DataFrame
    customers: pd.DataFrame              # decision.customers
    explorer: pd.DataFrame               # the customer explorer's columns, every customer
    truth: TruthCheck | None
    glossary: dict[str, str]
    texts: dict[str, str]                # the report's sentences (lead, change, question, lapsed, dogs, truth ...)
    pool_labels: dict[str, str]          # what-if pool key -> label
    warnings: tuple[str, ...] = field(default=())  # what the libraries warned about (filled by stages.run_in)

    @property
    def focus(self) -> dc.Option | None:
        return self.regime.decision.focus

    @property
    def run_campaign(self) -> bool:
        return self.regime.decision.action == "run"


def run(ctx: Context) -> CampaignsResult:
    """Decide which campaign to run (or none), write the decision, the KPIs, the lists and the what-if grid."""
    info = ctx.read("prepared.info")
    p = ctx.params
    d, r, e = p.decision, p.roi, p.experiment
    end = pd.Timestamp(info["end_date"]).normalize()
    horizon = p.churn.horizon_days
    previous_as_of = end - pd.Timedelta(days=horizon)
    segments = ctx.read("segments.customers")
    churn = ctx.read("churn.customers")
    values = ctx.read("value.customers")
    predicted = ctx.read("experiments.customers")["predicted_uplift"].reindex(segments.index)
    economics = economics_settings(ctx)
    frame = dc.decision_frame(segments, churn, values, as_of=end, base_window_days=d.base_window_days,
                              at_risk_threshold=d.at_risk_threshold, margin=economics["margin"],
                              offer_months=[d.offer_months])
    value_draws = aligned_value_draws(ctx.read("value.draws"), frame.index)

    response = dc.measured_response(ctx.read("experiment_summary"), control_rate(ctx.read("experiment_effects")),
                                    alpha=e.alpha, predicted=predicted)
    regime = decide_under(ctx, frame, response, predicted, value_draws)
    assumed = decide_under(ctx, frame, dc.assumed_response(), predicted, value_draws) if response.measured else None
    decision = regime.decision
    focus = decision.focus
    run_it = decision.action == "run"
    used = regime.frame

    # the focus option's list and the test that would confirm it
    targets = (dc.target_list(used, focus).rename(columns=TARGET_COLUMNS) if focus is not None
               else used.iloc[:0][[]])
    test = dc.confirming_test(
        used.loc[targets.index], focus, outcome_days=e.outcome_days, horizon_days=horizon, alpha=e.alpha,
        power=e.power, control_share=e.control_share, seed=e.seed, min_detectable_uplift=e.min_detectable_uplift,
        assignment_file=ASSIGNMENT_FILE, currency=ctx.currency)
    dogs = dc.sleeping_dogs(used, response)
    extra = {"response": response.as_dict(), "sleeping_dogs_excluded": int(dogs.sum()),
             "assumed_decision": None if assumed is None else {
                 "action": assumed.decision.action, "headline": assumed.decision.headline,
                 "campaign": assumed.decision.focus.name if assumed.decision.focus is not None else None}}
    document = dc.json_ready(dc.decision_document(decision, as_of=end, currency=ctx.currency, target_list=TARGET_LIST,
                                                  test=test.document, extra=extra))

    # per customer
    offer = focus.offer if focus is not None else regime.list_offer
    assumptions = focus.assumptions if focus is not None else regime.list_assumptions
    profit = roi.customer_economics(used, offer, assumptions)["net_profit"]
    listed = targets.index if run_it else targets.index[:0]
    groups = test.assignment.set_index("CustomerID")["group"] if not run_it else None
    actions = dc.customer_actions(used, targeted=listed, offer_text=offer.cost_model().split(";")[0], run=run_it,
                                  sleeping_dog=dogs, test_groups=groups,
                                  test_campaign=focus.name if focus is not None else None)
    customers = pd.DataFrame({
        "in_base": used["in_base"], "at_risk": used["at_risk"], "value_at_stake": used["value_at_stake"],
        "expected_loss": used["expected_loss"], "expected_profit": profit, "targeted": used.index.isin(listed),
        "recommended_action": actions}, index=used.index)
    enhanced = (segments.join(churn).join(values).join(predicted.rename("predicted_uplift"))
                .join(customers))
    explorer = pd.DataFrame({
        "CustomerID": ctx.shown_ids(used.index).to_numpy(),
        "Segment": segments["Segment"].astype(str), "churn_probability": used["churn_probability"],
        "clv": values["clv"], "value_at_stake": used["value_at_stake"],
        "expected_loss": used["expected_loss"].where(used[IN_BASE]),
        "expected_profit": profit, "predicted_uplift": predicted, "top_reasons": churn["top_reasons"].astype(str),
        "recommended_action": actions}, index=used.index).reset_index(drop=True)

    # what if, sensitivity, KPIs, tables
    uplift_draws = None if regime.uplift_draws is None else {"uplift": regime.uplift_draws}
    grid = roi.what_if_grid(used, regime.list_offer, regime.list_assumptions,
                            discounts=sorted({*r.what_if_discounts, QUESTION_DISCOUNT}),
                            top_ns=sorted({*r.what_if_top_n, QUESTION_N}), offer_months=d.offer_months,
                            ranges=regime.ranges, n_draws=r.monte_carlo_draws, seed=r.seed, value_draws=value_draws,
                            parameter_draws=uplift_draws)
    tornado, scenarios, mc = sensitivity(regime, value_draws, r.monte_carlo_draws, r.seed)
    options = options_table(regime)
    kpis = kpis_json(ctx, frame, end, previous_as_of)
    analysis = roi_analysis_table(pd.concat([options] + ([options_table(assumed)] if assumed else []),
                                            ignore_index=True), regime)

    ctx.write("decision.customers", customers)
    ctx.write("enhanced_customer_data", enhanced)
    ctx.write("roi_analysis", analysis)
    ctx.write("campaign_targets", targets.round(4))
    ctx.write("what_if_grid", grid.round(6))
    ctx.write("experiment_assignment", test.assignment)
    ctx.write("decision", document)
    ctx.write("kpis", kpis)

    settings = {"base_window_days": d.base_window_days, "at_risk_threshold": d.at_risk_threshold,
                "horizon_months": d.horizon_months, "max_p_loss": d.max_p_loss, "offer_type": d.offer_type,
                "offer_months": d.offer_months, "pinned_campaign": d.pinned_campaign, "churn_horizon_days": horizon,
                "outcome_days": e.outcome_days, "margin": economics["margin"], "monte_carlo_draws": r.monte_carlo_draws,
                "seed": r.seed, "question_discount": QUESTION_DISCOUNT, "question_n": QUESTION_N,
                "value_draws": 0 if value_draws is None else int(value_draws.shape[1])}
    truth = truth_check(ctx, regime, assumed, frame)
    question = question_cells(grid, d.offer_type)
    lapsed = lapsed_question(frame, regime, end)
    base_n = int(frame[IN_BASE].sum())
    texts = {"lead": lead_text(kpis, decision, settings, ctx.currency), "response": response.sentence(),
             "change": change_text(assumed, regime, ctx.currency),
             "question": question_text(question, base_n, regime, ctx.currency),
             "lapsed": lapsed_text(lapsed, settings, ctx.currency),
             "dogs": dogs_text(int(dogs.sum()), base_n, response),
             "test": test.summary, "options_title": options_title(decision, ctx.currency),
             "question_title": (f"{QUESTION_DISCOUNT:.0%} to the {QUESTION_N:,} highest-risk customers: do we make "
                                f"money?"),
             **truth_texts(truth, ctx.currency)}
    pool_labels = {k: roi.pool_label(k) for k in dict.fromkeys(grid["pool"])}
    return CampaignsResult(
        info=info, currency=ctx.currency, as_of=end, previous_as_of=previous_as_of, settings=settings, frame=used,
        regime=regime, assumed=assumed, kpis=kpis, decision=document, options=options,
        comparison=comparison_table(assumed, regime) if assumed is not None else None,
        by_segment=dc.segment_value_risk(frame), lapsed=lapsed, targets=targets, test=test,
        sleeping_dogs=int(dogs.sum()), what_if=grid, question=question, tornado=tornado,
        scenarios=scenarios, monte_carlo=mc, roi_analysis=analysis, customers=customers, explorer=explorer,
        truth=truth, glossary=dict(dc.GLOSSARY), texts=texts, pool_labels=pool_labels)
