"""Tests for the decision's response model, the confirming test, per-customer actions and KPI retention rates."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from retention import decisions as dc
from retention import experiments
from retention.roi import Assumptions, Campaign, Offer

SUMMARY = {"present": True, "campaign": "15% off", "sent_at": "2011-08-02", "outcome_days": 60, "n_treatment": 400,
           "n_control": 400, "uplift": {"estimate": 0.06, "low": 0.01, "high": 0.11}, "learner": "T-learner"}


def _frame() -> pd.DataFrame:
    idx = pd.Index(["a", "b", "c", "d"], name="CustomerID")
    return pd.DataFrame({"churn_probability": [0.8, 0.4, 0.2, 0.9],
                         "expected_revenue_if_alive": [100.0, 300.0, 500.0, 50.0],
                         "expected_order_value": [40.0, 60.0, 80.0, 20.0], "in_base": [True, True, True, False],
                         "at_risk": [True, False, False, False],
                         "Segment": ["At Risk", "Champions", "Champions", "Lost"],
                         "risk_band": ["High", "Medium", "Low", "High"]}, index=idx)


def test_the_measured_uplift_is_converted_to_the_share_of_would_be_non_buyers():
    model = dc.measured_response(SUMMARY, 0.4)
    assert model.measured and not model.per_customer
    assert model.uplift == pytest.approx(0.06 / 0.6)
    assert (model.low, model.high) == pytest.approx((0.01 / 0.6, 0.11 / 0.6))
    assert model.std_error == pytest.approx((0.11 - 0.01) / 0.6 / (2 * 1.959964), rel=1e-5)
    draws = model.draws(20000, seed=1)
    assert draws.mean() == pytest.approx(model.uplift, abs=0.002)
    assert "measured +6.0 points" in model.sentence()


@pytest.mark.parametrize("summary, control", [(None, 0.4), ({"present": False}, 0.4), (SUMMARY, None)])
def test_without_a_test_the_uplift_is_assumed(summary, control):
    model = dc.measured_response(summary, control)
    assert model.source == "assumed" and not model.measured
    assert "No controlled test" in model.sentence()
    with pytest.raises(ValueError):
        model.draws(10)


def test_response_columns_follow_the_predicted_uplift_at_the_measured_uplift():
    frame = _frame()
    predicted = pd.Series([0.2, -0.05, np.nan, 0.1], index=frame.index)
    model = dc.measured_response(SUMMARY, 0.4, predicted=predicted)
    assert model.per_customer
    columns = dc.response_columns(frame, model, predicted)
    tau = columns["response_weight"] * model.uplift
    assert tau["a"] == pytest.approx(0.2) and tau["b"] == pytest.approx(-0.05) and tau["d"] == pytest.approx(0.1)
    assert columns.loc["c", "response_weight"] == pytest.approx(0.2)  # no prediction: the churn probability
    assert columns["response_value"].tolist() == frame["expected_order_value"].tolist()  # one order
    assert columns["buy_anyway"].tolist() == pytest.approx((1 - frame["churn_probability"]).tolist())
    dogs = dc.sleeping_dogs(frame.join(columns), model)
    assert dogs.tolist() == [False, True, False, False]  # d is negative nowhere; b is in the base
    assumed = dc.response_columns(frame, dc.assumed_response(), predicted)
    assert assumed["response_weight"].tolist() == frame["churn_probability"].tolist()
    assert not dc.sleeping_dogs(frame.join(assumed), dc.assumed_response()).any()


def _option(frame: pd.DataFrame, uplift: float = 0.3, margin: float = 0.4) -> dc.Option:
    offer = Offer(discount=0.15, contact_cost=0.5, fixed_cost=100.0)
    campaign = Campaign("Base", rules={"in_base": True}, offer=offer,
                        assumptions=Assumptions(uplift=uplift, redemption_rate=0.3, margin=margin))
    return dc.evaluate_option(frame, campaign, ranges=None)


def test_the_confirming_test_uses_statsmodels_power_and_assigns_the_list():
    rng = np.random.default_rng(0)
    n = 3000
    idx = pd.Index([f"c{i}" for i in range(n)], name="CustomerID")
    frame = pd.DataFrame({"churn_probability": rng.uniform(0.3, 0.9, n), "expected_revenue_if_alive": 500.0,
                          "expected_order_value": 100.0, "in_base": True,
                          "Segment": rng.choice(["A", "B"], n), "risk_band": rng.choice(["Low", "High"], n)},
                         index=idx)
    option = _option(frame)
    targets = dc.target_list(frame, option)
    test = dc.confirming_test(frame.loc[targets.index], option, outcome_days=60, horizon_days=90, alpha=0.05,
                              power=0.8, control_share=0.5, seed=7, assignment_file="artifacts/x.csv")
    points = option.summary["break_even_uplift"] * frame["churn_probability"].mean()
    baseline = float(np.mean(dc.window_purchase_rate(frame["churn_probability"], 60, 90)))
    n_t, n_c = experiments.sample_size(baseline, points, alpha=0.05, power=0.8, control_share=0.5)
    assert test.break_even_points == pytest.approx(points)
    assert (test.design.n_treatment, test.design.n_control) == (n_t, n_c)
    assert test.document["min_detectable_uplift"] == pytest.approx(points)
    assert test.document["assignment"] == "x.csv"
    assert list(test.assignment.columns) == ["CustomerID", "group", "stratum"]
    assert len(test.assignment) == n and set(test.assignment["stratum"]) == {"A | Low", "A | High", "B | Low",
                                                                           "B | High"}
    again = dc.confirming_test(frame.loc[targets.index], option, outcome_days=60, horizon_days=90, alpha=0.05,
                               power=0.8, control_share=0.5, seed=7)
    pd.testing.assert_frame_equal(test.assignment, again.assignment)


def test_a_list_too_small_for_its_break_even_uplift_says_so():
    frame = _frame()
    option = _option(frame, uplift=0.9)
    test = dc.confirming_test(frame.loc[dc.target_list(frame, option).index], option, outcome_days=60,
                              horizon_days=90, alpha=0.05, power=0.8, control_share=0.5, seed=1,
                              min_detectable_uplift=0.02)
    assert not test.document["feasible"] and "too small" in test.summary


def test_no_test_without_a_list_and_nothing_to_confirm_when_no_uplift_pays():
    empty = dc.confirming_test(_frame().iloc[:0], None, outcome_days=60, horizon_days=90, alpha=0.05, power=0.8,
                               control_share=0.5, seed=1)
    assert empty.document is None and list(empty.assignment.columns) == ["CustomerID", "group", "stratum"]
    frame = _frame()
    frame = frame.assign(response_value=frame["expected_order_value"])  # one order, a margin below the discount
    option = _option(frame, margin=0.1)
    assert math.isinf(option.summary["break_even_uplift"])
    test = dc.confirming_test(frame.loc[dc.target_list(frame, option).index], option, outcome_days=60,
                              horizon_days=90, alpha=0.05, power=0.8, control_share=0.5, seed=1)
    assert test.summary.startswith("Nothing to confirm") and not test.document["feasible"]
    assert len(test.assignment) == option.targets


def test_customer_actions_say_what_to_do_with_each_customer():
    frame = _frame()
    dogs = pd.Series([False, True, False, False], index=frame.index)
    run = dc.customer_actions(frame, targeted=pd.Index(["a"]), offer_text="15% off the next order", run=True,
                              sleeping_dog=dogs)
    assert run["a"].startswith("Send the offer") and run["b"].startswith("Do not contact")
    assert run["c"].startswith("No action") and run["d"].startswith("Lapsed")
    groups = pd.Series(["treatment", "control"], index=pd.Index(["a", "c"], name="CustomerID"))
    test = dc.customer_actions(frame, targeted=pd.Index([]), offer_text="15% off", run=False, test_groups=groups)
    assert test["a"].startswith("Test group") and test["c"].startswith("Test control")
    assert test["b"] == "No action (not at risk)"


def test_retention_rate_from_the_engines_tables_equals_the_one_from_lines():
    lines = pd.DataFrame({"CustomerID": ["a", "a", "b", "c", "c", "d"],
                          "InvoiceDate": pd.to_datetime(["2011-01-05", "2011-03-10", "2011-02-01", "2010-06-01",
                                                         "2011-03-20", "2011-01-20"])})
    as_of, horizon = pd.Timestamp("2011-03-31"), 60
    earlier = as_of - pd.Timedelta(days=horizon)
    last = dc.last_purchases(lines, earlier)
    bought = set(lines.loc[(lines["InvoiceDate"] > earlier) & (lines["InvoiceDate"] <= as_of), "CustomerID"])
    churned = pd.Series([0 if c in bought else 1 for c in last.index], index=last.index)
    expected = dc.retention_rate(lines, as_of, base_window_days=90, horizon_days=horizon)
    assert dc.retention_rate_from_labels(last, churned, earlier, base_window_days=90) == pytest.approx(expected)
