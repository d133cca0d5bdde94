"""The test that would confirm a decision: its size (statsmodels power), cost and a seeded stratified assignment.

For the option the decision is about (the one to run, or the one to test first), the test sends the offer to a
random part of its list and holds the rest out (``control_share``), and compares their purchase rates over the
outcome window. It must detect the uplift that makes the option pay (its break-even uplift, in points of the
list's purchase rate), unless the params set ``experiment.min_detectable_uplift``. When the list is too small
for that, :func:`retention.experiments.design_test` says so, with the smallest uplift the whole list detects.

Purchase rate without the offer, over the outcome window ``W``: ``1 - p ** (W / H)`` per customer, with ``p``
the churn probability over the churn horizon ``H`` (a constant chance of buying per day). The break-even
uplift ``u*`` (share of would-be non-buyers converted) becomes ``u* x mean(w)`` points over the list, with
``w`` the response weight (:mod:`retention.decisions.response`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from retention.decisions.decision import money_text
from retention.decisions.options import Option
from retention.experiments import ExperimentDesign, assign_groups, design_test
from retention.roi.columns import ORDER_VALUE, PROBA, RESPONSE_WEIGHT

__all__ = ["ASSIGNMENT_COLUMNS", "ConfirmingTest", "confirming_test", "window_purchase_rate"]

ASSIGNMENT_COLUMNS = ("CustomerID", "group", "stratum")


def window_purchase_rate(churn_probability: pd.Series | np.ndarray, outcome_days: int, horizon_days: int) -> np.ndarray:
    """Chance of buying within ``outcome_days`` without the offer, from the churn probability over
    ``horizon_days`` (constant daily chance of buying)."""
    p = np.clip(np.asarray(churn_probability, dtype=float), 0.0, 1.0)
    return 1.0 - p ** (float(outcome_days) / float(horizon_days))


@dataclass(frozen=True)
class ConfirmingTest:
    """The designed test (None when there is no list), its assignment and its ``decision.json`` entry."""

    campaign: str | None
    design: ExperimentDesign | None
    assignment: pd.DataFrame
    document: dict[str, Any] | None
    break_even_points: float

    @property
    def summary(self) -> str:
        return "" if self.document is None else str(self.document["summary"])


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="string") for c in ASSIGNMENT_COLUMNS})


def confirming_test(targets: pd.DataFrame, option: Option | None, *, outcome_days: int, horizon_days: int,
                    alpha: float, power: float, control_share: float, seed: int,
                    min_detectable_uplift: float | None = None, assignment_file: str | None = None,
                    strata: tuple[str, ...] = ("Segment", "risk_band"), currency: str = "GBP") -> ConfirmingTest:
    """Design the test of ``option`` on its list ``targets`` and assign its customers.

    Parameters
    ----------
    targets : pandas.DataFrame
        The option's list (index CustomerID) with ``churn_probability``, ``expected_order_value``, the strata
        columns and, when known, ``response_weight``.
    option : Option or None
        The option the decision is about; None or an empty list: no test.
    outcome_days, horizon_days : int
        The test's outcome window and the churn horizon of the churn probability.
    alpha, power, control_share, seed : float, float, float, int
        The ``experiment`` params.
    min_detectable_uplift : float, optional
        Points of the purchase rate the test must detect; default the option's break-even uplift in points.
    assignment_file : str, optional
        Where the assignment is written, for the document.
    currency : str
        For the summary sentence.
    """
    if option is None or option.targets == 0 or targets.empty:
        return ConfirmingTest(None, None, _empty(), None, float("nan"))
    strata = tuple(c for c in strata if c in targets.columns)
    assignment = assign_groups(targets, strata=strata, control_share=control_share, seed=seed)
    baseline = float(np.mean(window_purchase_rate(targets[PROBA], outcome_days, horizon_days)))
    baseline = min(max(baseline, 1e-6), 1.0 - 1e-6)
    weight = targets[RESPONSE_WEIGHT] if RESPONSE_WEIGHT in targets.columns else targets[PROBA]
    be = float(option.summary["break_even_uplift"])
    points = be * float(np.mean(weight)) if math.isfinite(be) else float("nan")
    wanted = min_detectable_uplift if min_detectable_uplift is not None else points
    base_doc = {"campaign": option.name, "outcome_days": int(outcome_days), "baseline_rate": baseline,
                "alpha": alpha, "power": power,
                "assignment": None if assignment_file is None else assignment_file.rsplit("/", 1)[-1]}
    if not math.isfinite(wanted) or wanted <= 0:
        why = ("no uplift makes this list pay" if not math.isfinite(be) or be > 0 or math.isnan(be)
               else "it pays without any uplift")
        summary = (f"Nothing to confirm with a test of {option.name}: {why}. The assignment file still splits its "
                   f"{option.targets:,} customers at random, should you want to measure the offer anyway.")
        document = {"summary": summary, **base_doc, "feasible": False}
        return ConfirmingTest(option.name, None, assignment, document, points)
    design = design_test(baseline, float(wanted), available=option.targets, alpha=alpha, power=power,
                         control_share=control_share, discount=option.offer.discount,
                         order_value=float(targets[ORDER_VALUE].mean()), contact_cost=option.offer.contact_cost,
                         fixed_cost=option.offer.fixed_cost)
    summary = design.verdict
    if design.feasible:
        what = "the uplift that makes it pay" if min_detectable_uplift is None else "the uplift set in the params"
        summary = (f"Send the offer to {design.n_treatment:,} of the {option.targets:,} customers of {option.name} "
                   f"and hold out {design.n_control:,} at random as control for {int(outcome_days)} days: that detects "
                   f"{float(wanted) * 100:.1f} points on the purchase rate ({what}; about {baseline:.0%} buy "
                   f"without the offer) with {power:.0%} power at {alpha:.0%} significance. Expected cost "
                   f"{money_text(design.expected_cost, currency)}.")
    document = {"summary": summary, **base_doc, "min_detectable_uplift": float(wanted),
                "n_treatment": design.n_treatment, "n_control": design.n_control,
                "expected_cost": design.expected_cost, "feasible": design.feasible}
    return ConfirmingTest(option.name, design, assignment, document, points)
