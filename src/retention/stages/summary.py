"""Stage 07: the executive summary: what to do now and how the customer base is doing, on one page.

Every headline number comes from the products the campaigns step wrote, ``decision.json`` and ``kpis.json``
(contract C6), and is never computed again here: the narrative is written from those two files with the same
formatting as the decision card and the KPI cards, so a number reads the same in the card, in the sentence and
on the index page. The per-customer decision table (``decision.customers``) only adds the view of where risk
and value meet, by segment, and the lapsed customers' own numbers; the stage checks that it agrees with the
JSON (base, at risk, expected loss, list size) and says so when it does not.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from retention import catalog
from retention import decisions as dc
from retention.report.components import format_kpi
from retention.report.formatting import day, money, number, pct, plural
from retention.report.label_placement import label_positions, x_range
from retention.report.site import SERIES
from retention.report.theme import trend
from retention.stages.context import Context

__all__ = ["SummaryResult", "run", "narrative", "outcome", "consistency_checks", "lapsed_sentence", "uplift_words",
           "chart_title", "GLOSSARY_TERMS", "LISTS"]

STEP = "07_executive_summary"
IN_LIST, NOT_IN_LIST = "Has customers in the recommended list", "No customer in the recommended list"

GLOSSARY_TERMS = ("customer_base", "lapsed_customer", "churn_probability", "at_risk", "at_risk_share",
                  "value_at_stake", "expected_loss", "retention_rate", "uplift", "break_even_uplift",
                  "expected_net_profit", "roi", "p_loss", "offer_cost_model", "profit_maximising_list",
                  "pinned_campaign")
"""The terms this page uses, by their machine names (the glossary reads their one definition)."""

LISTS = ("campaign_targets", "experiment_assignment", "churn_predictions", "high_value_at_risk",
         "enhanced_customer_data", "segment_lists", "roi_analysis", "what_if_grid")
"""The CSV files the summary links, in this order (those the run wrote)."""


@dataclass(frozen=True)
class SummaryResult:
    """Everything the executive summary shows."""

    info: dict[str, Any]
    currency: str
    as_of: pd.Timestamp
    decision: dict[str, Any]         # decision.json, as the campaigns step wrote it
    kpis: dict[str, Any]             # kpis.json, as the campaigns step wrote it
    outcome: str                     # "run", "run (pinned)", "test first" or "none"
    tone: str                        # the narrative's callout tone: good, bad or warning
    narrative: str                   # one paragraph from the two JSON files
    by_segment: pd.DataFrame         # where risk and value meet: per segment of the base, + customers in the list
    lapsed: dict[str, float]         # the win-back question's own numbers (not part of the expected loss)
    listed: int                      # customers marked as in the recommended list in decision.customers
    checks: tuple[str, ...]          # disagreements between decision.customers and the JSON ("" when none)
    reports: tuple[tuple[str, str, str], ...]   # (file, title, the question it answers) of the other reports
    lists: pd.DataFrame              # the CSV lists: file, href, what it holds, rows
    glossary: tuple[str, ...]        # GLOSSARY_TERMS that apply
    summary: dict[str, Any]          # work/executive_summary.json
    lapsed_text: str                 # the lapsed customers in one sentence
    chart_title: str                 # the value x risk chart's finding
    warnings: tuple[str, ...] = ()   # what the libraries warned about (filled by stages.run_in)

    groups: tuple[str, str] = (IN_LIST, NOT_IN_LIST)

    @property
    def chart(self) -> pd.DataFrame:
        """The value x risk bubbles: segments of the base with their mean churn probability, mean value at stake,
        size, expected loss and whether the recommended list draws on them."""
        table = self.by_segment[self.by_segment["customers"] > 0].reset_index()
        span = x_range(table["mean_churn_probability"])[1]
        return table.assign(group=[IN_LIST if n > 0 else NOT_IN_LIST for n in table["targeted"]],
                            label_position=label_positions(table["mean_churn_probability"],
                                                           table["mean_value_at_stake"], table["Segment"],
                                                           table["customers"], span))

    @property
    def chart_x_range(self) -> list[float]:
        """The churn-probability axis of the value x risk chart (zero-based)."""
        return x_range(self.by_segment.loc[self.by_segment["customers"] > 0, "mean_churn_probability"])


# -- the narrative, from decision.json and kpis.json only ------------------------------------------------------

def _kpi(kpis: Mapping[str, Any], key: str) -> Mapping[str, Any] | None:
    return next((k for k in kpis.get("kpis", []) if k.get("key") == key), None)


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _move(kpi: Mapping[str, Any], currency: str, since: str = "") -> str:
    """'up from 2,503 on 1 Sep 2011 (better)': direction, the previous value as the cards show it, and whether
    the change is good by the KPI's own direction (``higher_is_better``)."""
    previous = kpi.get("previous")
    move = trend(kpi["current"], previous, kpi.get("higher_is_better"))
    if move is None:
        return "with no earlier period to compare"
    before = format_kpi(previous, kpi["unit"], currency)
    if move.arrow == "=":
        return f"unchanged from {before}{since}"
    direction = "up" if kpi["current"] > previous else "down"
    verdict = f" ({move.word})" if move.good is not None else ""
    return f"{direction} from {before}{since}{verdict}"


