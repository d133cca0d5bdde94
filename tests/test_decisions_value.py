"""The decision's value columns come from the chosen CLV forecast (retention.clv; the formulas are tested in
tests/test_clv_models.py): the previous-period table and the all-orders offer windows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from retention.clv import PurchaseDays, fit_customer_values
from retention.decisions import offer_window_values, value_table_as_of
from retention.engine import open_log


@pytest.fixture(scope="module")
def log(small_log) -> PurchaseDays:
    with open_log(small_log.transactions) as session:
        return PurchaseDays.from_grain(session.purchase_days())


def _last(log: PurchaseDays) -> pd.Timestamp:
    return pd.to_datetime(log.last_day, unit="D")


def test_value_table_as_of_fits_on_the_history_only(log):
    cutoff = _last(log) - np.timedelta64(90, "D")
    table = value_table_as_of(log, cutoff, time_unit="W", horizon_months=12, offer_months=[3], model="bgnbd",
                              seasonal=False)
    assert list(table.columns) == ["expected_purchases_if_alive", "expected_revenue_if_alive",
                                   "expected_order_value", "expected_revenue_if_alive_3m"]
    assert table.index.is_unique and np.isfinite(table.to_numpy()).all() and (table.to_numpy() >= 0).all()
    later = log.window(None, log.day_of(cutoff) + 1)
    assert later.day.size < log.day.size
    assert table.equals(value_table_as_of(later, cutoff, time_unit="W", horizon_months=12, offer_months=[3],
                                          model="bgnbd", seasonal=False))


def test_offer_windows_grow_with_their_length_and_stay_below_the_decision_horizon(log):
    fitted = fit_customer_values(log, _last(log), model="bgnbd", seasonal=False,
                                 decision_horizon_months=12, uncertainty_draws=0)
    windows = offer_window_values(fitted, [1, 3, 6])
    assert (windows["expected_revenue_if_alive_1m"] <= windows["expected_revenue_if_alive_3m"]).all()
    assert (windows["expected_revenue_if_alive_6m"] <= fitted.values["expected_revenue_if_alive"] + 1e-9).all()


def test_value_if_alive_is_finite_and_bounded_when_p_alive_is_tiny():
    # CDNOW-like heavy early buyers who went silent: P(alive) underflows, the value if alive must not explode
    from retention.clv import BetaGeoModel

    model = BetaGeoModel()
    model.params_ = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}  # Fader, Hardie & Lee (2005), weeks
    x, tx, T, t = np.array([20.0, 40.0, 60.0]), np.array([3.0, 4.0, 5.0]), np.full(3, 78.0), 52.0
    assert (np.asarray(model.probability_alive(x, tx, T)) < 1e-12).all()
    value = np.asarray(model.expected_purchases_if_alive(t, x, tx, T))
    no_dropout_bound = (0.243 + x) / (4.414 + T) * t  # the posterior Poisson rate times t, without dropout
    assert np.isfinite(value).all() and (value > 0).all() and (value <= no_dropout_bound).all()
