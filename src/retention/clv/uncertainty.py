"""Parameter uncertainty carried to every customer's value: a parametric bootstrap from the fitted Hessians.

Each draw takes the purchase model's and the Gamma-Gamma model's parameters from the asymptotic normal
distribution of their log-parameters (:meth:`~.models.base.ParametricModel.sample_params`: the inverse
Hessian of the negative log-likelihood, carried to the log scale by the delta method), seeded, and
recomputes per customer

* ``expected_revenue_if_alive`` over the decision horizon (C1; what a retention effort protects);
* ``expected_revenue``: the same times P(alive), i.e. the undiscounted expected revenue, over the CLV
  horizon;
* ``clv``: the discounted expected revenue over the CLV horizon. The monthly discounting profile is taken
  from the point estimate (the ratio discounted / undiscounted per customer), which changes far less
  between draws than the level; this saves one model evaluation per month and draw.

What is *not* drawn: the seasonal index (treated as known) and the choice of model. The draws are an
``(n_customers, n_draws)`` array per quantity, row order = the value table's index, for the ROI Monte
Carlo to sample from.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from .forecast import PurchaseForecast
from .models import GammaGammaModel

__all__ = ["ValueDraws", "value_draws"]


@dataclass(frozen=True)
class ValueDraws:
    """Per-customer parameter-uncertainty draws (rows: customers of ``index``; columns: draws)."""

    index: pd.Index
    expected_revenue_if_alive: NDArray[np.float64]
    expected_revenue: NDArray[np.float64]
    clv: NDArray[np.float64]
    purchase_params: pd.DataFrame
    spend_params: pd.DataFrame

    @property
    def n_draws(self) -> int:
        return int(self.clv.shape[1])

    def interval(self, lower: float = 0.05, upper: float = 0.95) -> pd.DataFrame:
        """Per-customer quantiles: ``<quantity>_p05`` / ``<quantity>_p95`` for the C1 quantities."""
        lo, hi = f"p{round(lower * 100):02d}", f"p{round(upper * 100):02d}"
        columns = {}
        for name in ("expected_revenue_if_alive", "clv"):
            values = getattr(self, name)
            columns[f"{name}_{lo}"] = np.quantile(values, lower, axis=1)
            columns[f"{name}_{hi}"] = np.quantile(values, upper, axis=1)
        return pd.DataFrame(columns, index=self.index)


def value_draws(forecast: PurchaseForecast, gamma_gamma: GammaGammaModel, *, n_draws: int = 200, seed: int = 0,
                decision_horizon_months: int = 12, horizon_months: int = 12,
                discount_rate_monthly: float = 0.01) -> ValueDraws:
    """Draw ``n_draws`` parameter sets and recompute each customer's values (module docstring).

    Parameters
    ----------
    forecast : PurchaseForecast
        The fitted purchase model (with ``covariance_``) and its customers.
    gamma_gamma : GammaGammaModel
        The fitted spend model.
    n_draws, seed
        Number of draws and the seed of the random generator (same seed, same draws).
    decision_horizon_months, horizon_months, discount_rate_monthly
        As in :func:`~.value.forecast_value_table`.
    """
    s = forecast.summary
    # customers with the same history share every draw: compute once per distinct (x, t_x, T, m_x)
    keys = s[["frequency", "recency", "T", "monetary_value"]].to_numpy(dtype=np.float64)
    unique, inverse = np.unique(keys, axis=0, return_inverse=True)
    x, tx, age, m = unique.T
    model = forecast.model
    ends = forecast.month_ends(horizon_months)
    h_clv = float(ends[-1]) if ends.size else 0.0
    h_dec = float(forecast.month_ends(decision_horizon_months)[-1]) if decision_horizon_months else 0.0
    point_total = model.expected_purchases_if_alive(h_clv, x, tx, age)
    point_disc = model.discounted_purchases_if_alive(ends, discount_rate_monthly, x, tx, age)
    profile = np.divide(point_disc, point_total, out=np.ones_like(point_total), where=point_total > 0)
    rng = np.random.default_rng(seed)
    purchase_params = model.sample_params(n_draws, rng)
    spend_params = gamma_gamma.sample_params(n_draws, rng)
    shape = (x.size, int(n_draws))
    revenue_if_alive, revenue, clv = np.empty(shape), np.empty(shape), np.empty(shape)
    for d in range(int(n_draws)):
        md = model.with_params(purchase_params.iloc[d])
        eov = np.asarray(gamma_gamma.with_params(spend_params.iloc[d]).conditional_expected_average_value(x, m))
        total = md.expected_purchases_if_alive(h_clv, x, tx, age)
        decision = total if h_dec == h_clv else md.expected_purchases_if_alive(h_dec, x, tx, age)
        alive = md.probability_alive(x, tx, age)
        revenue_if_alive[:, d] = eov * decision
        revenue[:, d] = eov * alive * total
        clv[:, d] = revenue[:, d] * profile
    inverse = inverse.ravel()
    return ValueDraws(s.index, revenue_if_alive[inverse], revenue[inverse], clv[inverse], purchase_params,
                      spend_params)
