"""The campaigns report's sentences: the lead, the change a measurement makes, the question, the lapsed
customers, the sleeping dogs, the options table's title and the check against the truth.

Money is always said in words of profit or loss ("expected to lose £1,234"), never as a negative profit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from retention import decisions as dc
from retention.stages.campaigns.regime import Regime
from retention.stages.campaigns.truth import TruthCheck

__all__ = ["change_text", "dogs_text", "lapsed_text", "lead_text", "options_title", "question_text", "truth_texts"]


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


def lead_text(kpis: Mapping[str, Any], decision: dc.Decision, settings: Mapping[str, Any], currency: str) -> str:
    """The report's lead: the base, its at-risk customers, the expected loss and the decision's headline."""
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


def change_text(assumed: Regime | None, measured: Regime, currency: str) -> str:
    """What the measured uplift changes against the assumed one (or how the test would replace it)."""
    if assumed is None:
        return "The test below is how to replace the assumption with a measured uplift."
    a, m = assumed.decision, measured.decision
    same = a.action == m.action and (a.focus.name if a.focus else None) == (m.focus.name if m.focus else None)
    lead = ("The measurement keeps the action but changes its numbers" if same
            else "The measurement changes the decision")
    return (f"{lead}. With the params' assumed uplifts the analysis would {_said(a, currency)}; with the measured "
            f"uplift it says {_said(m, currency)}.")


def question_text(question: Mapping[str, Any], base: int, regime: Regime, currency: str) -> str:
    """The answer to the question the series was built for, in words."""
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


def options_title(decision: dc.Decision, currency: str) -> str:
    """The options table's title: what is chosen and why (or why nothing is)."""
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


def lapsed_text(lapsed: Mapping[str, Any], settings: Mapping[str, Any], currency: str) -> str:
    """The win-back question of the lapsed customers, in words."""
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


def dogs_text(dogs: int, base: int, response: dc.ResponseModel) -> str:
    """How many sleeping dogs the uplift model leaves out (empty without a per-customer uplift)."""
    if not response.per_customer:
        return ""
    return (f"The uplift model predicts that the offer would make {_plural(dogs, 'customer')} of the base "
            f"({dogs / base:.0%}) less likely to buy: these sleeping dogs are left out of every list the analysis "
            f"builds.") if base else ""


def truth_texts(truth: TruthCheck | None, currency: str) -> dict[str, str]:
    """The check against the generator's truth, in words (or why there is none)."""
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
