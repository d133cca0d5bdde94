"""Tests for retention.churn: BTYD features, the registry, calibration folds, the choice of the shipped model,
the decision threshold and collinearity."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.metrics import brier_score_loss

from retention.churn import (
    AUTO,
    BASELINE_NAMES,
    BTYD_FEATURES,
    CANDIDATE_NAMES,
    MODEL_NAMES,
    MODELS,
    TARGET,
    CalibratedModel,
    ChurnDesign,
    Evaluation,
    add_btyd_features,
    btyd_features,
    btyd_features_at,
    choose_threshold,
    collinearity_table,
    compare_models,
    make_models,
    paired_margins,
    plan_cutoffs,
    purchase_log,
    select_production_model,
    training_predictions,
)
from retention.churn.fitting import group_folds
from retention.clv import BetaGeoModel, PurchaseDays
from retention.engine import EngineConfig, open_log
from retention.generator import GeneratorConfig, generate

# The small early cutoffs of these logs make the plain BG/NBD fit degenerate (tested on its own below).
pytestmark = [pytest.mark.filterwarnings("ignore:The purchase model fitted on the history:RuntimeWarning"),
              pytest.mark.filterwarnings("ignore:Hessian of the negative log-likelihood:RuntimeWarning")]

CODES = ["POST", "DOT", "M", "D", "C2", "CRUK", "BANK CHARGES", "AMAZONFEE", "B", "S", "PADS", "ADJUST"]
DESIGN = ChurnDesign(horizon_days=90, n_train_cutoffs=2, spacing_days=30, min_history_days=90)


@pytest.fixture(scope="module")
def log():
    """400 generated customers, cleaned and kept in the engine."""
    raw = generate(GeneratorConfig(n_customers=400, seed=5)).transactions
    with open_log(raw, config=EngineConfig(non_product_codes=tuple(CODES))) as session:
        yield session


@pytest.fixture(scope="module")
def days(log) -> PurchaseDays:
    """The engine's purchase days of the log (what ``purchase_days`` hands the churn stage)."""
    return PurchaseDays.from_grain(log.purchase_days())


