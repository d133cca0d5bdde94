"""Tests for the purchase-model family: MBG/NBD and Pareto/NBD against the papers, and the shared contract.

Published CDNOW estimates (1/10 sample, 39-week calibration, weeks): Pareto/NBD r 0.553, alpha 10.578,
s 0.606, beta 11.669, LL -9595.0 (Fader, Hardie & Lee 2005); MBG/NBD r 0.525, alpha 6.183, a 0.891,
b 1.614 (BTYDplus). The closed forms written out here are the papers' own expressions, evaluated with
scipy's 2F1 where they do not cancel.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import special
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from retention.clv import (
    MODELS,
    BetaGeoModel,
    ModifiedBetaGeoModel,
    ParetoNBDModel,
    PurchaseDays,
    calibration_holdout_summary,
    simulate_summary,
)
from retention.clv.models.base import CountData
from retention.clv.models.bgnbd import bgnbd_loglik
from retention.clv.models.pareto_nbd import _log_integral, pareto_nbd_loglik

PARETO_CDNOW = {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}
MBG_CDNOW = {"r": 0.525, "alpha": 6.183, "a": 0.891, "b": 1.614}
BG_CDNOW = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}


@pytest.fixture(scope="module")
def cdnow_weeks() -> pd.DataFrame:
    spec = importlib.util.find_spec("lifetimes")
    folder = Path(spec.submodule_search_locations[0]) / "datasets" if spec and spec.submodule_search_locations else None
    if folder is None or not (folder / "CDNOW_sample.txt").exists():
        pytest.skip("CDNOW data files (shipped in the lifetimes wheel) not found")
    raw = pd.read_csv(folder / "CDNOW_sample.txt", sep=r"\s+", header=None,
                      names=["master_id", "CustomerID", "date", "cds", "Revenue"], dtype={"date": str})
    # the purchase-day grain straight from the rows (the engine's cleaning would drop the 8 zero-value lines)
    raw["day"] = pd.to_datetime(raw["date"], format="%Y%m%d").to_numpy().astype("datetime64[D]").astype(np.int64)
    grain = raw.groupby(["CustomerID", "day"], as_index=False)["Revenue"].sum()
    days = PurchaseDays.from_grain(grain, value_col="Revenue")
    return calibration_holdout_summary(days, "1997-09-30", "1998-06-30", unit="W")


def _fitted(cls: type, params: dict[str, float]):
    model = cls()
    model.params_ = dict(params)
    return model


# ---------------------------------------------------------------------------------------------------------
# the published CDNOW numbers
# ---------------------------------------------------------------------------------------------------------


def test_cdnow_pareto_nbd_published_parameters(cdnow_weeks: pd.DataFrame) -> None:
    w = cdnow_weeks
    model = ParetoNBDModel().fit(w["frequency"], w["recency"], w["T"])
    for name, value in PARETO_CDNOW.items():
        assert model.params_[name] == pytest.approx(value, abs=5e-4), name
    assert model.log_likelihood_ == pytest.approx(-9595.0, abs=0.05)
    assert all(model.standard_errors_[k] > 0 for k in PARETO_CDNOW)
    # the alpha-vs-beta ordering: swapping the roles would give a different likelihood
    assert model.params_["alpha"] < model.params_["beta"]


def test_cdnow_mbgnbd_published_parameters(cdnow_weeks: pd.DataFrame) -> None:
    w = cdnow_weeks
    model = ModifiedBetaGeoModel().fit(w["frequency"], w["recency"], w["T"])
    for name, value in MBG_CDNOW.items():
        assert model.params_[name] == pytest.approx(value, abs=5e-4), name
    assert model.log_likelihood_ > BetaGeoModel().fit(w["frequency"], w["recency"], w["T"]).log_likelihood_


# ---------------------------------------------------------------------------------------------------------
# Pareto/NBD against the closed forms of Fader, Hardie & Lee (2005, note 009)
# ---------------------------------------------------------------------------------------------------------


def _pareto_A0(r: float, alpha: float, s: float, beta: float, x: np.ndarray, tx: np.ndarray,
               T: np.ndarray) -> np.ndarray:
    """The note's A_0, with its alpha >= beta / alpha < beta cases."""
    a1 = r + s + x
    if alpha >= beta:
        b1, big = s + 1, alpha
    else:
        b1, big = r + x, beta
    diff = abs(alpha - beta)
    with np.errstate(over="ignore", invalid="ignore"):  # heavy buyers overflow here: skipped by the callers
        return (special.hyp2f1(a1, b1, a1 + 1, diff / (big + tx)) / (big + tx) ** a1
                - special.hyp2f1(a1, b1, a1 + 1, diff / (big + T)) / (big + T) ** a1)


