"""Stage 05: what a past campaign really did (measured against a random control group) and who responds.

The test's assignment comes from ``experiment.results`` (a CSV: CustomerID, group, sent_at, campaign, discount)
or, on the generated data, from the campaign the generator ran; without either the stage says so and predicts
nothing. ``retention prepare`` has validated the file already (:func:`retention.experiments.check_results`).

Every per-line count runs in the engine: the outcomes (``ctx.log.window_purchases``), the features and the
BG/NBD summaries as of each send date. Each test customer's segment and risk band are taken as of their send
date: the segment rules on the RFM scores at that date, and the churn bands on the BG/NBD probability of no
purchase within the churn horizon (the churn report's BTYD baseline; the shipped churn model is fitted as of
the end of the data, not the send date).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from retention import churn, experiments, segments
from retention.report.formatting import currency_symbol
from retention.report.settings import ReportSettings
from retention.stages.context import Context

__all__ = ["ExperimentsResult", "run", "UNIT", "N_FOLDS", "N_REPEATS"]

UNIT = "W"          # time unit of the BG/NBD outlook (its predictions do not depend on it)
N_FOLDS = 5         # cross-fitting folds
N_REPEATS = 3       # random fold splits the learners' Qini areas are averaged over
AVERAGE = "measured average"  # the "learner" when none beats random: everyone gets the measured uplift
RISK_ORDER = ("Low", "Medium", "High")


@dataclass(frozen=True)
class ExperimentsResult:
    """Everything the experiments report shows (``present`` False: no test to read)."""

    info: dict[str, Any]
    currency: str
    settings: ReportSettings                 # the report's currency, row and point caps, sample seed
    present: bool
    why_absent: str | None                   # the sentence when there is no test
    source: str | None                       # the results file read
    notes: tuple[str, ...]                   # what the validation counted or set aside
    outcome_days: int
    alpha: float
    campaign: str | None = None
    sent_at: pd.Timestamp | None = None       # the (first) send date
    discount: float | None = None             # the tested offer's discount (None: the file does not say)
    outcomes: pd.DataFrame | None = None      # per test customer: arm, outcomes, margin, Segment, risk_band at send
    effects: pd.DataFrame | None = None       # experiment_effects.csv: overall, by Segment, by risk_band
    uplift: experiments.MeasuredUplift | None = None
    profit: dict[str, Any] | None = None      # the campaign's net profit (estimate, low, high) from campaign_profit
    verdict: str | None = None                # did it pay, in one sentence
    comparison: experiments.LearnerComparison | None = None
    learner: str | None = None                # the chosen learner, or AVERAGE when none beats random
    learned: bool = False                     # whether predicted_uplift varies by customer (a learner was used)
    predicted_uplift: pd.Series | None = None  # experiments.customers (NaN without a test)
    predicted_profit: pd.Series | None = None  # predicted incremental profit of the same offer, per customer now
    segment_order: tuple[str, ...] = ()
    groups: pd.DataFrame | None = None         # purchase uplift and margin per customer by segment and risk band
    headline: str | None = None                # the first screen's answer, in plain words
    advice: str | None = None                  # what to do with it
    targeting: str | None = None               # what the chosen learner's ranking found, in plain words
    truth: dict[str, Any] | None = None        # generated data: measured vs true, shares of the oracle, list profit
    summary: dict[str, Any] | None = None      # experiment_summary.json
    warnings: tuple[str, ...] = ()  # what the libraries warned about (filled by stages.run_in)

    @property
    def sleeping_dogs(self) -> int:
        """Customers whose predicted uplift is negative (the offer would make them less likely to buy)."""
        return 0 if self.predicted_uplift is None else int((self.predicted_uplift < 0).sum())


def _settings(ctx: Context) -> ReportSettings:
    report = ctx.params.report
    return ReportSettings(currency=ctx.currency, max_table_rows=report.max_table_rows,
                          max_chart_points=report.max_chart_points, sample_seed=report.sample_seed)


def _absent(ctx: Context, info: dict[str, Any], customers: pd.Index, why: str) -> ExperimentsResult:
    e = ctx.params.experiment
    predicted = pd.Series(np.nan, index=customers, name="predicted_uplift")
    summary = {"present": False, "campaign": None, "sent_at": None, "outcome_days": e.outcome_days,
               "n_treatment": None, "n_control": None, "uplift": None, "learner": None,
               "qini_share_of_oracle": None, "note": why}
    ctx.write("experiments.customers", predicted.to_frame())
    ctx.write("experiment_effects", pd.DataFrame({"note": [why]}))
    ctx.write("experiment_summary", summary)
    return ExperimentsResult(info=info, currency=ctx.currency, settings=_settings(ctx), present=False,
                             why_absent=why, source=None, notes=(), outcome_days=e.outcome_days, alpha=e.alpha,
                             predicted_uplift=predicted, summary=summary)


def _at_send_dates(ctx: Context, assignment: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Learner features, segment and risk band of each test customer as of their own send date."""
    e, peak = ctx.params.experiment, tuple(ctx.params.features.peak_months)
    rules = [r.model_dump() for r in ctx.params.segmentation.rules]
    horizon, bands = ctx.params.churn.horizon_days, tuple(ctx.params.churn.risk_bands)
    every = ctx.log.customer_features_at(sorted(assignment["sent_at"].unique()), peak_months=peak)
    features, labels = [], []
    for day, group in assignment.groupby("sent_at", sort=True):
        at_day = every[every["cutoff"] == day].set_index("CustomerID")
        outlook = experiments.purchase_outlook(ctx.log.rfm_summary(day, unit=UNIT), e.outcome_days, unit=UNIT,
                                               horizon_days=horizon, as_of=pd.Timestamp(day).date())
        ids = pd.Index(group["CustomerID"]).intersection(at_day.index)
        features.append(experiments.learner_features(at_day.loc[ids], outlook))
        segment = segments.assign_segments(segments.rfm_scores(at_day), rules).loc[ids]
        band = churn.risk_band(outlook.loc[ids, "p_no_purchase_horizon"], bands).astype(str)
        labels.append(pd.DataFrame({"Segment": segment, "risk_band": band}, index=ids))
    return pd.concat(features).sort_index(), pd.concat(labels).sort_index()


