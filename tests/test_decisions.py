"""Tests for retention.decisions: the vocabulary, the decision frame, choosing a campaign, decision.json and the
checks against the truth."""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pandas as pd
import pytest

from retention import decisions as dc
from retention import roi
from retention.roi import Assumptions, Campaign, Offer

AS_OF = pd.Timestamp("2011-11-30")


# ---------------------------------------------------------------------------------------------------------
# Fixtures
# ---------------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def inputs() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Segment, churn and value tables of 3,000 seeded customers, some lapsed."""
    rng = np.random.default_rng(8)
    n = 3000
    ids = pd.Index([f"C{i:05d}" for i in range(n)], name="CustomerID")
    days = rng.integers(0, 365, n)
    segments = np.array(["Champions", "Loyal Customers", "At Risk", "Hibernating", "Lost", "Potential Loyalists"])
    customers = pd.DataFrame({"LastPurchase": AS_OF - pd.to_timedelta(days, unit="D"),
                              "Segment": rng.choice(segments, n), "Monetary": rng.gamma(2.0, 300.0, n)}, index=ids)
    p = np.clip(days / 365 + rng.normal(0, 0.15, n), 0.01, 0.99)
    churn = pd.DataFrame({"churn_probability": p, "risk_band": np.where(p < 0.5, "Low", "High")}, index=ids)
    order = rng.gamma(3.0, 30.0, n)
    revenue = order * rng.gamma(2.0, 2.5, n)
    values = pd.DataFrame({"expected_revenue_if_alive": revenue, "expected_order_value": order,
                           "expected_revenue_if_alive_3m": revenue * 0.3, "p_alive": rng.uniform(1e-9, 1, n)},
                          index=ids)
    return customers, churn, values


@pytest.fixture(scope="module")
def frame(inputs) -> pd.DataFrame:
    customers, churn, values = inputs
    return dc.decision_frame(customers, churn, values, as_of=AS_OF, base_window_days=180, at_risk_threshold=0.5,
                             margin=0.4, offer_months=[3])


def option(name: str, net: float, p_loss: float, targets: int = 100, break_even: float = 0.05,
           uplift: float = 0.1) -> dc.Option:
    """An evaluated option with made-up numbers, for the choice rule."""
    campaign = Campaign(name, top_n=targets, offer=Offer(0.15, 1.0, 100.0), assumptions=Assumptions(uplift, 0.3, 0.4))
    summary = {k: 0.0 for k in roi.SUMMARY_KEYS}
    summary.update(targeted=targets, net_profit=net, roi=net / 1000.0, break_even_uplift=break_even)
    return dc.Option(campaign, summary, p_loss, 1000)


# ---------------------------------------------------------------------------------------------------------
# Vocabulary and the decision frame
# ---------------------------------------------------------------------------------------------------------

def test_glossary_defines_every_term_in_one_sentence():
    for term in ("customer base", "lapsed customer", "at risk", "value at stake", "expected loss", "retention rate",
                 "break-even uplift", "P(loss)", "offer cost model", "profit-maximising list"):
        assert term in dc.GLOSSARY
    for term, text in dc.GLOSSARY.items():
        assert text.endswith(".") and text.count(". ") == 0 and "\n" not in text, term
    assert dc.RETIRED_NAMES["revenue at risk"] == "expected loss"
    assert dc.decision_settings({"max_p_loss": 0.1})["max_p_loss"] == 0.1
    with pytest.raises(ValueError, match="unknown decision setting"):
        dc.decision_settings({"max_ploss": 0.1})


def test_customer_base_window_is_exact():
    last = pd.Series(pd.to_datetime(["2011-06-03", "2011-06-04", "2011-11-30"]), index=["a", "b", "c"])
    assert dc.customer_base(last, AS_OF, 180).tolist() == [False, True, True]
    with pytest.raises(ValueError, match="after the as-of date"):
        dc.customer_base(last, "2011-11-29", 180)


def test_at_risk_is_a_subset_of_the_base_and_loss_is_bounded(frame):
    assert (frame["at_risk"] <= frame["in_base"]).all()
    assert frame["at_risk"].sum() == int((frame["in_base"] & (frame["churn_probability"] >= 0.5)).sum())
    assert 0 < frame["in_base"].sum() < len(frame)
    assert (frame["expected_loss"] <= frame["value_at_stake"] + 1e-12).all()
    assert frame["value_at_stake"].to_numpy() == pytest.approx(0.4 * frame["expected_revenue_if_alive"].to_numpy())
    by_segment = dc.segment_value_risk(frame)
    assert (by_segment["expected_loss"] <= by_segment["value_at_stake"]).all()
    assert by_segment["customers"].sum() == frame["in_base"].sum()
    assert by_segment["expected_loss"].sum() == pytest.approx(frame.loc[frame["in_base"], "expected_loss"].sum())


def test_lapsed_customers_have_their_own_numbers(frame):
    lapsed = dc.lapsed_summary(frame, AS_OF)
    assert lapsed["lapsed"] == int((~frame["in_base"]).sum())
    assert lapsed["median_days_since_purchase"] >= 180
    kpi = dc.snapshot(frame)
    assert kpi["expected_loss"] == pytest.approx(frame.loc[frame["in_base"], "expected_loss"].sum())