@pytest.mark.parametrize("params", [PARETO_CDNOW, {"r": 1.3, "alpha": 2.0, "s": 0.4, "beta": 30.0},
                                    {"r": 0.7, "alpha": 25.0, "s": 1.8, "beta": 3.0}])
def test_pareto_matches_closed_forms(params: dict[str, float]) -> None:
    r, alpha, s, beta = params.values()
    x = np.array([0.0, 1, 2, 5, 12])
    tx = np.array([0.0, 3.0, 20.0, 30.0, 10.0])
    T = np.array([38.0, 38.0, 30.0, 36.0, 39.0])
    A0 = _pareto_A0(r, alpha, s, beta, x, tx, T)
    head = special.gammaln(r + x) + r * np.log(alpha) + s * np.log(beta) - special.gammaln(r)
    ll = head + np.log(1 / ((alpha + T) ** (r + x) * (beta + T) ** s) + s / (r + s + x) * A0)
    model = _fitted(ParetoNBDModel, params)
    for i in range(x.size):
        assert model.log_likelihood(x[i:i + 1], tx[i:i + 1], T[i:i + 1]) == pytest.approx(ll[i], rel=1e-8)
    alive = 1 / (1 + s / (r + s + x) * (alpha + T) ** (r + x) * (beta + T) ** s * A0)
    np.testing.assert_allclose(model.probability_alive(x, tx, T), alive, rtol=1e-8)
    t = 39.0
    expected = (r + x) * (beta + T) / ((alpha + T) * (s - 1)) * (1 - ((beta + T) / (beta + T + t)) ** (s - 1)) * alive
    np.testing.assert_allclose(model.conditional_expected_purchases(t, x, tx, T), expected, rtol=1e-8)
    ts = np.array([0.0, 5.0, 52.0])
    uncond = r * beta / (alpha * (s - 1)) * (1 - (beta / (beta + ts)) ** (s - 1))
    np.testing.assert_allclose(model.expected_purchases(ts), uncond, rtol=1e-10, atol=1e-15)


def test_pareto_quadrature_is_accurate_over_wide_ranges() -> None:
    """The integral behind the likelihood, against the 2F1 closed form where that does not cancel."""
    rng = np.random.default_rng(0)
    worst = 0.0
    for _ in range(300):
        r, s = rng.uniform(0.05, 3.0, 2)
        alpha, beta = np.exp(rng.uniform(-3, 4, 2))
        x = float(rng.integers(0, 300))
        T = rng.uniform(1.0, 80.0)
        tx = 0.0 if x == 0 else rng.uniform(0.0, 0.8 * T)
        exact = _pareto_A0(r, alpha, s, beta, np.array([x]), np.array([tx]), np.array([T]))[0] / (r + s + x)
        if not (np.isfinite(exact) and exact > 0):
            continue
        log_i, _ = _log_integral(np.array([r + x]), np.array([alpha]), s, np.array([beta]), np.array([tx]),
                                 np.array([T]))
        worst = max(worst, abs(np.exp(log_i[0]) / exact - 1))
    assert worst < 1e-8


def test_pareto_recent_heavy_buyers_stay_finite() -> None:
    """t_x == T with many purchases: the note's A_0 cancels to 0 - 0 (lifetimes returns NaN there)."""
    model = _fitted(ParetoNBDModel, PARETO_CDNOW)
    x, tx, T = np.array([50.0, 300.0, 1.0]), np.array([39.0, 39.0, 39.0]), np.array([39.0, 39.0, 39.0])
    assert np.all(model.probability_alive(x, tx, T) == 1.0)
    assert np.all(np.isfinite(model.conditional_expected_purchases(10.0, x, tx, T)))
    assert np.isfinite(model.log_likelihood(x, tx, T))


