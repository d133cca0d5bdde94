"""Expected revenue *if alive* over the decision horizon (contract C1), until ``retention.clv`` provides it.

Coordinator: when the clv package's value table has ``expected_revenue_if_alive`` (and the offer-window
column), replace :func:`value_table_if_alive` by it; :func:`retention.decisions.decision_frame` only reads the
columns.

BG/NBD (Fader, Hardie & Lee 2005): a customer alive at ``T`` with history ``(x, t_x, T)`` has the posterior
``lambda ~ Gamma(r + x, alpha + T)`` and ``p ~ Beta(a, b + x)``, and from ``T`` on buys exactly like a new
customer with those parameters. The expected number of purchases in ``(T, T + t]`` given alive is therefore the
unconditional ``E[X(t)]`` (eq. 9 of the paper) with ``r + x, alpha + T, a, b + x``:

``E[X(t) | alive] = (a+b+x-1)/(a-1) * [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; z)]``,
``z = t / (alpha+T+t)``,

evaluated in Euler's form ``(1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z)`` (no large parameters for heavy
buyers). It equals the paper's conditional expectation (eq. 10) divided by P(alive), but is computed without
that division, so it stays finite and stable when P(alive) is tiny: it grows with the customer's own past rate
``(r + x) / (alpha + T)``, never with ``1 / P(alive)``. Revenue multiplies it by the Gamma-Gamma expected order
value (Fader & Hardie 2013); it is undiscounted.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy import special

from retention.clv import DAYS_PER_MONTH, BetaGeoModel, GammaGammaModel, rfm_summary
from retention.roi.columns import ORDER_VALUE, REVENUE, offer_window_column

__all__ = ["expected_purchases_if_alive", "expected_revenue_if_alive", "value_table_if_alive", "value_table_as_of"]

FloatArray = NDArray[np.float64]
_DAYS_PER_UNIT = {"D": 1.0, "W": 7.0}


def _hyp2f1(a: float, b: float, c: FloatArray, z: FloatArray) -> FloatArray:
    """``scipy.special.hyp2f1``; entries SciPy returns as NaN (``c - a - b`` an integer, ``z`` near 1) are
    re-evaluated at ``c (1 +- 1e-10)`` and averaged (the function is smooth in ``c``)."""
    out = np.array(special.hyp2f1(a, b, c, z), dtype=np.float64)
    bad = ~np.isfinite(out)
    if bad.any():
        cb, zb = c[bad], z[bad]
        out[bad] = 0.5 * (special.hyp2f1(a, b, cb * (1 + 1e-10), zb) + special.hyp2f1(a, b, cb * (1 - 1e-10), zb))
    return out


def expected_purchases_if_alive(bgnbd: BetaGeoModel, t: ArrayLike, frequency: ArrayLike,
                                T: ArrayLike) -> FloatArray:
    """Expected purchases in ``(T, T + t]`` of a customer who is alive at ``T`` (module docstring).

    Parameters
    ----------
    bgnbd : BetaGeoModel
        Fitted; ``t`` and ``T`` in its time unit.
    t : array-like
        Length of the future window (> 0 gives a positive count).
    frequency, T : array-like
        The customer's repeat purchases ``x`` and age ``T``. All inputs broadcast.

    Returns
    -------
    numpy.ndarray
        Finite, non-negative expected counts.
    """
    r, alpha, a, b = (bgnbd.params_[k] for k in ("r", "alpha", "a", "b"))
    if abs(a - 1.0) < 1e-7:  # removable singularity of the closed form at a == 1
        a = 1.0 + 1e-7
    tt, x, age = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in (t, frequency, T)))
    if (tt < 0).any() or (x < 0).any() or (age < 0).any():
        raise ValueError("t, frequency and T must be zero or more.")
    log1mz = np.log(alpha + age) - np.log(alpha + age + tt)
    z = -np.expm1(log1mz)
    hyp = _hyp2f1(a + b - 1.0 - r, a - 1.0, a + b + x - 1.0, z)
    with np.errstate(divide="ignore", invalid="ignore"):
        core = np.where(hyp > 0, -np.expm1((a - 1.0) * log1mz + np.log(hyp)),
                        1.0 - np.exp((a - 1.0) * log1mz) * hyp)
    out = (a + b + x - 1.0) / (a - 1.0) * core
    if not np.all(np.isfinite(out)):
        raise FloatingPointError("non-finite expected purchases if alive (2F1 evaluation failed)")
    return np.maximum(out, 0.0)


def _units(months: float, time_unit: str) -> float:
    if time_unit not in _DAYS_PER_UNIT:
        raise ValueError(f"time_unit must be one of {sorted(_DAYS_PER_UNIT)}, got {time_unit!r}.")
    return months * DAYS_PER_MONTH / _DAYS_PER_UNIT[time_unit]


def expected_revenue_if_alive(summary: pd.DataFrame, bgnbd: BetaGeoModel, gamma_gamma: GammaGammaModel, *,
                              horizon_months: float = 12, time_unit: str = "W") -> pd.Series:
    """Expected revenue over ``horizon_months`` of each customer if alive now (undiscounted).

    ``summary`` has ``frequency``, ``T`` and ``monetary_value`` in the models' time unit (``time_unit``).
    """
    purchases = expected_purchases_if_alive(bgnbd, _units(horizon_months, time_unit), summary["frequency"],
                                            summary["T"])
    order = np.asarray(gamma_gamma.conditional_expected_average_value(summary["frequency"],
                                                                      summary["monetary_value"]), dtype=np.float64)
    return pd.Series(purchases * order, index=summary.index, name=REVENUE)


def value_table_if_alive(summary: pd.DataFrame, bgnbd: BetaGeoModel, gamma_gamma: GammaGammaModel, *,
                         horizon_months: float = 12, time_unit: str = "W",
                         offer_months: Iterable[int] = (3,)) -> pd.DataFrame:
    """The C1 value columns a decision frame needs, per customer.

    Returns
    -------
    pandas.DataFrame
        Index of ``summary``; ``expected_purchases_if_alive`` and ``expected_revenue_if_alive`` over the decision
        horizon, ``expected_order_value`` and ``expected_revenue_if_alive_<N>m`` for each offer window ``N``.
    """
    order = np.asarray(gamma_gamma.conditional_expected_average_value(summary["frequency"],
                                                                      summary["monetary_value"]), dtype=np.float64)
    purchases = expected_purchases_if_alive(bgnbd, _units(horizon_months, time_unit), summary["frequency"],
                                            summary["T"])
    table = pd.DataFrame({"expected_purchases_if_alive": purchases, REVENUE: purchases * order,
                          ORDER_VALUE: order}, index=summary.index)
    for months in offer_months:
        window = expected_purchases_if_alive(bgnbd, _units(months, time_unit), summary["frequency"], summary["T"])
        table[offer_window_column(months)] = window * order
    return table


def value_table_as_of(transactions: pd.DataFrame, as_of: object, *, time_unit: str = "W", penalizer: float = 0.0,
                      horizon_months: float = 12, offer_months: Iterable[int] = ()) -> pd.DataFrame:
    """Fit BG/NBD and Gamma-Gamma on the history up to ``as_of`` and return :func:`value_table_if_alive`
    (e.g. for the previous period of the KPIs, one churn horizon earlier)."""
    summary = rfm_summary(transactions, as_of, unit=time_unit)
    bgnbd = BetaGeoModel(penalizer=penalizer).fit(summary["frequency"], summary["recency"], summary["T"])
    repeaters = summary[summary["frequency"] > 0]
    gamma_gamma = GammaGammaModel(penalizer=penalizer).fit(repeaters["frequency"], repeaters["monetary_value"])
    return value_table_if_alive(summary, bgnbd, gamma_gamma, horizon_months=horizon_months, time_unit=time_unit,
                                offer_months=offer_months)
