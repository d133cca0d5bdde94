"""Tests for retention.metrics: hand-computed examples, sums that must add up, input checks."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from retention.metrics import (
    REPORT_METRICS,
    cheapest_threshold,
    classification_report_at,
    confusion_at,
    cost_optimal_threshold,
    expected_cost,
    gains_table,
    precision_recall_points,
    probability_losses,
    probability_score,
    reliability_table,
    roc_points,
)


def test_report_on_a_hand_computed_example() -> None:
    y = [0, 0, 1, 1]
    p = [0.1, 0.4, 0.35, 0.8]
    report = classification_report_at(y, p, threshold=0.5)
    assert tuple(report) == REPORT_METRICS
    assert report["roc_auc"] == pytest.approx(0.75)  # 3 of the 4 (churner, stayer) pairs ranked right
    assert report["brier"] == pytest.approx((0.1**2 + 0.4**2 + 0.65**2 + 0.2**2) / 4)
    expected_log_loss = -(math.log(0.9) + math.log(0.6) + math.log(0.35) + math.log(0.8)) / 4
    assert report["log_loss"] == pytest.approx(expected_log_loss)
    # Only 0.8 is at or above 0.5: one true positive, one missed churner.
    assert report["accuracy"] == pytest.approx(0.75)
    assert report["precision"] == pytest.approx(1.0)
    assert report["recall"] == pytest.approx(0.5)
    assert report["f1"] == pytest.approx(2 / 3)
    assert report["positive_rate"] == pytest.approx(0.25)
    assert report["n"] == 4
    assert report["base_rate"] == pytest.approx(0.5)
    # Top 10% of 4 customers = the first of ceil(0.4) = 1 customer: the churner at 0.8 -> 1.0 / 0.5.
    assert report["lift_top_decile"] == pytest.approx(2.0)


def test_threshold_is_inclusive() -> None:
    report = classification_report_at([1, 0], [0.5, 0.2], threshold=0.5)
    assert report["recall"] == 1.0
    assert report["positive_rate"] == 0.5


def test_ranking_metrics_are_nan_with_one_class() -> None:
    report = classification_report_at([1, 1, 1], [0.2, 0.5, 0.9], threshold=0.5)
    assert math.isnan(report["roc_auc"])
    assert math.isnan(report["pr_auc"])
    assert report["recall"] == pytest.approx(2 / 3)


@pytest.mark.parametrize(("y", "p", "message"), [
    ([0, 1], [0.1], "scores have 1"),
    ([0, 2], [0.1, 0.2], "only 0"),
    ([0, 1], [0.1, 1.2], "between 0 and 1"),
    ([0, 1], [0.1, np.nan], "missing"),
    ([], [], "empty"),
])
def test_report_rejects_bad_input(y: list, p: list, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        classification_report_at(y, p, 0.5)


def test_gains_table_matches_hand_computation() -> None:
    y = [1, 0, 1, 1, 0, 0, 1, 0, 0, 0]
    score = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05]
    table = gains_table(y, score, n_bins=5)
    # Bins of two, best first: (1,0) (1,1) (0,0) (1,0) (0,0); 4 churners in 10, base rate 0.4.
    assert table["decile"].tolist() == [1, 2, 3, 4, 5]
    assert table["customers"].tolist() == [2, 2, 2, 2, 2]
    assert table["positives"].tolist() == [1, 2, 0, 1, 0]
    np.testing.assert_allclose(table["cum_customers_share"], [0.2, 0.4, 0.6, 0.8, 1.0])
    np.testing.assert_allclose(table["cum_positives_share"], [0.25, 0.75, 0.75, 1.0, 1.0])
    np.testing.assert_allclose(table["lift"], [1.25, 2.5, 0.0, 1.25, 0.0])
    np.testing.assert_allclose(table["cum_lift"], [1.25, 1.875, 1.25, 1.25, 1.0])
    np.testing.assert_allclose(table["max_score"], [0.9, 0.7, 0.5, 0.3, 0.1])


def test_gains_table_ranks_by_score_not_input_order() -> None:
    y = [0, 0, 0, 1]
    table = gains_table(y, [0.1, 0.2, 0.3, 0.9], n_bins=4)
    assert table["positives"].tolist() == [1, 0, 0, 0]


def test_gains_table_breaks_ties_by_input_order() -> None:
    y = [1, 0, 0, 0, 0, 0]
    tied = gains_table(y, [0.5] * 6, n_bins=3)
    assert tied["positives"].tolist() == [1, 0, 0]  # the first row of the tie lands in the first bin
    flipped = gains_table(y[::-1], [0.5] * 6, n_bins=3)
    assert flipped["positives"].tolist() == [0, 0, 1]


def test_gains_table_with_uneven_bins_adds_up() -> None:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 25)
    table = gains_table(y, rng.random(25), n_bins=10)
    assert table["customers"].sum() == 25
    assert set(table["customers"]) == {2, 3}
    assert table["positives"].sum() == y.sum()
    assert table["cum_positives_share"].iloc[-1] == pytest.approx(1.0)
    assert table["cum_lift"].iloc[-1] == pytest.approx(1.0)


def test_top_decile_lift_agrees_with_the_first_decile_of_the_gains_table() -> None:
    rng = np.random.default_rng(1)
    p = rng.random(137)
    y = (rng.random(137) < p).astype(int)
    report = classification_report_at(y, p, 0.5)
    assert report["lift_top_decile"] == pytest.approx(gains_table(y, p)["lift"].iloc[0])
    assert report["lift_top_decile"] > 1.2  # higher probabilities do churn more here


@pytest.mark.parametrize("strategy", ["quantile", "uniform"])
def test_reliability_table_sums(strategy: str) -> None:
    rng = np.random.default_rng(2)
    p = np.append(rng.random(203), [0.0, 1.0])
    y = (rng.random(205) < p).astype(int)
    table = reliability_table(y, p, n_bins=10, strategy=strategy)
    assert table["customers"].sum() == 205
    assert (table["customers"] * table["observed_rate"]).sum() == pytest.approx(y.sum())
    assert (table["customers"] * table["mean_predicted"]).sum() == pytest.approx(p.sum())
    assert table["mean_predicted"].is_monotonic_increasing
    assert (table["min_proba"] <= table["mean_predicted"]).all()
    assert (table["mean_predicted"] <= table["max_proba"]).all()


def test_reliability_table_bins() -> None:
    p = [0.05, 0.15, 0.55, 0.95, 1.0, 0.5]
    y = [0, 0, 1, 1, 1, 0]
    uniform = reliability_table(y, p, n_bins=2, strategy="uniform")
    assert uniform["customers"].tolist() == [2, 4]  # [0, 0.5) and [0.5, 1]; 1.0 goes in the last bin
    assert uniform["observed_rate"].tolist() == [0.0, 0.75]
    quantile = reliability_table(y, p, n_bins=3, strategy="quantile")
    assert quantile["customers"].tolist() == [2, 2, 2]
    np.testing.assert_allclose(quantile["mean_predicted"], [0.1, 0.525, 0.975])
    with pytest.raises(ValueError, match="strategy"):
        reliability_table(y, p, strategy="kmeans")


def test_cost_optimal_threshold_formula() -> None:
    assert cost_optimal_threshold(cost_missed_churner=9.0, cost_wasted_offer=1.0) == pytest.approx(0.1)
    assert cost_optimal_threshold(1.0, 1.0) == pytest.approx(0.5)
    assert cost_optimal_threshold(0.0, 5.0) == pytest.approx(1.0)
    for bad in [(-1.0, 1.0), (0.0, 0.0), (float("inf"), 1.0)]:
        with pytest.raises(ValueError, match="Costs"):
            cost_optimal_threshold(*bad)


def test_cost_optimal_threshold_minimises_cost_for_calibrated_probabilities() -> None:
    rng = np.random.default_rng(3)
    p = rng.random(200_000)
    y = (rng.random(200_000) < p).astype(int)  # calibrated by construction
    best = cost_optimal_threshold(cost_missed_churner=60.0, cost_wasted_offer=20.0)
    assert best == pytest.approx(0.25)
    costs = {t: expected_cost(y, p, t, c_fn=60.0, c_fp=20.0) for t in (0.05, 0.15, best, 0.35, 0.5, 0.8)}
    assert min(costs, key=costs.get) == best


def test_expected_cost_and_confusion_on_a_hand_example() -> None:
    y = [1, 1, 0, 0, 0]
    p = [0.9, 0.2, 0.7, 0.1, 0.6]
    # At 0.5: TP = 1 (0.9), FN = 1 (0.2), FP = 2 (0.7, 0.6), TN = 1 (0.1).
    assert expected_cost(y, p, 0.5, c_fn=10.0, c_fp=3.0) == pytest.approx(10.0 + 2 * 3.0)
    matrix = confusion_at(y, p, 0.5)
    expected = pd.DataFrame([[1, 2], [1, 1]], index=["Actually stayed", "Actually churned"],
                            columns=["Predicted to stay", "Predicted to churn"])
    pd.testing.assert_frame_equal(matrix, expected, check_names=False)
    assert matrix.to_numpy().sum() == 5
    with pytest.raises(ValueError, match="threshold"):
        confusion_at(y, p, 1.5)


def test_probability_losses_add_up_to_the_report_scores() -> None:
    y = [0, 0, 1, 1, 1]
    p = [0.1, 0.4, 0.35, 0.8, 1.0]
    report = classification_report_at(y, p, 0.5)
    np.testing.assert_allclose(probability_losses(y, p, "brier"), [0.01, 0.16, 0.4225, 0.04, 0.0])
    assert probability_score(y, p, "brier") == pytest.approx(report["brier"])
    assert probability_losses(y, p, "log_loss")[2] == pytest.approx(-math.log(0.35))
    assert probability_score(y, p, "log_loss") == pytest.approx(report["log_loss"])
    assert probability_losses([1], [0.0], "log_loss")[0] == pytest.approx(-math.log(np.finfo(float).eps))
    with pytest.raises(ValueError, match="metric"):
        probability_losses(y, p, "roc_auc")


def test_cheapest_threshold_on_a_hand_example() -> None:
    # Missing a churner costs 3, a wasted offer 1. Contacting from the top: nobody 3*3 = 9;
    # {0.9} 6; {0.9, 0.7} 3 + 1 = 4; {.., 0.6} 0 + 1 = 1 (cheapest); {.., 0.2} 2.
    y = [1, 0, 1, 1, 0]
    p = [0.9, 0.7, 0.6, 0.6, 0.2]
    threshold, cost = cheapest_threshold(y, p, 3.0, 1.0)
    assert cost == 1.0
    assert threshold == pytest.approx(0.4)  # midway between the lowest contacted (0.6) and the next (0.2)
    assert expected_cost(y, p, threshold, 3.0, 1.0) == cost
    nobody, cost_nobody = cheapest_threshold([0, 0, 1], [0.9, 0.8, 0.1], 1.0, 5.0)
    assert cost_nobody == 1.0 and nobody > 0.9
    everybody, _ = cheapest_threshold([1, 0, 1], [0.9, 0.5, 0.1], 5.0, 1.0)  # 10, 5, 6, then 1 for all
    assert everybody == pytest.approx(0.05)


def test_cheapest_threshold_of_calibrated_probabilities_is_near_the_break_even() -> None:
    rng = np.random.default_rng(7)
    p = rng.uniform(0, 1, 20000)
    y = (rng.uniform(0, 1, 20000) < p).astype(int)
    threshold, _ = cheapest_threshold(y, p, 40.0, 20.0)
    assert threshold == pytest.approx(cost_optimal_threshold(40.0, 20.0), abs=0.03)


def test_roc_points_on_a_hand_example() -> None:
    # scores 0.8 (churner), 0.4 (stayer), 0.35 (churner), 0.1 (stayer)
    roc = roc_points([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    assert list(roc.columns) == ["false_positive_rate", "true_positive_rate", "threshold"]
    assert roc[["false_positive_rate", "true_positive_rate"]].to_numpy().tolist() == [
        [0.0, 0.0], [0.0, 0.5], [0.5, 0.5], [0.5, 1.0], [1.0, 1.0]]
    # the area under the points is the ROC-AUC
    assert np.trapezoid(roc["true_positive_rate"], roc["false_positive_rate"]) == pytest.approx(0.75)
    with pytest.raises(ValueError, match="churners and stayers"):
        roc_points([1, 1], [0.2, 0.3])


def test_curve_points_are_thinned_for_charts_keeping_both_ends() -> None:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 5000)
    p = np.clip(0.3 * y + 0.7 * rng.random(5000), 0, 1)
    roc, pr = roc_points(y, p, max_points=50), precision_recall_points(y, p, max_points=50)
    assert len(roc) == 50 and len(pr) == 50
    assert roc.iloc[0, :2].tolist() == [0.0, 0.0] and roc.iloc[-1, :2].tolist() == [1.0, 1.0]
    assert roc["false_positive_rate"].is_monotonic_increasing and pr["recall"].is_monotonic_increasing
    assert pr["recall"].iloc[-1] == 1.0 and pr["precision"].iloc[-1] == pytest.approx(y.mean())
    with pytest.raises(ValueError, match="max_points"):
        roc_points(y, p, max_points=1)


def test_precision_recall_points_on_a_hand_example() -> None:
    pr = precision_recall_points([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    # riskiest first: 0.8 churner, 0.4 stayer, 0.35 churner, 0.1 stayer
    np.testing.assert_allclose(pr[["recall", "precision"]].to_numpy(),
                               [[0.5, 1.0], [0.5, 0.5], [1.0, 2 / 3], [1.0, 0.5]])