def _groups(effects: pd.DataFrame, order: list[str]) -> pd.DataFrame:
    """One row per segment and risk band: arms, purchase rates, purchase uplift with its interval, margin effect."""
    rows = effects[effects["by"] != "all"]
    bought = rows[rows["outcome"] == "purchased"].set_index(["by", "level"])
    margin = rows[rows["outcome"] == "margin"].set_index(["by", "level"])
    table = bought[["n_treatment", "n_control", "treatment_mean", "control_mean", "uplift", "ci_low", "ci_high",
                    "p_value"]].join(margin[["uplift", "ci_low", "ci_high"]].add_prefix("margin_"))
    table = table.reset_index()
    rank = {name: i for i, name in enumerate([*order, *RISK_ORDER])}
    table["order"] = table["level"].map(rank).fillna(len(rank))
    return table.sort_values(["by", "order", "level"], kind="stable").drop(columns="order").reset_index(drop=True)


def _sentences(campaign: str | None, sent_at: pd.Timestamp, uplift: experiments.MeasuredUplift,
               effects: pd.DataFrame, profit: dict[str, Any], outcome_days: int,
               comparison: experiments.LearnerComparison | None, currency: str) -> tuple[str, str, str]:
    """The headline, the advice and the targeting sentence of the report's first screens."""
    overall = effects[(effects["by"] == "all") & (effects["outcome"] == "purchased")].iloc[0]
    name = f"The “{campaign}” offer" if campaign else "The offer"
    level = f"{1 - uplift.alpha:.0%}"
    headline = (f"{name} sent on {sent_at:%-d %b %Y} made more customers buy within {outcome_days} days: "
                f"{overall['treatment_mean']:.1%} of the {uplift.n_treatment:,} customers offered bought, against "
                f"{overall['control_mean']:.1%} of the {uplift.n_control:,} held out, an uplift of "
                f"{uplift.estimate * 100:.1f} percentage points ({level} interval {uplift.ci_low * 100:.1f} to "
                f"{uplift.ci_high * 100:.1f}).")
    if uplift.ci_high < 0:
        headline = headline.replace("made more customers buy", "made fewer customers buy")
    elif uplift.ci_low <= 0:
        headline = headline.replace("made more customers buy", "may not have changed how many customers bought")
    symbol = currency_symbol(currency)
    if profit["low"] > 0:
        advice = ("It paid for its discount and costs: repeat it, and send it first to the customers the model "
                  "ranks highest.")
    elif profit["high"] < 0:
        advice = ("It cost more than it brought: do not repeat it as it was; at most offer it to the customers the "
                  "model predicts respond, and test that.")
    else:
        advice = (f"Whether it paid is not settled (between {symbol}{profit['low']:,.0f} and "
                  f"{symbol}{profit['high']:,.0f} net): do not roll it out to everyone on this evidence; target "
                  f"the customers predicted to respond and test again with a larger control group.")
    advice = advice.replace(f"{symbol}-", f"-{symbol}")
    if comparison is None:
        return headline, advice, "The test is too small to learn who responds; the measured average is the guide."
    curve = comparison.curves[comparison.curves["model"] == comparison.chosen]
    top = curve.iloc[(curve["share"] - 0.5).abs().argmin()]
    total = float(curve["value"].iloc[-1])
    if comparison.beats_random and total > 0:
        targeting = (f"Ranked by the {comparison.chosen} learner (scored out of sample), the top half of the test "
                     f"held {top['value']:.0f} of the {total:.0f} extra buyers the whole test found; a random half "
                     f"would hold {top['random']:.0f}.")
    else:
        targeting = ("No learner ranked the test customers better than chance out of sample, so the predicted "
                     "response of each customer is weak evidence; the measured average is the safer guide.")
    return headline, advice, targeting