def test_pareto_gradient_matches_finite_differences() -> None:
    rng = np.random.default_rng(3)
    T = rng.uniform(5, 40, 400)
    x = rng.poisson(2.0, 400).astype(float)
    tx = np.where(x > 0, T * rng.uniform(0, 1, 400), 0.0)
    data = CountData.build(x, tx, T, np.ones(400))
    theta = np.array([0.6, 9.0, 0.7, 12.0])
    _, grad = pareto_nbd_loglik(theta, data)
    for i in range(4):
        h = 1e-6 * theta[i]
        up, down = theta.copy(), theta.copy()
        up[i] += h
        down[i] -= h
        numeric = (pareto_nbd_loglik(up, data, False)[0] - pareto_nbd_loglik(down, data, False)[0]) / (2 * h)
        assert grad[i] == pytest.approx(numeric, rel=1e-5)


def _simulate_pareto(n: int, T: np.ndarray, params: dict[str, float], seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    lam = rng.gamma(params["r"], 1 / params["alpha"], n)
    mu = rng.gamma(params["s"], 1 / params["beta"], n)
    active = np.minimum(rng.exponential(1 / mu), T)
    x = rng.poisson(lam * active)
    tx = np.where(x > 0, active * rng.beta(np.maximum(x, 1), 1), 0.0)  # max of x uniforms on (0, active]
    return pd.DataFrame({"frequency": x, "recency": tx, "T": T})


def test_pareto_recovers_simulated_parameters() -> None:
    T = np.random.default_rng(1).uniform(20, 52, 6000)
    sim = _simulate_pareto(6000, T, PARETO_CDNOW, seed=2)
    model = ParetoNBDModel().fit(sim["frequency"], sim["recency"], sim["T"])
    for name, value in PARETO_CDNOW.items():
        assert abs(model.params_[name] - value) < 3 * model.standard_errors_[name], name
    assert model.expected_purchases(T).sum() == pytest.approx(sim["frequency"].sum(), rel=0.05)


# ---------------------------------------------------------------------------------------------------------
# MBG/NBD against Batislam et al. (2007) / BTYDplus
# ---------------------------------------------------------------------------------------------------------


def test_mbgnbd_matches_closed_forms() -> None:
    r, alpha, a, b = MBG_CDNOW.values()
    model = _fitted(ModifiedBetaGeoModel, MBG_CDNOW)
    x, tx, T, t = np.array([0.0, 1, 2, 7]), np.array([0.0, 5, 30.43, 20]), 38.86, 39.0
    alive = 1 / (1 + a / (b + x) * ((alpha + T) / (alpha + tx)) ** (r + x))
    np.testing.assert_allclose(model.probability_alive(x, tx, T), alive, rtol=1e-10)
    z = t / (alpha + T + t)
    cond = (a + b + x) / (a - 1) * (1 - ((alpha + T) / (alpha + T + t)) ** (r + x)
                                    * special.hyp2f1(r + x, b + x + 1, a + b + x, z)) * alive
    np.testing.assert_allclose(model.conditional_expected_purchases(t, x, tx, T), cond, rtol=1e-9)
    ts = np.array([1.0, 39.0, 78.0])
    uncond = b / (a - 1) * (1 - (alpha / (alpha + ts)) ** r * special.hyp2f1(r, b + 1, a + b, ts / (alpha + ts)))
    np.testing.assert_allclose(model.expected_purchases(ts), uncond, rtol=1e-9)
    terms = (special.beta(a, b + x + 1) / (alpha + T) ** (r + x)
             + special.beta(a + 1, b + x) / (alpha + tx) ** (r + x))
    ll = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha) - special.betaln(a, b) + np.log(terms)
    for i in range(x.size):
        assert model.log_likelihood(x[i:i + 1], tx[i:i + 1], np.array([T])) == pytest.approx(ll[i], rel=1e-10)


