"""Stage 06: who is at risk, what is at stake, which campaign to run (or none), and the test that would confirm it.

One decision model (issue 13) on the products of the stages before: the customer base and its at-risk
customers, value at stake and expected loss (:mod:`retention.decisions`), every params campaign and the
profit-maximising list evaluated the same way (:mod:`retention.roi`), with the uplift a controlled test measured
when there is one (issue 17: the Monte Carlo draws it from its interval, each customer's share follows the
uplift model's prediction, sleeping dogs are left out and counted) and the decision an assumed uplift would
have made beside it. On generated data the recommendation is checked against the generator's truth.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from retention import decisions as dc
from retention import roi
from retention.roi.columns import BUY_ANYWAY, IN_BASE, RESPONSE_VALUE, RESPONSE_WEIGHT
from retention.stages.context import Context

__all__ = ["CampaignsResult", "Regime", "TruthCheck", "run", "QUESTION_DISCOUNT", "QUESTION_N"]

QUESTION_DISCOUNT = 0.15
QUESTION_N = 500
"""The question the series was built for: "15% to the 500 highest-risk customers: do we make money?"."""

TARGET_LIST = "artifacts/campaign_targets.csv"
ASSIGNMENT_FILE = "artifacts/experiment_assignment.csv"
_RESPONSE = (RESPONSE_WEIGHT, RESPONSE_VALUE, BUY_ANYWAY)
TARGET_COLUMNS = {"p_churn": "churn_probability", "saved_customers": "extra_buyers",
                  "saved_revenue": "incremental_revenue", "net_profit": "expected_profit"}
"""The economics' column names -> the decision vocabulary, in campaign_targets.csv."""


@dataclass(frozen=True)
class Regime:
    """One way of deciding: the response model, every option evaluated under it and the decision it gives."""

    response: dc.ResponseModel
    frame: pd.DataFrame                  # the decision frame with this regime's response columns
    options: tuple[dc.Option, ...]
    decision: dc.Decision
    ranges: Mapping[str, tuple[float, float]]
    uplift_draws: np.ndarray | None      # the measured uplift's draws (None: uniform over the range)
    list_offer: roi.Offer
    list_assumptions: roi.Assumptions

    @property
    def source(self) -> str:
        return self.response.source


@dataclass(frozen=True)
class TruthCheck:
    """The decision against the generator's truth (generated data only)."""

    horizon_days: int                    # the truth window the profits are counted over
    nonbuyers: dict[str, float]          # share of true non-buyers in the churn horizon: at risk, base, lapsed
    options: pd.DataFrame                # expected vs true net profit of every option (both regimes, first model)
    lists: dict[str, float]              # the focus list vs the oracle and a random list of the same size
    focus: str | None
    uplift: dict[str, float]             # predicted vs true mean uplift on the focus list


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


# -- inputs ---------------------------------------------------------------------------------------------------

def _control_rate(effects: pd.DataFrame) -> float | None:
    if not {"by", "outcome", "control_mean"} <= set(effects.columns):
        return None
    rows = effects[(effects["by"] == "all") & (effects["outcome"] == "purchased")]
    return float(rows["control_mean"].iloc[0]) if len(rows) == 1 else None


def _value_draws(draws: pd.DataFrame, index: pd.Index) -> pd.DataFrame | None:
    if draws.shape[1] == 0 or not index.isin(draws.index).all():
        return None
    return draws.loc[index]


def _economics(ctx: Context) -> dict[str, Any]:
    return ctx.params.roi.economics.model_dump(exclude_none=True)


def _ranges(ctx: Context) -> dict[str, tuple[float, float]]:
    return {k: tuple(v) for k, v in ctx.params.roi.ranges.model_dump(exclude_none=True).items()}


# -- the decision under one response model ----------------------------------------------------------------------

