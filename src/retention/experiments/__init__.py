"""Measure, don't assume: design a campaign test, read its results, measure the effect, learn who responds.

* :mod:`~retention.experiments.design` -- customers per arm for a given uplift at stated power and
  significance (statsmodels), the test's expected cost, a verdict on whether the list is big enough, and a
  seeded assignment stratified by segment and risk band.
* :mod:`~retention.experiments.results` -- read and validate a past campaign's assignment file.
* :mod:`~retention.experiments.outcomes` -- each test customer's purchases in the outcome window (only
  after the send date; counted by the engine), and the margin net of the discount.
* :mod:`~retention.experiments.features` -- what the learners know: features and the BG/NBD purchase
  outlook as of each send date.
* :mod:`~retention.experiments.effects` -- uplift with confidence intervals, overall and by group, and a
  sentence on whether the campaign paid.
* :mod:`~retention.experiments.learners` -- T-, X-, transformed-outcome and baseline-risk uplift learners
  (scikit-learn).
* :mod:`~retention.experiments.evaluation` -- cross-fitting, Qini and uplift curves, areas vs random and
  vs the oracle, and the learners compared to choose one.
* :mod:`~retention.experiments.decide` -- the measured uplift for the ROI, and customers ranked by
  predicted incremental profit with sleeping dogs excluded.
"""

from retention.experiments.decide import (
    MeasuredUplift,
    RankedTargets,
    expected_offer_cost,
    measured_uplift,
    predicted_incremental_profit,
    rank_by_incremental_profit,
)
from retention.experiments.design import (
    ExperimentDesign,
    assign_groups,
    design_test,
    detectable_uplift,
    expected_test_cost,
    sample_size,
)
from retention.experiments.effects import (
    campaign_profit,
    campaign_verdict,
    mean_effect,
    measure_effects,
    proportion_effect,
)
from retention.experiments.evaluation import (
    LearnerComparison,
    compare_learners,
    cross_fit_uplift,
    curve_area,
    curve_points,
    qini_curve,
    qini_summary,
    true_gain_curve,
)
from retention.experiments.features import (
    LEARNER_FEATURES,
    OUTLOOK_FEATURES,
    UPLIFT_FEATURES,
    learner_features,
    purchase_outlook,
    send_date_features,
)
from retention.experiments.learners import (
    LEARNERS,
    BaselineRiskLearner,
    TLearner,
    TransformedOutcomeLearner,
    XLearner,
    make_learner,
)
from retention.experiments.outcomes import campaign_outcomes, margin_outcome
from retention.experiments.results import (
    GROUPS,
    CampaignResults,
    check_results,
    read_results,
    results_file,
    validate_results,
)

__all__ = [
    "ExperimentDesign", "sample_size", "detectable_uplift", "expected_test_cost", "design_test", "assign_groups",
    "GROUPS", "CampaignResults", "read_results", "validate_results", "results_file", "check_results",
    "campaign_outcomes", "margin_outcome",
    "proportion_effect", "mean_effect", "measure_effects", "campaign_profit", "campaign_verdict",
    "UPLIFT_FEATURES", "OUTLOOK_FEATURES", "LEARNER_FEATURES", "send_date_features", "purchase_outlook",
    "learner_features",
    "LEARNERS", "TLearner", "XLearner", "TransformedOutcomeLearner", "BaselineRiskLearner", "make_learner",
    "cross_fit_uplift", "qini_curve", "true_gain_curve", "curve_area", "qini_summary", "curve_points",
    "LearnerComparison", "compare_learners",
    "MeasuredUplift", "measured_uplift", "expected_offer_cost", "predicted_incremental_profit", "RankedTargets",
    "rank_by_incremental_profit",
]