def test_mbgnbd_one_time_buyers_can_be_dead_and_gradient_is_exact() -> None:
    model = _fitted(ModifiedBetaGeoModel, MBG_CDNOW)
    young, old = model.probability_alive(0, 0.0, [1.0, 39.0])
    assert young > old and old < 0.9  # BG/NBD says 1 for both
    assert _fitted(BetaGeoModel, BG_CDNOW).probability_alive(0, 0.0, 39.0) == 1.0
    sim = simulate_summary(300, np.linspace(1, 40, 300), BG_CDNOW, seed=3)
    data = CountData.build(sim["frequency"].to_numpy(float), sim["recency"].to_numpy(), sim["T"].to_numpy(),
                           np.ones(300))
    theta = np.array([0.5, 6.0, 0.9, 1.6])
    _, grad = bgnbd_loglik(theta, data, shift=1)
    for i in range(4):
        h = 1e-6 * theta[i]
        up, down = theta.copy(), theta.copy()
        up[i] += h
        down[i] -= h
        numeric = (bgnbd_loglik(up, data, False, 1)[0] - bgnbd_loglik(down, data, False, 1)[0]) / (2 * h)
        assert grad[i] == pytest.approx(numeric, rel=1e-5)


# ---------------------------------------------------------------------------------------------------------
# the shared contract, for every model
# ---------------------------------------------------------------------------------------------------------

FAMILY = {"bgnbd": BG_CDNOW, "mbgnbd": MBG_CDNOW, "pareto_nbd": PARETO_CDNOW}


@pytest.mark.parametrize("name", list(MODELS))
def test_estimator_contract(name: str) -> None:
    cls = MODELS[name]
    model = cls(penalizer=0.01)
    assert model.get_params() == {"penalizer": 0.01}
    with pytest.raises(NotFittedError):
        model.probability_alive(1, 1.0, 2.0)
    sim = simulate_summary(500, 30.0, BG_CDNOW, seed=1)
    assert model.fit(sim["frequency"], sim["recency"], sim["T"]) is model
    assert set(model.params_) == set(FAMILY[name]) and model.n_customers_ == 500
    assert not hasattr(clone(model), "params_")
    with pytest.raises(ValueError, match="recency must be <= T"):
        cls().fit([0, 1], [0.0, 5.0], [3.0, 4.0])
    with pytest.raises(ValueError, match="not identified"):
        cls().fit([0, 0], [0.0, 0.0], [3.0, 4.0])


@pytest.mark.parametrize("name", list(MODELS))
def test_predictions_are_consistent(name: str) -> None:
    model = _fitted(MODELS[name], FAMILY[name])
    x, tx, T = np.array([0.0, 1, 3, 10, 4]), np.array([0.0, 5.0, 30.0, 38.0, 2.0]), 39.0
    alive = model.probability_alive(x, tx, T)
    assert np.all((alive > 0) & (alive <= 1))
    t = np.linspace(0.0, 100.0, 21)[:, None]
    cond = model.conditional_expected_purchases(t, x, tx, T)
    if_alive = model.expected_purchases_if_alive(t, x, tx, T)
    np.testing.assert_allclose(cond, alive * if_alive, rtol=1e-12)
    p0 = model.probability_no_purchase(t, x, tx, T)
    assert np.all((p0 >= 0) & (p0 <= 1)) and np.allclose(p0[0], 1.0)
    assert np.all(np.diff(p0, axis=0) <= 1e-12) and np.all(np.diff(cond, axis=0) >= -1e-12)
    assert np.all(cond >= 1 - p0 - 1e-12)  # E[Y] >= P(Y >= 1)
    # P(no purchase) never falls below the chance of being dead
    assert np.all(p0[-1] >= 1 - alive - 1e-12)


@pytest.mark.parametrize("name", list(MODELS))
def test_if_alive_is_the_unconditional_formula_at_the_posterior(name: str) -> None:
    """C1: E[Y(t) | alive] equals E[X(t)] of a fresh customer with the posterior-given-alive parameters."""
    params = FAMILY[name]
    model = _fitted(MODELS[name], params)
    x, tx, T, t = 6.0, 2.0, 39.0, 52.0  # a heavy buyer, long quiet: P(alive) is tiny
    assert model.probability_alive(x, tx, T) < 1e-3
    if name == "pareto_nbd":
        post = _fitted(ParetoNBDModel, {"r": params["r"] + x, "alpha": params["alpha"] + T, "s": params["s"],
                                        "beta": params["beta"] + T})
    else:  # BG/NBD after x (MBG/NBD: x + 1) survived dropout chances
        shift = 1 if name == "mbgnbd" else 0
        post = _fitted(BetaGeoModel, {"r": params["r"] + x, "alpha": params["alpha"] + T, "a": params["a"],
                                      "b": params["b"] + x + shift})
    assert model.expected_purchases_if_alive(t, x, tx, T) == pytest.approx(post.expected_purchases(t), rel=1e-9)