def _kpi_sentences(kpis: Mapping[str, Any]) -> list[str]:
    currency = kpis.get("currency", "GBP")
    fmt = {k["key"]: format_kpi(k["current"], k["unit"], currency) for k in kpis.get("kpis", [])}
    since = f" on {day(kpis['previous_as_of'])}" if kpis.get("previous_as_of") else ""
    sentences = []
    base, count, share = _kpi(kpis, "base"), _kpi(kpis, "at_risk"), _kpi(kpis, "at_risk_share")
    loss, rate = _kpi(kpis, "expected_loss"), _kpi(kpis, "retention_rate")
    if base is not None:
        sentences.append(f"As of {day(kpis['as_of'])} the customer base is {plural(base['current'], 'customer')}, "
                         f"{_move(base, currency, since)}.")
    if count is not None and share is not None:
        risk = (f"{fmt['at_risk_share']} of them ({fmt['at_risk']}) are at risk, {_move(share, currency)} "
                f"as a share of the base")
        if loss is not None:
            risk += f"; the base's expected loss is {fmt['expected_loss']}, {_move(loss, currency)}"
        sentences.append(risk + ".")
    elif loss is not None:
        sentences.append(f"The base's expected loss is {fmt['expected_loss']}, {_move(loss, currency)}.")
    if rate is not None:
        period = kpis.get("period_days")
        earlier = f" {period} days earlier" if period else " one period earlier"
        within = f" within {period} days" if period else ""
        sentences.append(f"Of the customers in the base{earlier}, {fmt['retention_rate']} bought again{within}, "
                         f"{_move(rate, currency)}.")
    return sentences


def _result_words(profit: float, currency: str) -> str:
    """'an expected net profit of £14.4k' or 'an expected net loss of £320' (a loss is never called profit)."""
    if profit > 0:
        return f"an expected net profit of {money(profit, currency)}"
    if profit < 0:
        return f"an expected net loss of {money(-profit, currency)}"
    return "an expected net result of zero"


def uplift_words(decision: Mapping[str, Any]) -> str:
    """'assumed 15.0%' or 'measured 26.1%': the uplift the numbers use and where it comes from."""
    source = "measured" if decision.get("uplift_source") == "measured" else "assumed"
    return f"{source} {pct(decision.get('assumed_uplift'))}"


def _break_even(decision: Mapping[str, Any]) -> str:
    b = decision.get("break_even_uplift")
    if _missing(b):
        return "no uplift makes it break even"
    return f"it breaks even at an uplift of {pct(b)} ({uplift_words(decision)})"


def outcome(decision: Mapping[str, Any]) -> str:
    """"run", "run (pinned)", "test first" (no campaign now, a candidate to test) or "none"."""
    if decision.get("action") == "run":
        return "run (pinned)" if decision.get("pinned") else "run"
    return "test first" if decision.get("test_campaign") else "none"


def _decision_sentences(decision: Mapping[str, Any]) -> list[str]:
    currency = decision.get("currency", "GBP")
    kind = outcome(decision)
    if kind.startswith("run"):
        targets, profit = decision.get("targets") or 0, decision.get("expected_net_profit") or 0.0
        chance = f"{pct(decision.get('p_loss'))} chance of a loss"
        what = f"{decision['campaign']} on {plural(targets, 'customer')}"
        if kind == "run":
            first = f"Recommended: run {what}, for {_result_words(profit, currency)} with a {chance}"
        else:
            pick = decision.get("analysis_pick")
            alone = f"pick {pick}" if pick and pick != decision.get("campaign") else \
                "pick the same campaign" if pick else "run no campaign"
            first = (f"The params pin the campaign: run {what}, for {_result_words(profit, currency)} with a "
                     f"{chance}; the analysis alone would {alone}")
        return [f"{first}; {_break_even(decision)}."]
    if kind == "none":
        return ["No campaign is recommended: no option targets anyone."]
    candidate = decision["test_campaign"]
    limit = decision.get("max_p_loss")
    risk = f" with at most a {pct(limit)} chance of a loss" if not _missing(limit) else " at an acceptable risk"
    alternative = next((a for a in decision.get("alternatives") or [] if a.get("campaign") == candidate), None)
    untested = ""
    if alternative is not None and not _missing(alternative.get("expected_net_profit")):
        profit = alternative["expected_net_profit"]
        untested = (f" Rolled out untested, {candidate} would have {_result_words(profit, currency)} with a "
                    f"{pct(alternative.get('p_loss'))} chance of a loss.")
    return [f"No campaign is recommended yet: none is expected to make money{risk}. Test {candidate} first: "
            f"{_break_even(decision)}." + untested]


