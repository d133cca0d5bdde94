"""Expected revenue if alive (C1 bridge in retention.decisions.value): the paper's numbers, a simulation of the
posterior, and stability where P(alive) is tiny."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from retention.clv import BetaGeoModel, GammaGammaModel
from retention.decisions import expected_purchases_if_alive, value_table_as_of, value_table_if_alive

CDNOW_PARAMS = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}  # Fader, Hardie & Lee (2005), weeks
CDNOW_GG = {"p": 6.25, "q": 3.74, "gamma": 15.44}  # Fader & Hardie (2013)


@pytest.fixture(scope="module")
def bgnbd() -> BetaGeoModel:
    model = BetaGeoModel()
    model.params_ = dict(CDNOW_PARAMS)
    return model


@pytest.fixture(scope="module")
def gamma_gamma() -> GammaGammaModel:
    model = GammaGammaModel()
    model.params_ = dict(CDNOW_GG)
    return model


def test_paper_conditional_expectation_is_p_alive_times_value_if_alive(bgnbd):
    # FHL 2005: E[X(39) | x=2, t_x=30.43, T=38.86] = 1.226 (eq. 10 = P(alive) x E[X(39) | alive])
    if_alive = expected_purchases_if_alive(bgnbd, 39.0, 2, 38.86)
    assert float(bgnbd.probability_alive(2, 30.43, 38.86) * if_alive) == pytest.approx(1.226, abs=5e-4)


def test_equals_conditional_over_p_alive_where_that_is_safe(bgnbd):
    x = np.array([0, 1, 2, 5, 10, 3])
    tx = np.array([0.0, 10.0, 30.0, 35.0, 38.0, 5.0])
    T = np.array([38.0, 38.0, 38.86, 39.0, 39.0, 20.0])
    direct = expected_purchases_if_alive(bgnbd, 52.0, x, T)
    ratio = bgnbd.conditional_expected_purchases(52.0, x, tx, T) / bgnbd.probability_alive(x, tx, T)
    assert direct == pytest.approx(np.asarray(ratio), rel=1e-9)


def test_posterior_simulation_agrees(bgnbd):
    # Alive at T after x repeats: lambda ~ Gamma(r+x, alpha+T), p ~ Beta(a, b+x); purchases in t are min(N, K)
    # with N ~ Poisson(lambda t) and K ~ Geometric(p) (the K-th purchase is the last).
    rng = np.random.default_rng(11)
    x, T, t, n = 4, 30.0, 26.0, 400_000
    r, alpha, a, b = CDNOW_PARAMS.values()
    lam = rng.gamma(r + x, 1.0 / (alpha + T), n)
    p = rng.beta(a, b + x, n)
    simulated = np.minimum(rng.poisson(lam * t), rng.geometric(p)).mean()
    assert float(expected_purchases_if_alive(bgnbd, t, x, T)) == pytest.approx(simulated, rel=0.01)


def test_finite_and_bounded_when_p_alive_is_tiny(bgnbd):
    # CDNOW-like heavy early buyers who went silent: P(alive) underflows, the value if alive must not explode
    x = np.array([20.0, 40.0, 60.0])
    tx = np.array([3.0, 4.0, 5.0])
    T = np.array([78.0, 78.0, 78.0])
    p_alive = np.asarray(bgnbd.probability_alive(x, tx, T))
    assert (p_alive < 1e-12).all()
    t = 52.0
    value = expected_purchases_if_alive(bgnbd, t, x, T)
    no_dropout_bound = (CDNOW_PARAMS["r"] + x) / (CDNOW_PARAMS["alpha"] + T) * t  # Poisson rate x t, no dropout
    assert np.isfinite(value).all() and (value > 0).all() and (value <= no_dropout_bound).all()


def test_value_table_columns_and_order_value(bgnbd, gamma_gamma):
    summary = pd.DataFrame({"frequency": [0, 3], "recency": [0.0, 20.0], "T": [30.0, 30.0],
                            "monetary_value": [0.0, 40.0]}, index=pd.Index(["a", "b"], name="CustomerID"))
    table = value_table_if_alive(summary, bgnbd, gamma_gamma, horizon_months=12, time_unit="W", offer_months=[3])
    assert list(table.columns) == ["expected_purchases_if_alive", "expected_revenue_if_alive",
                                   "expected_order_value", "expected_revenue_if_alive_3m"]
    order = gamma_gamma.conditional_expected_average_value(summary["frequency"], summary["monetary_value"])
    assert table["expected_order_value"].to_numpy() == pytest.approx(np.asarray(order))
    assert table["expected_revenue_if_alive"].to_numpy() == pytest.approx(
        table["expected_purchases_if_alive"].to_numpy() * np.asarray(order))
    assert (table["expected_revenue_if_alive_3m"] < table["expected_revenue_if_alive"]).all()
    with pytest.raises(ValueError, match="time_unit"):
        value_table_if_alive(summary, bgnbd, gamma_gamma, time_unit="M")


def test_value_table_as_of_fits_on_the_history(small_log):
    tx = small_log.transactions.dropna(subset=["CustomerID"])
    tx = tx[(tx["Quantity"] > 0) & (tx["UnitPrice"] > 0)].assign(Revenue=lambda d: d["Quantity"] * d["UnitPrice"])
    cutoff = tx["InvoiceDate"].max().normalize()
    table = value_table_as_of(tx, cutoff, time_unit="W", horizon_months=12, offer_months=[3])
    assert table.index.is_unique and np.isfinite(table.to_numpy()).all() and (table.to_numpy() >= 0).all()