def _regime(ctx: Context, frame: pd.DataFrame, response: dc.ResponseModel, predicted: pd.Series,
            value_draws: pd.DataFrame | None) -> Regime:
    r, d = ctx.params.roi, ctx.params.decision
    economics = _economics(ctx)
    ranges = _ranges(ctx)
    frame = frame.join(dc.response_columns(frame, response, predicted))
    dicts = [c.model_dump(exclude_none=True) for c in r.campaigns]
    uplift_draws = None
    if response.measured:
        dicts = [{**c, "uplift": min(max(float(response.uplift), 0.0), 1.0)} for c in dicts]
        ranges = {**ranges, "uplift": response.range()}
        uplift_draws = response.draws(r.monte_carlo_draws, seed=r.seed)
    defaults = {**economics, "offer_type": d.offer_type, "offer_months": d.offer_months}
    campaigns = roi.campaigns_from_dicts(dicts, defaults=defaults)
    list_offer, list_assumptions = dc.profit_list_terms(
        economics, ranges, discount=QUESTION_DISCOUNT, offer_type=d.offer_type, offer_months=d.offer_months,
        uplift=min(max(float(response.uplift), 0.0), 1.0) if response.measured else None)
    draws = None if uplift_draws is None else {"uplift": uplift_draws}
    options = dc.evaluate_options(frame, campaigns, list_offer=list_offer, list_assumptions=list_assumptions,
                                  ranges=ranges, n_draws=r.monte_carlo_draws, seed=r.seed, value_draws=value_draws,
                                  parameter_draws=draws)
    decision = dc.decide(options, max_p_loss=d.max_p_loss, pinned_campaign=d.pinned_campaign, currency=ctx.currency,
                         uplift_low=ranges["uplift"][0] if "uplift" in ranges else None,
                         uplift_source=response.source)
    return Regime(response=response, frame=frame, options=tuple(options), decision=decision, ranges=ranges,
                  uplift_draws=uplift_draws, list_offer=list_offer, list_assumptions=list_assumptions)


def _options_table(regime: Regime) -> pd.DataFrame:
    rows = []
    for o in regime.options:
        row = o.as_alternative()
        s = o.summary
        row.update(source=regime.source, target=o.campaign.target_text(),
                   pays=bool(o.pays), acceptable=bool(o.pays and o.p_loss <= regime.decision.max_p_loss),
                   extra_buyers=float(s["saved_customers"]), incremental_margin=float(s["incremental_margin"]),
                   discount_cost=float(s["discount_cost"]), contact_cost=float(s["contact_cost"]),
                   fixed_cost=float(s["fixed_cost"]), total_cost=float(s["total_cost"]),
                   expected_loss=float(s["expected_loss"]), value_at_stake=float(s["value_at_stake"]))
        rows.append(row)
    focus = regime.decision.focus
    table = pd.DataFrame(rows)
    table["recommended"] = (table["campaign"] == focus.name) & (regime.decision.action == "run") if focus else False
    table["verdict"] = [_verdict(o, regime.decision) for o in regime.options]
    return table


def _verdict(option: dc.Option, decision: dc.Decision) -> str:
    """The option's result in words; "pays" only with an expected profit."""
    if option.targets == 0:
        return "Targets nobody in this data"
    chosen = decision.chosen is not None and decision.chosen.name == option.name
    if not option.pays:
        return "Loses money" + (" (pinned in params)" if chosen else "")
    if option.p_loss > decision.max_p_loss:
        return (f"Pays on average, but loses money in {option.p_loss:.0%} of simulations (limit "
                f"{decision.max_p_loss:.0%})" + ("; pinned in params" if chosen else ""))
    return "Pays with acceptable risk" + ("; recommended" if chosen else "")


def _comparison(assumed: Regime, measured: Regime) -> pd.DataFrame:
    a = _options_table(assumed).set_index("campaign")
    m = _options_table(measured).set_index("campaign")
    keep = ["targets", "assumed_uplift", "expected_net_profit", "p_loss", "pays"]
    out = a[keep].add_suffix("_assumed").join(m[keep].add_suffix("_measured"), how="outer")
    return out.reindex([o.name for o in measured.options]).reset_index()


# -- the headline numbers now and one churn horizon earlier --------------------------------------------------

def _retention_rate(ctx: Context, cutoff: pd.Timestamp, horizon: int, window: int) -> float:
    try:
        last = ctx.log.customer_features(cutoff)["LastPurchase"]
        labels = ctx.log.churn_labels(cutoff, horizon)
    except ValueError:  # the cutoff lies before the data or its horizon after it: no rate to give
        return float("nan")
    return dc.retention_rate_from_labels(last, labels, cutoff, base_window_days=window)


