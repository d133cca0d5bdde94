"""Tests for the rolling-origin backtest: cutoffs, the metrics on hand-made forecasts, and the model choice."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

from retention.clv import MODEL_NAMES, PurchaseDays, backtest_cutoffs, rolling_backtest, score_forecast
from retention.clv.backtest import _choose
from retention.engine import EngineConfig, open_log
from retention.generator import GeneratorConfig, generate

CODES = ["POST", "DOT", "M", "D", "C2", "CRUK", "BANK CHARGES", "AMAZONFEE", "B", "S", "PADS", "ADJUST"]


def test_backtest_cutoffs_roll_back_by_the_horizon() -> None:
    assert backtest_cutoffs(0, 364, 3, 90) == [94, 184, 274]  # disjoint 90-day windows, 95 days before the first
    assert backtest_cutoffs(0, 250, 3, 90) == [90, 125, 160]  # squeezed to keep 90 days of history
    assert backtest_cutoffs(0, 185, 3, 90) == [95]  # room for one only
    with pytest.raises(ValueError, match="too short for a backtest"):
        backtest_cutoffs(0, 150, 3, 90)


@dataclass
class _StubForecast:
    """Just what score_forecast reads: fixed per-customer forecasts."""

    expected: pd.Series
    p_none: pd.Series

    @property
    def summary(self) -> pd.DataFrame:
        return pd.DataFrame(index=self.expected.index)

    def expected_purchases(self, days: int) -> pd.Series:
        return self.expected

    def probability_no_purchase(self, days: int) -> pd.Series:
        return self.p_none


def test_score_forecast_metrics_by_hand() -> None:
    ids = pd.Index([f"c{i}" for i in range(10)])
    expected = pd.Series([5.0, 4, 3, 2, 1, 0.5, 0.4, 0.3, 0.2, 0.1], index=ids)
    p_none = pd.Series([0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9], index=ids)
    actual = pd.Series([0, 6, 2, 0, 1, 0, 0, 1, 0, 0], index=ids)
    score = score_forecast(_StubForecast(expected, p_none), actual, 90)
    assert score["customers"] == 10 and score["actual"] == 10 and score["forecast"] == pytest.approx(16.5)
    assert score["total_error"] == pytest.approx(0.65)
    assert score["mae"] == pytest.approx(np.mean(np.abs(expected.to_numpy() - actual.to_numpy())))
    assert score["capture_top10"] == 0.0 and score["capture_top20"] == pytest.approx(0.6)  # c0 bought nothing
    none = (actual == 0).astype(float).to_numpy()
    assert score["brier"] == pytest.approx(np.mean((p_none.to_numpy() - none) ** 2))
    assert score["p_no_purchase"] == pytest.approx(0.45) and score["no_purchase_share"] == pytest.approx(0.6)


def test_choice_without_a_scorecard_prefers_small_total_error_then_mae() -> None:
    summary = pd.DataFrame({
        "model": ["bgnbd", "mbgnbd", "pareto_nbd", "bgnbd"], "seasonal": [False, False, False, True],
        "cutoffs": [3, 3, 3, 1], "mean_abs_total_error": [0.10, 0.041, 0.044, 0.01], "mae": [0.5, 0.6, 0.4, 0.1],
    })
    model, seasonal, reason = _choose(summary, 3, 90)
    assert (model, seasonal) == ("pareto_nbd", None)  # within half a point of MBG/NBD, lower MAE; seasonal unjudged
    assert "Pareto/NBD forecasts best" in reason and "against plain BG/NBD's 10.0%" in reason
    assert "which 1 of the 3 cutoffs have" in reason
    summary.loc[3, "cutoffs"] = 3
    assert _choose(summary, 3, 90)[:2] == ("bgnbd", True)


def _card(errors: dict[str, list[float]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    cutoffs = pd.to_datetime(["2011-03-01", "2011-06-01", "2011-09-01"])
    card = pd.DataFrame([{"cutoff": c, "model": m, "seasonal": False, "total_error": e, "mae": 0.5}
                         for m, errs in errors.items() for c, e in zip(cutoffs, errs, strict=True)])
    summary = card.assign(abs_e=card["total_error"].abs()).groupby(["model", "seasonal"]).agg(
        cutoffs=("cutoff", "size"), mean_abs_total_error=("abs_e", "mean"), mae=("mae", "mean")).reset_index()
    return card, summary


def test_choice_keeps_plain_bgnbd_unless_the_gain_beats_the_noise() -> None:
    card, summary = _card({"bgnbd": [0.10, -0.02, 0.09], "mbgnbd": [0.01, -0.12, 0.02], "pareto_nbd": [0.09, 0.0, 0.1]})
    model, _, reason = _choose(summary, 3, 90, card)
    assert model == "bgnbd"  # MBG/NBD is better on average (5.0% vs 7.0%) but only by noise (+8, -10, +7 points)
    assert reason.startswith("Plain BG/NBD is kept") and "MBG/NBD, 5.0%" in reason
    card, summary = _card({"bgnbd": [0.10, -0.08, 0.09], "mbgnbd": [0.03, -0.02, 0.04], "pareto_nbd": [0.2, 0.1, 0.1]})
    model, _, reason = _choose(summary, 3, 90, card)
    assert model == "mbgnbd" and "a gain larger than its cutoff-to-cutoff noise" in reason


@pytest.fixture(scope="module")
def flat_log() -> PurchaseDays:
    cfg = GeneratorConfig(n_customers=900, seed=3, seasonal=False)
    with open_log(generate(cfg).transactions, config=EngineConfig(non_product_codes=CODES)) as session:
        return PurchaseDays.from_grain(session.purchase_days())


def test_rolling_backtest_on_generated_data(flat_log: PurchaseDays) -> None:
    result = rolling_backtest(flat_log, 3, horizon_days=60)
    card = result.scorecard
    assert len(card) == 3 * len(MODEL_NAMES) and not card["seasonal"].any()  # no cutoff has a year behind it
    assert card["cutoff"].nunique() == 3 and card["cutoff"].max() == pd.Timestamp("2011-10-01")
    assert (card["capture_top20"] >= card["capture_top10"]).all() and card["brier"].between(0, 1).all()
    assert (card["total_error"].abs() < 0.3).all()  # a stationary BG/NBD world: every model is roughly right
    assert result.model in MODEL_NAMES and result.seasonal is None
    assert result.summary["mean_abs_total_error"].is_monotonic_increasing
    assert set(result.reliability["model"]) == set(MODEL_NAMES)
    assert result.reliability.groupby(["model", "seasonal"])["customers"].sum().eq(card.groupby(
        ["model", "seasonal"])["customers"].sum()).all()
    again = rolling_backtest(flat_log, 3, horizon_days=60)
    pd.testing.assert_frame_equal(card, again.scorecard)
    with pytest.raises(ValueError, match="ends after the last purchase day"):
        rolling_backtest(flat_log, [flat_log.last_day - 10], horizon_days=60)
    with pytest.raises(ValueError, match="models must be"):
        rolling_backtest(flat_log, 3, models=["nope"])
