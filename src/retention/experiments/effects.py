"""The measured effect of a campaign: uplift with confidence intervals, overall and by group, and whether it paid.

* Purchase rate: difference in proportions (treatment - control) with the Miettinen-Nurminen score
  interval and score test (``statsmodels.stats.proportion.confint_proportions_2indep`` and
  ``test_proportions_2indep``, ``method="score"``), which behave in small groups where the Wald
  interval collapses; when an arm has no buyer or only buyers (small groups, where the score interval
  cannot be solved) Newcombe's hybrid score interval and the Agresti-Caffo test.
* Orders, revenue and margin per customer: difference in means with Welch's t interval and test
  (unequal variances; ``statsmodels.stats.weightstats.CompareMeans``).

Every effect is per customer in the test; the campaign's total is the per-customer effect times the
treated customers. The margin is net of the discount (:func:`retention.experiments.outcomes.margin_outcome`).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import confint_proportions_2indep, test_proportions_2indep
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

from retention.experiments.outcomes import margin_outcome

__all__ = ["EFFECT_COLUMNS", "proportion_effect", "mean_effect", "measure_effects", "campaign_profit",
           "campaign_verdict"]

EFFECT_COLUMNS: tuple[str, ...] = ("by", "level", "outcome", "n_treatment", "n_control", "treatment_mean",
                                   "control_mean", "uplift", "ci_low", "ci_high", "p_value", "method")


def _empty(method: str) -> dict[str, float | str]:
    return {"uplift": np.nan, "ci_low": np.nan, "ci_high": np.nan, "p_value": np.nan, "method": method}


def _arms(treated: np.ndarray, control: np.ndarray) -> dict[str, float]:
    """Size and mean of each arm (a mean is NaN for an empty arm)."""
    return {"n_treatment": treated.size, "n_control": control.size,
            "treatment_mean": treated.mean() if treated.size else np.nan,
            "control_mean": control.mean() if control.size else np.nan}


def proportion_effect(treated: np.ndarray, control: np.ndarray, *, alpha: float = 0.05) -> dict[str, object]:
    """Difference in proportions of two boolean arrays with a score interval and test."""
    treated, control = np.asarray(treated, dtype=bool), np.asarray(control, dtype=bool)
    base = _arms(treated, control)
    if treated.size < 1 or control.size < 1:
        return {**base, **_empty("too few customers")}
    counts = (int(treated.sum()), treated.size, int(control.sum()), control.size)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            low, high = confint_proportions_2indep(*counts, method="score", compare="diff", alpha=alpha)
            test = test_proportions_2indep(*counts, method="score", compare="diff")
            method = "difference in proportions (score)"
        except (ValueError, FloatingPointError):  # an arm where nobody or everybody bought: the score fails
            low, high = confint_proportions_2indep(*counts, method="newcomb", compare="diff", alpha=alpha)
            test = test_proportions_2indep(*counts, method="agresti-caffo", compare="diff")
            method = "difference in proportions (Newcombe)"
    return {**base, "uplift": base["treatment_mean"] - base["control_mean"], "ci_low": float(low),
            "ci_high": float(high), "p_value": float(test.pvalue), "method": method}


def mean_effect(treated: np.ndarray, control: np.ndarray, *, alpha: float = 0.05) -> dict[str, object]:
    """Difference in means with Welch's t interval and test."""
    treated, control = np.asarray(treated, dtype=float), np.asarray(control, dtype=float)
    base = _arms(treated, control)
    if treated.size < 2 or control.size < 2:
        return {**base, **_empty("too few customers")}
    uplift = base["treatment_mean"] - base["control_mean"]
    if treated.var() == 0 and control.var() == 0:
        return {**base, "uplift": uplift, "ci_low": uplift, "ci_high": uplift, "p_value": 1.0 if uplift == 0 else 0.0,
                "method": "difference in means (no variation)"}
    compare = CompareMeans(DescrStatsW(treated), DescrStatsW(control))
    low, high = compare.tconfint_diff(alpha=alpha, usevar="unequal")
    _, p_value, _ = compare.ttest_ind(usevar="unequal")
    return {**base, "uplift": uplift, "ci_low": float(low), "ci_high": float(high), "p_value": float(p_value),
            "method": "difference in means (Welch)"}


def _rows(frame: pd.DataFrame, by: str, level: object, outcomes: Sequence[str], alpha: float) -> list[dict]:
    treated = frame["group"] == "treatment"
    rows = []
    for outcome in outcomes:
        measure = proportion_effect if outcome == "purchased" else mean_effect
        values = frame[outcome].to_numpy()
        rows.append({"by": by, "level": level, "outcome": outcome,
                     **measure(values[treated.to_numpy()], values[~treated.to_numpy()], alpha=alpha)})
    return rows