def _kpis(ctx: Context, frame: pd.DataFrame, end: pd.Timestamp, previous_as_of: pd.Timestamp) -> dict[str, Any]:
    d, horizon = ctx.params.decision, ctx.params.churn.horizon_days
    churn_before, values_before = ctx.read("churn.previous"), ctx.read("value.previous")
    last = ctx.log.customer_features(previous_as_of)[["LastPurchase"]]
    common = last.index.intersection(churn_before.index).intersection(values_before.index)
    previous = dc.decision_frame(last.loc[common], churn_before, values_before, as_of=previous_as_of,
                                 base_window_days=d.base_window_days, at_risk_threshold=d.at_risk_threshold,
                                 margin=_economics(ctx)["margin"])
    rates = (_retention_rate(ctx, previous_as_of, horizon, d.base_window_days),
             _retention_rate(ctx, previous_as_of - pd.Timedelta(days=horizon), horizon, d.base_window_days))
    kpis = dc.headline_kpis(frame, previous, as_of=end, horizon_days=horizon, base_window_days=d.base_window_days,
                            at_risk_threshold=d.at_risk_threshold, horizon_months=d.horizon_months,
                            retention_rates=rates)
    return dc.json_ready(dc.kpis_document(kpis, as_of=end, previous_as_of=previous_as_of, currency=ctx.currency,
                                          period_days=horizon))


# -- the truth (generated data only) --------------------------------------------------------------------------

def _truth_window(months: int) -> int:
    from retention.generator.truth import OFFER_MONTH_DAYS

    return OFFER_MONTH_DAYS.get(int(months), 365)


def _truth_check(ctx: Context, regime: Regime, assumed: Regime | None, frame: pd.DataFrame) -> TruthCheck | None:
    truth = ctx.truth()
    if truth is None:
        return None
    from retention.generator.truth import true_incremental_profit_by_customer

    d, horizon = ctx.params.decision, ctx.params.churn.horizon_days
    margin = _economics(ctx)["margin"]
    window = _truth_window(d.horizon_months)
    known = truth.reindex(frame.index)

    def true_profit(offer: roi.Offer) -> pd.Series:
        return true_incremental_profit_by_customer(
            known, discount=offer.discount, margin=margin, contact_cost=offer.contact_cost,
            offer_type=offer.offer_type, offer_months=offer.offer_months, horizon_days=window)

    column = f"purchases_next_{horizon}d" if f"purchases_next_{horizon}d" in truth.columns else "purchases_next_90d"
    nonbuyers = dc.nonbuyer_shares(frame, known, column=column)
    parts = [dc.options_against_truth(regime.frame, regime.options, true_profit, model=regime.source)]
    if assumed is not None:
        parts.append(dc.options_against_truth(assumed.frame, assumed.options, true_profit, model=assumed.source))
    # The first version of the model: a saved customer worth the whole value at stake, the uplift assumed.
    first = frame.drop(columns=[c for c in _RESPONSE if c in frame.columns])
    first_list = roi.profit_maximising_campaign(first, assumed.list_offer if assumed else regime.list_offer,
                                                assumed.list_assumptions if assumed else regime.list_assumptions)
    first_option = dc.evaluate_option(first, first_list, ranges=None)
    parts.append(dc.options_against_truth(first, [first_option], true_profit, model="first version"))
    focus = regime.decision.focus
    lists: dict[str, float] = {}
    uplift: dict[str, float] = {}
    if focus is not None and focus.targets > 0:
        ids = dc.target_list(regime.frame, focus).index
        base = frame.index[frame[IN_BASE].to_numpy(bool)]
        lists = dc.list_against_truth(ids, true_profit(focus.offer), seed=ctx.params.roi.seed, pool=base)
        lists = {k: (v - focus.offer.fixed_cost if k != "n" else v) for k, v in lists.items()}
        lists["expected"] = focus.net_profit
        tau = regime.frame.loc[ids, RESPONSE_WEIGHT] * focus.assumptions.uplift
        uplift = {"model_points": float(tau.mean()), "true_points": float(known.loc[ids, "true_offer_uplift"].mean())}
    return TruthCheck(horizon_days=window, nonbuyers=nonbuyers, options=pd.concat(parts, ignore_index=True),
                      lists=lists, focus=focus.name if focus is not None else None, uplift=uplift)


