"""Tests for the value table (contract C1), the one-call pipeline, the parameter draws and the cohort curves."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from retention.clv import (
    VALUE_COLUMNS,
    ParetoNBDModel,
    PurchaseDays,
    cohort_value_curves,
    customer_value_table,
    fit_customer_values,
    fit_gamma_gamma,
    fit_value_table,
    rfm_summary,
    value_draws,
)
from retention.engine import EngineConfig, open_log
from retention.generator import GeneratorConfig, generate

CODES = ["POST", "DOT", "M", "D", "C2", "CRUK", "BANK CHARGES", "AMAZONFEE", "B", "S", "PADS", "ADJUST"]


@pytest.fixture(scope="module")
def log() -> tuple[PurchaseDays, pd.Timestamp]:
    cfg = GeneratorConfig(n_customers=700, seed=9)
    with open_log(generate(cfg).transactions, config=EngineConfig(non_product_codes=CODES)) as session:
        return PurchaseDays.from_grain(session.purchase_days()), pd.Timestamp(cfg.end_date)


@pytest.fixture(scope="module")
def values(log):
    tx, end = log
    return fit_customer_values(tx, end, model="pareto_nbd", seasonal=True, uncertainty_draws=60, seed=3,
                               decision_horizon_months=6)


def test_value_table_has_the_c1_columns_and_identities(values) -> None:
    v = values.values
    assert list(v.columns[: len(VALUE_COLUMNS)]) == list(VALUE_COLUMNS)
    assert {"expected_revenue_if_alive_p05", "expected_revenue_if_alive_p95", "clv_p05", "clv_p95"} <= set(v)
    np.testing.assert_allclose(v["clv"], v["p_alive"] * v["value_if_active"], rtol=1e-12)
    np.testing.assert_allclose(v["expected_revenue_if_alive"], v["expected_order_value"]
                               * v["expected_purchases_if_alive"], rtol=1e-12)
    assert v[["p_alive", "p_no_purchase"]].apply(lambda c: c.between(0, 1)).all().all()
    assert (v["clv_p05"] <= v["clv"] * 1.02).all() and (v["clv_p95"] >= v["clv"] * 0.98).all()
    assert (v["expected_revenue_if_alive_p05"] <= v["expected_revenue_if_alive_p95"]).all()
    assert values.forecast.model_name == "pareto_nbd" and values.forecast.seasonal
    assert "pinned by the caller" in values.note and values.backtest is None


def test_draws_are_seeded_and_centred(values) -> None:
    d = values.draws
    n = len(values.values)
    assert d.expected_revenue_if_alive.shape == (n, 60) and d.clv.shape == (n, 60)
    again = value_draws(values.forecast, values.gamma_gamma, n_draws=60, seed=3, decision_horizon_months=6)
    np.testing.assert_array_equal(d.expected_revenue_if_alive, again.expected_revenue_if_alive)
    other = value_draws(values.forecast, values.gamma_gamma, n_draws=60, seed=4, decision_horizon_months=6)
    assert not np.array_equal(d.clv, other.clv)
    ratio = d.expected_revenue_if_alive.mean(axis=1) / values.values["expected_revenue_if_alive"].to_numpy()
    assert np.median(ratio) == pytest.approx(1.0, abs=0.05)
    assert d.interval().index.equals(values.values.index)


def test_auto_pipeline_and_the_four_tuple_interface(log) -> None:
    tx, end = log
    result = fit_customer_values(tx, end, uncertainty_draws=0, backtest_horizon_days=60)
    assert result.backtest is not None and len(result.backtest.scorecard) == 9
    assert result.forecast.model_name == result.backtest.model
    assert result.backtest.reason in result.note and "p_alive" in result.values
    assert "clv_p05" not in result.values
    values, model, gamma_gamma, summary = fit_value_table(tx, end, backtest_horizon_days=60)
    pd.testing.assert_frame_equal(values, result.values)
    assert model.params_ == result.forecast.model.params_ and summary.index.equals(values.index)
    with pytest.raises(ValueError, match="model must be"):
        fit_customer_values(tx, end, model="bgnbdd")


def test_customer_value_table_for_any_stationary_model(log) -> None:
    tx, end = log
    summary = rfm_summary(tx, end, unit="W")
    pareto = ParetoNBDModel().fit(summary["frequency"], summary["recency"], summary["T"])
    gamma_gamma, _ = fit_gamma_gamma(summary)
    table = customer_value_table(summary, pareto, gamma_gamma, time_unit="W", discount_rate_monthly=0.0)
    np.testing.assert_allclose(table["clv"], table["expected_purchases"] * table["expected_order_value"], rtol=1e-9)
    assert table.index.equals(summary.index)


def test_cohort_curves_observed_then_forecast(values) -> None:
    curves = cohort_value_curves(values.log, values.forecast, values.gamma_gamma, values.draws, margin=0.3,
                                 months_ahead=6)
    assert set(curves["period"]) == {"observed", "forecast"}
    first = curves[curves["cohort"] == curves["cohort"].min()]
    observed = first[first["period"] == "observed"]
    assert len(observed) == 12 and observed["cumulative_margin_per_customer"].is_monotonic_increasing
    assert observed["months_since_acquisition"].tolist() == list(range(12))
    forecast = first[first["period"] == "forecast"]
    assert len(forecast) == 6 and forecast["month"].iloc[0] == "2011-12"
    assert forecast["cumulative_margin_per_customer"].is_monotonic_increasing
    assert forecast["cumulative_margin_per_customer"].iloc[0] >= observed["cumulative_margin_per_customer"].iloc[-1]
    assert (curves["lower"] <= curves["cumulative_margin_per_customer"] + 1e-9).all()
    assert (curves["upper"] >= curves["cumulative_margin_per_customer"] - 1e-9).all()
    # the observed part is the log itself: first cohort, month 0, margin x revenue / customers
    hist = values.log.window(None, values.forecast.cutoff_day)
    per = hist.per_customer()
    in_first = per.index[per["first_day"].to_numpy().astype("datetime64[D]").astype("datetime64[M]")
                         == np.datetime64(first["cohort"].iloc[0], "M")]
    month0 = hist.day.astype("datetime64[D]").astype("datetime64[M]") == np.datetime64(first["cohort"].iloc[0], "M")
    mine = np.isin(hist.code, hist.customers.get_indexer(in_first)) & month0
    assert observed["cumulative_margin_per_customer"].iloc[0] == pytest.approx(
        0.3 * hist.value[mine].sum() / len(in_first))
