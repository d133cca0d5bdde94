"""Tests for retention.churn: cutoffs, labels, no leakage, calibration, determinism and explanations.

Selection, thresholds, BTYD features and collinearity are in tests/test_churn_selection.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import brier_score_loss

from retention.churn import (
    BASELINE_NAME,
    BASELINE_NAMES,
    BTYD_FEATURES,
    MODEL_FEATURES,
    MODEL_NAMES,
    PRODUCTION_MODEL,
    TARGET,
    BTYDBaseline,
    CalibratedModel,
    ChurnDesign,
    ModelFeatures,
    RecencyBaseline,
    add_btyd_features,
    against_outcomes,
    beats_baseline,
    btyd_features,
    btyd_features_at,
    calibrate,
    chosen_hyperparameters,
    confusion_table,
    curves,
    evaluate,
    fit_models,
    logistic_coefficients,
    make_models,
    permutation_importance_table,
    plan_cutoffs,
    predict_churn,
    refit,
    refit_and_score,
    risk_band,
    top_reasons,
)
from retention.churn.customers import _reason
from retention.churn.explain import VIF_LIMIT
from retention.churn.models import PARAM_GRIDS
from retention.clv import PurchaseDays
from retention.engine import EngineConfig, open_log
from retention.generator import GeneratorConfig, generate

NON_PRODUCT_CODES = ["POST", "DOT", "M", "D", "C2", "CRUK", "BANK CHARGES", "AMAZONFEE", "B", "S", "PADS", "ADJUST"]
DESIGN = ChurnDesign(horizon_days=90, n_train_cutoffs=4, spacing_days=30, min_history_days=90)
T = pd.Timestamp


@dataclass(frozen=True)
class Prepared:
    """A generated log opened in the engine, its cutoff plan, examples and fitted models."""

    raw: pd.DataFrame
    days: PurchaseDays
    end: pd.Timestamp
    truth: pd.DataFrame
    train: pd.DataFrame
    validation: pd.DataFrame
    labelled: pd.DataFrame
    live: pd.DataFrame
    models: dict


CONFIG = EngineConfig(non_product_codes=tuple(NON_PRODUCT_CODES))


@pytest.fixture(scope="module")
def prepared() -> Prepared:
    """600 generated customers, cleaned in the engine, with examples (BTYD columns included) and every model."""
    log = generate(GeneratorConfig(n_customers=600, seed=11))
    with open_log(log.transactions, config=CONFIG) as session:
        end = session.end_date
        days = PurchaseDays.from_grain(session.purchase_days())
        plan = plan_cutoffs(session.first_date, end, DESIGN)
        examples = session.churn_examples(plan.labelled, DESIGN.horizon_days, data_end=end)
        live = session.customer_features(plan.live)
    btyd = btyd_features_at(days, plan.labelled, 90)
    train = add_btyd_features(examples[examples["cutoff"].isin(plan.train)].reset_index(drop=True), btyd)
    validation = add_btyd_features(examples[examples["cutoff"] == plan.validation].reset_index(drop=True), btyd)
    models = fit_models(train, seed=0)
    return Prepared(log.transactions, days, end, log.truth, train, validation, examples, live, models)


def _purchases(rows: list[tuple[str, str]], value: float = 10.0) -> pd.DataFrame:
    """Canonical lines from (CustomerID, InvoiceDate) pairs, one invoice each (a negative value: a return)."""
    frame = pd.DataFrame(rows, columns=["CustomerID", "InvoiceDate"])
    frame["InvoiceDate"] = pd.to_datetime(frame["InvoiceDate"])
    prefix = "C" if value < 0 else ""
    frame["InvoiceNo"] = [f"{prefix}{600000 + i}" for i in range(len(frame))]
    frame["StockCode"] = "P1"
    frame["Description"] = "ITEM"
    frame["Quantity"] = -1.0 if value < 0 else 1.0
    frame["UnitPrice"] = abs(value)
    frame["Country"] = "United Kingdom"
    return frame


# --------------------------------------------------------------------------------------------------------
# Cutoffs
# --------------------------------------------------------------------------------------------------------


def test_plan_cutoffs_on_known_dates() -> None:
    plan = plan_cutoffs("2010-12-01 08:03", "2011-11-30 17:00", DESIGN)
    assert plan.live == T("2011-11-30")
    assert plan.validation == T("2011-09-01")  # 2011-09-01 + 90 days = 2011-11-30
    assert plan.train == [T("2011-03-05"), T("2011-04-04"), T("2011-05-04"), T("2011-06-03")]
    assert plan.train[-1] + pd.Timedelta(days=90) == plan.validation  # label windows do not overlap
    assert plan.labelled == [*plan.train, plan.validation]


def test_plan_cutoffs_stops_at_the_minimum_history() -> None:
    many = ChurnDesign(horizon_days=90, n_train_cutoffs=10, spacing_days=30, min_history_days=90)
    assert len(plan_cutoffs("2010-12-01", "2011-11-30", many).train) == 4  # 2011-02-03 < 2011-03-01
    longer = ChurnDesign(horizon_days=90, n_train_cutoffs=10, spacing_days=30, min_history_days=100)
    assert plan_cutoffs("2010-12-01", "2011-11-30", longer).train[0] == T("2011-04-04")
    one = ChurnDesign(horizon_days=90, n_train_cutoffs=1, spacing_days=30, min_history_days=90)
    assert plan_cutoffs("2010-12-01", "2011-11-30", one).train == [T("2011-06-03")]


def test_plan_cutoffs_rejects_too_short_data() -> None:
    with pytest.raises(ValueError, match=r"too short.*2010-12-01.*2011-07-01.*shorter horizon_days") as error:
        plan_cutoffs("2010-12-01", "2011-07-01", DESIGN)
    assert "2011-03-01" in str(error.value)  # the earliest allowed training cutoff is named
    # The same span works with a shorter horizon.
    assert plan_cutoffs("2010-12-01", "2011-07-01", ChurnDesign(horizon_days=60)).validation == T("2011-05-02")


def test_design_rejects_bad_values() -> None:
    with pytest.raises(ValueError, match="horizon_days"):
        ChurnDesign(horizon_days=0)
    with pytest.raises(ValueError, match="spacing_days"):
        ChurnDesign(spacing_days=2.5)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------------------
# Labels and examples
# --------------------------------------------------------------------------------------------------------


@pytest.fixture()
def hand_log() -> pd.DataFrame:
    """Customers around the cutoff 2011-03-01 with a 30-day window (2011-03-02 .. 2011-03-31)."""
    return _purchases([
        ("A", "2011-02-01 10:00"), ("A", "2011-03-10 10:00"),   # buys inside the window -> 0
        ("B", "2011-02-01 10:00"), ("B", "2011-04-05 10:00"),   # buys only after the window -> 1
        ("C", "2011-02-15 10:00"), ("C", "2011-03-31 23:00"),   # buys on the window's last day -> 0
        ("D", "2011-03-01 23:59"),                              # buys late on the cutoff day only -> 1
        ("E", "2011-03-05 10:00"),                              # first buys after the cutoff -> unlabelled
        ("F", "2011-02-01 10:00"), ("F", "2011-04-01 00:00"),   # first instant after the window -> 1
    ])


def test_churn_labels_on_a_hand_built_log(hand_log: pd.DataFrame) -> None:
    with open_log(hand_log, layout="canonical") as log:
        labels = log.churn_labels("2011-03-01", 30)
        assert labels.name == TARGET
        assert labels.to_dict() == {"A": 0, "B": 1, "C": 0, "D": 1, "F": 1}
        assert labels.dtype == np.int64
        # A time of day on the cutoff changes nothing: the whole cutoff day is history.
        assert log.churn_labels("2011-03-01 09:00", 30).equals(labels)


def test_churn_labels_refuse_a_window_past_the_data(hand_log: pd.DataFrame) -> None:
    with open_log(hand_log, layout="canonical") as log:
        with pytest.raises(ValueError, match=r"runs to 2011-04-09, past the data's last day 2011-04-05"):
            log.churn_labels("2011-03-10", 30)
        # With a later data end (e.g. the cleaning end date) the same window is complete.
        assert len(log.churn_labels("2011-03-10", 30, data_end="2011-04-30")) == 6


def test_examples_stack_cutoffs(prepared: Prepared) -> None:
    train, days = prepared.train, prepared.days
    assert {"CustomerID", "cutoff", TARGET, *MODEL_FEATURES} <= set(train.columns)
    assert train["cutoff"].nunique() == 4
    assert not train.duplicated(["cutoff", "CustomerID"]).any()
    for cutoff, rows in train.groupby("cutoff"):
        active = np.unique(days.code[days.day <= days.day_of(cutoff)]).size  # customers who bought by then
        assert len(rows) == active
        assert (rows["LastPurchase"] <= cutoff).all()
    assert 0.2 < train[TARGET].mean() < 0.9


def test_no_leakage_future_purchases_change_labels_not_features(prepared: Prepared) -> None:
    raw, end = prepared.raw, prepared.end
    cutoff = T("2011-05-04")
    with open_log(raw, config=CONFIG) as log:
        before = log.churn_examples([cutoff], DESIGN.horizon_days, data_end=end)
    churners = before.loc[before[TARGET] == 1, "CustomerID"].head(5).tolist()
    assert len(churners) == 5
    future = _purchases([(c, "2011-05-20 12:00") for c in churners] + [("NEWCOMER", "2011-05-10 09:00")])
    future_returns = _purchases([(c, "2011-05-21 12:00") for c in churners], value=-5.0)
    with open_log(pd.concat([raw, future, future_returns], ignore_index=True), config=CONFIG) as log:
        after = log.churn_examples([cutoff], DESIGN.horizon_days, data_end=end)

    features = [c for c in before.columns if c != TARGET]
    pd.testing.assert_frame_equal(before[features], after[features])  # same customers, same features
    changed = before.loc[before[TARGET] != after[TARGET], "CustomerID"]
    assert sorted(changed) == sorted(churners)
    assert (after.set_index("CustomerID").loc[churners, TARGET] == 0).all()


def test_features_with_the_designs_window() -> None:
    with open_log(_purchases([("A", "2011-01-01"), ("A", "2011-05-30"), ("B", "2011-02-01")]),
                  layout="canonical") as log:
        design = ChurnDesign(feature_window_days=30)
        windowed = log.customer_features("2011-06-01", window_days=design.feature_window_days)
        assert windowed.index.tolist() == ["A"]
        assert windowed.loc["A", "Frequency"] == 1
        assert log.customer_features("2011-06-01", window_days=ChurnDesign().feature_window_days
                                     ).loc["A", "Frequency"] == 2


# --------------------------------------------------------------------------------------------------------
# Estimators
# --------------------------------------------------------------------------------------------------------


def test_recency_baseline_finds_the_obvious_threshold() -> None:
    X = pd.DataFrame({"Recency": [1, 2, 3, 10, 20, 30], "Frequency": [5, 4, 6, 1, 2, 1]})
    y = [0, 0, 0, 1, 1, 1]
    baseline = RecencyBaseline().fit(X, y)
    assert baseline.threshold_ == 3
    assert baseline.predict(X).tolist() == y
    proba = baseline.predict_proba(pd.DataFrame({"Recency": [0, 2, 15, 400]}))[:, 1]
    np.testing.assert_allclose(proba, [0.0, 0.0, 1.0, 1.0])
    assert RecencyBaseline(criterion="accuracy").fit(X["Recency"].to_numpy()[:, None], y).threshold_ == 3


def test_recency_baseline_balanced_accuracy_differs_from_accuracy() -> None:
    # 7 churners, 3 stayers (recency 0, 5, 5). Accuracy predicts churn from recency 1 (8 of 10 right);
    # balanced accuracy moves past the two stayers at 5 (0.5 * (3/7 + 3/3) = 0.71 > 0.5 * (7/7 + 1/3)).
    X = pd.DataFrame({"Recency": [0, 1, 2, 3, 4, 5, 5, 6, 7, 8]})
    y = [0, 1, 1, 1, 1, 0, 0, 1, 1, 1]
    assert RecencyBaseline(criterion="accuracy").fit(X, y).threshold_ == 0
    assert RecencyBaseline(criterion="balanced_accuracy").fit(X, y).threshold_ == 5


def test_model_features_drop_a_column_that_is_all_missing(prepared: Prepared) -> None:
    frame = prepared.train.assign(UniqueProducts=np.nan)
    selector = ModelFeatures().fit(frame)
    assert "UniqueProducts" not in selector.columns_
    assert selector.transform(frame).shape == (len(frame), len(MODEL_FEATURES) - 1)
    partly = prepared.train.assign(UniqueProducts=prepared.train["UniqueProducts"].where(lambda s: s > 5))
    matrix = ModelFeatures(log=False).fit(partly).transform(partly)
    assert not np.isnan(matrix).any()


def test_calibration_fixes_a_squashed_model(prepared: Prepared) -> None:
    # A heavily over-penalised logistic regression ranks customers but squashes every probability
    # towards the base rate; calibration on grouped training folds must repair it out of time.
    squashed = make_models(0, ["Logistic regression"])["Logistic regression"].set_params(model__C=1e-5)
    train, validation = prepared.train, prepared.validation
    raw = squashed.fit(train, train[TARGET]).predict_proba(validation)[:, 1]
    assert raw.std() < 0.02
    raw_brier = brier_score_loss(validation[TARGET], raw)
    for method in ("sigmoid", "isotonic"):
        fixed = calibrate(squashed, train, train[TARGET], train["CustomerID"], method=method)
        fixed_brier = brier_score_loss(validation[TARGET], fixed.predict_proba(validation)[:, 1])
        assert fixed_brier < raw_brier - 0.01, method


def test_fit_models_fits_every_registered_model(prepared: Prepared) -> None:
    assert list(prepared.models) == list(MODEL_NAMES)
    for name, model in prepared.models.items():
        assert isinstance(model, CalibratedModel) == (name not in BASELINE_NAMES), name
        proba = predict_churn(model, prepared.validation)
        assert proba.between(0, 1).all(), name
    with pytest.raises(ValueError, match="add_btyd_features"):
        fit_models(prepared.train.drop(columns=list(BTYD_FEATURES)), seed=0, names=["Random forest + BTYD"])
    with pytest.raises(ValueError, match="Unknown model"):
        fit_models(prepared.train, seed=0, names=["SVM"])


def test_fit_models_is_deterministic_for_a_seed(prepared: Prepared) -> None:
    names = [BASELINE_NAME, "BG/NBD baseline (calibrated)", "Logistic regression + BTYD", "Gradient boosting"]
    again = fit_models(prepared.train, seed=0, names=names)
    assert list(again) == names
    for name, model in again.items():
        first = predict_churn(prepared.models[name], prepared.validation).to_numpy()
        assert np.array_equal(first, predict_churn(model, prepared.validation).to_numpy()), name
    other_seed = fit_models(prepared.train, seed=1, names=["Random forest"])["Random forest"]
    assert not np.array_equal(predict_churn(other_seed, prepared.validation),
                              predict_churn(prepared.models["Random forest"], prepared.validation))


def test_hyperparameters_come_from_the_grids(prepared: Prepared) -> None:
    chosen = chosen_hyperparameters(prepared.models).set_index(["model", "parameter"])["value"]
    for (name, parameter), value in chosen.items():
        assert value in PARAM_GRIDS[name][f"model__{parameter}"], (name, parameter)
    assert set(chosen.index.get_level_values("model")) == set(PARAM_GRIDS)
    lr = prepared.models["Logistic regression"]
    assert len(lr.cv_results_) == len(PARAM_GRIDS["Logistic regression"]["model__C"])
    assert lr.cv_results_["score"].min() == lr.cv_results_.set_index("model__C").loc[lr.best_params_["model__C"],
                                                                                       "score"]


# --------------------------------------------------------------------------------------------------------
# Evaluation and live scoring
# --------------------------------------------------------------------------------------------------------


def test_out_of_time_evaluation(prepared: Prepared) -> None:
    result = evaluate(prepared.models, prepared.validation, threshold=0.5)
    table = result.table
    assert list(table.index) == list(prepared.models)
    assert (table["n"] == len(prepared.validation)).all()
    assert table.loc["Logistic regression", "roc_auc"] > 0.6  # a sanity check, not a target
    assert table.loc[BASELINE_NAME, "roc_auc"] > 0.55
    probabilities = result.probabilities
    assert probabilities.index.equals(prepared.validation.index)
    assert ((probabilities >= 0) & (probabilities <= 1)).all().all()
    comparison = beats_baseline(table, metric="roc_auc")
    assert list(comparison.index) == [n for n in MODEL_NAMES if n != BASELINE_NAME]
    assert (comparison["beats"] == (comparison["model_value"] > table.loc[BASELINE_NAME, "roc_auc"])).all()


def test_beats_baseline_knows_lower_is_better_for_losses() -> None:
    table = pd.DataFrame({"brier": [0.20, 0.18, 0.25], "roc_auc": [0.70, 0.69, 0.75]},
                         index=[BASELINE_NAME, "Model A", "Model B"])
    brier = beats_baseline(table, metric="brier")
    assert brier["beats"].to_dict() == {"Model A": True, "Model B": False}
    np.testing.assert_allclose(brier["gain"], [0.02, -0.05])
    auc = beats_baseline(table, metric="roc_auc", min_gain=0.01)
    assert auc["beats"].to_dict() == {"Model A": False, "Model B": True}
    with pytest.raises(ValueError, match="no row"):
        beats_baseline(table.drop(index=BASELINE_NAME))


def test_refit_and_score_live_customers(prepared: Prepared) -> None:
    labelled, live = prepared.labelled, prepared.live
    proba = refit_and_score(PRODUCTION_MODEL, labelled, live, seed=0)
    assert proba.index.equals(live.index)
    # With the model fitted on the training cutoffs, its chosen settings are kept (no new grid search).
    like = prepared.models["Random forest"]
    kept = refit("Random forest", labelled, seed=0, like=like)
    assert kept.best_params_ == like.best_params_ and len(kept.cv_results_) == 1
    assert proba.between(0, 1).all()
    truth = prepared.truth.set_index("CustomerID").loc[live.index]
    churned = (truth["purchases_next_90d"] == 0).astype(int)
    assert proba[churned == 1].mean() > proba[churned == 0].mean() + 0.1


def test_permutation_importance_ranks_recency_high(prepared: Prepared) -> None:
    validation = prepared.validation
    table = permutation_importance_table(prepared.models["Random forest"], validation, validation[TARGET], seed=0)
    assert set(table["feature"]) == set(MODEL_FEATURES)
    assert table["importance_mean"].is_monotonic_decreasing
    assert "Recency" in table["feature"].head(3).tolist()


# --------------------------------------------------------------------------------------------------------
# Explanations and bands
# --------------------------------------------------------------------------------------------------------


def test_logistic_coefficients_read_as_associations(prepared: Prepared) -> None:
    table = logistic_coefficients(prepared.models["Logistic regression"]).set_index("feature")
    assert set(table.index) == set(MODEL_FEATURES)
    assert table.loc["Recency", "coefficient"] > 0
    assert table.loc["Recency", "association"] == ("more days since the last order: associated with more churn, "
                                                   "other features equal")
    np.testing.assert_allclose(table["odds_ratio"], np.exp(table["coefficient"]))
    with pytest.raises(ValueError, match="Logistic regression"):
        logistic_coefficients(prepared.models["Random forest"])


def test_logistic_coefficients_flag_overlap_and_sign_flips(prepared: Prepared) -> None:
    train = prepared.train
    table = logistic_coefficients(prepared.models["Logistic regression + BTYD"], train, train[TARGET])
    table = table.set_index("feature")
    assert set(BTYD_FEATURES) <= set(table.index)
    assert (table["vif"] >= 1 - 1e-9).all()
    assert table["collinear"].equals(table["vif"] > VIF_LIMIT)
    assert table["collinear"].any()  # orders in the last 90 days, spend in the last 90 days, the trend...
    for feature, row in table.iterrows():
        assert row["sign_differs"] == (np.sign(row["coefficient"]) != np.sign(row["marginal_correlation"]))
        assert ("opposite sign" in row["caution"]) == row["sign_differs"], feature
        assert ("do not read it alone" in row["caution"]) == row["collinear"], feature


def test_top_reasons_name_a_long_silence_and_a_safe_customer(prepared: Prepared) -> None:
    model = prepared.models["Logistic regression"]
    train = prepared.train
    customer = train.iloc[[0]].copy()
    customer[["Recency", "Frequency_90d", "Monetary_90d", "OrdersPerMonthRecentVsOverall"]] = [300, 0, 0.0, 0.0]
    customer.index = ["SILENT"]
    # A customer at the "safe" end of every feature: nothing pushes them towards churn.
    coefficients = logistic_coefficients(model).set_index("feature")["coefficient"]
    safe = customer.copy()
    for feature, coefficient in coefficients.items():
        safe[feature] = train[feature].min() if coefficient > 0 else train[feature].max()
    safe.index = ["SAFE"]
    reasons = top_reasons(model, pd.concat([customer, safe]), n=2, currency="$")
    assert reasons["SILENT"].count("no order for 300 days") == 1  # not repeated as "none in the last 90 days"
    assert reasons["SILENT"].count(";") <= 1
    assert reasons["SAFE"] == "recent, regular buyer"
    assert predict_churn(model, customer).iloc[0] > predict_churn(model, safe).iloc[0]


@pytest.mark.parametrize(("feature", "row", "high", "text"), [
    ("Recency", {"Recency": 140}, True, "no order for 140 days"),
    ("Recency", {"Recency": 1}, False, "last order only 1 day ago"),
    ("Frequency", {"Frequency": 1}, False, "only 1 order so far"),
    ("Monetary_90d", {"Monetary_90d": 0.0}, False, "spent $0 in the last 90 days"),
    ("OrdersPerMonthRecentVsOverall", {"OrdersPerMonthRecentVsOverall": 0.5, "Tenure": 200}, False,
     "buys 0.5x as often as usual in the last 90 days"),
    ("OrdersPerMonthRecentVsOverall", {"OrdersPerMonthRecentVsOverall": 1.0, "Tenure": 20}, False,
     "new customer: first order 20 days ago"),
    ("Frequency_90d", {"Frequency_90d": 0, "Recency": 120}, False, "no order for 120 days"),
    ("PurchaseVelocity", {"PurchaseVelocity": 30.0, "Frequency": 1}, False, "only 1 order so far"),
    ("PurchaseVelocity", {"PurchaseVelocity": 7.0, "Frequency": 6}, False, "used to order every 7 days on average"),
    ("p_alive", {"p_alive": 0.31}, False, "purchase model: only 31% likely to still be active"),
    ("p_no_purchase", {"p_no_purchase": 0.87}, True, "purchase model: 87% chance of no order in the horizon"),
    ("expected_purchases", {"expected_purchases": 0.24}, False,
     "purchase model expects only 0.2 orders in the horizon"),
])
def test_reason_texts(feature: str, row: dict, high: bool, text: str) -> None:
    assert _reason(feature, row, high, "$") == text


def test_risk_band_edges() -> None:
    bands = risk_band(pd.Series([0.1, 0.3, 0.59, 0.6, 0.95], index=list("abcde")))
    assert bands.tolist() == ["Low", "Medium", "Medium", "High", "High"]
    assert list(bands.index) == list("abcde")
    assert bands.cat.ordered and list(bands.cat.categories) == ["Low", "Medium", "High"]
    assert risk_band([0.2, 0.5], bands=(0.1, 0.4)).tolist() == ["Medium", "High"]
    with pytest.raises(ValueError, match="bands"):
        risk_band([0.2], bands=(0.6, 0.3))


def test_btyd_baseline_uses_only_history_before_each_cutoff(prepared: Prepared) -> None:
    days = prepared.days
    cutoff = pd.Timestamp("2011-06-30")
    before = days.window(None, days.day_of(cutoff))
    assert before.day.size < days.day.size
    frame = pd.DataFrame({"CustomerID": list(before.customers[np.unique(before.code)]), "cutoff": cutoff})
    at_all = btyd_features(days, cutoff, 90)
    at_past = btyd_features(before, cutoff, 90)
    with_all, with_past = add_btyd_features(frame, at_all), add_btyd_features(frame, at_past)
    p_all = BTYDBaseline().fit(with_all).predict_proba(with_all)
    p_past = BTYDBaseline().fit(with_past).predict_proba(with_past)
    assert np.array_equal(p_all, p_past)  # later purchases change nothing
    assert ((p_all > 0) & (p_all < 1)).all()
    live = add_btyd_features(frame.drop(columns="cutoff").set_index("CustomerID"), at_all)
    assert np.array_equal(BTYDBaseline().fit(live).predict_proba(live)[:, 1], p_all[:, 1])


def test_btyd_baseline_follows_the_estimator_contract(prepared: Prepared) -> None:
    from sklearn.base import clone

    baseline = BTYDBaseline(calibration="sigmoid")
    assert clone(baseline).get_params() == {"column": "p_no_purchase", "calibration": "sigmoid"}
    train, validation = prepared.train, prepared.validation
    fitted = baseline.fit(train, train[TARGET])
    raw = BTYDBaseline().fit(train).predict_proba(validation)[:, 1]
    calibrated = fitted.predict_proba(validation)[:, 1]
    np.testing.assert_array_equal(np.argsort(raw, kind="stable"), np.argsort(calibrated, kind="stable"))
    # calibrated on the training labels: the mean probability matches the training churn rate
    assert abs(fitted.predict_proba(train)[:, 1].mean() - train[TARGET].mean()) < 0.01
    with pytest.raises(ValueError, match="add it with add_btyd_features"):
        BTYDBaseline().fit(train.drop(columns="p_no_purchase"))
    with pytest.raises(ValueError, match="needs the labels"):
        BTYDBaseline(calibration="sigmoid").fit(train)


def test_curves_and_outcomes_come_from_the_evaluation(prepared: Prepared) -> None:
    evaluation = evaluate(prepared.models, prepared.validation)
    found = curves(evaluation, max_points=40)
    names = list(evaluation.probabilities.columns)
    for frame in (found.roc, found.precision_recall, found.calibration, found.gains):
        assert list(frame["model"].unique()) == names and frame.columns[0] == "model"
    assert found.roc.groupby("model").size().max() <= 40
    assert found.churn_rate == pytest.approx(evaluation.y_true.mean())
    # each model's calibration bins hold every validation customer once
    assert (found.calibration.groupby("model")["customers"].sum() == len(prepared.validation)).all()
    name = names[0]
    table = confusion_table(evaluation, name, 0.5)
    assert table.to_numpy().sum() == len(prepared.validation)
    outcomes = against_outcomes(evaluation.y_true, evaluation.probabilities[[name]])
    assert outcomes.loc[name, "roc_auc"] == pytest.approx(evaluation.table.loc[name, "roc_auc"])
    assert outcomes.loc[name, "brier"] == pytest.approx(evaluation.table.loc[name, "brier"])
    assert outcomes.loc[name, "drift"] == pytest.approx(evaluation.probabilities[name].mean()
                                                        - evaluation.y_true.mean())