def measure_effects(outcomes: pd.DataFrame, *, alpha: float = 0.05, by: Sequence[str] = (),
                    margin: float | None = None, discount: float = 0.0,
                    offer_type: str = "next_order") -> pd.DataFrame:
    """Uplift with confidence intervals on each outcome, overall and for each level of the ``by`` columns.

    Parameters
    ----------
    outcomes : pandas.DataFrame
        From :func:`retention.experiments.outcomes.campaign_outcomes`, plus any ``by`` columns (e.g.
        ``Segment`` and ``risk_band`` as of the send date).
    alpha : float
        1 - confidence level of the intervals.
    by : sequence of str
        Columns to break the effect down by (each on its own, not crossed).
    margin, discount, offer_type
        When ``margin`` is given, a ``margin`` outcome net of the discount is added.

    Returns
    -------
    pandas.DataFrame
        One row per (by, level, outcome), columns :data:`EFFECT_COLUMNS`; the overall rows have
        ``by = "all"`` and ``level = "all"``.
    """
    if not {"group", "purchased", "orders", "revenue"} <= set(outcomes.columns):
        raise ValueError("outcomes need the columns group, purchased, orders and revenue (campaign_outcomes)")
    frame = outcomes.copy()
    names = ["purchased", "orders", "revenue"]
    if margin is not None:
        frame["margin"] = margin_outcome(frame, margin=margin, discount=discount, offer_type=offer_type)
        names.append("margin")
    rows = _rows(frame, "all", "all", names, alpha)
    for column in by:
        if column not in frame.columns:
            raise ValueError(f"outcomes have no column '{column}' to break the effect down by")
        for level, part in frame.groupby(column, sort=True, observed=True):
            rows += _rows(part, column, level, names, alpha)
    return pd.DataFrame(rows)[list(EFFECT_COLUMNS)]


def campaign_profit(effects: pd.DataFrame, *, contact_cost: float = 0.0, fixed_cost: float = 0.0) -> dict[str, object]:
    """The campaign's net profit with its interval: ``n_treated * (effect per customer - contact_cost) - fixed_cost``.

    Uses the overall ``margin`` row of :func:`measure_effects` (``revenue`` when there is none). Returns
    ``outcome`` (the row used), ``n_treatment``, ``per_customer`` (the effect) and ``estimate``, ``low``,
    ``high`` (the campaign's totals; NaN when an arm has too few customers).
    """
    overall = effects[(effects["by"] == "all")].set_index("outcome")
    outcome = "margin" if "margin" in overall.index else "revenue"
    row = overall.loc[outcome]
    n = int(row["n_treatment"])

    def total(per_customer: float) -> float:
        return float(n * (per_customer - contact_cost) - fixed_cost)

    return {"outcome": outcome, "n_treatment": n, "per_customer": float(row["uplift"]),
            "estimate": total(row["uplift"]), "low": total(row["ci_low"]), "high": total(row["ci_high"])}


def campaign_verdict(effects: pd.DataFrame, *, contact_cost: float = 0.0, fixed_cost: float = 0.0,
                     currency: str = "", alpha: float = 0.05) -> str:
    """One plain sentence: did the campaign pay, net of the discount, contact and fixed costs?

    ``currency`` is a code (written "GBP 5") or a symbol ("£5").

    Uses the overall ``margin`` row (or ``revenue`` when there is none) of :func:`measure_effects`: the
    campaign's net profit is ``n_treated * (effect per customer - contact_cost) - fixed_cost``, with the
    effect's interval carried through.
    """
    profit = campaign_profit(effects, contact_cost=contact_cost, fixed_cost=fixed_cost)
    outcome, n = profit["outcome"], profit["n_treatment"]
    net, low, high = profit["estimate"], profit["low"], profit["high"]
    money = f"{currency} " if currency.isalpha() else currency  # "GBP 5" but "£5"

    def amount(value: float) -> str:
        return f"{'-' if value < 0 else ''}{money}{abs(value):,.0f}"

    interval = f"{(1 - alpha):.0%} interval {amount(low)} to {amount(high)}"
    what = "gross margin net of discount" if outcome == "margin" else "revenue (no margin given)"
    if not np.isfinite(net):
        return "Whether the campaign paid cannot be measured: an arm has too few customers."
    if low > 0:
        return (f"The campaign paid: its {n:,} treated customers brought {amount(net)} more {what} than the "
                f"control group would suggest, after contact and fixed costs ({interval}).")
    if high < 0:
        return (f"The campaign did not pay: it lost {amount(-net)} of {what} after contact and fixed costs "
                f"({interval}).")
    verb = "gained" if net >= 0 else "lost"
    return (f"The test cannot tell whether the campaign paid: it {verb} about {amount(abs(net))} of {what} "
            f"after contact and fixed costs, but the {interval} includes zero.")
