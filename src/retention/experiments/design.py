"""Design a randomized test of a retention offer: how many customers per arm, what it costs, who gets what.

The outcome is whether a customer buys within the outcome window. A test compares the purchase rate of
the treated arm (``baseline + uplift``) with the control arm's (``baseline``) with a two-sided test at
significance ``alpha``; the sample size gives the stated ``power`` to detect ``uplift``.

Two standard approximations are offered, both from statsmodels:

* ``"normal"`` (default): the z-test for two independent proportions with the pooled variance under the
  null and the unpooled variance under the alternative, without continuity correction (Fleiss, Levin &
  Paik 2003, *Statistical Methods for Rates and Proportions*, eq. 4.14);
  ``statsmodels.stats.proportion.samplesize_proportions_2indep_onetail``.
* ``"arcsine"``: Cohen's effect size ``h = 2 asin(sqrt(p1)) - 2 asin(sqrt(p2))`` with the normal power of
  a two-sample test (Cohen 1988, *Statistical Power Analysis for the Behavioral Sciences*, ch. 6);
  ``statsmodels.stats.power.NormalIndPower``. For ``h = 0.2`` at ``alpha = 0.05`` and power 0.8 it gives
  392.4 per arm, Cohen's Table 6.4.1 value (392).

The expected cost of a test is what the treated arm costs: a contact for everyone plus the discount on the
first order of every treated customer who buys in the window (``(baseline + uplift) * discount * order
value``), plus a fixed cost. The control arm costs nothing (its forgone effect is the price of knowing).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import brentq
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import (
    power_proportions_2indep,
    proportion_effectsize,
    samplesize_proportions_2indep_onetail,
)

__all__ = ["METHODS", "ExperimentDesign", "sample_size", "detectable_uplift", "expected_test_cost", "design_test",
           "assign_groups"]

METHODS: tuple[str, ...] = ("normal", "arcsine")


def _check_share(value: float, name: str, *, open_low: bool = True) -> float:
    value = float(value)
    if not (0.0 < value < 1.0 if open_low else 0.0 <= value < 1.0):
        raise ValueError(f"{name} must be strictly between 0 and 1, got {value}")
    return value


def _ratio(control_share: float) -> float:
    """Control customers per treated customer."""
    share = _check_share(control_share, "control_share")
    return share / (1.0 - share)


def sample_size(baseline_rate: float, uplift: float, *, alpha: float = 0.05, power: float = 0.8,
                control_share: float = 0.5, method: str = "normal") -> tuple[int, int]:
    """Customers needed in the treatment and the control arm to detect ``uplift`` in the purchase rate.

    Parameters
    ----------
    baseline_rate : float
        Purchase rate in the window without the offer (the control arm's), strictly between 0 and 1.
    uplift : float
        The smallest uplift worth detecting, in probability points (``0.05`` = 5 points); positive, and
        ``baseline_rate + uplift`` must stay below 1.
    alpha, power : float
        Two-sided significance level and power.
    control_share : float
        Share of the test in the control arm.
    method : {"normal", "arcsine"}
        See the module docstring.

    Returns
    -------
    tuple of int
        ``(n_treatment, n_control)``, each rounded up.
    """
    p0 = _check_share(baseline_rate, "baseline_rate")
    if not 0.0 < uplift < 1.0 - p0:
        raise ValueError(f"uplift must be positive and keep baseline_rate + uplift below 1, got {uplift} "
                         f"with baseline_rate {p0}")
    _check_share(alpha, "alpha")
    _check_share(power, "power")
    ratio = _ratio(control_share)
    if method == "normal":
        n1 = samplesize_proportions_2indep_onetail(uplift, p0, power, ratio=ratio, alpha=alpha,
                                                   alternative="two-sided")
    elif method == "arcsine":
        h = proportion_effectsize(p0 + uplift, p0)
        n1 = NormalIndPower().solve_power(effect_size=h, alpha=alpha, power=power, ratio=ratio)
    else:
        raise ValueError(f"method must be one of {list(METHODS)}, got {method!r}")
    n1 = float(np.squeeze(n1))
    return math.ceil(n1 - 1e-9), math.ceil(n1 * ratio - 1e-9)


def detectable_uplift(baseline_rate: float, n_treatment: int, n_control: int, *, alpha: float = 0.05,
                      power: float = 0.8) -> float:
    """The smallest uplift a test of these sizes detects with the given power (normal method); NaN when
    even the largest possible uplift is not detectable."""
    p0 = _check_share(baseline_rate, "baseline_rate")
    if n_treatment < 2 or n_control < 2:
        return float("nan")
    ratio = n_control / n_treatment

    def shortfall(diff: float) -> float:
        return float(power_proportions_2indep(diff, p0, n_treatment, ratio=ratio, alpha=alpha).power) - power

    top = (1.0 - p0) * (1.0 - 1e-9)
    if shortfall(top) < 0:
        return float("nan")
    return float(brentq(shortfall, 1e-9, top, xtol=1e-7))


def expected_test_cost(n_treatment: int, *, purchase_rate: float, discount: float, order_value: float,
              contact_cost: float, fixed_cost: float = 0.0) -> float:
    """Expected cost of a test: contact for every treated customer, the discount on the first order of
    the treated who buy in the window (``purchase_rate`` of them), and the fixed cost."""
    if min(n_treatment, discount, order_value, contact_cost, fixed_cost) < 0:
        raise ValueError("test sizes, discount, order value and costs must not be negative")
    return float(n_treatment * (contact_cost + purchase_rate * discount * order_value) + fixed_cost)


@dataclass(frozen=True)
class ExperimentDesign:
    """A test design and whether the list can carry it; ``verdict`` says it in one plain sentence."""

    baseline_rate: float
    min_detectable_uplift: float
    alpha: float
    power: float
    control_share: float
    method: str
    n_treatment: int
    n_control: int
    available: int | None
    expected_cost: float
    feasible: bool
    detectable_with_list: float
    verdict: str

    @property
    def n_total(self) -> int:
        return self.n_treatment + self.n_control

    def as_dict(self) -> dict[str, object]:
        """Plain values (for JSON)."""
        out = {k: getattr(self, k) for k in self.__dataclass_fields__}
        out["n_total"] = self.n_total
        return out


def _pts(x: float) -> str:
    return f"{x * 100:.1f} points"


def _verdict(n: tuple[int, int], available: int | None, uplift: float, smallest: float, cost: float,
             alpha: float, power: float) -> str:
    need = f"{n[0]:,} treated and {n[1]:,} control customers"
    odds = f"{power:.0%} power at {alpha:g} significance"
    if available is None or n[0] + n[1] <= available:
        return (f"A test with {need} detects an uplift of {_pts(uplift)} in the purchase rate with {odds}; "
                f"its expected cost is {cost:,.0f}.")
    seen = (f"the smallest uplift the whole list can detect is {_pts(smallest)}" if np.isfinite(smallest)
            else "the whole list cannot detect any uplift")
    return (f"The list of {available:,} customers is too small to detect an uplift of {_pts(uplift)} (the "
            f"effect that makes the campaign pay): that needs {need} for {odds}; {seen}.")


def design_test(baseline_rate: float, min_detectable_uplift: float, *, available: int | None = None,
                alpha: float = 0.05, power: float = 0.8, control_share: float = 0.5, method: str = "normal",
                discount: float = 0.0, order_value: float = 0.0, contact_cost: float = 0.0,
                fixed_cost: float = 0.0) -> ExperimentDesign:
    """Design a test that detects ``min_detectable_uplift`` (e.g. the campaign's break-even uplift).

    ``available`` is the size of the target list; when the test needs more customers than the list has,
    the design is not feasible and the verdict says so, with the smallest uplift the whole list (split by
    ``control_share``) can detect. The cost parameters feed :func:`expected_test_cost`. An uplift that no purchase
    rate can reach (``baseline_rate + uplift >= 1``) is infeasible at any size.
    """
    share = _check_share(control_share, "control_share")
    if available is not None and (int(available) != available or available < 0):
        raise ValueError(f"available must be a whole number >= 0, got {available!r}")
    avail_t = None if available is None else int(round(available * (1 - share)))
    smallest = (float("nan") if available is None
                else detectable_uplift(baseline_rate, avail_t, int(available) - avail_t, alpha=alpha, power=power))
    if not 0.0 < min_detectable_uplift < 1.0 - baseline_rate:
        verdict = (f"No test can confirm an uplift of {_pts(min_detectable_uplift)}: with a purchase rate of "
                   f"{baseline_rate:.1%} without the offer, the rate cannot rise that much.")
        return ExperimentDesign(baseline_rate, min_detectable_uplift, alpha, power, share, method, 0, 0, available, 0.0,
                          False, smallest, verdict)
    n = sample_size(baseline_rate, min_detectable_uplift, alpha=alpha, power=power, control_share=share,
                    method=method)
    cost = expected_test_cost(n[0], purchase_rate=baseline_rate + min_detectable_uplift, discount=discount,
                     order_value=order_value, contact_cost=contact_cost, fixed_cost=fixed_cost)
    feasible = available is None or sum(n) <= available
    return ExperimentDesign(baseline_rate, min_detectable_uplift, alpha, power, share, method, n[0], n[1], available,
                      cost, feasible, smallest, _verdict(n, available, min_detectable_uplift, smallest, cost, alpha,
                                                         power))


def assign_groups(customers: pd.DataFrame, *, strata: tuple[str, ...] = ("Segment", "risk_band"),
                  control_share: float = 0.5, seed: int = 42) -> pd.DataFrame:
    """A seeded random assignment to treatment and control, stratified (blocked) by ``strata``.

    Customers are shuffled within each stratum and the strata laid end to end; walking along them with a
    random phase, every ``1 / control_share``-th customer goes to control. Each stratum's control share is
    therefore within one customer of ``control_share``, and so is the whole list's.

    Parameters
    ----------
    customers : pandas.DataFrame
        The target list, indexed by CustomerID (or with a ``CustomerID`` column), with the strata columns.
    strata : tuple of str
        Columns to stratify by (none: a simple random split).

    Returns
    -------
    pandas.DataFrame
        ``CustomerID``, ``group`` (treatment|control) and ``stratum`` (the strata values joined by " | "),
        in the order of ``customers``.
    """
    share = _check_share(control_share, "control_share")
    frame = customers.set_index("CustomerID") if "CustomerID" in customers.columns else customers
    missing = [c for c in strata if c not in frame.columns]
    if missing:
        raise ValueError(f"the customer table has no column {missing} to stratify by; columns: {list(frame.columns)}")
    if frame.index.has_duplicates:
        raise ValueError("the target list names a customer twice: CustomerIDs must be unique")
    stratum = (frame[list(strata)].astype("string").fillna("(missing)").agg(" | ".join, axis=1) if strata
               else pd.Series("all", index=frame.index))
    rng = np.random.default_rng(seed)
    order = pd.DataFrame({"stratum": stratum.to_numpy(), "key": rng.random(len(frame))})
    walk = order.sort_values(["stratum", "key"], kind="stable").index.to_numpy()
    phase = rng.random()
    steps = np.floor((np.arange(1, len(walk) + 1)) * share + phase) - np.floor(np.arange(len(walk)) * share + phase)
    group = np.empty(len(frame), dtype=object)
    group[walk] = np.where(steps >= 1, "control", "treatment")
    return pd.DataFrame({"CustomerID": frame.index.astype(str), "group": group, "stratum": stratum.to_numpy()})