def narrative(decision: Mapping[str, Any], kpis: Mapping[str, Any]) -> str:
    """One short paragraph from ``decision.json`` and ``kpis.json``: the base, the at-risk share, the expected
    loss and the retention rate with their change (good or bad), then the decision. Every number in it is a value
    of the two files, formatted as the cards format it; "pays" is never said."""
    return " ".join(_kpi_sentences(kpis) + _decision_sentences(decision))


def _tone(decision: Mapping[str, Any]) -> str:
    kind = outcome(decision)
    if kind.startswith("run"):
        return "good" if (decision.get("expected_net_profit") or 0) > 0 else "bad"
    return "warning"


# -- the per-customer view and its agreement with the JSON -------------------------------------------------------

def consistency_checks(frame: pd.DataFrame, decision: Mapping[str, Any], kpis: Mapping[str, Any]) -> list[str]:
    """Where the per-customer decision table disagrees with ``kpis.json`` / ``decision.json`` (base size, at-risk
    count, expected loss of the base, list size) or breaks the vocabulary (at risk outside the base); empty when
    they agree."""
    problems = []
    base, at_risk = frame["in_base"].astype(bool), frame["at_risk"].astype(bool)
    if (at_risk & ~base).any():
        problems.append(f"{number((at_risk & ~base).sum())} customers are marked at risk but are not in the base.")
    counts = {"base": int(base.sum()), "at_risk": int(at_risk.sum()),
              "expected_loss": float(frame.loc[base, "expected_loss"].sum())}
    for key, mine in counts.items():
        kpi = _kpi(kpis, key)
        if kpi is None or _missing(kpi.get("current")):
            continue
        if not math.isclose(mine, kpi["current"], rel_tol=1e-6, abs_tol=1e-6):
            shown = format_kpi(mine, kpi["unit"], kpis.get("currency", "GBP"))
            problems.append(f"{kpi['name']}: the per-customer table gives {shown}, kpis.json "
                            f"{format_kpi(kpi['current'], kpi['unit'], kpis.get('currency', 'GBP'))}.")
    listed = int(frame["targeted"].astype(bool).sum())
    if listed != int(decision.get("targets") or 0):
        problems.append(f"The per-customer table marks {number(listed)} customers for the list, decision.json "
                        f"{number(decision.get('targets') or 0)}.")
    return problems


def lapsed_sentence(lapsed: Mapping[str, float], currency: str) -> str:
    """The lapsed customers in one sentence: how many, their share of everyone seen, how long ago they bought."""
    n = int(lapsed["lapsed"])
    if n == 0:
        return "Every customer seen bought within the base window: nobody is lapsed."
    days = lapsed.get("median_days_since_purchase")
    ago = f", a median of {plural(days, 'day')} ago" if not _missing(days) else ""
    verb = "has" if n == 1 else "have"
    return (f"{plural(n, 'customer')} ({pct(lapsed['share_of_customers'])} of everyone seen) {verb} not bought "
            f"within the base window{ago}: they are lapsed. Winning them back is a separate question with its own "
            f"numbers; they are not part of the expected loss.")


def chart_title(by_segment: pd.DataFrame, currency: str) -> str:
    """The value x risk chart's finding: which segment of the base carries the most expected loss, its share, and
    whether that is because its customers are likely to leave, valuable, or both (against the base's averages,
    weighted by customers)."""
    base = by_segment[by_segment["customers"] > 0]
    total = float(base["expected_loss"].sum())
    if base.empty or total <= 0:
        return "No segment of the customer base carries any expected loss"
    top = base["expected_loss"].idxmax()
    weights = base["customers"] / base["customers"].sum()
    risky = base.loc[top, "mean_churn_probability"] > float((base["mean_churn_probability"] * weights).sum())
    valuable = base.loc[top, "mean_value_at_stake"] > float((base["mean_value_at_stake"] * weights).sum())
    why = {(False, True): ": its customers are worth more than most, not more likely to leave",
           (True, True): ": its customers are both more likely to leave and worth more than most",
           (True, False): ": its customers are more likely to leave, though worth less than most"}.get(
        (risky, valuable), "")
    loss = base.loc[top, "expected_loss"]
    return (f"The {top} segment carries the largest expected loss of the base ({money(loss, currency)}, "
            f"{pct(loss / total)} of it){why}")


