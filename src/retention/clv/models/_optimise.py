"""Numerical optimisation behind every fit: L-BFGS-B on the log-parameters, a Newton polish, the Hessian."""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
from scipy import optimize
from sklearn.exceptions import ConvergenceWarning

from ._numeric import FloatArray

__all__ = ["covariance_from_gradient", "minimise_log_params"]


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


def covariance_from_gradient(grad: Callable[[FloatArray], FloatArray], theta: FloatArray) -> FloatArray:
    """Inverse Hessian of the negative log-likelihood at the optimum (NaN with a warning if not definite)."""
    hess = _numerical_hessian(grad, theta)
    try:
        cov = np.linalg.inv(hess)
        if not np.all(np.isfinite(cov)) or (np.diag(cov) <= 0).any() or np.linalg.eigvalsh(cov).min() <= 0:
            raise np.linalg.LinAlgError("Hessian not positive definite")
    except np.linalg.LinAlgError:
        warnings.warn(
            "Hessian of the negative log-likelihood is singular or not positive definite at the optimum;"
            " standard errors set to NaN (parameters may be poorly identified)",
            RuntimeWarning,
            stacklevel=4,
        )
        return np.full((theta.size, theta.size), np.nan)
    return cov


def _newton_polish(in_logs: Callable[[FloatArray], tuple[float, FloatArray]], phi: FloatArray,
                   steps: int = 4) -> FloatArray:
    """A few Newton steps with a finite-difference Hessian of the analytic gradient, kept while they help.

    L-BFGS stops early along weakly identified directions (Pareto/NBD's ``s`` and ``beta`` on CDNOW);
    from there Newton's method converges in one or two steps to the precision the papers print.
    """
    value, grad = in_logs(phi)
    for _ in range(steps):
        if np.max(np.abs(grad)) < 1e-11:
            break
        hess = _numerical_hessian(lambda p: in_logs(p)[1], phi)
        try:
            step = np.linalg.solve(hess, grad)
        except np.linalg.LinAlgError:
            break
        candidate = phi - step
        new_value, new_grad = in_logs(candidate)
        if not (np.isfinite(new_value) and new_value <= value + 1e-14 * abs(value)
                and np.max(np.abs(new_grad)) < np.max(np.abs(grad))):
            break
        phi, value, grad = candidate, new_value, new_grad
    return phi


def minimise_log_params(
    objective: Callable[[FloatArray], tuple[float, FloatArray]], theta0: FloatArray, model: str, polish: bool = True
) -> FloatArray:
    """Minimise ``objective(theta)`` (value, gradient on the natural scale) over ``log(theta)``.

    L-BFGS-B with the analytic gradient; if its gradient is not small at the end, a BFGS pass restarts
    from its end point, and the better of the two is kept. With ``polish`` a few Newton steps follow
    (:func:`_newton_polish`).
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
        options={"maxiter": 5000, "ftol": 1e-10, "gtol": 1e-7},
    )
    if np.max(np.abs(best.jac)) > 1e-4:
        retry = optimize.minimize(in_logs, best.x, jac=True, method="BFGS", options={"gtol": 1e-9})
        if np.isfinite(retry.fun) and retry.fun <= best.fun:
            best = retry
    phi = _newton_polish(in_logs, best.x) if polish else best.x
    worst = np.max(np.abs(in_logs(phi)[1])) if polish else np.max(np.abs(best.jac))
    if worst > 1e-3:
        warnings.warn(f"{model}: optimiser did not converge ({best.message}); max |gradient| {worst:.2e}",
                      ConvergenceWarning, stacklevel=4)
    return np.exp(phi)
