"""What every purchase model shares: the input check, maximum likelihood, standard errors and parameter draws.

A purchase ("buy till you die") model describes each customer by ``(x, t_x, T)``: repeat purchases,
time of the last one since the first, and age. :class:`PurchaseModel` fixes the contract every model
follows (scikit-learn style: ``__init__`` stores settings, ``fit`` validates, estimates and returns
``self``, fitted attributes end in ``_``) and derives the public predictions from three model-specific
pieces:

* ``_log_alive_odds(x, t_x, T)``: ``log(P(dead) / P(alive))`` given the history;
* ``_expected_if_alive(t, x, t_x, T)``: expected purchases in ``(T, T+t]`` *given alive at T*, written
  as the unconditional formula with the posterior-given-alive parameters (no division by P(alive));
* ``_quiet_if_alive(t, x, t_x, T)``: probability of no purchase in ``(T, T+t]`` given alive at T.

Then ``E[Y(t) | history] = P(alive) * expected_if_alive`` and ``P(no purchase) = 1 - P(alive) (1 -
quiet_if_alive)``, for every model alike. Also here: the shared input checks, the maximum-likelihood
helper with Hessian standard errors (the optimiser itself is in :mod:`._optimise`) and the parameter
draws of the parametric bootstrap.

The module is over 400 lines on purpose: it is the one contract every purchase model subclasses
(:class:`ParametricModel` fitting, :class:`PurchaseModel` predictions) with the small helpers that contract
calls, and splitting the base classes from their helpers would only make each model import from more places.
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import special
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

__all__ = ["FALLBACK_PRIOR_SD", "CountData", "FloatArray", "LogNormalPrior", "ParametricModel", "PurchaseModel",
           "Result", "as_float_array", "check_rft", "check_weights", "hyp2f1", "series_index", "wrap"]

from ._numeric import CountData, FloatArray, Result, hyp2f1, series_index, wrap
from ._optimise import covariance_from_gradient, minimise_log_params

# ---------------------------------------------------------------------------------------------------------
# Shared input checks and output wrapping
# ---------------------------------------------------------------------------------------------------------


def as_float_array(values: ArrayLike, name: str) -> FloatArray:
    """``values`` as a float array, or a ValueError naming ``name`` when it holds NaN or infinity."""
    arr = np.asarray(values, dtype=np.float64)
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return arr


def check_rft(frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> tuple[FloatArray, ...]:
    """Validate the sufficient statistics ``(x, t_x, T)`` of any purchase model and broadcast them together."""
    x = as_float_array(frequency, "frequency")
    tx = as_float_array(recency, "recency")
    age = as_float_array(T, "T")
    try:
        x, tx, age = np.broadcast_arrays(x, tx, age)
    except ValueError as exc:
        raise ValueError(f"frequency, recency and T have incompatible shapes: {exc}") from None
    if (x < 0).any() or (np.abs(x - np.round(x)) > 1e-9).any():
        raise ValueError("frequency must hold non-negative whole numbers (repeat purchase counts)")
    if (tx < 0).any():
        raise ValueError("recency must be >= 0")
    tol = 1e-9 * np.maximum(1.0, np.abs(age))
    if (tx > age + tol).any():
        raise ValueError("recency must be <= T (last purchase cannot be after the end of the period)")
    if ((x == 0) & (tx > tol)).any():
        raise ValueError("customers with frequency 0 must have recency 0 (no repeat purchase)")
    return np.round(x), np.minimum(tx, age), age


def check_weights(weights: ArrayLike | None, n: int) -> FloatArray:
    """Per-row weights (number of customers a row stands for); 1 each by default."""
    if weights is None:
        return np.ones(n)
    w = as_float_array(weights, "weights")
    if w.shape != (n,):
        raise ValueError(f"weights must have shape ({n},), got {w.shape}")
    if (w < 0).any():
        raise ValueError("weights must be >= 0")
    return w


def check_horizon(t: ArrayLike) -> FloatArray:
    """A prediction horizon: finite and non-negative."""
    tt = as_float_array(t, "t")
    if (tt < 0).any():
        raise ValueError("t must be >= 0")
    return tt


# ---------------------------------------------------------------------------------------------------------
# Maximum likelihood, standard errors and parameter draws
# ---------------------------------------------------------------------------------------------------------


LogLik = Callable[..., tuple[float, FloatArray]]

#: Standard deviation, on the log scale, of the weak prior of the fallback fit of a degenerate purchase model
#: (:meth:`PurchaseModel.fit`): each parameter within a factor e^4 (about 55) of its data-based starting value
#: with 95 % prior probability, a weight the likelihood of a few hundred customers overrides.
FALLBACK_PRIOR_SD: float = 2.0


@dataclass(frozen=True)
class LogNormalPrior:
    """Independent normal priors on the log-parameters: ``log theta_i ~ N(centre_i, sd^2)`` (a MAP fit)."""

    centre: FloatArray
    sd: float

    def penalty(self, theta: FloatArray) -> tuple[float, FloatArray]:
        """Minus the log prior (up to a constant) and its gradient on the natural scale."""
        z = (np.log(theta) - self.centre) / self.sd
        return 0.5 * float(z @ z), z / (self.sd * theta)


def fit_maximum_likelihood(model: Any, loglik: LogLik, data: Any, n: float, theta0: FloatArray,
                           covariance: bool = True, prior: LogNormalPrior | None = None) -> None:
    """Maximise ``loglik`` (minus the L2 penalty ``model.penalizer * |theta|^2``) and set the fitted attributes.

    The objective is scaled by ``n`` customers for the optimiser; the covariance (and standard errors)
    come from the Hessian of the unscaled negative log-likelihood (plus penalty) at the optimum.
    Sets ``params_``, ``log_likelihood_``, ``standard_errors_``, ``covariance_`` and ``n_customers_``;
    with ``covariance=False`` the Newton polish and the Hessian are skipped and the last two hold NaN
    (inner loops and backtests, which only need the estimate to forecasting precision). With a ``prior``
    the fit is the posterior mode (MAP): the prior's penalty counts once for the whole data set.
    """
    pen = float(model.penalizer)

    def objective(theta: FloatArray) -> tuple[float, FloatArray]:
        ll, grad = loglik(theta, data)
        value, gradient = -ll / n + pen * float(theta @ theta), -grad / n + 2.0 * pen * theta
        if prior is not None:
            extra, extra_grad = prior.penalty(theta)
            value, gradient = value + extra / n, gradient + extra_grad / n
        return value, gradient

    with threadpool_limits(limits=1, user_api="blas"):  # tiny vectors: BLAS threads only add overhead
        theta = minimise_log_params(objective, theta0, type(model).__name__, polish=covariance)
        set_estimate(model, loglik, data, n, theta, covariance, prior)


def set_estimate(model: Any, loglik: LogLik, data: Any, n: float, theta: FloatArray, covariance: bool,
                 prior: LogNormalPrior | None = None) -> None:
    """Set the fitted attributes of ``model`` at ``theta`` (the covariance only if asked, else NaN)."""
    pen = float(model.penalizer)

    def total_grad(th: FloatArray) -> FloatArray:
        grad = -loglik(th, data)[1] + 2.0 * pen * n * th
        return grad if prior is None else grad + prior.penalty(th)[1]

    cov = covariance_from_gradient(total_grad, theta) if covariance else np.full((theta.size, theta.size), np.nan)
    names = model._param_names
    held = [name for name, var in zip(names, np.diag(cov), strict=True) if not np.isfinite(var)]
    if covariance and held:
        label = getattr(model, "label", "") or type(model).__name__
        one = len(held) == 1
        which = " and ".join(held) if len(held) < len(names) else "its parameters"
        it, its = ("it", "its") if one else ("them", "their")
        warnings.warn(f"{label}: the data cannot pin down {which} (the likelihood is flat along {it} at the "
                      f"estimate, so no standard error can be computed): the parameter draws hold {it} at the "
                      f"estimate, and {its} uncertainty is not in the value intervals.", RuntimeWarning, stacklevel=4)
    model.params_ = dict(zip(names, map(float, theta), strict=True))
    model.log_likelihood_ = loglik(theta, data, gradient=False)[0]
    model.standard_errors_ = dict(zip(names, map(float, np.sqrt(np.diag(cov))), strict=True))
    model.covariance_ = pd.DataFrame(cov, index=list(names), columns=list(names))
    model.n_customers_ = n


def check_penalizer(penalizer: Any) -> None:
    if not np.isscalar(penalizer) or not float(penalizer) >= 0:
        raise ValueError(f"penalizer must be a non-negative number, got {penalizer!r}")


#: Largest log-scale standard error a parameter may have and still be drawn (see ``sample_params``).
MAX_LOG_SD: float = 1.0


class ParametricModel(BaseEstimator):
    """Fitted-parameter plumbing shared by the purchase models and the Gamma-Gamma spend model."""

    _param_names: ClassVar[tuple[str, ...]] = ()

    def __init__(self, penalizer: float = 0.0) -> None:
        self.penalizer = penalizer

    def _theta(self) -> tuple[float, ...]:
        check_is_fitted(self, "params_")
        return tuple(self.params_[k] for k in self._param_names)

    def _initial(self, default: FloatArray, initial_params: Mapping[str, float] | None) -> FloatArray:
        if initial_params is None:
            return default
        theta0 = np.array([float(initial_params[k]) for k in self._param_names])
        if not (np.all(np.isfinite(theta0)) and (theta0 > 0).all()):
            raise ValueError(f"initial_params must be positive numbers, got {dict(initial_params)}")
        return theta0

    def sample_params(self, n_draws: int, seed: int | np.random.Generator | None = None) -> pd.DataFrame:
        """Parameter draws from the asymptotic normal distribution of the log-parameters (parametric bootstrap).

        ``log(theta) ~ N(log(theta_hat), D^-1 Cov D^-1)`` with ``D = diag(theta_hat)`` (the delta method
        applied to the inverse-Hessian covariance ``covariance_``); drawing on the log scale keeps every
        draw positive. A parameter whose log-scale standard error exceeds :data:`MAX_LOG_SD` sits on a ridge
        of the likelihood that runs to a boundary (Pareto/NBD's ``s`` and ``beta`` growing together when
        everyone's dropout rate is about the same, BG/NBD's ``a`` and ``b`` when ``p`` hardly varies), where
        the normal approximation is meaningless (draws of ``s`` from 1e-16 to 1e10): such parameters are held
        at the estimate and the others drawn from their conditional normal distribution given them, which
        understates the uncertainty along the ridge. Parameters whose variance is undefined (a singular
        Hessian, :func:`~._optimise.covariance_from_gradient`) are held too, the others drawn from the
        covariance computed with them fixed; with no variance defined at all every draw equals the estimate,
        with a warning. Returns one row per draw, one column per parameter.
        """
        theta = np.array(self._theta())
        if int(n_draws) != n_draws or n_draws < 1:
            raise ValueError(f"n_draws must be a positive integer, got {n_draws!r}")
        cov = self.covariance_.to_numpy()
        rng = np.random.default_rng(seed)
        log_theta = np.tile(np.log(theta), (int(n_draws), 1))
        log_cov = cov / np.outer(theta, theta)
        undefined = ~np.isfinite(np.diag(log_cov))
        if undefined.all():
            warnings.warn(f"{type(self).__name__}: covariance undefined, parameter draws equal the estimate",
                          RuntimeWarning, stacklevel=2)
            return pd.DataFrame(np.exp(log_theta), columns=list(self._param_names))
        free = ~undefined & (np.sqrt(np.where(undefined, np.inf, np.diag(log_cov))) <= MAX_LOG_SD)
        held = ~free
        conditional = log_cov[np.ix_(free, free)]
        # parameters with an undefined variance: the covariance of the others is already conditional on them
        ridge = held & ~undefined
        if ridge.any():
            cross = log_cov[np.ix_(free, ridge)]
            conditional = conditional - cross @ np.linalg.pinv(log_cov[np.ix_(ridge, ridge)]) @ cross.T
        if free.any():
            log_theta[:, free] = rng.multivariate_normal(np.log(theta[free]), 0.5 * (conditional + conditional.T),
                                                         size=int(n_draws), method="eigh")
        draws = np.exp(log_theta)
        draws[:, held] = theta[held]  # exactly the estimate
        return pd.DataFrame(draws, columns=list(self._param_names))

    def with_params(self, params: Mapping[str, float]) -> ParametricModel:
        """A copy of this model with the given parameters (for evaluating parameter draws)."""
        clone = copy.copy(self)  # settings and other fitted attributes kept; only the parameters change
        clone.params_ = {k: float(params[k]) for k in self._param_names}
        return clone


class PurchaseModel(ParametricModel):
    """Base of the purchase models: one contract, the public predictions derived from three private pieces.

    Parameters
    ----------
    penalizer : float, default 0.0
        Optional L2 penalty: the optimiser minimises ``-mean log-likelihood + penalizer * sum(theta**2)``
        with ``theta`` the parameters on the natural scale (the convention of the `lifetimes` package).
        0 gives the plain maximum-likelihood estimate.

    Attributes
    ----------
    params_ : dict[str, float]
        Fitted parameters.
    log_likelihood_ : float
        Total (weighted) log-likelihood at the optimum, without the penalty.
    standard_errors_ : dict[str, float]
        Asymptotic standard errors of the natural-scale parameters: square roots of the diagonal of
        ``covariance_``.
    covariance_ : DataFrame
        Inverse Hessian of the (penalised) negative total log-likelihood at the optimum; the Hessian is
        taken by central differences of the analytic gradient.
    n_customers_ : float
        Number of customers fitted on (sum of the weights).
    fallback_ : str
        "" for a plain maximum-likelihood fit; otherwise the plain sentence saying why the fit was redone
        with a weak prior (a maximum-likelihood fit whose forecasts are not finite, e.g. BG/NBD's ``a -> 0``
        on small or very regular logs; also raised as a RuntimeWarning).
    prior_ : LogNormalPrior or None
        The prior of the fallback fit (None for a plain fit).
    """

    #: Display name used in tables and notes.
    label: ClassVar[str] = ""

    # -- to be provided by each model ---------------------------------------------------------------------
    def _loglik(self, theta: FloatArray, data: CountData, gradient: bool = True) -> tuple[float, FloatArray]:
        raise NotImplementedError

    def _start(self, data: CountData) -> FloatArray:
        raise NotImplementedError

    def _log_alive_odds(self, x: FloatArray, tx: FloatArray, age: FloatArray) -> FloatArray:
        raise NotImplementedError

    def _expected_if_alive(self, t: FloatArray, x: FloatArray, tx: FloatArray, age: FloatArray) -> FloatArray:
        raise NotImplementedError

    def _quiet_if_alive(self, t: FloatArray, x: FloatArray, tx: FloatArray, age: FloatArray) -> FloatArray:
        raise NotImplementedError

    # -- fitting ------------------------------------------------------------------------------------------
    def fit(self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike, weights: ArrayLike | None = None, *,
            initial_params: Mapping[str, float] | None = None, covariance: bool = True) -> PurchaseModel:
        """Fit by maximum likelihood.

        Parameters
        ----------
        frequency : array-like of int
            Repeat purchases ``x`` per customer.
        recency : array-like of float
            ``t_x``, time between first and last purchase (0 when ``x == 0``); ``0 <= t_x <= T``.
        T : array-like of float
            Time between the first purchase and the end of the calibration period.
        weights : array-like of float, optional
            Number of customers each row stands for (for pre-aggregated data). Default: 1 per row.
        initial_params : mapping, optional
            Starting values of the optimiser (e.g. a previous fit, for a warm start). Default: a
            data-based guess.
        covariance : bool, default True
            Whether to compute ``covariance_`` and ``standard_errors_`` (a numerical Hessian, 2 gradient
            evaluations per parameter); False leaves them NaN, for fits whose uncertainty is not used.

        Returns
        -------
        self
        """
        check_penalizer(self.penalizer)
        x, tx, age = (a.ravel() for a in check_rft(frequency, recency, T))
        w = check_weights(weights, x.size)
        if w.sum() <= 0:
            raise ValueError("no customers to fit (empty input or all weights zero)")
        if not (w[x > 0].sum() > 0):
            raise ValueError(f"no customer has a repeat purchase (all frequency == 0): {self.label} is not identified")
        data = CountData.build(x, tx, age, w)
        start = self._start(data)
        theta0 = self._initial(start, initial_params)
        n = float(data.w.sum())
        self.prior_, self.fallback_ = None, ""
        with warnings.catch_warnings(record=True) as caught:  # superseded if the fit falls back
            warnings.simplefilter("always")
            fit_maximum_likelihood(self, self._loglik, data, n, theta0, covariance)
        problem = self._degenerate(data)
        if not problem:
            for w in caught:
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno, source=w.source)
        else:
            self.prior_ = LogNormalPrior(np.log(start), FALLBACK_PRIOR_SD)
            fit_maximum_likelihood(self, self._loglik, data, n, start, covariance, self.prior_)
            still = self._degenerate(data)
            if still:
                raise FloatingPointError(f"{self.label}: the fit is degenerate ({problem}) and stays so with a weak "
                                         f"prior on its parameters ({still}: {self._describe()})")
            message = (
                f"{self.label}: the maximum-likelihood fit ran to the edge of its parameter space ({problem}; small "
                f"or very regular logs do this), so it was refitted with a weak prior that keeps each parameter "
                f"within a plausible range of a data-based starting value (log-normal, standard deviation "
                f"{FALLBACK_PRIOR_SD:g} on the log scale), which the data override where they can.")
            self.fallback_ = f"{message} Fitted: {self._describe()}."
            warnings.warn(message, RuntimeWarning, stacklevel=2)
        return self

    def _describe(self) -> str:
        return ", ".join(f"{k} = {v:.3g}" for k, v in self.params_.items())

    def _degenerate(self, data: CountData) -> str:
        """Why the fitted parameters cannot forecast the customers fitted on ("" when they can).

        Non-finite parameters, or a non-finite P(alive), expectation or probability of no purchase for some
        customer over one and ten times the longest history (e.g. BG/NBD with ``a -> 0``, where the
        hypergeometric function of its expectation fails).
        """
        theta = np.array(self._theta())
        if not (np.all(np.isfinite(theta)) and (theta > 0).all()):
            return "parameters not finite"
        x, tx, age = data.x, data.tx, data.T
        span = float(age.max()) if age.size else 1.0
        with np.errstate(all="ignore"):
            try:
                if np.isnan(self._log_alive_odds(x, tx, age)).any():
                    return "P(alive) undefined"
                for t in (span, 10.0 * span):
                    horizon = np.full(x.shape, max(t, 1e-9))
                    if not (np.all(np.isfinite(self._expected_if_alive(horizon, x, tx, age)))
                            and np.all(np.isfinite(self._quiet_if_alive(horizon, x, tx, age)))):
                        return "its forecasts are not finite numbers"
            except (FloatingPointError, ValueError, ZeroDivisionError):
                return "its forecasts cannot be computed"
        return ""

    def estimate_covariance(self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike,
                            weights: ArrayLike | None = None) -> PurchaseModel:
        """(Re)compute ``covariance_`` and ``standard_errors_`` at the fitted parameters for the data it was
        fitted on (after a ``fit(..., covariance=False)``); returns ``self``."""
        x, tx, age = (a.ravel() for a in check_rft(frequency, recency, T))
        data = CountData.build(x, tx, age, check_weights(weights, x.size))
        with threadpool_limits(limits=1, user_api="blas"):
            set_estimate(self, self._loglik, data, float(data.w.sum()), np.array(self._theta()), True,
                         getattr(self, "prior_", None))
        return self

    def log_likelihood(self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike,
                       weights: ArrayLike | None = None) -> float:
        """Total (weighted) log-likelihood of other data at the fitted parameters (e.g. a holdout cohort)."""
        x, tx, age = (a.ravel() for a in check_rft(frequency, recency, T))
        data = CountData.build(x, tx, age, check_weights(weights, x.size))
        return self._loglik(np.array(self._theta()), data, gradient=False)[0]

    # -- predictions --------------------------------------------------------------------------------------
    def _alive(self, x: FloatArray, tx: FloatArray, age: FloatArray) -> FloatArray:
        return special.expit(-self._log_alive_odds(x, tx, age))

    def probability_alive(self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> Result:
        """Probability that the customer is still active at ``T`` given ``(x, t_x, T)``."""
        x, tx, age = check_rft(frequency, recency, T)
        return wrap(self._alive(x, tx, age), series_index(frequency, recency, T), "probability_alive")

    def _prepare(self, t: ArrayLike, frequency: ArrayLike, recency: ArrayLike,
                 T: ArrayLike) -> tuple[FloatArray, ...]:
        tt = check_horizon(t)
        x, tx, age = check_rft(frequency, recency, T)
        return tuple(np.broadcast_arrays(tt, x, tx, age))

    def expected_purchases(self, t: ArrayLike) -> Result:
        """Unconditional expected repeat purchases ``E[X(t)]`` in ``(0, t]`` of a customer just acquired."""
        tt = check_horizon(t)
        zero = np.zeros_like(tt)
        out = self._alive(zero, zero, zero) * self._expected_if_alive(tt, zero, zero, zero)
        return wrap(out, series_index(t), "expected_purchases")

    def conditional_expected_purchases(self, t: ArrayLike, frequency: ArrayLike, recency: ArrayLike,
                                       T: ArrayLike) -> Result:
        """Expected repeat purchases in ``(T, T+t]`` given the history: ``P(alive) * expected_purchases_if_alive``.

        Parameters
        ----------
        t : array-like of float
            Length of the prediction period, in the model's time unit (e.g. the holdout length).
        frequency, recency, T : array-like
            The customer's ``x``, ``t_x`` and ``T`` (same unit as at fit time). All four inputs broadcast.
        """
        tt, x, tx, age = self._prepare(t, frequency, recency, T)
        out = self._alive(x, tx, age) * self._expected_if_alive(tt, x, tx, age)
        if not np.all(np.isfinite(out)):
            raise FloatingPointError("non-finite conditional expectation")
        return wrap(out, series_index(frequency, recency, T, t), "conditional_expected_purchases")

    def expected_purchases_if_alive(self, t: ArrayLike, frequency: ArrayLike, recency: ArrayLike,
                                    T: ArrayLike) -> Result:
        """Expected repeat purchases in ``(T, T+t]`` given the history *and* that the customer is alive at ``T``.

        The unconditional expectation evaluated at the posterior-given-alive parameters (e.g. for BG/NBD
        ``r+x, alpha+T, a, b+x``), never ``E[Y(t)] / P(alive)``, so it stays exact where P(alive) is tiny.
        This is the value a retention effort protects (contract C1).
        """
        tt, x, tx, age = self._prepare(t, frequency, recency, T)
        out = self._expected_if_alive(tt, x, tx, age)
        return wrap(out, series_index(frequency, recency, T, t), "expected_purchases_if_alive")

    def probability_no_purchase(self, t: ArrayLike, frequency: ArrayLike, recency: ArrayLike,
                                T: ArrayLike) -> Result:
        """Probability of no purchase at all in ``(T, T+t]``: ``1 - P(alive) (1 - P(quiet for t | alive))``.

        An inactive customer makes no purchase; an active one stays quiet with the model's probability of
        no purchase over ``t`` at the posterior-given-alive parameters. Lies in ``[0, 1]`` and decreases in
        ``t`` towards ``1 - P(alive)`` (or to 0 where dropout needs a purchase first).
        """
        tt, x, tx, age = self._prepare(t, frequency, recency, T)
        out = 1.0 - self._alive(x, tx, age) * (1.0 - self._quiet_if_alive(tt, x, tx, age))
        return wrap(np.clip(out, 0.0, 1.0), series_index(frequency, recency, T, t), "probability_no_purchase")

    def discounted_purchases_if_alive(self, horizon_ends: ArrayLike, rate_per_period: float, frequency: ArrayLike,
                                      recency: ArrayLike, T: ArrayLike) -> FloatArray:
        """``sum_k (E[Y(h_k) | alive] - E[Y(h_(k-1)) | alive]) / (1 + d)^k`` over the period ends ``h_1 < h_2 < ...``.

        The expected purchases of each period are discounted to today as if received at the period end
        (Fader, Hardie & Lee 2005, "RFM and CLV"); ``horizon_ends`` are cumulative lengths in model time
        (uneven in operational time, where a busy month is longer).
        """
        ends = check_horizon(horizon_ends).ravel()
        x, tx, age = check_rft(frequency, recency, T)
        total, previous = np.zeros(x.shape), np.zeros(x.shape)
        for k, end in enumerate(ends, start=1):
            cumulative = self._expected_if_alive(np.full(x.shape, end), x, tx, age)
            total += (cumulative - previous) / (1.0 + rate_per_period) ** k
            previous = cumulative
        return total