# -- the words ------------------------------------------------------------------------------------------------

def _money(value: float, currency: str) -> str:
    return ("-" if value < 0 else "") + dc.money_text(value, currency)


def _expected(value: float, currency: str) -> str:
    """'expected net profit £1,234' or 'expected to lose £1,234' (never a negative profit in words)."""
    return (f"expected net profit {dc.money_text(value, currency)}" if value >= 0
            else f"expected to lose {dc.money_text(value, currency)}")


def _truly(value: float, currency: str, verb: str = "") -> str:
    """'makes £1,234' / 'loses £1,234' (with ``verb`` 'would': 'would truly make ...')."""
    word = ("make" if value >= 0 else "lose") if verb else ("makes" if value >= 0 else "loses")
    return f"{verb + ' truly ' if verb else ''}{word} {dc.money_text(value, currency)}"


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}" + ("" if count == 1 else "s")


def _kpi(kpis: Mapping[str, Any], key: str) -> float:
    return next(k["current"] for k in kpis["kpis"] if k["key"] == key)


def _lead(kpis: Mapping[str, Any], decision: dc.Decision, settings: Mapping[str, Any], currency: str) -> str:
    base, at_risk = int(_kpi(kpis, "base")), int(_kpi(kpis, "at_risk"))
    share = _kpi(kpis, "at_risk_share")
    loss = _kpi(kpis, "expected_loss")
    risk = (f"{at_risk:,} of them ({share:.0%}) are at risk (churn probability of "
            f"{settings['at_risk_threshold']:.0%} or more)" if base else "nobody is in it")
    return (f"The customer base is {_plural(base, 'customer')} (a purchase in the last "
            f"{settings['base_window_days']} days); {risk}. If nothing is done, the base is expected to lose "
            f"{_money(loss, currency)} of margin over the next {settings['horizon_months']} months (churn "
            f"probability x value at stake). {decision.headline}")


def _said(d: dc.Decision, currency: str) -> str:
    focus = d.focus
    if d.action == "run" and focus is not None:
        return (f"run {focus.name} ({_plural(focus.targets, 'customer')}, "
                f"{_expected(focus.net_profit, currency)})")
    if focus is None:
        return "run none (no option targets anyone)"
    return (f"run none and test first (best candidate: {focus.name}, {_plural(focus.targets, 'customer')}, "
            f"{_expected(focus.net_profit, currency)}, chance of a loss {focus.p_loss:.0%})")


def _change(assumed: Regime | None, measured: Regime, currency: str) -> str:
    if assumed is None:
        return "The test below is how to replace the assumption with a measured uplift."
    a, m = assumed.decision, measured.decision
    same = a.action == m.action and (a.focus.name if a.focus else None) == (m.focus.name if m.focus else None)
    lead = ("The measurement keeps the action but changes its numbers" if same
            else "The measurement changes the decision")
    return (f"{lead}. With the params' assumed uplifts the analysis would {_said(a, currency)}; with the measured "
            f"uplift it says {_said(m, currency)}.")


def _question_text(question: Mapping[str, Any], base: int, regime: Regime, currency: str) -> str:
    risky, best = question["highest_churn"], question["profit_maximising"]
    n = question["n"]
    who = (f"the {n:,} customers of the base with the highest churn probability" if base >= n
           else f"all {base:,} customers of the base (fewer than {n:,})")
    def cell(c: Mapping[str, Any]) -> str:
        word = "expected net profit" if c["net_profit"] >= 0 else "expected to lose"
        return (f"{word} {dc.money_text(c['net_profit'], currency)}, return on cost {c['roi']:.0%}, chance of a "
                f"loss {c['p_loss']:.0%}")
    uplift = (f"the measured uplift ({regime.list_assumptions.uplift:.1%} of would-be non-buyers, each customer "
              f"by the uplift model)" if regime.response.measured
              else f"an assumed uplift of {regime.list_assumptions.uplift:.1%} of would-be non-buyers")
    return (f"{question['discount']:.0%} off the next order to {who}: {cell(risky)}. The same offer to the "
            f"{min(n, base):,} customers with the highest expected incremental profit: {cell(best)}. Cost model: "
            f"{risky['cost_model']}; {uplift}.")