def test_decision_frame_errors(inputs):
    customers, churn, values = inputs
    with pytest.raises(ValueError, match=r"churn has no row for 1 customer"):
        dc.decision_frame(customers, churn.iloc[1:], values, as_of=AS_OF)
    with pytest.raises(ValueError, match="expected_revenue_if_alive_6m"):
        dc.decision_frame(customers, churn, values, as_of=AS_OF, offer_months=[6])
    bad = churn.assign(churn_probability=churn["churn_probability"].where(churn.index != "C00002", 1.5))
    with pytest.raises(ValueError, match="churn_probability must be between 0 and 1.*'C00002'"):
        dc.decision_frame(customers, bad, values, as_of=AS_OF)
    infinite = values.assign(expected_revenue_if_alive=np.inf)
    with pytest.raises(ValueError, match="finite"):
        dc.decision_frame(customers, churn, infinite, as_of=AS_OF)


# ---------------------------------------------------------------------------------------------------------
# Choosing
# ---------------------------------------------------------------------------------------------------------

def test_recommends_the_highest_net_profit_with_acceptable_risk():
    options = [option("A", 5000.0, 0.05), option("B", 9000.0, 0.40), option("C", 7000.0, 0.15),
               option("D", -300.0, 0.7)]
    decision = dc.decide(options, max_p_loss=0.2, currency="GBP")
    assert decision.action == "run" and decision.chosen.name == "C" and decision.analysis_pick.name == "C"
    text = " ".join(decision.why)
    assert "B would earn more (£9,000) but loses money in 40%" in text
    assert "Expected to lose money under the base assumptions: D." in text
    assert decision.headline.startswith("Run C with 15% off the next order: 100 customers, expected net profit £7,000")


def test_none_pays_means_test_first():
    options = [option("A", -100.0, 0.6), option("B", 800.0, 0.45, break_even=0.08), option("C", 50.0, 0.3)]
    decision = dc.decide(options, max_p_loss=0.2, currency="USD")
    assert decision.action == "none" and decision.chosen is None and decision.analysis_pick is None
    assert decision.test_candidate.name == "B"
    assert decision.headline.startswith("Run no campaign yet; test first")
    doc = dc.decision_document(decision, as_of=AS_OF, currency="USD", target_list="artifacts/t.csv",
                               test={"control_share": 0.5})
    assert doc["action"] == "none" and doc["campaign"] is None and doc["target_list"] is None
    assert doc["targets"] == 0 and doc["expected_net_profit"] == 0.0 and doc["test_campaign"] == "B"
    assert doc["break_even_uplift"] == 0.08 and doc["test"] == {"control_share": 0.5}


def test_pinned_campaign_is_run_and_the_analysis_pick_is_named():
    options = [option("A", 5000.0, 0.05), option("Pinned", -2000.0, 0.8)]
    decision = dc.decide(options, max_p_loss=0.2, pinned_campaign="Pinned", currency="GBP")
    assert decision.action == "run" and decision.pinned and decision.chosen.name == "Pinned"
    assert decision.analysis_pick.name == "A"
    assert "(pinned in params)" in decision.headline and "expected to lose £2,000" in decision.headline
    assert "Pinned is pinned in params; the analysis would pick A." in decision.why
    with pytest.raises(ValueError, match=r"unknown campaign: 'Pined' \(did you mean 'Pinned'\?\)"):
        dc.decide(options, pinned_campaign="Pined")


def test_no_pays_wording_with_a_loss_and_no_best_zero():
    options = [option("A", -500.0, 0.9), option(roi.PROFIT_LIST_NAME, 0.0, 0.0, targets=0)]
    decision = dc.decide(options, currency="GBP")
    text = decision.headline + " " + " ".join(decision.why)
    assert decision.action == "none" and decision.test_candidate.name == "A"
    assert "No customer of the base has a positive expected incremental profit" in text
    assert not re.search(r"best 0\b", text)
    for sentence in re.split(r"(?<=\.)\s", text):
        if re.search(r"\bpays?\b", sentence) and "lose" in sentence:
            assert "only if" in sentence  # conditional: "would pay only if ..."
    nobody = dc.decide([option(roi.PROFIT_LIST_NAME, 0.0, 0.0, targets=0)])
    assert nobody.action == "none" and nobody.headline == "Run no campaign: no option targets anyone."


def test_break_even_status_rule():
    assert dc.break_even_status(option("a", 1.0, 0.0, break_even=0.02, uplift=0.1), uplift_low=0.03) == "green"
    assert dc.break_even_status(option("a", 1.0, 0.0, break_even=0.05, uplift=0.1), uplift_low=0.03) == "amber"
    assert dc.break_even_status(option("a", -1.0, 0.0, break_even=0.2, uplift=0.1), uplift_low=0.03) == "red"
    assert dc.break_even_status(option("a", -1.0, 0.0, break_even=math.inf)) == "red"
    assert dc.break_even_status(option("a", 1.0, 0.0, break_even=0.04, uplift=0.1)) == "green"  # low = u / 2
    assert dc.break_even_status(None) == "red"


