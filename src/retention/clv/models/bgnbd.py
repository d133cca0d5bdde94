"""The BG/NBD model of repeat buying (Fader, Hardie & Lee 2005 [1]_) and a simulator of its summaries.

While "alive" a customer buys as a Poisson process with rate ``lambda ~ Gamma(r, alpha)``; after each
repeat purchase they drop out for good with probability ``p ~ Beta(a, b)``. The log-likelihood here is
written for a general number of dropout opportunities ``x + shift`` (``shift = 0`` for BG/NBD, 1 for
the modified BG/NBD, :mod:`.mbgnbd`, where a customer may also drop out right after the first purchase).

References
----------
.. [1] Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). "Counting Your Customers" the Easy Way:
   An Alternative to the Pareto/NBD Model. *Marketing Science* 24(2), 275-284.
.. [2] Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2008). Computing P(alive) Using the BG/NBD Model.
   http://brucehardie.com/notes/021/
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import special

from .base import CountData, FloatArray, PurchaseModel, as_float_array, hyp2f1

__all__ = ["BetaGeoModel", "simulate_summary"]


def bgnbd_loglik(theta: FloatArray, d: CountData, gradient: bool = True,
                 shift: int = 0) -> tuple[float, FloatArray]:
    """Weighted BG/NBD log-likelihood (eq. 6 of [1]) and its gradient in ``(r, alpha, a, b)``.

    With ``m = x + shift`` dropout opportunities,
    ``L = B(a, b+m)/B(a, b) * G(r+x) alpha^r / (G(r) (alpha+T)^(r+x))
        + [m > 0] B(a+1, b+m-1)/B(a, b) * G(r+x) alpha^r / (G(r) (alpha+t_x)^(r+x))``.

    Both terms are kept in log space, ``l1`` and ``l2``, and combined as
    ``log(e^l1 + e^l2) = l1 - log(expit(l1 - l2))``: nothing overflows, ``m == 0`` (``l2 = -inf``) and
    ``t_x == T`` need no special case. Terms that depend only on ``x`` are evaluated once per distinct
    ``x`` and aggregated with the weights, so each call costs a handful of passes over the customers.
    """
    r, alpha, a, b = theta
    ux, inv, w, w_u = d.ux, d.inv, d.w, d.w_u
    um = ux + shift
    pos = um > 0
    um1 = np.where(pos, um, 1.0)
    beta_ab = special.betaln(a, b)
    log_alpha = np.log(alpha)
    head_u = special.gammaln(r + ux) - special.gammaln(r)
    t1_u = special.betaln(a, b + um) - beta_ab
    t2_u = np.where(pos, special.betaln(a + 1.0, b + um1 - 1.0) - beta_ab, -np.inf)
    log_aT = np.log(alpha + d.T)
    log_atx = np.log(alpha + d.tx)
    rx = r + d.x
    diff = (t1_u - t2_u)[inv] - rx * (log_aT - log_atx)  # l1 - l2, +inf when m == 0
    total = float(
        w_u @ (head_u + t1_u) + w_u.sum() * r * log_alpha - w @ (rx * log_aT) - w @ special.log_expit(diff)
    )
    if not gradient:
        return total, np.empty(0)
    w1 = special.expit(diff)  # share of the likelihood from the "still alive at T" term
    w2 = 1.0 - w1
    psi = special.digamma
    psi_ab, psi_abm = psi(a + b), psi(a + b + um)
    s1_u = np.bincount(inv, weights=w * w1, minlength=ux.size)
    s2_u = w_u - s1_u
    d_r = w_u @ (psi(r + ux) - psi(r)) + w_u.sum() * log_alpha - w @ (w1 * log_aT + w2 * log_atx)
    d_alpha = w_u.sum() * r / alpha - w @ (rx * (w1 / (alpha + d.T) + w2 / (alpha + d.tx)))
    d_a = s1_u @ (psi_ab - psi_abm) + s2_u @ (1.0 / a + psi_ab - psi_abm)
    d_b = s1_u @ (psi(b + um) - psi_abm - psi(b) + psi_ab) + s2_u @ np.where(
        pos, psi(b + um1 - 1.0) - psi_abm - psi(b) + psi_ab, 0.0
    )
    return total, np.array([d_r, d_alpha, d_a, d_b])


class BetaGeoModel(PurchaseModel):
    """BG/NBD model of repeat buying (Fader, Hardie & Lee 2005 [1]_).

    Assumptions: while active, a customer's repeat purchases follow a Poisson process with rate
    ``lambda``; ``lambda ~ Gamma(shape=r, rate=alpha)`` across customers; after every repeat purchase
    the customer becomes inactive for good with probability ``p``; ``p ~ Beta(a, b)`` across customers,
    independent of ``lambda``. The per-customer sufficient statistics are ``x`` (repeat purchases),
    ``t_x`` (time of the last purchase since the first one) and ``T`` (time since the first purchase).
    A customer without repeat purchases is alive for sure (dropout needs a purchase first), the
    best-known weakness of the model (lifetimes #409); see :class:`~.ModifiedBetaGeoModel`.

    Time unit: whatever unit ``recency``/``T`` are given in at :meth:`fit` (``alpha`` is in that unit
    and every ``t`` passed to a prediction method must use it too). Parameters and fitted attributes:
    see :class:`~.base.PurchaseModel`; ``params_`` holds ``r``, ``alpha``, ``a``, ``b``.
    """

    _param_names: ClassVar[tuple[str, ...]] = ("r", "alpha", "a", "b")
    _dropout_shift: ClassVar[int] = 0
    label: ClassVar[str] = "BG/NBD"

    def _loglik(self, theta: FloatArray, data: CountData, gradient: bool = True) -> tuple[float, FloatArray]:
        return bgnbd_loglik(theta, data, gradient, self._dropout_shift)

    def _start(self, data: CountData) -> FloatArray:
        mean_x = float(np.average(data.x, weights=data.w))
        mean_t = float(np.average(data.T, weights=data.w))
        return np.array([1.0, max(mean_t / max(mean_x, 1e-3), 1e-3), 1.0, 1.0])

    def _log_alive_odds(self, x: FloatArray, tx: FloatArray, age: FloatArray) -> FloatArray:
        """``log(P(dead) / P(alive))`` given the history ([2]_); ``-inf`` without a dropout opportunity."""
        r, alpha, a, b = self._theta()
        m = x + self._dropout_shift
        pos = m > 0
        m1 = np.where(pos, m, 1.0)
        lo = np.log(a) - np.log(b + m1 - 1.0) + (r + x) * (np.log(alpha + age) - np.log(alpha + tx))
        return np.where(pos, lo, -np.inf)

    def _expected_if_alive(self, t: FloatArray, x: FloatArray, tx: FloatArray, age: FloatArray) -> FloatArray:
        """E[X(t)] at the posterior-given-alive parameters ``(r+x, alpha+T, a, b+m)``, 2F1 Euler-transformed.

        The paper's ``((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+m; a+b+m-1; z)``, ``z = t/(alpha+T+t)``,
        equals ``(1-z)^(a-1) 2F1(a+b+m-1-(r+x), a-1; a+b+m-1; z)`` by Euler's transformation. The second
        form has no large parameters for heavy buyers (``x`` only enters ``c``), so the series stays well
        conditioned where the first one nearly cancels.
        """
        r, alpha, a, b = self._theta()
        if abs(a - 1.0) < 1e-7:  # the closed form has a removable singularity at a == 1
            a = 1.0 + 1e-7
        b = b + self._dropout_shift
        if a + b > _NEARLY_FIXED_P:
            return _nearly_fixed_p(t, x, age, r, alpha, a, b)
        log1mz = np.log(alpha + age) - np.log(alpha + age + t)
        z = -np.expm1(log1mz)
        hyp = hyp2f1(a + b - 1.0 - r, a - 1.0, a + b + x - 1.0, z)
        with np.errstate(divide="ignore", invalid="ignore"):
            log_term = (a - 1.0) * log1mz + np.log(hyp)
        # 1 - (1-z)^(a-1) 2F1: expm1 keeps precision for short horizons, where the two nearly cancel
        core = np.where(hyp > 0, -np.expm1(log_term), 1.0 - np.exp((a - 1.0) * log1mz) * hyp)
        out = (a + b + x - 1.0) / (a - 1.0) * core
        if not np.all(np.isfinite(out)):
            raise FloatingPointError("non-finite expectation (2F1 evaluation failed)")
        return out

    def _quiet_if_alive(self, t: FloatArray, x: FloatArray, tx: FloatArray, age: FloatArray) -> FloatArray:
        """Given alive, dropout needs a purchase first: no Poisson event in ``t``, ``E[exp(-lambda t)]``.

        The posterior of ``lambda`` given the history and being alive is ``Gamma(r+x, alpha+T)``, so the
        probability is ``((alpha+T)/(alpha+T+t))^(r+x)``.
        """
        r, alpha, _, _ = self._theta()
        return np.exp((r + x) * (np.log(alpha + age) - np.log(alpha + age + t)))


#: Above this ``a + b`` the dropout probability hardly varies between customers (a boundary of the fit
#: where scipy's 2F1 fails); the expectation is then taken to second order around the mean of ``p``.
_NEARLY_FIXED_P = 1e4


def _nearly_fixed_p(t: FloatArray, x: FloatArray, age: FloatArray, r: float, alpha: float, a: float,
                    b: float) -> FloatArray:
    """E[X(t) | alive] when ``p ~ Beta(a, b+x)`` is nearly a point mass: ``E f(p) ~ f(m) + f''(m) v / 2``.

    For a fixed ``p`` the expectation over ``lambda ~ Gamma(r+x, alpha+T)`` is
    ``f(p) = (1 - ((alpha+T)/(alpha+T+p t))^(r+x)) / p``; ``m`` and ``v`` are the mean and variance of ``p``,
    ``f''`` is taken by central differences with step ``sqrt(v)``. The error is of order ``(a+b)^-2``.
    """
    m = a / (a + b + x)
    v = m * (1.0 - m) / (a + b + x + 1.0)
    h = np.sqrt(v)

    def f(p: FloatArray) -> FloatArray:
        return -np.expm1(-(r + x) * np.log1p(p * t / (alpha + age))) / p

    return f(m) + 0.5 * (f(m + h) - 2.0 * f(m) + f(m - h))


def simulate_summary(
    n_customers: int,
    T: ArrayLike,
    bgnbd_params: Mapping[str, float],
    gamma_gamma_params: Mapping[str, float] | None = None,
    seed: int | np.random.Generator | None = None,
) -> pd.DataFrame:
    """Draw per-customer summaries ``(x, t_x, T[, m_x])`` straight from the BG/NBD (+ Gamma-Gamma) model.

    Exact and vectorised, without building a transaction log: with ``lambda ~ Gamma(r, alpha)`` and
    ``p ~ Beta(a, b)``, the number of Poisson events in ``(0, T]`` is ``N ~ Poisson(lambda T)``; the
    customer drops out right after repeat purchase ``K ~ Geometric(p)`` (support 1, 2, ...), so
    ``x = min(N, K)``; given ``N`` the event times are ordered uniforms on ``(0, T]``, so the ``x``-th
    one is ``t_x = T * Beta(x, N - x + 1)``. Spend: ``nu ~ Gamma(q, gamma)`` and the mean of ``x``
    values is ``Gamma(p x, nu) / x``.

    Parameters
    ----------
    n_customers : int
        Number of customers.
    T : float or array-like of shape (n_customers,)
        Each customer's age at the end of the observation period (any time unit; ``alpha`` is in it).
    bgnbd_params : mapping
        ``r``, ``alpha``, ``a``, ``b`` (e.g. a fitted ``BetaGeoModel().params_``).
    gamma_gamma_params : mapping, optional
        ``p``, ``q``, ``gamma``; if given a ``monetary_value`` column is added (0 when ``x == 0``).
    seed : int or Generator, optional
        Random seed.

    Returns
    -------
    DataFrame
        Columns ``frequency``, ``recency``, ``T`` (and ``monetary_value``), one row per customer.
    """
    rng = np.random.default_rng(seed)
    age = np.broadcast_to(as_float_array(T, "T"), (n_customers,)).astype(np.float64)
    if (age < 0).any():
        raise ValueError("T must be >= 0")
    r, alpha, a, b = (float(bgnbd_params[k]) for k in ("r", "alpha", "a", "b"))
    lam = rng.gamma(shape=r, scale=1.0 / alpha, size=n_customers)
    p = np.clip(rng.beta(a, b, size=n_customers), 1e-12, 1.0)
    n_events = rng.poisson(lam * age)
    dropout_after = rng.geometric(p)
    x = np.minimum(n_events, dropout_after)
    pos = x > 0
    recency = np.zeros(n_customers)
    recency[pos] = age[pos] * rng.beta(x[pos], n_events[pos] - x[pos] + 1)
    out = pd.DataFrame({"frequency": x.astype(np.int64), "recency": recency, "T": age.copy()})
    if gamma_gamma_params is not None:
        pp, q, g = (float(gamma_gamma_params[k]) for k in ("p", "q", "gamma"))
        nu = rng.gamma(shape=q, scale=1.0 / g, size=n_customers)
        m = np.zeros(n_customers)
        m[pos] = rng.gamma(shape=pp * x[pos], scale=1.0 / nu[pos]) / x[pos]
        out["monetary_value"] = m
    return out