def _options_title(decision: dc.Decision, currency: str) -> str:
    pick, chosen = decision.analysis_pick, decision.chosen
    if decision.pinned and chosen is not None:
        alone = f"pick {pick.name}" if pick is not None else "run none"
        return f"{chosen.name} is pinned in the params; the analysis alone would {alone}"
    if chosen is not None:
        return (f"{chosen.name} pays most with an acceptable chance of loss "
                f"({_money(chosen.net_profit, currency)} expected)")
    if any(o.pays for o in decision.options):
        return "Some options pay on average, but none with an acceptable chance of loss"
    return "No option is expected to make money"


def _lapsed_text(lapsed: Mapping[str, Any], settings: Mapping[str, Any], currency: str) -> str:
    if not lapsed["lapsed"]:
        return "Every customer seen bought within the base window: there is no win-back question."
    text = (f"{_plural(lapsed['lapsed'], 'customer')} ({lapsed['share_of_customers']:.0%} of everyone seen) have "
            f"not bought for more than {settings['base_window_days']} days (median "
            f"{lapsed['median_days_since_purchase']:.0f} days). They are a win-back question, not part of the expected "
            f"loss: if they were all still customers they would carry "
            f"{dc.money_text(lapsed['value_at_stake_if_alive'], currency)} of value at stake.")
    offer = lapsed.get("offer")
    if offer:
        word = "an expected net profit of" if offer["net_profit"] >= 0 else "would be expected to lose"
        text += (f" The same offer to all of them ({offer['cost_model'].split(';')[0]}) would bring about "
                 f"{offer['extra_buyers']:,.0f} extra buyers and {word} "
                 f"{dc.money_text(offer['net_profit'], currency)}; only a win-back test would tell.")
    return text


def _dogs_text(dogs: int, base: int, response: dc.ResponseModel) -> str:
    if not response.per_customer:
        return ""
    return (f"The uplift model predicts that the offer would make {_plural(dogs, 'customer')} of the base "
            f"({dogs / base:.0%}) less likely to buy: these sleeping dogs are left out of every list the analysis "
            f"builds.") if base else ""


def _truth_texts(truth: TruthCheck | None, currency: str) -> dict[str, str]:
    if truth is None:
        return {"truth": "This data has no ground truth (it is not generated), so the decision cannot be checked "
                         "against what customers would really have done."}
    nb = truth.nonbuyers
    texts = {"nonbuyers": (
        f"Of the at-risk customers, {nb['at_risk_nonbuyer_share']:.0%} truly bought nothing in the next churn "
        f"horizon, against {nb['base_nonbuyer_share']:.0%} of the whole base: the at-risk definition catches real "
        f"non-buyers.")}
    if truth.lists:
        lists = truth.lists
        texts["lists"] = (
            f"{truth.focus} ({lists['n']:,.0f} customers): {_expected(lists['expected'], currency)}; in truth it "
            f"{_truly(lists['recommended'], currency)}. The best list of the same size (oracle) "
            f"{_truly(lists['oracle'], currency, 'would')}; a random list of the same size from the base "
            f"{_truly(lists['random'], currency, 'would')}.")
    own = truth.options[truth.options["model"] == truth.options["model"].iloc[0]]
    worst = own.loc[own["gap"].abs().idxmax()]
    direction = "under-promises" if worst["gap"] < 0 else "over-promises"
    texts["gaps"] = (
        f"The largest miss among the options is {worst['option']}: "
        f"{_expected(worst['expected_net_profit'], currency)}, in truth it "
        f"{_truly(worst['true_net_profit'], currency)}; the model {direction} there. It counts one order for each "
        f"extra buyer, so it under-promises where the offer wins back customers who had left (their whole "
        f"future returns) and misses either way where the uplift model misjudges who responds.")
    first = truth.options[truth.options["model"] == "first version"]
    if len(first):
        row = first.iloc[0]
        texts["first"] = (
            f"The first version of this model (a saved customer worth the whole value at stake, an assumed flat "
            f"uplift) was {_expected(row['expected_net_profit'], currency)} from its list of "
            f"{int(row['targets']):,}; in truth that list {_truly(row['true_net_profit'], currency)}.")
    return texts


