"""Customer lifetime value: RFM summaries, the BG/NBD purchase model and the Gamma-Gamma spend model.

Everything here is written from the papers, not wrapped from a third-party package:

* :func:`rfm_summary` / :func:`calibration_holdout_summary` turn a transaction log into the per-customer
  sufficient statistics ``(x, t_x, T)`` plus average spend that both models consume.
* :class:`BetaGeoModel` is the BG/NBD model of Fader, Hardie & Lee (2005) [1]_: while "alive" a customer
  buys as a Poisson process with rate ``lambda ~ Gamma(r, alpha)``; after each repeat purchase they drop
  out for good with probability ``p ~ Beta(a, b)``.
* :class:`GammaGammaModel` is the spend model of Colombo & Jiang (1999) [3]_ as laid out by Fader &
  Hardie (2013) [2]_: transaction values are ``Gamma(p, nu)`` with ``nu ~ Gamma(q, gamma)`` across
  customers, assumed independent of the purchase process (check with :func:`spend_frequency_correlation`).

Time units
----------
The models are unit-free: a fitted BG/NBD model predicts in whatever unit ``recency`` and ``T`` were
given in (days for ``unit="D"``, weeks = days / 7 for ``unit="W"``), and every ``t`` passed to a
prediction method must use that same unit. Only :meth:`GammaGammaModel.customer_lifetime_value` converts
to calendar months, and it is told the unit explicitly through ``time_unit``.

References
----------
.. [1] Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). "Counting Your Customers" the Easy Way:
   An Alternative to the Pareto/NBD Model. *Marketing Science* 24(2), 275-284.
.. [2] Fader, P. S. and Hardie, B. G. S. (2013). The Gamma-Gamma Model of Monetary Value.
   http://brucehardie.com/notes/025/
.. [3] Colombo, R. and Jiang, W. (1999). A stochastic RFM model. *Journal of Interactive Marketing*
   13(3), 2-12.
.. [4] Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). RFM and CLV: Using Iso-Value Curves for
   Customer Base Analysis. *Journal of Marketing Research* 42(4), 415-430.
.. [5] Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2008). Computing P(alive) Using the BG/NBD Model.
   http://brucehardie.com/notes/021/
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy import optimize, special
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import check_is_fitted

__all__ = [
    "DAYS_PER_MONTH",
    "BetaGeoModel",
    "GammaGammaModel",
    "calibration_holdout_summary",
    "customer_value_table",
    "fit_value_table",
    "holdout_by_frequency",
    "probability_alive_matrix",
    "repeat_purchase_tracking",
    "rfm_summary",
    "simulate_summary",
    "spend_frequency_correlation",
]

TimeUnit = Literal["D", "W"]
DateLike = str | pd.Timestamp | np.datetime64 | dt.date
FloatArray = NDArray[np.float64]

#: Average calendar month in days (365.25 / 12); in weeks this is 30.4375 / 7 = 4.348.
DAYS_PER_MONTH: float = 30.4375
_DAYS_PER_UNIT: dict[str, float] = {"D": 1.0, "W": 7.0}


def _days_per_unit(unit: str) -> float:
    if unit not in _DAYS_PER_UNIT:
        raise ValueError(f"unit must be 'D' (days) or 'W' (weeks), got {unit!r}")
    return _DAYS_PER_UNIT[unit]


# ---------------------------------------------------------------------------------------------------------
# Transaction log -> per-customer summary
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _PreparedLog:
    """Validated, identified rows of a transaction log reduced to numpy arrays."""

    customers: pd.Series
    days: NDArray[np.int64]  # calendar day number (days since 1970-01-01, wall-clock day)
    values: FloatArray
    tz: Any


def _prepare_log(
    transactions: pd.DataFrame, customer_col: str, date_col: str, value_col: str
) -> _PreparedLog:
    """Check the input contract up front and extract the arrays used by the summaries."""
    if not isinstance(transactions, pd.DataFrame):
        raise TypeError(f"transactions must be a pandas DataFrame, got {type(transactions).__name__}")
    required = {"customer_col": customer_col, "date_col": date_col, "value_col": value_col}
    missing = [f"{col!r} ({arg})" for arg, col in required.items() if col not in transactions.columns]
    if missing:
        raise ValueError(
            f"transactions is missing required column(s) {', '.join(missing)}; columns present: "
            f"{list(transactions.columns)}. Pass the right names via customer_col=/date_col=/value_col=."
        )
    dates = transactions[date_col]
    if not pd.api.types.is_datetime64_any_dtype(dates):
        raise ValueError(
            f"column {date_col!r} must have a datetime64 dtype, got {dates.dtype}; "
            f"convert it first, e.g. df[{date_col!r}] = pd.to_datetime(df[{date_col!r}])"
        )
    vals = transactions[value_col]
    if not pd.api.types.is_numeric_dtype(vals) or pd.api.types.is_bool_dtype(vals):
        raise ValueError(f"column {value_col!r} must be numeric, got {vals.dtype}")

    # Lines without a customer id (guest checkouts) cannot be followed over time: they are dropped.
    identified = transactions[customer_col].notna().to_numpy()
    customers = transactions[customer_col][identified]
    dates = dates[identified]
    vals = vals[identified]
    if dates.isna().any():
        raise ValueError(f"column {date_col!r} has {int(dates.isna().sum())} missing date(s) (NaT)")
    values = vals.to_numpy(dtype=np.float64, na_value=np.nan)
    if not np.isfinite(values).all():
        raise ValueError(f"column {value_col!r} has {int((~np.isfinite(values)).sum())} missing/infinite value(s)")
    tz = getattr(dates.dtype, "tz", None)
    if tz is not None:
        dates = dates.dt.tz_localize(None)  # wall-clock time in the data's own time zone
    days = dates.to_numpy().astype("datetime64[D]").astype(np.int64)
    return _PreparedLog(customers=customers, days=days, values=values, tz=tz)


def _day_number(when: DateLike, tz: Any, name: str) -> int:
    """Calendar day number of a cutoff-like argument, in the time zone of the data."""
    ts = pd.Timestamp(when)
    if pd.isna(ts):
        raise ValueError(f"{name} must be a date, got {when!r}")
    if tz is not None:
        ts = (ts.tz_localize(tz) if ts.tzinfo is None else ts.tz_convert(tz)).tz_localize(None)
    elif ts.tzinfo is not None:
        raise ValueError(f"{name} is timezone-aware ({ts.tzinfo}) but the transaction dates are naive")
    return int(ts.to_datetime64().astype("datetime64[D]").astype(np.int64))


def _per_customer(log: _PreparedLog, after_day: int | None, upto_day: int) -> pd.DataFrame:
    """Aggregate the rows with ``after_day < day <= upto_day`` to one row per customer.

    Rows are first collapsed to one purchase per (customer, calendar day) whose value is the day's sum;
    the result has ``first_day``, ``last_day``, ``n_days`` (distinct purchase days), ``total`` (sum of
    all values) and ``first_value`` (value of the first purchase day). Fully vectorised: one sort of an
    integer key and a few ``reduceat`` calls, no per-customer Python code.
    """
    mask = log.days <= upto_day
    if after_day is not None:
        mask &= log.days > after_day
    if not mask.any():
        return pd.DataFrame(
            {"first_day": np.array([], dtype=np.int64), "last_day": np.array([], dtype=np.int64),
             "n_days": np.array([], dtype=np.int64), "total": np.array([]), "first_value": np.array([])},
            index=pd.Index(log.customers.iloc[:0].to_numpy(), name=log.customers.name),
        )
    codes, uniques = pd.factorize(log.customers[mask], sort=True)
    days = log.days[mask]
    values = log.values[mask]
    d0 = days.min()
    span = np.int64(days.max() - d0 + 1)
    key = codes.astype(np.int64) * span + (days - d0)
    order = np.argsort(key, kind="stable")
    key = key[order]
    # one row per (customer, day)
    pair_start = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    pair_key = key[pair_start]
    pair_value = np.add.reduceat(values[order], pair_start)
    pair_code = pair_key // span
    pair_day = pair_key % span + d0
    # one row per customer (pairs are sorted by customer, then day)
    cust_start = np.flatnonzero(np.r_[True, pair_code[1:] != pair_code[:-1]])
    cust_end = np.r_[cust_start[1:], len(pair_code)]
    out = pd.DataFrame(
        {
            "first_day": pair_day[cust_start],
            "last_day": pair_day[cust_end - 1],
            "n_days": cust_end - cust_start,
            "total": np.add.reduceat(pair_value, cust_start),
            "first_value": pair_value[cust_start],
        },
        index=pd.Index(uniques.take(pair_code[cust_start]), name=log.customers.name),
    )
    return out


def _summary_from_log(log: _PreparedLog, cutoff_day: int, start_day: int | None, unit: str) -> pd.DataFrame:
    dpu = _days_per_unit(unit)
    agg = _per_customer(log, None if start_day is None else start_day - 1, cutoff_day)
    frequency = agg["n_days"].to_numpy(dtype=np.int64) - 1
    repeat_total = agg["total"].to_numpy() - agg["first_value"].to_numpy()
    monetary = np.divide(repeat_total, frequency, out=np.zeros(len(agg)), where=frequency > 0)
    return pd.DataFrame(
        {
            "frequency": frequency,
            "recency": (agg["last_day"].to_numpy() - agg["first_day"].to_numpy()) / dpu,
            "T": (cutoff_day - agg["first_day"].to_numpy()) / dpu,
            "monetary_value": monetary,
        },
        index=agg.index,
    )


def rfm_summary(
    transactions: pd.DataFrame,
    cutoff: DateLike | None = None,
    *,
    unit: TimeUnit = "D",
    customer_col: str = "CustomerID",
    date_col: str = "InvoiceDate",
    value_col: str = "Revenue",
    start: DateLike | None = None,
) -> pd.DataFrame:
    """Per-customer frequency / recency / age / average spend, the inputs of BG/NBD and Gamma-Gamma.

    Follows the conventions of Fader, Hardie & Lee (2005) [1]_: the clock starts at each customer's
    *first* purchase, which is not counted; only *repeat* purchases enter ``frequency``. A purchase is a
    calendar day: all lines of one customer on one day form one purchase whose value is the day's sum
    (this is what reproduces the published CDNOW summaries, where 146 same-day transaction pairs occur
    in the calibration period).

    Parameters
    ----------
    transactions : DataFrame
        One row per transaction line, with at least ``customer_col``, ``date_col`` (datetime64 dtype;
        time of day is ignored, tz-aware columns are bucketed by their own wall-clock day) and
        ``value_col`` (numeric). Lines with a missing customer id are dropped. The log is taken as
        given: remove cancellations/returns beforehand if they should not count as purchases.
    cutoff : date-like, optional
        End of the observation period, inclusive (the whole cutoff day counts). Later transactions are
        ignored. Default: the last transaction date in the data.
    unit : {"D", "W"}, default "D"
        Time unit of ``recency`` and ``T``: ``"D"`` days, ``"W"`` weeks (= days / 7).
    customer_col, date_col, value_col : str
        Column names.
    start : date-like, optional
        Start of the observation window, inclusive: earlier transactions are ignored, so a customer
        whose history begins before ``start`` is treated as first seen at their first purchase on or
        after ``start``. Default: no lower bound.

    Returns
    -------
    DataFrame
        Indexed by customer id (sorted), with columns

        * ``frequency`` -- number of repeat purchase days, ``x`` = distinct purchase days - 1 (int);
        * ``recency`` -- ``t_x``, time from first to last purchase, in ``unit`` (0 if ``x == 0``);
        * ``T`` -- age, time from first purchase to ``cutoff``, in ``unit``;
        * ``monetary_value`` -- mean value of the repeat purchase days (0 if ``x == 0``).

    Raises
    ------
    ValueError
        If a required column is missing, the date column is not datetime64, the values are not numeric
        or finite, ``unit`` is unknown, or ``start`` is after ``cutoff``.

    Examples
    --------
    >>> log = pd.DataFrame({"CustomerID": ["a", "a", "a"],
    ...                     "InvoiceDate": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-08"]),
    ...                     "Revenue": [5.0, 5.0, 4.0]})
    >>> rfm_summary(log, "2024-01-15", unit="W").loc["a"].tolist()
    [1.0, 1.0, 2.0, 4.0]
    """
    _days_per_unit(unit)
    log = _prepare_log(transactions, customer_col, date_col, value_col)
    start_day = None if start is None else _day_number(start, log.tz, "start")
    if cutoff is None:
        in_window = log.days if start_day is None else log.days[log.days >= start_day]
        if in_window.size == 0:
            raise ValueError("no identified transactions to summarise (and no cutoff given)")
        cutoff_day = int(in_window.max())
    else:
        cutoff_day = _day_number(cutoff, log.tz, "cutoff")
    if start_day is not None and start_day > cutoff_day:
        raise ValueError(f"start ({start}) is after cutoff ({cutoff})")
    return _summary_from_log(log, cutoff_day, start_day, unit)


def calibration_holdout_summary(
    transactions: pd.DataFrame,
    calibration_end: DateLike,
    holdout_end: DateLike,
    *,
    unit: TimeUnit = "D",
    customer_col: str = "CustomerID",
    date_col: str = "InvoiceDate",
    value_col: str = "Revenue",
    start: DateLike | None = None,
) -> pd.DataFrame:
    """Calibration-period summary plus what each customer actually did in the holdout period.

    The standard set-up for validating a customer-base model [1]_: fit on ``(start, calibration_end]``,
    compare predictions with ``(calibration_end, holdout_end]``.

    Parameters
    ----------
    transactions : DataFrame
        Transaction log, same contract as :func:`rfm_summary`.
    calibration_end : date-like
        Last day (inclusive) of the calibration period.
    holdout_end : date-like
        Last day (inclusive) of the holdout period; must be after ``calibration_end``.
    unit : {"D", "W"}, default "D"
        Time unit of ``recency``, ``T`` and ``duration_holdout``: days, or weeks (= days / 7).
    customer_col, date_col, value_col, start
        As in :func:`rfm_summary`.

    Returns
    -------
    DataFrame
        One row per customer whose first purchase (in the window) is on or before ``calibration_end``:
        the :func:`rfm_summary` columns as of ``calibration_end`` plus

        * ``frequency_holdout`` -- number of distinct purchase days in ``(calibration_end, holdout_end]``;
        * ``monetary_value_holdout`` -- mean value of those purchase days (0 if none);
        * ``duration_holdout`` -- length of the holdout period in ``unit``.
    """
    _days_per_unit(unit)
    log = _prepare_log(transactions, customer_col, date_col, value_col)
    cal_day = _day_number(calibration_end, log.tz, "calibration_end")
    hold_day = _day_number(holdout_end, log.tz, "holdout_end")
    if hold_day <= cal_day:
        raise ValueError(f"holdout_end ({holdout_end}) must be after calibration_end ({calibration_end})")
    start_day = None if start is None else _day_number(start, log.tz, "start")
    if start_day is not None and start_day > cal_day:
        raise ValueError(f"start ({start}) is after calibration_end ({calibration_end})")
    summary = _summary_from_log(log, cal_day, start_day, unit)
    hold = _per_customer(log, cal_day, hold_day).reindex(summary.index)
    n_days = hold["n_days"].fillna(0).to_numpy(dtype=np.int64)
    total = hold["total"].fillna(0.0).to_numpy(dtype=np.float64)
    summary["frequency_holdout"] = n_days
    summary["monetary_value_holdout"] = np.divide(total, n_days, out=np.zeros(len(total)), where=n_days > 0)
    summary["duration_holdout"] = (hold_day - cal_day) / _days_per_unit(unit)
    return summary


# ---------------------------------------------------------------------------------------------------------
# Shared numerical helpers
# ---------------------------------------------------------------------------------------------------------


def _as_float_array(values: ArrayLike, name: str) -> FloatArray:
    arr = np.asarray(values, dtype=np.float64)
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return arr


def _series_index(*inputs: Any) -> pd.Index | None:
    for item in inputs:
        if isinstance(item, pd.Series):
            return item.index
    return None


def _wrap(result: FloatArray, index: pd.Index | None, name: str) -> FloatArray | pd.Series | float:
    """Return a Series if any input was a Series, a float for scalar inputs, else an ndarray."""
    if index is not None and result.ndim == 1 and len(index) == len(result):
        return pd.Series(result, index=index, name=name)
    if result.ndim == 0:
        return float(result)
    return result


def _check_rft(frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> tuple[FloatArray, ...]:
    """Validate BG/NBD sufficient statistics ``(x, t_x, T)`` and broadcast them together."""
    x = _as_float_array(frequency, "frequency")
    tx = _as_float_array(recency, "recency")
    age = _as_float_array(T, "T")
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


def _numerical_hessian(grad: Callable[[FloatArray], FloatArray], theta: FloatArray) -> FloatArray:
    """Central finite differences of an analytic gradient, symmetrised."""
    k = theta.size
    hess = np.empty((k, k))
    for i in range(k):
        h = 1e-5 * max(abs(theta[i]), 1e-4)
        up, down = theta.copy(), theta.copy()
        up[i] += h
        down[i] -= h
        hess[:, i] = (grad(up) - grad(down)) / (2.0 * h)
    return 0.5 * (hess + hess.T)


def _standard_errors(grad: Callable[[FloatArray], FloatArray], theta: FloatArray) -> FloatArray:
    hess = _numerical_hessian(grad, theta)
    try:
        cov = np.linalg.inv(hess)
        variances = np.diag(cov)
        if not np.all(np.isfinite(variances)) or (variances <= 0).any():
            raise np.linalg.LinAlgError("Hessian not positive definite")
    except np.linalg.LinAlgError:
        warnings.warn(
            "Hessian of the negative log-likelihood is singular or not positive definite at the optimum;"
            " standard errors set to NaN (parameters may be poorly identified)",
            RuntimeWarning,
            stacklevel=3,
        )
        return np.full(theta.size, np.nan)
    return np.sqrt(variances)


def _minimise_log_params(
    objective: Callable[[FloatArray], tuple[float, FloatArray]], theta0: FloatArray, model: str
) -> FloatArray:
    """Minimise ``objective(theta)`` (value, gradient on the natural scale) over ``log(theta)``.

    L-BFGS-B with the analytic gradient; if it does not report convergence, a BFGS pass restarts from
    its end point, and the better of the two is kept.
    """

    def in_logs(phi: FloatArray) -> tuple[float, FloatArray]:
        theta = np.exp(phi)
        value, grad = objective(theta)
        if not np.isfinite(value):
            return np.inf, np.zeros_like(phi)
        return value, grad * theta

    phi0 = np.log(theta0)
    best = optimize.minimize(
        in_logs, phi0, jac=True, method="L-BFGS-B", bounds=[(-30.0, 30.0)] * phi0.size,
        options={"maxiter": 5000, "ftol": 1e-15, "gtol": 1e-10},
    )
    if not best.success or np.max(np.abs(best.jac)) > 1e-5:
        retry = optimize.minimize(in_logs, best.x, jac=True, method="BFGS", options={"gtol": 1e-9})
        if np.isfinite(retry.fun) and retry.fun <= best.fun:
            best = retry
        if np.max(np.abs(best.jac)) > 1e-4:
            warnings.warn(
                f"{model}: optimiser did not converge ({best.message}); max |gradient| "
                f"{np.max(np.abs(best.jac)):.2e}",
                ConvergenceWarning,
                stacklevel=3,
            )
    return np.exp(best.x)


def _fit_maximum_likelihood(model: Any, loglik: Callable[..., tuple[float, FloatArray]], data: Any, n: float,
                            theta0: FloatArray) -> None:
    """Maximise ``loglik`` (minus the L2 penalty ``model.penalizer * |theta|^2``) and set the fitted attributes.

    The objective is scaled by ``n`` customers for the optimiser; standard errors come from the Hessian of
    the unscaled negative log-likelihood (plus penalty) at the optimum.
    """
    pen = float(model.penalizer)

    def objective(theta: FloatArray) -> tuple[float, FloatArray]:
        ll, grad = loglik(theta, data)
        return -ll / n + pen * float(theta @ theta), -grad / n + 2.0 * pen * theta

    theta = _minimise_log_params(objective, theta0, type(model).__name__)

    def total_grad(th: FloatArray) -> FloatArray:
        return -loglik(th, data)[1] + 2.0 * pen * n * th

    se = _standard_errors(total_grad, theta)
    model.params_ = dict(zip(model._param_names, map(float, theta), strict=True))
    model.log_likelihood_ = loglik(theta, data, gradient=False)[0]
    model.standard_errors_ = dict(zip(model._param_names, map(float, se), strict=True))
    model.n_customers_ = n


def _hyp2f1(a: float, b: float, c: FloatArray, z: FloatArray) -> FloatArray:
    """``scipy.special.hyp2f1`` with a guard for its NaNs near ``z = 1``.

    SciPy's connection formula for ``z`` close to 1 breaks down when ``c - a - b`` is an integer and
    returns NaN there; the function is smooth in ``c``, so those entries are re-evaluated at
    ``c (1 +- 1e-10)`` and averaged (error of order 1e-10 relative).
    """
    c, z = np.broadcast_arrays(np.asarray(c, dtype=np.float64), np.asarray(z, dtype=np.float64))
    out = np.array(special.hyp2f1(a, b, c, z), dtype=np.float64)
    bad = ~np.isfinite(out)
    if bad.any():
        cb, zb = c[bad], z[bad]
        out[bad] = 0.5 * (special.hyp2f1(a, b, cb * (1 + 1e-10), zb) + special.hyp2f1(a, b, cb * (1 - 1e-10), zb))
    return out


def _check_weights(weights: ArrayLike | None, n: int) -> FloatArray:
    if weights is None:
        return np.ones(n)
    w = _as_float_array(weights, "weights")
    if w.shape != (n,):
        raise ValueError(f"weights must have shape ({n},), got {w.shape}")
    if (w < 0).any():
        raise ValueError("weights must be >= 0")
    return w


# ---------------------------------------------------------------------------------------------------------
# BG/NBD
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _CountData:
    """BG/NBD fitting data, compressed to unique ``(x, t_x, T)`` rows with weights."""

    x: FloatArray
    tx: FloatArray
    T: FloatArray
    w: FloatArray
    ux: FloatArray  # distinct frequencies
    inv: NDArray[np.intp]  # x == ux[inv]
    w_u: FloatArray  # total weight per distinct frequency

    @classmethod
    def build(cls, x: FloatArray, tx: FloatArray, T: FloatArray, w: FloatArray) -> _CountData:
        frame = pd.DataFrame({"x": x, "tx": tx, "T": T, "w": w})
        frame = frame[frame["w"] > 0].groupby(["x", "tx", "T"], sort=False, as_index=False)["w"].sum()
        xs, ws = frame["x"].to_numpy(), frame["w"].to_numpy()
        ux, inv = np.unique(xs, return_inverse=True)
        w_u = np.bincount(inv, weights=ws, minlength=ux.size)
        return cls(xs, frame["tx"].to_numpy(), frame["T"].to_numpy(), ws, ux, inv, w_u)


def _bgnbd_loglik(theta: FloatArray, d: _CountData, gradient: bool = True) -> tuple[float, FloatArray]:
    """Weighted BG/NBD log-likelihood (eq. 6 of [1]) and its gradient in ``(r, alpha, a, b)``.

    ``L = B(a, b+x)/B(a, b) * G(r+x) alpha^r / (G(r) (alpha+T)^(r+x))
        + [x > 0] B(a+1, b+x-1)/B(a, b) * G(r+x) alpha^r / (G(r) (alpha+t_x)^(r+x))``.

    Both terms are kept in log space, ``l1`` and ``l2``, and combined as
    ``log(e^l1 + e^l2) = l1 - log(expit(l1 - l2))``: nothing overflows, ``x == 0`` (``l2 = -inf``) and
    ``t_x == T`` need no special case. Terms that depend only on ``x`` are evaluated once per distinct
    ``x`` and aggregated with the weights, so each call costs a handful of passes over the customers.
    """
    r, alpha, a, b = theta
    ux, inv, w, w_u = d.ux, d.inv, d.w, d.w_u
    pos = ux > 0
    ux1 = np.where(pos, ux, 1.0)
    beta_ab = special.betaln(a, b)
    log_alpha = np.log(alpha)
    head_u = special.gammaln(r + ux) - special.gammaln(r)
    t1_u = special.betaln(a, b + ux) - beta_ab
    t2_u = np.where(pos, special.betaln(a + 1.0, b + ux1 - 1.0) - beta_ab, -np.inf)
    log_aT = np.log(alpha + d.T)
    log_atx = np.log(alpha + d.tx)
    rx = r + d.x
    diff = (t1_u - t2_u)[inv] - rx * (log_aT - log_atx)  # l1 - l2, +inf when x == 0
    total = float(
        w_u @ (head_u + t1_u) + w_u.sum() * r * log_alpha - w @ (rx * log_aT) - w @ special.log_expit(diff)
    )
    if not gradient:
        return total, np.empty(0)
    w1 = special.expit(diff)  # share of the likelihood from the "still alive at T" term
    w2 = 1.0 - w1
    psi = special.digamma
    psi_ab, psi_abx = psi(a + b), psi(a + b + ux)
    s1_u = np.bincount(inv, weights=w * w1, minlength=ux.size)
    s2_u = w_u - s1_u
    d_r = w_u @ (psi(r + ux) - psi(r)) + w_u.sum() * log_alpha - w @ (w1 * log_aT + w2 * log_atx)
    d_alpha = w_u.sum() * r / alpha - w @ (rx * (w1 / (alpha + d.T) + w2 / (alpha + d.tx)))
    d_a = s1_u @ (psi_ab - psi_abx) + s2_u @ (1.0 / a + psi_ab - psi_abx)
    d_b = s1_u @ (psi(b + ux) - psi_abx - psi(b) + psi_ab) + s2_u @ np.where(
        pos, psi(b + ux1 - 1.0) - psi_abx - psi(b) + psi_ab, 0.0
    )
    return total, np.array([d_r, d_alpha, d_a, d_b])


class BetaGeoModel(BaseEstimator):
    """BG/NBD model of repeat buying (Fader, Hardie & Lee 2005 [1]_).

    Assumptions: while active, a customer's repeat purchases follow a Poisson process with rate
    ``lambda``; ``lambda ~ Gamma(shape=r, rate=alpha)`` across customers; after every repeat purchase
    the customer becomes inactive for good with probability ``p``; ``p ~ Beta(a, b)`` across customers,
    independent of ``lambda``. The per-customer sufficient statistics are ``x`` (repeat purchases),
    ``t_x`` (time of the last purchase since the first one) and ``T`` (time since the first purchase).

    Time unit: whatever unit ``recency``/``T`` are given in at :meth:`fit` (``alpha`` is in that unit
    and every ``t`` passed to a prediction method must use it too).

    Parameters
    ----------
    penalizer : float, default 0.0
        Optional L2 penalty: the optimiser minimises ``-mean log-likelihood + penalizer * sum(theta**2)``
        with ``theta = (r, alpha, a, b)`` on the natural scale (the common convention, e.g. in the
        `lifetimes` package). 0 gives the plain maximum-likelihood estimate.

    Attributes
    ----------
    params_ : dict[str, float]
        Fitted ``r``, ``alpha``, ``a``, ``b``.
    log_likelihood_ : float
        Total (weighted) log-likelihood at the optimum, without the penalty.
    standard_errors_ : dict[str, float]
        Asymptotic standard errors of the natural-scale parameters: square roots of the diagonal of
        the inverse Hessian of the (penalised) negative total log-likelihood at the optimum; the
        Hessian is taken by central differences of the analytic gradient.
    n_customers_ : float
        Number of customers fitted on (sum of the weights).
    """

    _param_names: tuple[str, ...] = ("r", "alpha", "a", "b")

    def __init__(self, penalizer: float = 0.0) -> None:
        self.penalizer = penalizer

    # -- fitting --------------------------------------------------------------------------------------------
    def fit(
        self,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,
        weights: ArrayLike | None = None,
    ) -> BetaGeoModel:
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

        Returns
        -------
        self : BetaGeoModel
        """
        if not np.isscalar(self.penalizer) or not float(self.penalizer) >= 0:
            raise ValueError(f"penalizer must be a non-negative number, got {self.penalizer!r}")
        x, tx, age = (a.ravel() for a in _check_rft(frequency, recency, T))
        w = _check_weights(weights, x.size)
        if w.sum() <= 0:
            raise ValueError("no customers to fit (empty input or all weights zero)")
        if not (w[x > 0].sum() > 0):
            raise ValueError("no customer has a repeat purchase (all frequency == 0): BG/NBD is not identified")
        data = _CountData.build(x, tx, age, w)
        mean_x = float(np.average(data.x, weights=data.w))
        mean_t = float(np.average(data.T, weights=data.w))
        theta0 = np.array([1.0, max(mean_t / max(mean_x, 1e-3), 1e-3), 1.0, 1.0])
        _fit_maximum_likelihood(self, _bgnbd_loglik, data, float(data.w.sum()), theta0)
        return self

    def _theta(self) -> tuple[float, float, float, float]:
        check_is_fitted(self, "params_")
        p = self.params_
        return p["r"], p["alpha"], p["a"], p["b"]

    # -- predictions ----------------------------------------------------------------------------------------
    def _log_alive_odds(self, x: FloatArray, tx: FloatArray, age: FloatArray) -> FloatArray:
        """``log(P(dead) / P(alive))`` given the history; ``-inf`` when ``x == 0`` (never dropped)."""
        r, alpha, a, b = self._theta()
        pos = x > 0
        x1 = np.where(pos, x, 1.0)
        lo = np.log(a) - np.log(b + x1 - 1.0) + (r + x) * (np.log(alpha + age) - np.log(alpha + tx))
        return np.where(pos, lo, -np.inf)

    def _conditional(self, t: FloatArray, x: FloatArray, tx: FloatArray, age: FloatArray) -> FloatArray:
        """E[X(T, T+t) | x, t_x, T], eq. (10) of [1], with the 2F1 Euler-transformed.

        The paper's term ``((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; z)``, with
        ``z = t/(alpha+T+t)``, equals ``(1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z)`` by Euler's
        transformation. The second form has no large parameters for heavy buyers (``x`` only enters
        ``c``), so the series stays well conditioned where the first one nearly cancels.
        """
        r, alpha, a, b = self._theta()
        if abs(a - 1.0) < 1e-7:  # the closed form has a removable singularity at a == 1
            a = 1.0 + 1e-7
        log1mz = np.log(alpha + age) - np.log(alpha + age + t)
        z = -np.expm1(log1mz)
        hyp = _hyp2f1(a + b - 1.0 - r, a - 1.0, a + b + x - 1.0, z)
        with np.errstate(divide="ignore", invalid="ignore"):
            log_term = (a - 1.0) * log1mz + np.log(hyp)
        # 1 - (1-z)^(a-1) 2F1: expm1 keeps precision for short horizons, where the two nearly cancel
        core = np.where(hyp > 0, -np.expm1(log_term), 1.0 - np.exp((a - 1.0) * log1mz) * hyp)
        expected = (a + b + x - 1.0) / (a - 1.0) * core
        p_alive = special.expit(-self._log_alive_odds(x, tx, age))
        out = expected * p_alive
        if not np.all(np.isfinite(out)):
            raise FloatingPointError("non-finite conditional expectation (2F1 evaluation failed)")
        return out

    def expected_purchases(self, t: ArrayLike) -> FloatArray | pd.Series | float:
        """Unconditional expected number of repeat purchases ``E[X(t)]`` in ``(0, t]`` for a new customer.

        Eq. (9) of [1]_: ``(a+b-1)/(a-1) * [1 - (alpha/(alpha+t))^r 2F1(r, b; a+b-1; t/(alpha+t))]``.

        Parameters
        ----------
        t : array-like of float
            Time since the first purchase, in the model's time unit.
        """
        tt = _as_float_array(t, "t")
        if (tt < 0).any():
            raise ValueError("t must be >= 0")
        zero = np.zeros_like(tt)
        return _wrap(self._conditional(tt, zero, zero, zero), _series_index(t), "expected_purchases")

    def conditional_expected_purchases(
        self, t: ArrayLike, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> FloatArray | pd.Series | float:
        """Expected repeat purchases in ``(T, T+t]`` given a customer's history, eq. (10) of [1]_.

        ``E[Y(t) | x, t_x, T] = (a+b+x-1)/(a-1) * [1 - ((alpha+T)/(alpha+T+t))^(r+x)
        2F1(r+x, b+x; a+b+x-1; t/(alpha+T+t))] * P(alive | x, t_x, T)``.

        Parameters
        ----------
        t : array-like of float
            Length of the prediction period, in the model's time unit (e.g. the holdout length).
        frequency, recency, T : array-like
            The customer's ``x``, ``t_x`` and ``T`` (same unit as at fit time). All four inputs broadcast.
        """
        tt = _as_float_array(t, "t")
        if (tt < 0).any():
            raise ValueError("t must be >= 0")
        x, tx, age = _check_rft(frequency, recency, T)
        tt, x, tx, age = np.broadcast_arrays(tt, x, tx, age)
        out = self._conditional(tt, x, tx, age)
        return _wrap(out, _series_index(frequency, recency, T, t), "conditional_expected_purchases")

    def probability_alive(
        self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> FloatArray | pd.Series | float:
        """Probability that the customer is still active at ``T`` (Fader, Hardie & Lee 2008 [5]_).

        ``P(alive | x, t_x, T) = 1 / (1 + [x > 0] a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x))``, computed as
        a logistic function of the log-odds so that large ``x`` cannot overflow. Equals 1 when
        ``x == 0`` (in BG/NBD dropout can only happen right after a repeat purchase).
        """
        x, tx, age = _check_rft(frequency, recency, T)
        out = special.expit(-self._log_alive_odds(x, tx, age))
        return _wrap(out, _series_index(frequency, recency, T), "probability_alive")

    def probability_no_purchase(
        self, t: ArrayLike, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> FloatArray | pd.Series | float:
        """Probability that the customer makes no purchase at all in ``(T, T+t]``.

        Derivation: split on whether the customer is still active at ``T``. If inactive (probability
        ``1 - P(alive)``) no purchase happens. If active, dropout can only occur *after* a purchase, so
        "no purchase in the next ``t``" means the Poisson process has no event in ``t``:
        ``exp(-lambda t)``. Given the history and being active, the likelihood in ``lambda`` is
        ``lambda^x exp(-lambda T)`` (the ``p`` factor separates), so the posterior of ``lambda`` is
        ``Gamma(r + x, alpha + T)`` and ``E[exp(-lambda t)] = ((alpha+T)/(alpha+T+t))^(r+x)``. Hence

        ``P(X(T, T+t) = 0 | x, t_x, T) = 1 - P(alive) + P(alive) ((alpha+T)/(alpha+T+t))^(r+x)``,

        which lies in ``[0, 1]`` and decreases in ``t`` towards ``1 - P(alive)``.

        Parameters
        ----------
        t : array-like of float
            Length of the future window, in the model's time unit.
        frequency, recency, T : array-like
            The customer's ``x``, ``t_x`` and ``T``. All four inputs broadcast.
        """
        tt = _as_float_array(t, "t")
        if (tt < 0).any():
            raise ValueError("t must be >= 0")
        x, tx, age = _check_rft(frequency, recency, T)
        tt, x, tx, age = np.broadcast_arrays(tt, x, tx, age)
        r, alpha, _, _ = self._theta()
        p_alive = special.expit(-self._log_alive_odds(x, tx, age))
        stay_quiet = np.exp((r + x) * (np.log(alpha + age) - np.log(alpha + age + tt)))
        out = np.clip(1.0 - p_alive * (1.0 - stay_quiet), 0.0, 1.0)
        return _wrap(out, _series_index(frequency, recency, T, t), "probability_no_purchase")


# ---------------------------------------------------------------------------------------------------------
# Gamma-Gamma
# ---------------------------------------------------------------------------------------------------------


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


class GammaGammaModel(BaseEstimator):
    """Gamma-Gamma model of average transaction value (Colombo & Jiang 1999 [3]_; Fader & Hardie 2013 [2]_).

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
    """

    _param_names: tuple[str, ...] = ("p", "q", "gamma")

    def __init__(self, penalizer: float = 0.0) -> None:
        self.penalizer = penalizer

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
        if not np.isscalar(self.penalizer) or not float(self.penalizer) >= 0:
            raise ValueError(f"penalizer must be a non-negative number, got {self.penalizer!r}")
        x = _as_float_array(frequency, "frequency").ravel()
        m = _as_float_array(monetary_value, "monetary_value").ravel()
        if x.shape != m.shape:
            raise ValueError(f"frequency and monetary_value differ in length ({x.size} vs {m.size})")
        w = _check_weights(weights, x.size)
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
        theta0 = np.array([1.0, 2.0, float(np.average(m, weights=w))])
        _fit_maximum_likelihood(self, _gamma_gamma_loglik, data, data.sum_w, theta0)
        if self.params_["q"] <= 1.0:
            warnings.warn(
                f"GammaGammaModel: fitted q = {self.params_['q']:.3g} <= 1, so the population mean spend "
                "p*gamma/(q-1) is infinite; expected values will not be meaningful",
                RuntimeWarning,
                stacklevel=2,
            )
        return self

    def conditional_expected_average_value(
        self, frequency: ArrayLike, monetary_value: ArrayLike
    ) -> FloatArray | pd.Series | float:
        """Posterior mean transaction value ``E[M | p, q, gamma, m_x, x]`` (Fader & Hardie 2013 [2]_).

        ``p (gamma + x m_x) / (p x + q - 1)``
        ``= (q-1)/(px+q-1) * p gamma/(q-1) + px/(px+q-1) * m_x``: a credibility-weighted blend of the
        population mean and the customer's own average. For ``x == 0`` it is the population mean
        ``p gamma / (q - 1)``.
        """
        check_is_fitted(self, "params_")
        p, q, g = (self.params_[k] for k in self._param_names)
        x = _as_float_array(frequency, "frequency")
        m = _as_float_array(monetary_value, "monetary_value")
        x, m = np.broadcast_arrays(x, m)
        if (x < 0).any():
            raise ValueError("frequency must be >= 0")
        mx = np.where(x > 0, x * m, 0.0)
        out = p * (g + mx) / (p * x + q - 1.0)
        return _wrap(out, _series_index(frequency, monetary_value), "expected_average_value")

    def customer_lifetime_value(
        self,
        bgnbd: BetaGeoModel,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,
        monetary_value: ArrayLike,
        horizon_months: int = 12,
        discount_rate_monthly: float = 0.01,
        time_unit: TimeUnit = "D",
    ) -> FloatArray | pd.Series | float:
        """Discounted expected value of each customer's purchases over the next ``horizon_months``.

        ``CLV = E[M] * sum_{m=1..H} (E[Y(m L)] - E[Y((m-1) L)]) / (1 + d)^m``, where ``E[Y(t)]`` is
        :meth:`BetaGeoModel.conditional_expected_purchases` given ``(x, t_x, T)``, ``E[M]`` is
        :meth:`conditional_expected_average_value`, ``L`` is one month in the model's time unit and
        cash flows of month ``m`` are discounted to today as if received at the month end, as in
        Fader, Hardie & Lee (2005) [4]_ (discrete monthly discounting).

        Time units (read this): ``recency`` and ``T`` must be in the unit the BG/NBD model was fitted
        in, and ``time_unit`` must name that unit -- ``"D"`` days (a month is ``L = 30.4375`` days) or
        ``"W"`` weeks (``L = 30.4375 / 7 = 4.348`` weeks). A mismatch is silent and large: weekly
        inputs declared as ``"D"`` stretch the horizon seven-fold, daily inputs declared as ``"W"``
        shrink it seven-fold. ``horizon_months`` and ``discount_rate_monthly`` are
        always per calendar month (e.g. 1 % a month is about 12.7 % a year).

        Parameters
        ----------
        bgnbd : BetaGeoModel
            A fitted BG/NBD model.
        frequency, recency, T : array-like
            Calibration-period ``x``, ``t_x``, ``T`` (in ``time_unit``).
        monetary_value : array-like
            Mean value of repeat purchases (as from :func:`rfm_summary`).
        horizon_months : int, default 12
            Number of months to sum over.
        discount_rate_monthly : float, default 0.01
            Monthly discount rate ``d`` (> -1). 0 gives the undiscounted expected revenue.
        time_unit : {"D", "W"}, default "D"
            Unit of ``recency``/``T`` and of the fitted BG/NBD model.

        Returns
        -------
        ndarray or Series
            CLV per customer, in the currency unit of ``monetary_value``.
        """
        check_is_fitted(self, "params_")
        if not isinstance(bgnbd, BetaGeoModel):
            raise TypeError(f"bgnbd must be a BetaGeoModel, got {type(bgnbd).__name__}")
        check_is_fitted(bgnbd, "params_")
        if int(horizon_months) != horizon_months or horizon_months < 0:
            raise ValueError(f"horizon_months must be a non-negative integer, got {horizon_months!r}")
        if not discount_rate_monthly > -1.0:
            raise ValueError(f"discount_rate_monthly must be > -1, got {discount_rate_monthly!r}")
        month = DAYS_PER_MONTH / _days_per_unit(time_unit)
        x, tx, age = _check_rft(frequency, recency, T)
        m = _as_float_array(monetary_value, "monetary_value")
        x, tx, age, m = np.broadcast_arrays(x, tx, age, m)
        value = np.asarray(self.conditional_expected_average_value(x, m), dtype=np.float64)
        discounted = np.zeros(x.shape)
        previous = np.zeros(x.shape)
        for k in range(1, int(horizon_months) + 1):
            cumulative = bgnbd._conditional(np.full(x.shape, k * month), x, tx, age)
            discounted += (cumulative - previous) / (1.0 + discount_rate_monthly) ** k
            previous = cumulative
        out = value * discounted
        return _wrap(out, _series_index(frequency, recency, T, monetary_value), "clv")


# ---------------------------------------------------------------------------------------------------------
# Diagnostics and simulation
# ---------------------------------------------------------------------------------------------------------


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
    x = _as_float_array(frequency, "frequency").ravel()
    m = _as_float_array(monetary_value, "monetary_value").ravel()
    if x.shape != m.shape:
        raise ValueError(f"frequency and monetary_value differ in length ({x.size} vs {m.size})")
    keep = x > 0
    if keep.sum() < 2:
        raise ValueError("need at least two repeat buyers (frequency > 0) to compute a correlation")
    x, m = x[keep], m[keep]
    if np.ptp(x) == 0 or np.ptp(m) == 0:
        return float("nan")
    return float(np.corrcoef(x, m)[0, 1])


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
    age = np.broadcast_to(_as_float_array(T, "T"), (n_customers,)).astype(np.float64)
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


# ---------------------------------------------------------------------------------------------------------
# Report tables
# ---------------------------------------------------------------------------------------------------------


def customer_value_table(
    summary: pd.DataFrame,
    bgnbd: BetaGeoModel,
    gamma_gamma: GammaGammaModel,
    *,
    horizon_months: int = 12,
    discount_rate_monthly: float = 0.01,
    time_unit: TimeUnit = "D",
    churn_horizon_days: int = 90,
) -> pd.DataFrame:
    """Per customer: P(alive), expected purchases and spend, discounted CLV and the value if still active.

    Columns (money in the currency of the data, counts in purchases):

    * ``p_alive``: BG/NBD probability the customer is still active now.
    * ``expected_purchases``: expected purchases over the next ``horizon_months`` (undiscounted).
    * ``p_no_purchase``: probability of no purchase in the next ``churn_horizon_days`` days.
    * ``expected_order_value``: Gamma-Gamma posterior mean spend per purchase (population mean for
      customers without repeat purchases).
    * ``clv``: discounted expected revenue over ``horizon_months`` (monthly rate ``discount_rate_monthly``).
    * ``value_if_active``: ``clv / p_alive``, the discounted value *given* the customer is still active;
      in the BG/NBD every future purchase requires being alive now, so this is exact. It is the value a
      retention campaign protects, and "revenue at risk" multiplies it by a churn probability.
    """
    x, tx, age = summary["frequency"], summary["recency"], summary["T"]
    month_units = DAYS_PER_MONTH / _days_per_unit(time_unit)
    p_alive = np.asarray(bgnbd.probability_alive(x, tx, age), dtype=np.float64)
    clv = np.asarray(gamma_gamma.customer_lifetime_value(
        bgnbd, x, tx, age, summary["monetary_value"], horizon_months=horizon_months,
        discount_rate_monthly=discount_rate_monthly, time_unit=time_unit), dtype=np.float64)
    table = pd.DataFrame({
        "p_alive": p_alive,
        "expected_purchases": np.asarray(
            bgnbd.conditional_expected_purchases(horizon_months * month_units, x, tx, age), dtype=np.float64),
        "p_no_purchase": np.asarray(bgnbd.probability_no_purchase(
            churn_horizon_days / _days_per_unit(time_unit), x, tx, age), dtype=np.float64),
        "expected_order_value": np.asarray(
            gamma_gamma.conditional_expected_average_value(x, summary["monetary_value"]), dtype=np.float64),
        "clv": clv,
    }, index=summary.index)
    table["value_if_active"] = np.where(p_alive > 0, clv / np.maximum(p_alive, 1e-12), 0.0)
    return table


def fit_value_table(
    transactions: pd.DataFrame,
    cutoff: DateLike,
    *,
    unit: TimeUnit = "W",
    penalizer: float = 0.0,
    horizon_months: int = 12,
    discount_rate_monthly: float = 0.01,
    churn_horizon_days: int = 90,
) -> tuple[pd.DataFrame, BetaGeoModel, GammaGammaModel, pd.DataFrame]:
    """Summarise the history up to ``cutoff``, fit BG/NBD and Gamma-Gamma, and return the value table.

    Returns ``(values, bgnbd, gamma_gamma, summary)``; see :func:`customer_value_table` for the columns.
    """
    summary = rfm_summary(transactions, cutoff, unit=unit)
    bgnbd = BetaGeoModel(penalizer=penalizer).fit(summary["frequency"], summary["recency"], summary["T"])
    repeaters = summary[summary["frequency"] > 0]
    gamma_gamma = GammaGammaModel(penalizer=penalizer).fit(repeaters["frequency"], repeaters["monetary_value"])
    values = customer_value_table(summary, bgnbd, gamma_gamma, horizon_months=horizon_months,
                                  discount_rate_monthly=discount_rate_monthly, time_unit=unit,
                                  churn_horizon_days=churn_horizon_days)
    return values, bgnbd, gamma_gamma, summary


def holdout_by_frequency(holdout: pd.DataFrame, bgnbd: BetaGeoModel, max_frequency: int = 7) -> pd.DataFrame:
    """Mean actual vs predicted holdout purchases by calibration-period frequency (the papers' Figure 2).

    ``holdout`` comes from :func:`calibration_holdout_summary` (in the unit the model was fitted in).
    Frequencies at or above ``max_frequency`` are pooled into one ``"7+"`` group.
    """
    predicted = np.asarray(bgnbd.conditional_expected_purchases(
        holdout["duration_holdout"], holdout["frequency"], holdout["recency"], holdout["T"]), dtype=np.float64)
    group = np.minimum(holdout["frequency"].to_numpy(), max_frequency).astype(int)
    frame = pd.DataFrame({"group": group, "actual": holdout["frequency_holdout"].to_numpy(), "predicted": predicted})
    out = frame.groupby("group").agg(customers=("actual", "size"), actual=("actual", "mean"),
                                     predicted=("predicted", "mean")).reset_index()
    out["frequency"] = [f"{g}+" if g == max_frequency else str(g) for g in out["group"]]
    return out[["frequency", "customers", "actual", "predicted"]]


def repeat_purchase_tracking(
    transactions: pd.DataFrame,
    bgnbd: BetaGeoModel,
    calibration_end: DateLike,
    end: DateLike,
    *,
    unit: TimeUnit = "D",
    step_days: int = 7,
    customer_col: str = "CustomerID",
    date_col: str = "InvoiceDate",
) -> pd.DataFrame:
    """Cumulative repeat purchases over time, actual vs the BG/NBD forecast, for the calibration cohort.

    The cohort is the customers whose first purchase is on or before ``calibration_end``. Actual: their
    repeat purchase days up to each date (a purchase day is one purchase, as in :func:`rfm_summary`).
    Predicted: the sum over the cohort of the unconditional ``E[X(t - first purchase)]``. A forecast
    that tracks the actual line through the holdout period (after ``calibration_end``) is a sign the
    model describes the buying process, not only the calibration data.
    """
    days = pd.DataFrame({customer_col: transactions[customer_col],
                         "day": transactions[date_col].dt.normalize()}).drop_duplicates()
    first = days.groupby(customer_col)["day"].transform("min")
    cal_end, last = pd.Timestamp(calibration_end).normalize(), pd.Timestamp(end).normalize()
    cohort = days[first <= cal_end]
    first_day = cohort.groupby(customer_col)["day"].min()
    repeats = cohort[cohort["day"] > cohort[customer_col].map(first_day)]["day"]
    grid = pd.date_range(first_day.min(), last, freq=f"{step_days}D")
    if grid[-1] != last:
        grid = grid.append(pd.DatetimeIndex([last]))
    per_unit = _days_per_unit(unit)
    ages = (grid.to_numpy()[:, None] - first_day.to_numpy()[None, :]) / np.timedelta64(1, "D")
    expected = np.asarray(bgnbd.expected_purchases(np.clip(ages, 0, None) / per_unit), dtype=np.float64)
    counts = np.searchsorted(np.sort(repeats.to_numpy()), grid.to_numpy(), side="right")
    return pd.DataFrame({"date": grid, "actual": counts.astype(np.int64), "predicted": expected.sum(axis=1),
                         "period": np.where(grid <= cal_end, "calibration", "holdout")})


def probability_alive_matrix(bgnbd: BetaGeoModel, T: float, max_frequency: int, n_recency: int = 20) -> pd.DataFrame:
    """P(alive) for a customer of age ``T`` over a grid of frequency (rows) and recency (columns)."""
    recency = np.linspace(0.0, T, n_recency)
    frequency = np.arange(0, max_frequency + 1, dtype=np.float64)
    x, tx = np.meshgrid(frequency, recency, indexing="ij")
    tx = np.where(x == 0, 0.0, tx)  # without repeat purchases recency is 0 by definition
    alive = np.asarray(bgnbd.probability_alive(x.ravel(), tx.ravel(), np.full(x.size, T)), dtype=np.float64)
    return pd.DataFrame(alive.reshape(x.shape), index=pd.Index(frequency.astype(int), name="frequency"),
                        columns=pd.Index(np.round(recency, 1), name="recency"))