def _by_segment(frame: pd.DataFrame) -> pd.DataFrame:
    table = dc.segment_value_risk(frame)
    listed = frame.loc[frame["targeted"].astype(bool), "Segment"].value_counts()
    order = list(table.index) + sorted(set(listed.index) - set(table.index))
    table = table.reindex(order)
    table[["customers", "at_risk"]] = table[["customers", "at_risk"]].fillna(0).astype(int)
    table["targeted"] = listed.reindex(order).fillna(0).astype(int)
    return table.rename_axis("Segment")


# -- links ---------------------------------------------------------------------------------------------------------

def _rows(path: Path) -> int:
    with open(path, "rb") as fh:
        return max(0, sum(1 for _ in fh) - 1)


def _holds(name: str, description: str, decision: Mapping[str, Any], rows: int) -> str:
    """What a list holds, in words that fit the decision: with no campaign to run, the target list and the
    assignment are those of the candidate to test, never called a campaign to run."""
    run = decision.get("action") == "run"
    candidate = decision.get("test_campaign")
    if name == "campaign_targets":
        if run:
            return f"the target list of {decision.get('campaign')}, the recommended campaign"
        if rows and candidate:
            return f"the customers of {candidate}, the candidate to test (no campaign to run now)"
        return "empty: no campaign is recommended now"
    if name == "experiment_assignment":
        if run:
            return f"a seeded random test/control split of {decision.get('campaign')}'s list"
        if rows and candidate:
            return f"a seeded random test/control split for the test of {candidate}"
    return description


def _lists(ctx: Context, decision: Mapping[str, Any]) -> pd.DataFrame:
    """The CSV files of :data:`LISTS` the run wrote: file, link (relative to the report), what it holds, rows."""
    rows = []
    named = {Path(p.path).name for p in catalog.PRODUCTS.values() if "*" not in p.path}
    for name in LISTS:
        product = catalog.PRODUCTS[name]
        folder = ctx.out / "artifacts"
        paths = [p for p in sorted(folder.glob(Path(product.path).name)) if p.name not in named] \
            if "*" in product.path else [ctx.out / product.path]
        for path in paths:
            if path.exists():
                n = _rows(path)
                rows.append({"file": path.name, "href": f"artifacts/{path.name}",
                             "holds": _holds(name, product.description, decision, n), "rows": n})
    return pd.DataFrame(rows, columns=["file", "href", "holds", "rows"])


# -- the stage -----------------------------------------------------------------------------------------------------

def run(ctx: Context) -> SummaryResult:
    """Read the decision and the KPIs, write the summary's narrative and the value x risk view."""
    info = ctx.read("prepared.info")
    decision, kpis = ctx.read("decision"), ctx.read("kpis")
    currency = ctx.currency
    as_of = pd.Timestamp(kpis.get("as_of") or info["end_date"])
    customers = ctx.read("decision.customers")
    segments = ctx.read("segments.customers")[["Segment", "LastPurchase"]]
    churn = ctx.read("churn.customers")[["churn_probability"]]
    own = [c for c in (*segments.columns, *churn.columns) if c in customers.columns]
    frame = customers.drop(columns=own).join(segments, how="left").join(churn, how="left")
    by_segment = _by_segment(frame)
    lapsed = dc.lapsed_summary(frame.assign(in_base=frame["in_base"].astype(bool)), info["end_date"])
    checks = tuple(consistency_checks(frame, decision, kpis))
    text = narrative(decision, kpis)
    kind = outcome(decision)
    lists = _lists(ctx, decision)
    reports = tuple((f"{stem}.html", title, question) for stem, title, question in SERIES if stem != STEP)
    glossary = tuple(t for t in GLOSSARY_TERMS if t != "pinned_campaign" or decision.get("pinned"))
    summary = dc.json_ready({
        "as_of": str(as_of.date()), "currency": currency, "outcome": kind, "narrative": text,
        "decision": {k: decision.get(k) for k in ("action", "pinned", "campaign", "analysis_pick", "test_campaign",
                                                  "headline", "target_list")},
        "by_segment": by_segment.reset_index().to_dict(orient="records"), "lapsed": lapsed,
        "listed": int(frame["targeted"].astype(bool).sum()), "checks": list(checks),
        "lists": lists.to_dict(orient="records"),
    })
    ctx.write("executive_summary", summary)
    return SummaryResult(info=info, currency=currency, as_of=as_of, decision=decision, kpis=kpis, outcome=kind,
                         tone=_tone(decision), narrative=text, by_segment=by_segment, lapsed=lapsed,
                         listed=summary["listed"], checks=checks, reports=reports, lists=lists, glossary=glossary,
                         summary=summary, lapsed_text=lapsed_sentence(lapsed, currency),
                         chart_title=chart_title(by_segment, currency))