def _truth_check(ctx: Context, outcomes: pd.DataFrame, uplift: experiments.MeasuredUplift,
                 comparison: experiments.LearnerComparison | None, predicted: pd.Series, profit: pd.Series,
                 discount: float) -> dict[str, Any] | None:
    """Generated data: the measured uplift against the true one, the learners against the oracle, and the
    true incremental profit of the list ranked by predicted profit against the best and a random list."""
    from retention.decisions.truth import list_against_truth
    from retention.generator import GeneratorConfig
    from retention.generator.response import expected_uplift
    from retention.generator.truth import WINDOWS, true_incremental_profit_by_customer

    truth = ctx.truth()
    if truth is None or "true_uplift" not in truth.columns:
        return None
    e, economics = ctx.params.experiment, ctx.params.roi.economics
    in_test = truth.loc[outcomes.index]
    table = comparison.table if comparison is not None else pd.DataFrame()
    shares = table.loc[comparison.learners, "share_of_oracle_true_gain"] if comparison is not None else pd.Series()
    check: dict[str, Any] = {
        "true_uplift": float(in_test["true_uplift"].mean()),
        "measured": {"estimate": uplift.estimate, "low": uplift.ci_low, "high": uplift.ci_high},
        "covered": bool(uplift.ci_low <= in_test["true_uplift"].mean() <= uplift.ci_high),
        "shares": {name: float(v) for name, v in shares.items()},
        "best_possible_share": (float(table.loc["best possible", "share_of_oracle_true_gain"])
                                if "best possible" in table.index else None),
        "response_types": in_test["campaign_response_type"].value_counts().to_dict(),
    }
    now = truth.reindex(predicted.index)
    window = f"purchase_probability_next_{e.outcome_days}d"
    if {"true_offer_uplift", window} <= set(now.columns) and predicted.nunique() > 1:
        true_now = now["true_offer_uplift"].to_numpy()
        oracle = experiments.curve_area(experiments.true_gain_curve(true_now, true_now), "gain")
        best = expected_uplift(now[window].to_numpy(), GeneratorConfig())
        check["end_share_of_oracle"] = experiments.curve_area(
            experiments.true_gain_curve(true_now, predicted.to_numpy()), "gain") / oracle
        check["end_best_possible_share"] = experiments.curve_area(experiments.true_gain_curve(true_now, best),
                                                                  "gain") / oracle
        check["end_correlation"] = float(np.corrcoef(predicted, true_now)[0, 1])
    if e.outcome_days in WINDOWS:
        true_profit = true_incremental_profit_by_customer(
            truth, predicted.index, discount=discount, margin=economics.margin, contact_cost=economics.contact_cost,
            offer_type="next_order", horizon_days=e.outcome_days)
        listed = profit[profit > 0].sort_values(ascending=False, kind="stable").index
        check["list"] = {**list_against_truth(listed, true_profit, seed=e.seed), "horizon_days": e.outcome_days}
    return check


