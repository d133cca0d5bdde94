"""Model-agnostic evaluation of churn scores: metrics at a threshold, gains, reliability and costs.

Every function takes the true labels (1 = churned, 0 = stayed) and a score or probability per
customer, so the same code evaluates the recency baseline, the machine-learning models and any
baseline added later.

Conventions
-----------
* A customer is *predicted* to churn when ``proba >= threshold``.
* Rankings (gains table, top decile) sort by score from high to low with a *stable* sort on
  ``-score``: tied customers keep their input order, so the same input always gives the same table.
  Bin ``k`` (1-based) of ``n_bins`` holds the customers at positions ``r`` (0-based, after sorting)
  with ``floor(r * n_bins / n) == k - 1``; bin sizes differ by at most one.
* Metrics that need both classes (ROC-AUC, PR-AUC) are NaN when only one class is present.

Modules: :mod:`.classification` (the report at a threshold, gains, ROC and precision-recall curves),
:mod:`.calibration` (reliability table, proper scoring rules), :mod:`.costs` (thresholds and the cost of acting)
and :mod:`.inputs` (the input checks and the ranking they share).
"""

from __future__ import annotations

from retention.metrics.calibration import PROPER_SCORES, probability_losses, probability_score, reliability_table
from retention.metrics.classification import (
    LOWER_IS_BETTER,
    REPORT_METRICS,
    classification_report_at,
    gains_table,
    precision_recall_points,
    roc_points,
)
from retention.metrics.costs import cheapest_threshold, confusion_at, cost_optimal_threshold, expected_cost

__all__ = [
    "REPORT_METRICS",
    "classification_report_at",
    "gains_table",
    "reliability_table",
    "roc_points",
    "precision_recall_points",
    "cost_optimal_threshold",
    "expected_cost",
    "confusion_at",
    "PROPER_SCORES",
    "LOWER_IS_BETTER",
    "probability_losses",
    "probability_score",
    "cheapest_threshold",
]
