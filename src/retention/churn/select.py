"""Choosing the production model: the best out-of-time validation on the decision metric ships.

The decision metric
-------------------
The shipped ``churn_probability`` is multiplied by money downstream (expected loss = probability x value
at stake, campaign ROI), so what matters is that the probabilities themselves are right, not only
their order. The decision metric is therefore a proper scoring rule, by default the **Brier score**
(mean squared error of the probability; Brier 1950): money figures are linear in the probability, so a
squared error on the probability is the error that reaches them; it rewards calibration and ranking
together (its decomposition is reliability - resolution + uncertainty, Murphy 1973), and unlike log
loss it is bounded, so a handful of near-certain mistakes cannot decide the choice. ``"log_loss"`` can
be chosen instead. Exact ties go to the higher ROC-AUC, then to the earlier model in the registry
(baselines first: the simpler model wins a tie).

Honesty
-------
* The choice is made on the validation cutoff, which no model was fitted or tuned on.
* The margin of the shipped model over every baseline is reported with the standard error of the
  paired per-customer differences.
* Selection optimism: the winner's validation score is the best of several noisy scores, so it
  flatters the winner. :func:`select_production_model` estimates by how much with a bootstrap of the
  validation customers (in each resample the best model is chosen again; the optimism is the mean gap
  between the overall winner's score and that resample's best score, as in Tibshirani & Tibshirani 2009)
  and reports the share of resamples in which the same model wins. The report quotes the winner's raw validation
  score together with this optimism; on generated data the live check against the generator's truth is
  a second, independent check.
* A baseline that wins ships as it is; a pinned ``production_model`` ships even when it loses, and the
  result says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from retention.churn.evaluate import Evaluation, evaluate, paired_margins
from retention.churn.fitting import fit_models
from retention.churn.models import BASELINE_NAMES, MODEL_NAMES, MODELS
from retention.metrics import PROPER_SCORES

__all__ = ["DECISION_METRIC", "AUTO", "Selection", "select_production_model", "ModelComparison", "compare_models"]

DECISION_METRIC = "brier"
"""The default decision metric (see the module docstring)."""

AUTO = "auto"
"""``production_model`` value meaning: ship the validation winner."""


@dataclass(frozen=True)
class Selection:
    """Which model ships, and the evidence.

    Attributes
    ----------
    shipped : str
        The model whose probabilities ship as ``churn_probability``.
    winner : str
        The best model on the validation cutoff (equal to ``shipped`` unless ``pinned``).
    pinned : bool
        True when ``production_model`` named a model instead of ``"auto"``.
    metric : str
        The decision metric (lower is better).
    table : pandas.DataFrame
        The evaluation table with ``role`` ("baseline" or "candidate"), ``rank`` (1 = best on the
        decision metric) and ``shipped`` (bool) added, sorted by rank.
    margins : pandas.DataFrame
        :func:`~retention.churn.paired_margins` of the shipped model against every other baseline.
    optimism : float
        Bootstrap estimate (>= 0) of how much the winner's validation score flatters it.
    win_share : float
        Share of bootstrap resamples of the validation customers in which ``winner`` stays best.
    """

    shipped: str
    winner: str
    pinned: bool
    metric: str
    table: pd.DataFrame
    margins: pd.DataFrame
    optimism: float
    win_share: float
    n_bootstrap: int = field(default=0)

    @property
    def shipped_is_baseline(self) -> bool:
        """True when a baseline ships."""
        return self.shipped in BASELINE_NAMES

    @property
    def shipped_beats_every_baseline(self) -> bool:
        """True when the shipped model is at least as good as every baseline on the decision metric."""
        return bool(self.margins["at_least_as_good"].all())

    def winner_score(self) -> tuple[float, float]:
        """The winner's validation score as measured and with the selection optimism added."""
        score = float(self.table.loc[self.winner, self.metric])
        return score, score + self.optimism

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (for the run's churn summary)."""
        raw, adjusted = self.winner_score()
        return {
            "decision_metric": self.metric, "shipped": self.shipped, "validation_winner": self.winner,
            "pinned": self.pinned, "shipped_is_baseline": self.shipped_is_baseline,
            "winner_score": round(raw, 6), "winner_score_selection_adjusted": round(adjusted, 6),
            "selection_optimism": round(self.optimism, 6), "winner_bootstrap_share": round(self.win_share, 4),
            "margins_over_baselines": {name: {"margin": round(float(row["margin"]), 6),
                                              "margin_se": round(float(row["margin_se"]), 6)}
                                       for name, row in self.margins.iterrows()},
        }


def _ranked(table: pd.DataFrame, metric: str) -> pd.DataFrame:
    """The table sorted by the metric (ascending), then ROC-AUC (descending), then input order."""
    order = pd.DataFrame({"metric": table[metric].to_numpy(dtype=float), "auc": -table["roc_auc"].to_numpy(dtype=float),
                          "position": np.arange(len(table))}, index=table.index)
    return table.loc[order.sort_values(["metric", "auc", "position"], kind="stable").index]


def _bootstrap_selection(losses: pd.DataFrame, winner: int, n_bootstrap: int,
                         seed: int) -> tuple[float, np.ndarray]:
    """Selection optimism and the winning column of each of ``n_bootstrap`` resamples of ``losses``' rows.

    In resample ``b`` the column ``k_b`` with the lowest mean loss wins; the optimism is the mean over
    resamples of (``winner``'s mean loss) - (``k_b``'s mean loss), both in that resample: how much
    choosing afresh lowers the best score below that of the model chosen on all rows (Tibshirani &
    Tibshirani 2009, "A bias correction for the minimum error rate in cross-validation", *Annals of
    Applied Statistics* 3(2), with bootstrap resamples in place of folds). It is never negative and is
    0 when ``winner`` wins every resample.
    """
    values = losses.to_numpy(dtype=float)
    n = values.shape[0]
    rng = np.random.default_rng(seed)
    winners, gaps = [], []
    for start in range(0, n_bootstrap, 50):
        counts = rng.multinomial(n, np.full(n, 1.0 / n), size=min(50, n_bootstrap - start))
        scores = counts @ values / n
        winners.append(np.argmin(scores, axis=1))
        gaps.append(scores[:, winner] - scores.min(axis=1))
    return float(np.concatenate(gaps).mean()), np.concatenate(winners)


def select_production_model(evaluation: Evaluation, *, metric: str = DECISION_METRIC, production_model: str = AUTO,
                            baselines: Sequence[str] | None = None, n_bootstrap: int = 200,
                            seed: int = 0) -> Selection:
    """Choose the model that ships: the validation winner, or the pinned one.

    Parameters
    ----------
    evaluation : Evaluation
        The out-of-time evaluation of every candidate and baseline.
    metric : {"brier", "log_loss"}, default "brier"
        The decision metric (lower is better).
    production_model : str, default "auto"
        ``"auto"`` ships the winner; a model name pins that model.
    baselines : sequence of str, optional
        The baselines the shipped model is compared with (default: those of
        :data:`~retention.churn.BASELINE_NAMES` present in the evaluation).
    n_bootstrap : int, default 200
        Resamples of the validation customers for the selection optimism (0 skips it).
    seed : int, default 0
        Seed of the resampling.

    Returns
    -------
    Selection
    """
    if metric not in PROPER_SCORES:
        raise ValueError(f"The decision metric must be a proper scoring rule {PROPER_SCORES}, got {metric!r}.")
    names = list(evaluation.table.index)
    if production_model != AUTO and production_model not in names:
        raise ValueError(f"production_model must be {AUTO!r} or one of the evaluated models {names}, "
                         f"got {production_model!r}.")
    base = [b for b in (BASELINE_NAMES if baselines is None else baselines) if b in names]
    ranked = _ranked(evaluation.table, metric)
    winner = str(ranked.index[0])
    shipped = winner if production_model == AUTO else production_model
    table = ranked.assign(role=["baseline" if n in base else "candidate" for n in ranked.index],
                          rank=np.arange(1, len(ranked) + 1), shipped=[n == shipped for n in ranked.index])
    optimism, win_share = 0.0, float("nan")
    if n_bootstrap > 0:
        losses = evaluation.losses(metric)[list(ranked.index)]
        optimism, winners = _bootstrap_selection(losses, 0, n_bootstrap, seed)
        win_share = float((winners == 0).mean())
    return Selection(shipped=shipped, winner=winner, pinned=production_model != AUTO, metric=metric, table=table,
                     margins=paired_margins(evaluation, shipped, [b for b in base if b != shipped], metric),
                     optimism=optimism,
                     win_share=win_share, n_bootstrap=n_bootstrap)


@dataclass(frozen=True)
class ModelComparison:
    """Every model fitted on the training cutoffs, evaluated on the validation cutoff, and the choice."""

    models: dict[str, BaseEstimator]
    evaluation: Evaluation
    selection: Selection

    @property
    def shipped_model(self) -> BaseEstimator:
        """The shipped model as fitted on the training cutoffs."""
        return self.models[self.selection.shipped]


def compare_models(train: pd.DataFrame, validation: pd.DataFrame, *, seed: int, cv_folds: int = 3,
                   calibration: str = "sigmoid", metric: str = DECISION_METRIC, production_model: str = AUTO,
                   names: Iterable[str] | None = None, threshold: float = 0.5,
                   n_bootstrap: int = 200) -> ModelComparison:
    """Fit every model on ``train``, evaluate on ``validation`` and choose the one that ships.

    ``names`` defaults to every model of :data:`~retention.churn.MODEL_NAMES`; the other arguments are
    those of :func:`~retention.churn.fit_models`, :func:`~retention.churn.evaluate` and
    :func:`select_production_model` (the grid search uses the decision metric too).
    """
    wanted = list(MODEL_NAMES if names is None else names)
    if production_model != AUTO and production_model not in wanted:
        raise ValueError(f"production_model {production_model!r} is not among the models fitted; choose "
                         f"{AUTO!r} or one of {wanted}.")
    models = fit_models(train, seed, cv_folds, calibration=calibration, names=wanted, scoring=metric)
    evaluation = evaluate(models, validation, threshold)
    baselines = [n for n in wanted if MODELS[n].baseline]
    selection = select_production_model(evaluation, metric=metric, production_model=production_model,
                                        baselines=baselines, n_bootstrap=n_bootstrap, seed=seed)
    return ModelComparison(models=models, evaluation=evaluation, selection=selection)
