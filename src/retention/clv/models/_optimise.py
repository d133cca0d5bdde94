"""Numerical optimisation behind every fit: L-BFGS-B on the log-parameters, a Newton polish, the Hessian."""

from __future__ import annotations

import itertools
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


#: Smallest ratio of the smallest to the largest eigenvalue of the log-scale Hessian still counted as definite.
#: Below it the likelihood is flat along a direction to the precision of the finite-difference Hessian (about
#: 1e-10 relative): a log-scale standard deviation some 10,000 times the best-determined parameter's, where the
#: normal approximation means nothing. Identified fits lie far above (CDNOW and the generator: 4e-4 to 1e-2).
MIN_EIGEN_RATIO: float = 1e-8


def _inverse_if_definite(hess: FloatArray, theta: FloatArray) -> FloatArray | None:
    """The inverse of a symmetric Hessian if it is positive definite, else None.

    Definite means: the log-scale Hessian ``diag(theta) H diag(theta)`` (scale-free) has eigenvalues above
    :data:`MIN_EIGEN_RATIO` times its largest, and the inverse a finite, positive diagonal.
    """
    try:
        eigen = np.linalg.eigvalsh(hess * np.outer(theta, theta))
        if eigen.min() <= MIN_EIGEN_RATIO * max(eigen.max(), 0.0):
            return None
        cov = np.linalg.inv(hess)
    except np.linalg.LinAlgError:
        return None
    if not np.all(np.isfinite(cov)) or (np.diag(cov) <= 0).any() or np.linalg.eigvalsh(cov).min() <= 0:
        return None
    return cov


def covariance_from_gradient(grad: Callable[[FloatArray], FloatArray], theta: FloatArray) -> FloatArray:
    """Inverse Hessian of the negative log-likelihood at the optimum.

    When the Hessian is not positive definite the likelihood is flat along some direction (a ridge, e.g.
    Pareto/NBD's ``s`` and ``beta`` growing together when everyone drops out at about the same rate): the fewest
    parameters whose holding at the estimate leaves the others a definite Hessian are held (among equally few,
    those leaving the best-conditioned rest), and the covariance of the others is the inverse of their block:
    their uncertainty *given* the held ones. Held parameters get NaN rows and columns (an undefined standard
    error); all NaN when no subset is definite.
    """
    hess = _numerical_hessian(grad, theta)
    cov = _inverse_if_definite(hess, theta)
    if cov is not None:
        return cov
    out = np.full(hess.shape, np.nan)
    k = theta.size
    usable = np.isfinite(hess).all(axis=0) & np.isfinite(hess).all(axis=1)
    for n_held in range(1, k):
        best: tuple[float, np.ndarray, FloatArray] | None = None
        for held in itertools.combinations(range(k), n_held):
            free = usable.copy()
            free[list(held)] = False
            if not free.any():
                continue
            block = np.ix_(free, free)
            inverse = _inverse_if_definite(hess[block], theta[free])
            if inverse is None:
                continue
            eigen = np.linalg.eigvalsh(hess[block] * np.outer(theta[free], theta[free]))
            ratio = float(eigen.min() / eigen.max())
            if best is None or ratio > best[0]:
                best = (ratio, free, inverse)
        if best is not None:
            out[np.ix_(best[1], best[1])] = best[2]
            break
    return out


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
