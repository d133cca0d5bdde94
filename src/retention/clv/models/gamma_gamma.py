"""The Gamma-Gamma model of average transaction value (Colombo & Jiang 1999 [1]_; Fader & Hardie 2013 [2]_).

Transaction values are ``Gamma(p, nu)`` with ``nu ~ Gamma(q, gamma)`` across customers, assumed
independent of the purchase process (check with :func:`spend_frequency_correlation`).

References
----------
.. [1] Colombo, R. and Jiang, W. (1999). A stochastic RFM model. *Journal of Interactive Marketing*
   13(3), 2-12.
.. [2] Fader, P. S. and Hardie, B. G. S. (2013). The Gamma-Gamma Model of Monetary Value.
   http://brucehardie.com/notes/025/
.. [3] Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). RFM and CLV: Using Iso-Value Curves for
   Customer Base Analysis. *Journal of Marketing Research* 42(4), 415-430.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import special
from sklearn.utils.validation import check_is_fitted

from ..summary import DAYS_PER_MONTH, TimeUnit, days_per_unit
from .base import (
    FloatArray,
    ParametricModel,
    PurchaseModel,
    Result,
    as_float_array,
    check_penalizer,
    check_rft,
    check_weights,
    fit_maximum_likelihood,
    series_index,
    wrap,
)

__all__ = ["GammaGammaModel", "spend_frequency_correlation"]


@dataclass(frozen=True)
class _SpendData:
    """Gamma-Gamma fitting data (repeat buyers only) with the parameter-free sums precomputed."""

    mx: FloatArray  # x * m_x, total repeat spend
    xw: FloatArray  # x * w
    w: FloatArray
    ux: FloatArray
    w_u: FloatArray
    sum_w: float
    sum_w_log_m: float
    sum_wx_log_mx: float  # sum of w x (log m + log x)

    @classmethod
    def build(cls, x: FloatArray, m: FloatArray, w: FloatArray) -> _SpendData:
        ux, inv = np.unique(x, return_inverse=True)
        log_m = np.log(m)
        return cls(
            mx=x * m, xw=x * w, w=w, ux=ux, w_u=np.bincount(inv, weights=w, minlength=ux.size),
            sum_w=float(w.sum()), sum_w_log_m=float(w @ log_m),
            sum_wx_log_mx=float((x * w) @ (log_m + np.log(x))),
        )


def _gamma_gamma_loglik(theta: FloatArray, d: _SpendData, gradient: bool = True) -> tuple[float, FloatArray]:
    """Weighted log-likelihood of average spend ``m`` over ``x`` transactions, and its gradient.

    Fader & Hardie (2013) [2]_: since ``x * m | nu ~ Gamma(p x, nu)`` and ``nu ~ Gamma(q, gamma)``,
    ``f(m | p, q, gamma, x) = G(px+q)/(G(px) G(q)) gamma^q m^(px-1) x^(px) / (gamma + m x)^(px+q)``.
    Only ``log(gamma + m x)`` needs a pass over the customers; the gamma functions depend on ``x``
    alone and are evaluated once per distinct ``x``.
    """
    p, q, g = theta
    ux, w_u, n = d.ux, d.w_u, d.sum_w
    pu = p * ux
    log_gmx = np.log(g + d.mx)
    total = float(
        w_u @ (special.gammaln(pu + q) - special.gammaln(pu)) - n * special.gammaln(q) + n * q * np.log(g)
        + p * d.sum_wx_log_mx - d.sum_w_log_m - p * (d.xw @ log_gmx) - q * (d.w @ log_gmx)
    )
    if not gradient:
        return total, np.empty(0)
    psi_u = special.digamma(pu + q)
    d_p = (w_u * ux) @ (psi_u - special.digamma(pu)) + d.sum_wx_log_mx - d.xw @ log_gmx
    d_q = w_u @ psi_u - n * special.digamma(q) + n * np.log(g) - d.w @ log_gmx
    inv_gmx = 1.0 / (g + d.mx)
    d_g = n * q / g - p * (d.xw @ inv_gmx) - q * (d.w @ inv_gmx)
    return total, np.array([d_p, d_q, d_g])


class _MeanMatched(ParametricModel):
    """The free parameters ``(p, k = q - 1)`` of the Gamma-Gamma fit with its population mean fixed."""

    _param_names: ClassVar[tuple[str, ...]] = ("p", "k")
    label: ClassVar[str] = "Gamma-Gamma"

    def __init__(self, penalizer: float = 0.0, mean: float = 1.0) -> None:
        self.penalizer = penalizer
        self.mean = mean

    def fit(self, data: _SpendData) -> _MeanMatched:
        fit_maximum_likelihood(self, self.loglik, data, data.sum_w, np.array([1.0, 1.0]))
        return self

    def loglik(self, theta: FloatArray, data: _SpendData, gradient: bool = True) -> tuple[float, FloatArray]:
        p, k = theta
        g = self.mean * k / p
        total, grad = _gamma_gamma_loglik(np.array([p, 1.0 + k, g]), data, gradient)
        if not gradient:
            return total, grad
        d_p, d_q, d_g = grad
        return total, np.array([d_p - d_g * g / p, d_q + d_g * self.mean / p])


class GammaGammaModel(ParametricModel):
    """Gamma-Gamma model of average transaction value (Colombo & Jiang 1999 [1]_; Fader & Hardie 2013 [2]_).

    A customer's transaction values are i.i.d. ``Gamma(shape=p, rate=nu)``, so their mean spend is
    ``p / nu``; across customers ``nu ~ Gamma(shape=q, rate=gamma)``. The average ``m_x`` of a
    customer's ``x`` repeat transactions is then informative about ``nu`` and the posterior mean spend
    is a weighted average of ``m_x`` and the population mean ``p gamma / (q - 1)``. The model assumes
    spend is independent of the purchase process: check :func:`spend_frequency_correlation` first.

    Parameters
    ----------
    penalizer : float, default 0.0
        L2 penalty on ``(p, q, gamma)``, same convention as :class:`BetaGeoModel`.

    Attributes
    ----------
    params_ : dict[str, float]
        Fitted ``p``, ``q`` and ``gamma`` (the scale-type parameter called ``v`` or ``gamma`` in the
        literature; it is in the currency unit of ``monetary_value``).
    log_likelihood_ : float
        Total (weighted) log-likelihood over repeat buyers, without the penalty.
    standard_errors_ : dict[str, float]
        Standard errors from the inverse numerical Hessian (natural scale), as in :class:`BetaGeoModel`.
    n_customers_ : float
        Number of repeat buyers fitted on (sum of their weights).
    fallback_ : str
        "" for a plain maximum-likelihood fit. When that fit has ``q <= 1`` (heavy-tailed spend: the population
        mean spend ``p gamma / (q - 1)`` is infinite, and one-time buyers' expected values with it), the model is
        refitted with the population mean fixed at the observed mean of the repeat buyers' average spend
        (``mean_constraint_``) and ``q > 1``, and this holds the plain sentence that says so (also raised as a
        RuntimeWarning). Repeat buyers' expected spend is then bounded by their own average and that mean.
    mean_constraint_ : float or None
        The fixed population mean of the fallback fit (None for a plain fit).
    """

    _param_names: ClassVar[tuple[str, ...]] = ("p", "q", "gamma")
    #: Display name used in tables and notes.
    label: ClassVar[str] = "Gamma-Gamma"

    def fit(
        self, frequency: ArrayLike, monetary_value: ArrayLike, weights: ArrayLike | None = None
    ) -> GammaGammaModel:
        """Fit by maximum likelihood on the repeat buyers (``frequency > 0``); others are ignored.

        Parameters
        ----------
        frequency : array-like of int
            Number of repeat purchases ``x`` the average is taken over.
        monetary_value : array-like of float
            Mean value of those repeat purchases (must be > 0 for repeat buyers).
        weights : array-like of float, optional
            Number of customers each row stands for. Default: 1 per row.

        Returns
        -------
        self : GammaGammaModel
        """
        check_penalizer(self.penalizer)
        x = as_float_array(frequency, "frequency").ravel()
        m = as_float_array(monetary_value, "monetary_value").ravel()
        if x.shape != m.shape:
            raise ValueError(f"frequency and monetary_value differ in length ({x.size} vs {m.size})")
        w = check_weights(weights, x.size)
        keep = (x > 0) & (w > 0)
        if not keep.any():
            raise ValueError(
                "no repeat buyers (frequency > 0): the Gamma-Gamma model is fitted on the average spend of "
                "repeat purchases and cannot be estimated"
            )
        x, m, w = x[keep], m[keep], w[keep]
        if (m <= 0).any():
            raise ValueError(
                f"{int((m <= 0).sum())} repeat buyer(s) have monetary_value <= 0; the Gamma-Gamma model needs "
                "strictly positive average spend (drop or fix them)"
            )
        data = _SpendData.build(x, m, w)
        mean = float(np.average(m, weights=w))
        theta0 = np.array([1.0, 2.0, mean])
        self.fallback_, self.mean_constraint_, self._matched = "", None, None
        fit_maximum_likelihood(self, _gamma_gamma_loglik, data, data.sum_w, theta0)
        q = self.params_["q"]
        if not (np.all(np.isfinite(list(self.params_.values()))) and q > 1.0):
            self._fit_mean_matched(data, mean)
            message = (
                f"{self.label}: the spend model's maximum-likelihood fit has q <= 1 (a few customers spend so much "
                f"more than the rest that the model's mean spend of a new customer is infinite, and one-time buyers "
                f"would get no finite value), so it was refitted with that mean fixed at the observed mean of the "
                f"repeat buyers' average spend; each repeat buyer's expected spend is then a blend of their own "
                f"average and that mean, weighted by their number of purchases.")
            self.fallback_ = (f"{message} Plain fit: q = {q:.3g}; refitted: p = {self.params_['p']:.3g}, "
                              f"q = {self.params_['q']:.3g}, gamma = {self.params_['gamma']:.3g}, mean "
                              f"{mean:,.2f}.")
            warnings.warn(message, RuntimeWarning, stacklevel=2)
        return self

    def _fit_mean_matched(self, data: _SpendData, mean: float) -> None:
        """Maximum likelihood with the population mean ``p gamma / (q - 1)`` fixed at ``mean``, ``q > 1``.

        Free parameters ``p`` and ``k = q - 1`` (both positive, so every draw keeps ``q > 1``), ``gamma =
        mean k / p``. Sets the fitted attributes in ``(p, q, gamma)``; the covariance is the free parameters'
        one carried over by the Jacobian (rank 2).
        """
        matched = _MeanMatched(self.penalizer, mean).fit(data)
        p, k = matched.params_["p"], matched.params_["k"]
        jac = np.array([[1.0, 0.0], [0.0, 1.0], [-mean * k / p**2, mean / p]])
        cov = jac @ matched.covariance_.to_numpy() @ jac.T
        names = list(self._param_names)
        self.params_ = {"p": p, "q": 1.0 + k, "gamma": mean * k / p}
        self.log_likelihood_ = matched.log_likelihood_
        self.covariance_ = pd.DataFrame(cov, index=names, columns=names)
        self.standard_errors_ = dict(zip(names, map(float, np.sqrt(np.diag(cov))), strict=True))
        self.mean_constraint_, self._matched = mean, matched

    def sample_params(self, n_draws: int, seed: int | np.random.Generator | None = None) -> pd.DataFrame:
        """Parameter draws (:meth:`~.base.ParametricModel.sample_params`); after the mean-matched fallback, drawn
        in its free parameters ``(p, q - 1)``, so every draw keeps the mean and ``q > 1``."""
        matched = getattr(self, "_matched", None)
        if matched is None:
            return super().sample_params(n_draws, seed)
        free = matched.sample_params(n_draws, seed)
        mean = float(self.mean_constraint_)
        return pd.DataFrame({"p": free["p"], "q": 1.0 + free["k"], "gamma": mean * free["k"] / free["p"]},
                            columns=list(self._param_names))

    def conditional_expected_average_value(
        self, frequency: ArrayLike, monetary_value: ArrayLike
    ) -> Result:
        """Posterior mean transaction value ``E[M | p, q, gamma, m_x, x]`` (Fader & Hardie 2013 [2]_).

        ``p (gamma + x m_x) / (p x + q - 1)``
        ``= (q-1)/(px+q-1) * p gamma/(q-1) + px/(px+q-1) * m_x``: a credibility-weighted blend of the
        population mean and the customer's own average. For ``x == 0`` it is the population mean
        ``p gamma / (q - 1)``.
        """
        check_is_fitted(self, "params_")
        p, q, g = (self.params_[k] for k in self._param_names)
        x = as_float_array(frequency, "frequency")
        m = as_float_array(monetary_value, "monetary_value")
        x, m = np.broadcast_arrays(x, m)
        if (x < 0).any():
            raise ValueError("frequency must be >= 0")
        mx = np.where(x > 0, x * m, 0.0)
        out = p * (g + mx) / (p * x + q - 1.0)
        return wrap(out, series_index(frequency, monetary_value), "expected_average_value")

    def customer_lifetime_value(
        self,
        purchase_model: PurchaseModel,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,
        monetary_value: ArrayLike,
        horizon_months: int = 12,
        discount_rate_monthly: float = 0.01,
        time_unit: TimeUnit = "D",
        month_ends: ArrayLike | None = None,
    ) -> Result:
        """Discounted expected value of each customer's purchases over the next ``horizon_months``.

        ``CLV = E[M] * P(alive) * sum_{m=1..H} (E[Y(h_m) | alive] - E[Y(h_(m-1)) | alive]) / (1 + d)^m``,
        where ``E[Y(t) | alive]`` is :meth:`~.PurchaseModel.expected_purchases_if_alive` given ``(x, t_x, T)``
        (``P(alive)`` times it is the conditional expectation), ``E[M]`` is
        :meth:`conditional_expected_average_value`, ``h_m`` is the end of month ``m`` in model time and
        cash flows of month ``m`` are discounted to today as if received at the month end, as in Fader,
        Hardie & Lee (2005) [3]_ (discrete monthly discounting).

        Time units (read this): ``recency`` and ``T`` must be in the unit the purchase model was fitted
        in, and ``time_unit`` must name that unit -- ``"D"`` days (a month is ``L = 30.4375`` days, so
        ``h_m = m L``) or ``"W"`` weeks (``L = 30.4375 / 7 = 4.348`` weeks). A mismatch is silent and large:
        weekly inputs declared as ``"D"`` stretch the horizon seven-fold. ``horizon_months`` and
        ``discount_rate_monthly`` are always per calendar month (e.g. 1 % a month is about 12.7 % a year).
        ``month_ends`` overrides the even months with explicit cumulative ends ``h_1..h_H`` in model time
        (a seasonal forecast in operational time, where a busy month is longer).

        Parameters
        ----------
        purchase_model : PurchaseModel
            A fitted BG/NBD, MBG/NBD or Pareto/NBD model.
        frequency, recency, T : array-like
            Calibration-period ``x``, ``t_x``, ``T`` (in ``time_unit``).
        monetary_value : array-like
            Mean value of repeat purchases (as from :func:`rfm_summary`).
        horizon_months : int, default 12
            Number of months to sum over (ignored when ``month_ends`` is given).
        discount_rate_monthly : float, default 0.01
            Monthly discount rate ``d`` (> -1). 0 gives the undiscounted expected revenue.
        time_unit : {"D", "W"}, default "D"
            Unit of ``recency``/``T`` and of the fitted purchase model.
        month_ends : array-like, optional
            Cumulative month ends in model time.

        Returns
        -------
        ndarray or Series
            CLV per customer, in the currency unit of ``monetary_value``.
        """
        check_is_fitted(self, "params_")
        if not isinstance(purchase_model, PurchaseModel):
            raise TypeError(f"purchase_model must be a PurchaseModel, got {type(purchase_model).__name__}")
        check_is_fitted(purchase_model, "params_")
        if int(horizon_months) != horizon_months or horizon_months < 0:
            raise ValueError(f"horizon_months must be a non-negative integer, got {horizon_months!r}")
        if not discount_rate_monthly > -1.0:
            raise ValueError(f"discount_rate_monthly must be > -1, got {discount_rate_monthly!r}")
        month = DAYS_PER_MONTH / days_per_unit(time_unit)
        ends = np.arange(1, int(horizon_months) + 1) * month if month_ends is None else month_ends
        x, tx, age = check_rft(frequency, recency, T)
        m = as_float_array(monetary_value, "monetary_value")
        x, tx, age, m = np.broadcast_arrays(x, tx, age, m)
        value = np.asarray(self.conditional_expected_average_value(x, m), dtype=np.float64)
        discounted = purchase_model.discounted_purchases_if_alive(ends, discount_rate_monthly, x, tx, age)
        out = value * purchase_model._alive(x, tx, age) * discounted
        return wrap(out, series_index(frequency, recency, T, monetary_value), "clv")


def spend_frequency_correlation(frequency: ArrayLike, monetary_value: ArrayLike) -> float:
    """Pearson correlation between ``frequency`` and ``monetary_value`` among repeat buyers.

    The Gamma-Gamma model [2]_ assumes average spend is independent of the purchase process. A
    correlation far from zero (a common rule of thumb is ``|corr| > 0.3``) means that assumption is
    doubtful; this function only measures it and leaves the decision to the caller.

    Returns
    -------
    float
        Correlation over customers with ``frequency > 0`` (NaN if either variable is constant there).

    Raises
    ------
    ValueError
        If fewer than two repeat buyers are present.
    """
    x = as_float_array(frequency, "frequency").ravel()
    m = as_float_array(monetary_value, "monetary_value").ravel()
    if x.shape != m.shape:
        raise ValueError(f"frequency and monetary_value differ in length ({x.size} vs {m.size})")
    keep = x > 0
    if keep.sum() < 2:
        raise ValueError("need at least two repeat buyers (frequency > 0) to compute a correlation")
    x, m = x[keep], m[keep]
    if np.ptp(x) == 0 or np.ptp(m) == 0:
        return float("nan")
    return float(np.corrcoef(x, m)[0, 1])