@pytest.mark.parametrize("name", list(MODELS))
def test_parameter_draws_and_covariance(name: str) -> None:
    sim = simulate_summary(3000, np.random.default_rng(4).uniform(20, 40, 3000), BG_CDNOW, seed=5)
    args = (sim["frequency"], sim["recency"], sim["T"])
    model = MODELS[name]().fit(*args)
    draws = model.sample_params(400, seed=7)
    assert draws.shape == (400, 4) and list(draws.columns) == list(FAMILY[name]) and (draws > 0).all().all()
    pd.testing.assert_frame_equal(draws, model.sample_params(400, seed=7))
    for k, v in model.params_.items():  # the draws scatter around the estimate with the standard errors
        assert np.median(draws[k]) == pytest.approx(v, rel=0.1)
        assert np.std(np.log(draws[k])) == pytest.approx(model.standard_errors_[k] / v, rel=0.25)
    quick = MODELS[name]().fit(*args, covariance=False)
    assert np.isnan(quick.standard_errors_["r"])
    quick.estimate_covariance(*args)
    for k in model.params_:
        assert quick.standard_errors_[k] == pytest.approx(model.standard_errors_[k], rel=1e-3)
    other = model.with_params(draws.iloc[0])
    assert other.params_ == {k: float(v) for k, v in draws.iloc[0].items()} and other.params_ != model.params_
    assert model.log_likelihood(*args) == pytest.approx(model.log_likelihood_, rel=1e-12)


def test_draws_hold_parameters_on_a_likelihood_ridge() -> None:
    """Pareto/NBD with everyone dropping out at the same rate: s and beta run off together (log-sd ~50)."""
    model = _fitted(ParetoNBDModel, {"r": 1.5, "alpha": 14.0, "s": 190.0, "beta": 12000.0})
    theta = np.array([1.5, 14.0, 190.0, 12000.0])
    log_sd = np.array([0.05, 0.05, 50.0, 50.0])
    corr = np.array([[1, 0.9, -0.2, -0.2], [0.9, 1, -0.1, -0.1], [-0.2, -0.1, 1, 0.9999], [-0.2, -0.1, 0.9999, 1]])
    cov = corr * np.outer(log_sd * theta, log_sd * theta)
    model.covariance_ = pd.DataFrame(cov, index=list(PARETO_CDNOW), columns=list(PARETO_CDNOW))
    draws = model.sample_params(300, seed=1)
    assert (draws["s"] == 190.0).all() and (draws["beta"] == 12000.0).all()
    assert np.std(np.log(draws["r"])) == pytest.approx(0.05, rel=0.2)  # conditional on s, beta: barely narrower


def test_bgnbd_nearly_fixed_dropout_probability() -> None:
    """A boundary fit (a, b -> infinity with a/(a+b) fixed) where scipy's 2F1 fails: second-order expansion."""
    x, T, t = np.array([0.0, 3, 7, 30]), np.array([15.0, 19.6, 18.7, 30]), np.full(4, 12.86)
    below, above = _fitted(BetaGeoModel, {"r": 0.95, "alpha": 10.3, "a": 0.127 * 9e3, "b": 0.873 * 9e3}), \
        _fitted(BetaGeoModel, {"r": 0.95, "alpha": 10.3, "a": 0.127 * 1.1e4, "b": 0.873 * 1.1e4})
    exact, approx = below._expected_if_alive(t, x, 0 * x, T), above._expected_if_alive(t, x, 0 * x, T)
    np.testing.assert_allclose(approx, exact, rtol=5e-4)  # close parameters, close values across the switch
    huge = _fitted(BetaGeoModel, {"r": 0.95, "alpha": 10.3, "a": 1.3e12, "b": 9.1e12})
    p = 1.3 / 10.4
    fixed_p = (1 - ((10.3 + T) / (10.3 + T + p * t)) ** (0.95 + x)) / p  # a point mass at p
    np.testing.assert_allclose(huge.expected_purchases_if_alive(t, x, 0 * x, T), fixed_p, rtol=1e-9)
