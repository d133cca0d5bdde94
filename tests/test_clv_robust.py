"""The clv package on logs that break plain maximum likelihood, and its input from the engine's purchase-day grain.

Small or very regular logs (every customer buying like clockwork, nobody dropping out) send BG/NBD's ``a`` to 0,
where its hypergeometric function fails ("2F1 evaluation failed"); heavy-tailed spend sends Gamma-Gamma's ``q``
below 1 (an infinite population mean: one-time buyers get no finite value). Each has a stated fallback, and the
value pipeline gives finite, non-negative values on such logs without a penalizer.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from retention.clv import (
    BetaGeoModel,
    GammaGammaModel,
    PurchaseDays,
    fit_customer_values,
    rfm_summary,
)
from retention.clv.models._optimise import covariance_from_gradient


def regular_log(customers: int, days: int, value: float = 15.3) -> PurchaseDays:
    """Customer c buys every 10 + c days from 2010-12-01 (day 14944) for ``days`` days, always the same amount."""
    rows = [(str(100 + c), 14944 + k, value) for c in range(customers) for k in range(0, days, 10 + c)]
    return PurchaseDays.from_grain(pd.DataFrame(rows, columns=["CustomerID", "day", "value"]))


def test_purchase_days_from_the_engines_grain() -> None:
    """The engine reduces the lines to purchase days (2011-01-03 is day 14977); PurchaseDays holds that grain."""
    from retention.engine import EngineConfig, open_log

    lines = pd.DataFrame({"InvoiceNo": ["1", "2", "3", "4", "5"], "StockCode": "X", "Description": "ITEM X",
                          "Quantity": 1.0, "UnitPrice": [4.0, 1.0, 2.0, 5.0, 3.0],
                          "CustomerID": ["b", "a", "a", "b", "a"], "Country": "United Kingdom",
                          "InvoiceDate": pd.to_datetime(["2011-01-05 10:00", "2011-01-03 09:00", "2011-01-03 17:00",
                                                         "2011-01-09 08:00", "2011-01-10 12:00"])})
    with open_log(lines, config=EngineConfig()) as session:
        engine_grain = session.purchase_days()
        engine_summary = session.rfm_summary("2011-01-10", unit="D")
    grain = pd.DataFrame({"CustomerID": ["a", "a", "b", "b"], "day": np.array([14977, 14984, 14979, 14983]),
                          "value": [3.0, 3.0, 4.0, 5.0]})  # 2011-01-03 (1 + 2), 01-10; 01-05, 01-09
    pd.testing.assert_frame_equal(engine_grain, grain, check_dtype=False)
    days = PurchaseDays.from_grain(grain.iloc[::-1])
    assert list(days.customers) == ["a", "b"] and days.customers.name == "CustomerID"
    np.testing.assert_array_equal(days.code, [0, 0, 1, 1])
    np.testing.assert_array_equal(days.day, [14977, 14984, 14979, 14983])
    np.testing.assert_array_equal(days.value, [3.0, 3.0, 4.0, 5.0])
    pd.testing.assert_frame_equal(days.summary(14984, unit="D"), engine_summary, check_dtype=False,
                                  check_index_type=False)
    assert days.summary(14984, unit="D").loc["a"].tolist() == [1, 7.0, 7.0, 3.0]
    split = PurchaseDays.from_grain(pd.concat([grain, grain.iloc[:1]]))  # a repeated day is summed
    assert split.value[0] == 6.0 and split.day.size == 4
    with pytest.raises(ValueError, match="whole day numbers"):
        PurchaseDays.from_grain(grain.assign(day=grain["day"] + 0.5))
    with pytest.raises(ValueError, match="missing column"):
        PurchaseDays.from_grain(grain.drop(columns="value"))


def test_fit_customer_values_takes_only_purchase_days() -> None:
    lines = pd.DataFrame({"CustomerID": ["a"], "InvoiceDate": pd.to_datetime(["2011-01-03"]), "Revenue": [1.0]})
    with pytest.raises(TypeError, match="must be the purchase days"):
        fit_customer_values(lines, "2011-01-10")  # type: ignore[arg-type]


def test_bgnbd_on_a_clockwork_log_falls_back_to_a_weak_prior() -> None:
    """Plain maximum likelihood sends a -> 0 and the forecasts to NaN; the refit with the prior is finite."""
    s = rfm_summary(regular_log(10, 120), unit="W")
    with pytest.warns(RuntimeWarning, match="ran to the edge of its parameter space"):
        model = BetaGeoModel().fit(s["frequency"], s["recency"], s["T"])
    assert model.fallback_.startswith("BG/NBD: the maximum-likelihood fit ran to the edge")
    assert model.prior_ is not None and np.isfinite(model.covariance_.to_numpy()).all()
    expected = model.conditional_expected_purchases(52.0, s["frequency"], s["recency"], s["T"])
    assert np.isfinite(expected).all() and (expected > 0).all()
    assert 0.01 < model.params_["a"] < 100  # within the prior's reach of its start, 1
    plain = BetaGeoModel().fit([0, 2, 5, 1, 3], [0.0, 10.0, 20.0, 4.0, 12.0], [30.0, 25.0, 28.0, 30.0, 20.0])
    assert plain.fallback_ == "" and plain.prior_ is None


@pytest.mark.parametrize(("customers", "days"), [(6, 120), (10, 120), (20, 200), (6, 365)])
def test_value_pipeline_on_regular_logs_without_a_penalizer(customers: int, days: int) -> None:
    log = regular_log(customers, days)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitted = fit_customer_values(log, pd.to_datetime(log.last_day, unit="D"), backtest_cutoffs=1,
                                     backtest_horizon_days=14,
                                     uncertainty_draws=40)
    numbers = fitted.values.to_numpy()
    assert np.isfinite(numbers).all() and (numbers >= 0).all()
    # every customer always spends 15.30: no spend heterogeneity, the expected order value is that amount
    np.testing.assert_allclose(fitted.values["expected_order_value"], 15.3, rtol=1e-3)


def _heavy_tailed_spend(q: float, n: int = 500, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    nu = rng.gamma(q, 1 / 10, n)
    x = rng.integers(1, 8, n).astype(float)
    return x, rng.gamma(3 * x, 1 / nu) / x


def test_gamma_gamma_with_q_below_one_fixes_the_population_mean() -> None:
    x, m = _heavy_tailed_spend(0.7)
    with pytest.warns(RuntimeWarning, match="q <= 1"):
        model = GammaGammaModel().fit(x, m)
    p, q, g = (model.params_[k] for k in ("p", "q", "gamma"))
    assert q > 1 and model.mean_constraint_ == pytest.approx(m.mean())
    assert p * g / (q - 1) == pytest.approx(m.mean(), rel=1e-9)  # a one-time buyer is worth the mean
    assert "Plain fit: q = 0.7" in model.fallback_
    value = model.conditional_expected_average_value(np.r_[0.0, x], np.r_[0.0, m])
    assert np.isfinite(value).all() and (value > 0).all()
    assert (value[1:] <= np.maximum(m, m.mean()) + 1e-6).all()  # between their own average and the mean
    draws = model.sample_params(300, seed=2)
    assert (draws["q"] > 1).all()
    np.testing.assert_allclose(draws["p"] * draws["gamma"] / (draws["q"] - 1), m.mean(), rtol=1e-9)
    assert draws["p"].std() > 0
    light = GammaGammaModel().fit(*_heavy_tailed_spend(3.0))
    assert light.fallback_ == "" and light.mean_constraint_ is None


def test_a_flat_direction_holds_its_parameter_and_keeps_the_others_uncertain() -> None:
    """Minus log-likelihood 50 (t0 - 2)^2 + 50 (t1 / t2 - 1)^2: t1 and t2 only enter through their ratio."""

    def grad(t: np.ndarray) -> np.ndarray:
        ratio = t[1] / t[2]
        return np.array([100 * (t[0] - 2), 100 * (ratio - 1) / t[2], -100 * (ratio - 1) * t[1] / t[2] ** 2])

    cov = covariance_from_gradient(grad, np.array([2.0, 3.0, 3.0]))
    undefined = ~np.isfinite(np.diag(cov))
    assert undefined.sum() == 1 and not undefined[0]
    assert cov[0, 0] == pytest.approx(0.01, rel=1e-4)
    kept = int(np.flatnonzero(~undefined)[1])
    assert cov[kept, kept] == pytest.approx(9 / 100, rel=1e-4)  # the ratio given the held one: var 1/100


def test_the_ridge_warning_names_the_parameters_in_plain_words() -> None:
    """Everyone drops out at the same rate: Pareto/NBD's s and beta run off together; r and alpha stay drawn."""
    from retention.clv import ParetoNBDModel

    rng = np.random.default_rng(3)
    n = 2000
    lam, mu, age = rng.gamma(1.5, 1 / 14.0, n), np.full(n, 0.015), rng.uniform(20, 52, n)
    death = rng.exponential(1 / mu)
    active = np.minimum(death, age)
    x = rng.poisson(lam * active)
    tx = np.where(x > 0, active * rng.beta(np.maximum(x, 1), 1), 0.0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = ParetoNBDModel().fit(x, tx, age)
    messages = [str(w.message) for w in caught]
    ridge = [m for m in messages if "cannot pin down" in m]
    if not ridge:  # the optimum happened to be definite on this draw: nothing to hold
        assert np.isfinite(list(model.standard_errors_.values())).all()
        return
    assert ridge[0].startswith("Pareto/NBD: the data cannot pin down ") and "not in the value intervals" in ridge[0]
    draws = model.sample_params(200, seed=1)
    assert draws["r"].std() > 0 and draws["alpha"].std() > 0


@pytest.mark.parametrize("cutoff", ["2011-06-30", "2011-07-14"])
def test_cohort_curves_have_one_point_per_calendar_month(cutoff: str) -> None:
    """Month ends, not 30.4-day steps: a step landing on the 1st would give a month two points (a kink)."""
    from retention.clv import cohort_value_curves
    from retention.engine import open_log
    from retention.generator import GeneratorConfig, generate

    with open_log(generate(GeneratorConfig(n_customers=300, seed=2)).transactions) as session:
        log = PurchaseDays.from_grain(session.purchase_days())
    fitted = fit_customer_values(log, cutoff, model="bgnbd", seasonal=False, backtest_cutoffs=0, uncertainty_draws=0)
    curves = cohort_value_curves(fitted.log, fitted.forecast, fitted.gamma_gamma, margin=1.0, months_ahead=12)
    assert not curves.duplicated(["cohort", "month"]).any()
    for _, rows in curves.groupby("cohort"):
        months = pd.PeriodIndex(rows["month"], freq="M")
        assert (np.diff(months.asi8) == 1).all()  # consecutive calendar months, observed then forecast
        assert (rows["period"] == "forecast").sum() == 12
    first = curves[curves["period"] == "forecast"]["month"].min()
    assert first == str(pd.Period(cutoff, "M") + 1)
