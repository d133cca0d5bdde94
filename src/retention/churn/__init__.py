"""Non-contractual churn: out-of-time labels, baselines, candidates with and without BTYD features, the
model that ships, and explanations.

A customer has *churned* at a cutoff day when they make no purchase in the ``horizon_days`` after it.
Models learn from earlier cutoffs and are judged once on a later one (out-of-time validation); the
model with the best validation score on the decision metric ships, calibrated, as ``churn_probability``
(with ``risk_band``), after a refit on every labelled cutoff.

Modules (one concern each)
--------------------------
* :mod:`~retention.churn.design` -- the definition and the cutoff plan (the labels and examples are the
  engine's, :meth:`retention.engine.Session.churn_examples`).
* :mod:`~retention.churn.btyd` -- BTYD outputs (P(alive), P(no purchase in H), expected purchases) as
  features, each cutoff's purchase model fitted on the purchase days before it, on the shop's calendar.
* :mod:`~retention.churn.baselines` -- the recency rule and the BTYD purchase model as baselines.
* :mod:`~retention.churn.models` -- feature selection and the registry (:data:`MODELS`, :data:`MODEL_NAMES`).
* :mod:`~retention.churn.calibration`, :mod:`~retention.churn.fitting` -- grouped-CV tuning and calibration.
* :mod:`~retention.churn.evaluate`, :mod:`~retention.churn.select` -- the out-of-time table and the choice.
* :mod:`~retention.churn.threshold` -- the decision threshold, chosen on the training folds.
* :mod:`~retention.churn.explain`, :mod:`~retention.churn.customers` -- coefficients as associations,
  collinearity, permutation importance, per-customer reasons and risk bands.

Typical use::

    plan = plan_cutoffs(first, last, design)
    log = purchase_log(session.purchase_days())                    # the engine's purchase days
    btyd = btyd_features_at(log, plan.labelled, design.horizon_days, seasonal="auto")
    train = add_btyd_features(session.churn_examples(plan.train, design.horizon_days), btyd)
    valid = add_btyd_features(session.churn_examples([plan.validation], design.horizon_days), btyd)
    comparison = compare_models(train, valid, seed=42)          # fit all, evaluate, choose
    comparison.selection.shipped, comparison.selection.margins  # the winner and its margins

Everything random is seeded and folds are not shuffled: the same seed gives bit-identical probabilities.
"""

from retention.churn.baselines import BGNBDBaseline, BTYDBaseline, RecencyBaseline
from retention.churn.btyd import (
    BTYD_FEATURES,
    PURCHASE_MODEL,
    BTYDFeatures,
    add_btyd_features,
    btyd_features,
    btyd_features_at,
    purchase_log,
)
from retention.churn.calibration import CALIBRATION_METHODS, ProbabilityCalibrator
from retention.churn.customers import RISK_BANDS, probability_histogram, risk_band, top_reasons
from retention.churn.design import (
    TARGET,
    ChurnDesign,
    CutoffPlan,
    plan_cutoffs,
)
from retention.churn.evaluate import (
    Curves,
    Evaluation,
    against_outcomes,
    beats_baseline,
    confusion_table,
    curves,
    evaluate,
    paired_margins,
)
from retention.churn.explain import (
    COEFFICIENT_NOTE,
    VIF_LIMIT,
    collinearity_table,
    logistic_coefficients,
    permutation_importance_table,
)
from retention.churn.fitting import (
    CalibratedModel,
    calibrate,
    chosen_hyperparameters,
    fit_models,
    predict_churn,
    refit,
    refit_and_score,
    training_predictions,
)
from retention.churn.models import (
    BASELINE_NAME,
    BASELINE_NAMES,
    BTYD_BASELINE_NAME,
    CALIBRATED_BTYD_BASELINE_NAME,
    CANDIDATE_NAMES,
    EXPLAINABLE_MODEL,
    LOG_FEATURES,
    LOGIT_FEATURES,
    MODEL_FEATURES,
    MODEL_NAMES,
    MODELS,
    PARAM_GRIDS,
    PRODUCTION_MODEL,
    ModelFeatures,
    ModelSpec,
    make_models,
)
from retention.churn.select import (
    AUTO,
    DECISION_METRIC,
    ModelComparison,
    Selection,
    compare_models,
    select_production_model,
)
from retention.churn.threshold import ThresholdChoice, choose_threshold

__all__ = [
    # design
    "TARGET", "ChurnDesign", "CutoffPlan", "plan_cutoffs",
    # BTYD features
    "BTYD_FEATURES", "PURCHASE_MODEL", "BTYDFeatures", "purchase_log", "btyd_features", "btyd_features_at",
    "add_btyd_features",
    # registry and estimators
    "MODELS", "MODEL_NAMES", "BASELINE_NAMES", "CANDIDATE_NAMES", "BASELINE_NAME", "BTYD_BASELINE_NAME",
    "CALIBRATED_BTYD_BASELINE_NAME",
    "EXPLAINABLE_MODEL", "PRODUCTION_MODEL", "MODEL_FEATURES", "LOG_FEATURES", "LOGIT_FEATURES", "PARAM_GRIDS",
    "ModelSpec", "ModelFeatures", "make_models", "RecencyBaseline", "BTYDBaseline", "BGNBDBaseline",
    # fitting
    "CALIBRATION_METHODS", "ProbabilityCalibrator", "CalibratedModel", "calibrate", "fit_models", "predict_churn",
    "training_predictions", "refit", "refit_and_score", "chosen_hyperparameters",
    # evaluation and choice
    "Evaluation", "Curves", "evaluate", "curves", "confusion_table", "against_outcomes", "beats_baseline",
    "paired_margins", "DECISION_METRIC", "AUTO", "Selection",
    "select_production_model", "ModelComparison", "compare_models", "ThresholdChoice", "choose_threshold",
    # explanations and per-customer outputs
    "COEFFICIENT_NOTE", "VIF_LIMIT", "logistic_coefficients", "collinearity_table", "permutation_importance_table",
    "RISK_BANDS", "top_reasons", "risk_band", "probability_histogram",
]