def test_decision_document_follows_c6(tmp_path):
    decision = dc.decide([option("A", 5000.0, 0.05), option("B", 100.0, 0.1)], currency="GBP", uplift_low=0.03)
    doc = dc.decision_document(decision, as_of=AS_OF, currency="GBP", target_list="artifacts/campaign_targets.csv")
    for key in ("as_of", "currency", "action", "pinned", "campaign", "analysis_pick", "headline", "why",
                "target_list", "targets", "expected_net_profit", "roi", "p_loss", "break_even_uplift",
                "assumed_uplift", "break_even_status", "offer", "test", "alternatives"):
        assert key in doc, key
    assert set(doc["offer"]) >= {"type", "discount", "months", "contact_cost", "fixed_cost", "margin"}
    assert doc["break_even_status"] in ("green", "amber", "red")
    assert [a["campaign"] for a in doc["alternatives"]] == ["A", "B"]
    assert {"campaign", "targets", "expected_net_profit", "roi", "p_loss"} <= set(doc["alternatives"][0])
    text = json.dumps(dc.json_ready(doc))
    for retired in dc.RETIRED_NAMES:
        assert retired not in text
    assert json.loads(dc.write_json(doc, tmp_path / "decision.json").read_text())["campaign"] == "A"


# ---------------------------------------------------------------------------------------------------------
# Evaluating options on a frame
# ---------------------------------------------------------------------------------------------------------

def test_evaluate_options_and_decide_end_to_end(frame):
    economics = {"contact_cost": 0.5, "fixed_cost": 250.0, "redemption_rate": 0.3, "margin": 0.4,
                 "saved_redemption": 1.0}
    campaigns = roi.campaigns_from_dicts([
        {"name": "Win-back", "segments": ["Hibernating", "Lost"], "discount": 0.2, "uplift": 0.05},
        {"name": "Protect", "segments": ["At Risk"], "in_base": True, "discount": 0.15, "contact_cost": 5.0,
         "uplift": 0.15},
    ], defaults=economics)
    ranges = {"uplift": (0.03, 0.2), "margin": (0.3, 0.5), "discount": (0.05, 0.25)}
    offer, assumptions = dc.profit_list_terms(economics, ranges)
    assert (offer.discount, assumptions.uplift) == (0.15, pytest.approx(0.115))
    options = dc.evaluate_options(frame, campaigns, list_offer=offer, list_assumptions=assumptions, ranges=ranges,
                                  n_draws=1000, seed=4)
    assert [o.name for o in options] == ["Win-back", "Protect", roi.PROFIT_LIST_NAME]
    profit_list = options[-1]
    assert profit_list.targets > 0
    # the discount is a choice, not drawn: P(loss) equals a Monte Carlo over the other ranges
    draws = roi.monte_carlo(frame, profit_list.campaign, None, {"uplift": (0.03, 0.2), "margin": (0.3, 0.5)},
                            n_draws=1000, seed=4)
    assert profit_list.p_loss == roi.probability_of_loss(draws)
    decision = dc.decide(options, max_p_loss=0.2, currency="GBP", uplift_low=0.03)
    acceptable = [o for o in options if o.pays and o.p_loss <= 0.2]
    if acceptable:
        assert decision.chosen.net_profit == max(o.net_profit for o in acceptable)
    else:
        assert decision.action == "none"
    targets = dc.target_list(frame, decision.focus)
    assert len(targets) == decision.focus.targets
    assert targets["net_profit"].sum() - decision.focus.offer.fixed_cost == pytest.approx(decision.focus.net_profit)


# ---------------------------------------------------------------------------------------------------------
# Against the truth
# ---------------------------------------------------------------------------------------------------------

def test_list_against_truth_by_hand():
    truth = pd.Series([5.0, -1.0, 3.0, 0.5, -4.0], index=list("abcde"))
    check = dc.list_against_truth(["b", "c"], truth, seed=1)
    assert check["n"] == 2 and check["recommended"] == 2.0 and check["oracle"] == 8.0
    assert check["random_expected"] == pytest.approx(2 * 0.7)
    assert check == dc.list_against_truth(["b", "c"], truth, seed=1)
    assert dc.list_against_truth(["b"], truth, pool=["b", "d", "e"])["oracle"] == 0.5
    with pytest.raises(ValueError, match="no value for 1 recommended"):
        dc.list_against_truth(["z"], truth)


def test_nonbuyer_shares(frame):
    truth = pd.DataFrame({"purchases_next_90d": np.where(frame["churn_probability"] > 0.5, 0, 2)}, index=frame.index)
    shares = dc.nonbuyer_shares(frame, truth)
    assert shares["at_risk_nonbuyer_share"] == 1.0
    assert shares["base_customers"] == int(frame["in_base"].sum())
    assert 0 < shares["base_nonbuyer_share"] < shares["at_risk_nonbuyer_share"]
    with pytest.raises(ValueError, match="no column 'purchases_next_30d'"):
        dc.nonbuyer_shares(frame, truth, column="purchases_next_30d")