def run(ctx: Context) -> ExperimentsResult:
    """Measure the past campaign's effect with intervals, compare the uplift learners, predict every customer."""
    info = ctx.read("prepared.info")
    now = ctx.read("segments.customers")
    e, economics = ctx.params.experiment, ctx.params.roi.economics
    results = experiments.check_results(e.results, source=ctx.params.data.source, data_path=ctx.params.data.path,
                                        known_ids=now.index, first_date=info["first_date"],
                                        end_date=info["end_date"], outcome_days=e.outcome_days)
    if results is None:
        return _absent(ctx, info, now.index, "There is no campaign test to read: no past campaign with a random "
                                             "control group is given for this data.")
    assignment = results.assignment
    purchases = ctx.log.window_purchases(assignment.set_index("CustomerID")["sent_at"], e.outcome_days)
    features, labels = _at_send_dates(ctx, assignment)
    outcomes = experiments.campaign_outcomes(assignment, purchases).join(labels)
    discount = results.discount
    outcomes["margin"] = experiments.margin_outcome(outcomes, margin=economics.margin, discount=discount or 0.0)
    notes = list(results.notes)
    if discount is None:
        notes.append("The results file gives no discount, so the margin is not net of the discount: add a discount "
                     "column (e.g. 0.15) to the file.")
    effects = experiments.measure_effects(outcomes, alpha=e.alpha, by=["Segment", "risk_band"],
                                          margin=economics.margin, discount=discount or 0.0)
    uplift = experiments.measured_uplift(effects, alpha=e.alpha)
    costs = {"contact_cost": economics.contact_cost, "fixed_cost": economics.fixed_cost}
    profit = experiments.campaign_profit(effects, **costs)
    verdict = experiments.campaign_verdict(effects, currency=currency_symbol(ctx.currency), alpha=e.alpha, **costs)
    ctx.write("experiment_effects", effects.round(6))

    # Who responds: the learners cross-fitted on the test customers with a history at their send date.
    test = outcomes.loc[features.index]
    treated, bought = test["group"] == "treatment", test["purchased"].astype(int)
    truth = ctx.truth()
    true_uplift = references = None
    if truth is not None and "true_uplift" in truth.columns:
        from retention.generator import GeneratorConfig
        from retention.generator.response import expected_uplift

        true_uplift = truth.loc[features.index, "true_uplift"].to_numpy()
        probability = truth.loc[features.index, "campaign_purchase_probability"].to_numpy()
        references = {"best possible": expected_uplift(probability, GeneratorConfig())}
    try:
        comparison = experiments.compare_learners(features, treated, bought, n_folds=N_FOLDS, n_repeats=N_REPEATS,
                                                  seed=e.seed, true_uplift=true_uplift, references=references)
    except ValueError as error:  # a test too small for the learners (an arm without buyers in a fold ...)
        comparison = None
        notes.append(f"The uplift learners could not be fitted on this test ({error}).")
    learned = comparison is not None and comparison.beats_random
    if comparison is not None and not learned:
        notes.append("No uplift learner ranked the test customers better than chance out of sample, so every "
                     "customer's predicted uplift is the measured average.")

    # Every customer as of the end: the features of the segmentation and the BG/NBD outlook at the end.
    end = pd.Timestamp(info["end_date"])
    outlook = experiments.purchase_outlook(ctx.log.rfm_summary(end, unit=UNIT), e.outcome_days, unit=UNIT,
                                           as_of=end.date())
    live = experiments.learner_features(now, outlook)
    if learned:
        model = experiments.make_learner(comparison.chosen, random_state=e.seed).fit(features, treated, bought)
        values = model.predict_uplift(live)
    else:
        values = np.full(len(live), uplift.estimate)
    predicted = pd.Series(values, index=live.index, name="predicted_uplift").reindex(now.index)
    learner = comparison.chosen if learned else AVERAGE
    ctx.write("experiments.customers", predicted.round(6).to_frame())
    order_value = ctx.read("value.customers")["expected_order_value"]
    predicted_profit = experiments.predicted_incremental_profit(
        predicted, outlook["p_buy_window"], order_value, margin=economics.margin, discount=discount or 0.0,
        contact_cost=economics.contact_cost)
    check = _truth_check(ctx, test, uplift, comparison, predicted, predicted_profit, discount or 0.0)

    share = None if check is None or not learned else round(check["shares"][learner], 6)
    summary = {"present": True, "campaign": results.campaign, "sent_at": str(assignment["sent_at"].min().date()),
               "outcome_days": e.outcome_days, "n_treatment": uplift.n_treatment, "n_control": uplift.n_control,
               "uplift": {"estimate": round(uplift.estimate, 6), "low": round(uplift.ci_low, 6),
                          "high": round(uplift.ci_high, 6)},
               "learner": learner, "qini_share_of_oracle": share,
               "note": f"{uplift.sentence()} {verdict}"}
    ctx.write("experiment_summary", summary)
    present = [s for s in segments.SEGMENT_ORDER if s in set(outcomes["Segment"])]
    present += sorted(set(outcomes["Segment"]) - set(present))
    headline, advice, targeting = _sentences(results.campaign, pd.Timestamp(assignment["sent_at"].min()), uplift,
                                             effects, profit, e.outcome_days, comparison, ctx.currency)
    return ExperimentsResult(
        info=info, currency=ctx.currency, settings=_settings(ctx), present=True, why_absent=None,
        source=results_name(e.results), notes=tuple(notes), outcome_days=e.outcome_days, alpha=e.alpha,
        campaign=results.campaign, sent_at=pd.Timestamp(assignment["sent_at"].min()), discount=discount,
        outcomes=outcomes, effects=effects, uplift=uplift, profit=profit, verdict=verdict, comparison=comparison,
        learner=learner, learned=learned, predicted_uplift=predicted, predicted_profit=predicted_profit,
        segment_order=tuple(present), truth=check,
        summary=summary, groups=_groups(effects, present), headline=headline, advice=advice, targeting=targeting)


def results_name(results: str | None) -> str:
    """How the report names the test's file."""
    return results if results else "the campaign the generator ran (its assignment file beside the data)"