# -- the stage ------------------------------------------------------------------------------------------------

def _lapsed(frame: pd.DataFrame, regime: Regime, as_of: pd.Timestamp) -> dict[str, Any]:
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


def _question(grid: pd.DataFrame, offer_type: str) -> dict[str, Any]:
    cells = {}
    for pool in ("highest_churn", "profit_maximising"):
        row = roi.what_if_cell(grid, pool, QUESTION_N, QUESTION_DISCOUNT, offer_type)
        cells[pool] = {k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
    return {"n": QUESTION_N, "discount": QUESTION_DISCOUNT, "offer_type": offer_type, **cells}


def _sensitivity(regime: Regime, value_draws: pd.DataFrame | None, n_draws: int,
                 seed: int) -> tuple[pd.DataFrame | None, pd.DataFrame | None, pd.DataFrame | None]:
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


def _roi_analysis(options: pd.DataFrame, regime: Regime) -> pd.DataFrame:
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
    economics = _economics(ctx)
    frame = dc.decision_frame(segments, churn, values, as_of=end, base_window_days=d.base_window_days,
                              at_risk_threshold=d.at_risk_threshold, margin=economics["margin"],
                              offer_months=[d.offer_months])
    value_draws = _value_draws(ctx.read("value.draws"), frame.index)

    response = dc.measured_response(ctx.read("experiment_summary"), _control_rate(ctx.read("experiment_effects")),
                                    alpha=e.alpha, predicted=predicted)
    regime = _regime(ctx, frame, response, predicted, value_draws)
    assumed = _regime(ctx, frame, dc.assumed_response(), predicted, value_draws) if response.measured else None
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
    tornado, scenarios, mc = _sensitivity(regime, value_draws, r.monte_carlo_draws, r.seed)
    options = _options_table(regime)
    kpis = _kpis(ctx, frame, end, previous_as_of)
    analysis = _roi_analysis(pd.concat([options] + ([_options_table(assumed)] if assumed else []),
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
    truth = _truth_check(ctx, regime, assumed, frame)
    question = _question(grid, d.offer_type)
    lapsed = _lapsed(frame, regime, end)
    base_n = int(frame[IN_BASE].sum())
    texts = {"lead": _lead(kpis, decision, settings, ctx.currency), "response": response.sentence(),
             "change": _change(assumed, regime, ctx.currency),
             "question": _question_text(question, base_n, regime, ctx.currency),
             "lapsed": _lapsed_text(lapsed, settings, ctx.currency),
             "dogs": _dogs_text(int(dogs.sum()), base_n, response),
             "test": test.summary, "options_title": _options_title(decision, ctx.currency),
             "question_title": (f"{QUESTION_DISCOUNT:.0%} to the {QUESTION_N:,} highest-risk customers: do we make "
                                f"money?"),
             **_truth_texts(truth, ctx.currency)}
    pool_labels = {k: roi.pool_label(k) for k in dict.fromkeys(grid["pool"])}
    return CampaignsResult(
        info=info, currency=ctx.currency, as_of=end, previous_as_of=previous_as_of, settings=settings, frame=used,
        regime=regime, assumed=assumed, kpis=kpis, decision=document, options=options,
        comparison=_comparison(assumed, regime) if assumed is not None else None,
        by_segment=dc.segment_value_risk(frame), lapsed=lapsed, targets=targets, test=test,
        sleeping_dogs=int(dogs.sum()), what_if=grid, question=question, tornado=tornado,
        scenarios=scenarios, monte_carlo=mc, roi_analysis=analysis, customers=customers, explorer=explorer,
        truth=truth, glossary=dict(dc.GLOSSARY), texts=texts, pool_labels=pool_labels)