@pytest.fixture(scope="module")
def examples(log, days: PurchaseDays) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Training and validation examples with the BTYD columns."""
    end = log.last_date.normalize()
    plan = plan_cutoffs(log.first_date, end, DESIGN)
    btyd = btyd_features_at(days, plan.labelled, 90)
    train = add_btyd_features(log.churn_examples(plan.train, 90, data_end=end), btyd)
    valid = add_btyd_features(log.churn_examples([plan.validation], 90, data_end=end), btyd)
    return train, valid


# --------------------------------------------------------------------------------------------------------
# BTYD features
# --------------------------------------------------------------------------------------------------------


def test_btyd_features_are_the_bgnbd_predictions_at_the_cutoff(log, days: PurchaseDays) -> None:
    cutoff = pd.Timestamp("2011-05-31")
    found = btyd_features(days, cutoff, 90, "W")
    table = found.table
    summary = log.rfm_summary(cutoff, unit="W")
    assert list(table.columns) == list(BTYD_FEATURES)
    assert list(table.index) == list(summary.index) and table.index.name == "CustomerID"
    model = BetaGeoModel().fit(summary["frequency"], summary["recency"], summary["T"], covariance=False)
    args = (summary["frequency"].to_numpy(), summary["recency"].to_numpy(), summary["T"].to_numpy())
    np.testing.assert_allclose(table["p_alive"], model.probability_alive(*args))
    np.testing.assert_allclose(table["p_no_purchase"], model.probability_no_purchase(90 / 7, *args))
    np.testing.assert_allclose(table["expected_purchases"], model.conditional_expected_purchases(90 / 7, *args))
    assert table[["p_alive", "p_no_purchase"]].stack().between(0, 1).all()
    assert found.cutoff == cutoff and not found.seasonal and found.calendar == "none" and not found.penalized
    assert set(found.parameters()) == {"r", "alpha", "a", "b"}
    # Nothing after the cutoff day matters.
    before = days.window(None, days.day_of(cutoff))
    assert before.day.size < days.day.size
    pd.testing.assert_frame_equal(btyd_features(before, cutoff, 90, "W").table, table)


def test_btyd_features_take_any_purchase_model_of_the_clv_package(days: PurchaseDays) -> None:
    bgnbd = btyd_features(days, "2011-05-31", 60, "D").table
    pareto = btyd_features(days, "2011-05-31", 60, "D", model="pareto_nbd")
    assert pareto.forecast.model_name == "pareto_nbd" and list(pareto.table.index) == list(bgnbd.index)
    assert not np.allclose(pareto.table["p_alive"], bgnbd["p_alive"])
    with pytest.raises(ValueError, match="model must be one of"):
        btyd_features(days, "2011-05-31", 60, model="nbd")
    with pytest.raises(ValueError, match="unit"):
        btyd_features(days, "2011-05-31", 60, "M")
    with pytest.raises(ValueError, match="has a purchase on or before"):
        btyd_features(days, "2009-01-01", 60)


def test_btyd_features_follow_the_calendar_the_history_shows(days: PurchaseDays) -> None:
    """A year of history shows the month of year (the generator's November peak), less shows weekdays at most."""
    end = pd.Timestamp(np.datetime64(days.last_day, "D"))
    seasonal, flat = btyd_features(days, end, 90, seasonal=True), btyd_features(days, end, 90, seasonal=False)
    assert seasonal.seasonal and seasonal.calendar == "month and weekday" and flat.calendar == "none"
    # the 90 days after the end (December to February) are quiet: fewer purchases than the flat clock expects
    assert seasonal.table["expected_purchases"].sum() < flat.table["expected_purchases"].sum()
    assert seasonal.table["p_no_purchase"].mean() > flat.table["p_no_purchase"].mean()
    earlier = btyd_features(days, end - pd.Timedelta(days=90), 90, seasonal=True)
    assert earlier.calendar == "weekday"  # 275 days of history: no month of year
    assert earlier.note


def test_a_degenerate_purchase_model_is_refitted_with_a_penalty_and_said_so(days: PurchaseDays,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import retention.clv as clv

    real = clv.fit_purchase_forecast

    def degenerate_unless_penalized(log, cutoff_day, **options):  # noqa: ANN001, ANN003, ANN202
        fitted = real(log, cutoff_day, **options)
        if options.get("penalizer", 0.0) > 0:
            return fitted

        class Broken:
            def __getattr__(self, name):  # noqa: ANN001, ANN204
                return getattr(fitted, name)

            def expected_purchases(self, horizon):  # noqa: ANN001, ANN202
                return np.full(len(fitted.summary), np.nan)

        return Broken()

    monkeypatch.setattr(clv, "fit_purchase_forecast", degenerate_unless_penalized)
    with pytest.warns(RuntimeWarning, match="refitted with penalizer"):
        found = btyd_features(days, "2011-05-04", 90)
    assert found.penalized and np.isfinite(found.table.to_numpy()).all()


def test_add_btyd_features_per_cutoff_and_live(days: PurchaseDays, examples: tuple) -> None:
    train, _ = examples
    for cutoff, rows in train.groupby("cutoff"):
        expected = btyd_features(days, cutoff, 90).table.loc[rows["CustomerID"]]
        np.testing.assert_allclose(rows[list(BTYD_FEATURES)].to_numpy(), expected.to_numpy())
    cutoffs = sorted(train["cutoff"].unique())
    found = btyd_features_at(days, cutoffs, 90)
    assert list(found) == cutoffs
    again = add_btyd_features(train, found)  # replaces the columns, keeps the rows
    pd.testing.assert_frame_equal(again, train)
    with pytest.raises(ValueError, match="No BTYD features for the cutoff"):
        add_btyd_features(train, {cutoffs[0]: found[cutoffs[0]]})
    live = pd.DataFrame({"Recency": [1.0, 2.0]}, index=pd.Index(train["CustomerID"].iloc[:2], name="CustomerID"))
    with pytest.raises(ValueError, match="exactly one cutoff"):
        add_btyd_features(live, found)
    cutoff = train["cutoff"].iloc[0]
    scored = add_btyd_features(live, found[cutoff])
    np.testing.assert_allclose(scored["p_alive"], found[cutoff].table.loc[live.index, "p_alive"])
    with pytest.raises(ValueError, match="no purchase on or before"):
        add_btyd_features(pd.DataFrame(index=pd.Index(["NOBODY"], name="CustomerID")), found[cutoff])


def test_purchase_log_reads_the_engines_purchase_days(days: PurchaseDays) -> None:
    frame = pd.DataFrame({"CustomerID": ["b", "a", "a"], "day": np.array([15_341, 15_340, 15_344], dtype=np.int64),
                          "value": [3.0, 1.0, 2.0]})
    found = purchase_log(frame)
    assert list(found.customers) == ["a", "b"] and found.day.size == 3
    with pytest.raises(ValueError, match="missing column"):
        purchase_log(frame.drop(columns="day"))


# --------------------------------------------------------------------------------------------------------
# Registry and calibration folds
# --------------------------------------------------------------------------------------------------------


def test_registry_names_every_candidate_and_baseline() -> None:
    assert tuple(MODELS) == MODEL_NAMES and len(set(MODEL_NAMES)) == len(MODEL_NAMES)
    assert set(BASELINE_NAMES) | set(CANDIDATE_NAMES) == set(MODEL_NAMES)
    assert {"Recency baseline", "BG/NBD baseline", "Logistic regression", "Random forest", "Gradient boosting",
            "Logistic regression + BTYD", "Random forest + BTYD", "Gradient boosting + BTYD"} <= set(MODEL_NAMES)
    for name, spec in MODELS.items():
        estimator = spec.make(0)
        assert clone(estimator).get_params().keys() == estimator.get_params().keys(), name
        assert set(spec.grid) <= set(estimator.get_params()), name
        assert spec.cross_validated != spec.baseline, name
    assert list(make_models(0)) == list(CANDIDATE_NAMES)


def test_group_folds_keep_a_customer_on_one_side() -> None:
    groups = np.repeat(np.arange(30), 3)
    for fit_rows, held_out in group_folds(groups.size, groups, 3):
        assert not set(groups[fit_rows]) & set(groups[held_out])
    with pytest.raises(ValueError, match="fewer cv_folds"):
        group_folds(4, np.array([0, 0, 1, 1]), 3)


def test_calibrated_model_keeps_a_calibrated_model_per_fold(examples: tuple) -> None:
    train, valid = examples
    spec = MODELS["Logistic regression + BTYD"]
    model = CalibratedModel(spec.make(0), spec.grid, cv_folds=3).fit(train, train[TARGET])
    assert len(model.estimators_) == len(model.calibrators_) == 3
    assert model.best_params_["model__C"] in spec.grid["model__C"]
    assert len(model.cv_results_) == len(spec.grid["model__C"])
    oof = training_predictions(model, train)
    assert oof.index.equals(train.index) and oof.between(0, 1).all()
    # Calibrated out of fold: the mean probability matches the churn rate of the training rows.
    assert abs(oof.mean() - train[TARGET].mean()) < 0.01
    members = [c.predict(m.predict_proba(valid)[:, 1]) for m, c in zip(model.estimators_, model.calibrators_,
                                                                           strict=True)]
    np.testing.assert_allclose(model.predict_proba(valid)[:, 1], np.mean(members, axis=0))
    with pytest.raises(ValueError, match="scoring"):
        CalibratedModel(spec.make(0), scoring="roc_auc").fit(train, train[TARGET])


# --------------------------------------------------------------------------------------------------------
# The choice of the shipped model
# --------------------------------------------------------------------------------------------------------


def _evaluation(probabilities: dict[str, list[float]], y: list[int]) -> Evaluation:
    """An Evaluation of hand-made probabilities (the table has the metrics the choice reads)."""
    frame = pd.DataFrame(probabilities)
    labels = pd.Series(y, name=TARGET)
    table = pd.DataFrame({name: {"brier": brier_score_loss(y, p), "log_loss": 0.0, "roc_auc": 0.5}
                          for name, p in probabilities.items()}).T
    table.index.name = "model"
    return Evaluation(table=table, probabilities=frame, y_true=labels)


Y = [1, 1, 1, 0, 0, 0, 1, 0]


def test_the_validation_winner_ships_with_its_margins() -> None:
    evaluation = _evaluation({
        "Recency baseline": [0.6] * 4 + [0.4] * 4,
        "BG/NBD baseline": [0.7, 0.7, 0.7, 0.3, 0.3, 0.3, 0.5, 0.5],
        "Model": [0.9, 0.9, 0.8, 0.1, 0.2, 0.1, 0.6, 0.4],
    }, Y)
    selection = select_production_model(evaluation, n_bootstrap=100, seed=1)
    assert selection.shipped == selection.winner == "Model" and not selection.pinned
    assert list(selection.table.index) == ["Model", "BG/NBD baseline", "Recency baseline"]
    assert selection.table["rank"].tolist() == [1, 2, 3]
    assert selection.table.loc["Model", "role"] == "candidate" and selection.table.loc["Model", "shipped"]
    margins = selection.margins
    assert list(margins.index) == ["Recency baseline", "BG/NBD baseline"]
    expected = brier_score_loss(Y, evaluation.probabilities["BG/NBD baseline"]) - brier_score_loss(
        Y, evaluation.probabilities["Model"])
    assert margins.loc["BG/NBD baseline", "margin"] == pytest.approx(expected)
    assert selection.shipped_beats_every_baseline and not selection.shipped_is_baseline
    assert selection.optimism >= 0 and 0 < selection.win_share <= 1
    summary = selection.to_dict()
    assert summary["shipped"] == "Model" and set(summary["margins_over_baselines"]) == set(margins.index)


def test_a_winning_baseline_ships_and_a_pin_is_honoured() -> None:
    evaluation = _evaluation({
        "Recency baseline": [0.9, 0.9, 0.8, 0.1, 0.2, 0.1, 0.6, 0.4],
        "Model": [0.6] * 4 + [0.4] * 4,
    }, Y)
    selection = select_production_model(evaluation, n_bootstrap=0)
    assert selection.shipped == "Recency baseline" and selection.shipped_is_baseline
    assert selection.margins.empty and selection.shipped_beats_every_baseline  # no other baseline to beat
    pinned = select_production_model(evaluation, production_model="Model", n_bootstrap=0)
    assert pinned.shipped == "Model" and pinned.winner == "Recency baseline" and pinned.pinned
    assert not pinned.shipped_beats_every_baseline  # said, not hidden
    with pytest.raises(ValueError, match="production_model"):
        select_production_model(evaluation, production_model="SVM")
    with pytest.raises(ValueError, match="proper scoring rule"):
        select_production_model(evaluation, metric="roc_auc")


def test_ties_go_to_the_higher_auc_then_to_the_earlier_model() -> None:
    same = [0.6] * 4 + [0.4] * 4
    evaluation = _evaluation({"Recency baseline": same, "Model": same}, Y)
    assert select_production_model(evaluation, n_bootstrap=0).shipped == "Recency baseline"
    evaluation.table.loc["Model", "roc_auc"] = 0.6
    assert select_production_model(evaluation, n_bootstrap=0).shipped == "Model"


def test_selection_optimism_is_zero_for_a_dominant_model_and_positive_for_a_coin_toss() -> None:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 400)
    good = np.where(y == 1, 0.8, 0.2)
    dominant = _evaluation({"Recency baseline": np.full(400, 0.5), "Model": good}, list(y))
    assert select_production_model(dominant, n_bootstrap=50).optimism == 0
    twins = {"Recency baseline": np.full(400, 0.5), **{f"M{i}": np.clip(0.5 + rng.normal(0, 0.05, 400), 0, 1)
                                                     for i in range(4)}}
    noisy = select_production_model(_evaluation(twins, list(y)), n_bootstrap=100)
    assert noisy.optimism > 0 and noisy.win_share < 1


def test_paired_margins_on_known_losses() -> None:
    evaluation = _evaluation({"A": [1.0, 0.0, 0.5, 0.5], "B": [0.5, 0.5, 0.5, 0.5]}, [1, 0, 1, 0])
    margins = paired_margins(evaluation, "A", ["B"])
    # losses A: 0, 0, .25, .25; B: .25 each -> differences .25, .25, 0, 0
    assert margins.loc["B", "margin"] == pytest.approx(0.125)
    assert margins.loc["B", "margin_se"] == pytest.approx(np.std([0.25, 0.25, 0, 0], ddof=1) / 2)
    assert margins.loc["B", "at_least_as_good"]


def test_compare_models_ships_nothing_worse_than_a_baseline(examples: tuple) -> None:
    train, valid = examples
    names = ["Recency baseline", "BG/NBD baseline", "Logistic regression", "Gradient boosting + BTYD"]
    comparison = compare_models(train, valid, seed=0, names=names, n_bootstrap=50)
    selection = comparison.selection
    assert set(selection.table.index) == set(names) and selection.shipped in names
    assert selection.shipped_beats_every_baseline
    assert (selection.table.loc[selection.shipped, "brier"] <= selection.table["brier"]).all()
    assert comparison.shipped_model is comparison.models[selection.shipped]
    with pytest.raises(ValueError, match="not among the models"):
        compare_models(train, valid, seed=0, names=names, production_model="Random forest")
    assert AUTO == "auto"


# --------------------------------------------------------------------------------------------------------
# The decision threshold and collinearity
# --------------------------------------------------------------------------------------------------------


def test_threshold_is_cheapest_on_the_training_folds_and_drift_is_reported() -> None:
    rng = np.random.default_rng(3)
    p_train = rng.uniform(0, 1, 5000)
    y_train = (rng.uniform(0, 1, 5000) < p_train).astype(int)  # calibrated
    p_valid = rng.uniform(0, 1, 5000)
    y_valid = (rng.uniform(0, 1, 5000) < p_valid - 0.15).astype(int)  # the model overstates churn here
    choice = choose_threshold(y_train, p_train, y_valid, p_valid, 40.0, 20.0)
    assert abs(choice.threshold - 1 / 3) < 0.05  # calibrated training predictions: near the break-even
    assert choice.bayes_threshold == pytest.approx(1 / 3)
    train_costs = choice.table["train_cost_per_customer"]
    assert train_costs.iloc[0] == train_costs.min()  # cheapest where it claims to be
    valid_costs = choice.table["validation_cost_per_customer"]
    assert valid_costs.loc["Cheapest on validation (hindsight)"] == valid_costs.min()
    assert choice.drifted and "overstate churn" in choice.note
    calm = choose_threshold(y_train, p_train, y_train, p_train, 40.0, 20.0)
    assert not calm.drifted and "stayed calibrated" in calm.note and calm.cheaper_than_default_on_validation


def test_collinearity_table_flags_a_near_copy() -> None:
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=500), rng.normal(size=500)
    design = pd.DataFrame({"a": a, "b": b, "a_again": a + rng.normal(0, 0.1, 500), "constant": 1.0})
    table = collinearity_table(design)
    assert table.loc["b", "vif"] == pytest.approx(1.0, abs=0.05) and not table.loc["b", "collinear"]
    assert table.loc["a", "vif"] > 50 and table.loc["a", "collinear"]
    assert table.loc["a", "most_correlated_with"] == "a_again" and table.loc["a", "correlation"] > 0.99
    assert np.isnan(table.loc["constant", "vif"]) and not table.loc["constant", "collinear"]
