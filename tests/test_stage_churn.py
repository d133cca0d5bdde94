"""Stage 03 in-process on a small generated profile: prepare, 01 and 02, then the churn stage. Checks the result the
report draws from, the products and their schemas (PHASE_B), that the stage needs no transaction lines, that the
shipped probability is at least as good as every baseline out of time, the plain sentences, and the byte-identical
CSV artifacts of a rerun."""

from __future__ import annotations

import dataclasses
import hashlib
import json

import numpy as np
import pandas as pd
import pytest
from conftest import prepared_profile

from retention import catalog, churn, stages

STEP = "03_churn_model"



@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("churn")
    params, out = prepared_profile(folder)
    for step in ("01_eda", "02_segmentation"):
        stages.run(step, str(params), out)
    # The churn stage reads no transaction lines (the engine gives it examples, features and purchase days).
    lines = out / catalog.PRODUCTS["prepared.transactions"].path
    lines.rename(lines.with_suffix(".hidden"))
    ctx = stages.open_context(STEP, str(params), out)
    result = stages.run_in(ctx)
    return params, out, result, ctx.params_read


def test_result_is_frozen_and_the_declaration_is_tight(run):
    _, _, result, read = run
    assert dataclasses.is_dataclass(result) and result.__dataclass_params__.frozen
    step = catalog.step(STEP)
    assert step.reads == ("prepared.info",)
    assert "clv.seasonal" in read and "clv.time_unit" in read


def test_churn_customers_has_the_fixed_schema(run):
    _, out, result, _ = run
    table = pd.read_parquet(out / catalog.PRODUCTS["churn.customers"].path).set_index("CustomerID")
    assert list(table.columns) == ["churn_probability", "risk_band", "top_reasons", "model"]
    assert table.index.is_unique and len(table) == len(result.predictions)
    assert table["churn_probability"].between(0, 1).all()
    assert set(table["risk_band"]) <= set(churn.RISK_BANDS)
    assert (table["model"] == result.shipped).all()
    assert (table["top_reasons"].str.len() > 0).all()
    low, high = result.summary_bands
    high_risk = table["churn_probability"] >= high
    assert ((table["risk_band"] == "High") == high_risk).all()
    assert result.band_counts.sum() == len(table) and result.histogram["customers"].sum() == len(table)


def test_churn_previous_holds_the_validation_probabilities(run):
    _, out, result, _ = run
    previous = pd.read_parquet(out / catalog.PRODUCTS["churn.previous"].path).set_index("CustomerID")
    assert list(previous.columns) == ["churn_probability"]
    probabilities = result.comparison.evaluation.probabilities[result.shipped]
    np.testing.assert_allclose(previous["churn_probability"].to_numpy(), probabilities.to_numpy())
    assert len(previous) == int(result.table.loc[result.shipped, "n"])


def test_metrics_predictions_and_summary_artifacts(run):
    _, out, result, _ = run
    metrics = pd.read_csv(out / catalog.PRODUCTS["churn_metrics"].path)
    assert list(metrics["model"]) == list(result.table.index)
    assert metrics["shipped"].sum() == 1 and metrics.loc[metrics["shipped"], "model"].item() == result.shipped
    assert {"roc_auc", "brier", "role", "rank"} <= set(metrics.columns)
    predictions = pd.read_csv(out / catalog.PRODUCTS["churn_predictions"].path, dtype={"CustomerID": str})
    assert predictions["churn_probability"].is_monotonic_decreasing
    assert set(predictions["CustomerID"]) == set(result.predictions.index)
    assert list(result.customers["CustomerID"]) == list(predictions["CustomerID"])
    summary = json.loads((out / catalog.PRODUCTS["churn_summary"].path).read_text())
    assert summary["production_model"] == result.shipped and summary["horizon_days"] == result.horizon_days
    assert set(summary["purchase_model"]["calendar"]) == {str(c.date()) for c in [*result.plan.labelled,
                                                                                    result.plan.live]}
    assert summary["live_vs_truth"]["observed_rate"] == pytest.approx(result.truth_rate, abs=1e-6)


def test_shipped_is_at_least_as_good_as_every_baseline_out_of_time(run):
    _, _, result, _ = run
    selection = result.selection
    assert not selection.pinned and selection.shipped_beats_every_baseline
    table = result.table
    baselines = table[table["role"] == "baseline"]
    assert len(baselines) == len(churn.BASELINE_NAMES)
    assert table.loc[result.shipped, result.metric] <= baselines[result.metric].min()
    assert set(result.margins.index) == set(baselines.index) - {result.shipped}


def test_curves_threshold_and_explanations_are_handed_over(run):
    _, _, result, _ = run
    names = set(result.table.index)
    for frame in (result.curves.roc, result.curves.precision_recall, result.curves.calibration,
                  result.curves.gains):
        assert set(frame["model"]) == names
    assert result.threshold.curve["threshold"].between(0, 1).all() and len(result.threshold.curve) == 99
    assert result.confusion.to_numpy().sum() == int(result.table.loc[result.shipped, "n"])
    assert set(result.coefficients["feature"]) <= set(result.feature_labels)
    assert "caution" in result.coefficients and result.importance_model in names
    assert len(result.cutoffs) == len(result.plan.train) + 2 and len(result.purchase_model) == len(result.cutoffs)


def test_live_scores_are_checked_against_the_generators_truth(run):
    _, _, result, _ = run
    truth = result.truth
    assert truth is not None and result.shipped in truth.index
    assert set(result.baselines) <= set(truth.index)
    assert truth["roc_auc"].between(0.5, 1).all()
    assert truth["observed_rate"].eq(result.truth_rate).all()
    assert "against the truth" in result.truth_sentence()


def test_plain_sentences_fit_the_numbers(run):
    _, _, result, _ = run
    headline = result.headline()
    assert f"{len(result.predictions):,} customers" in headline and f"{result.horizon_days} days" in headline
    assert result.shipped in result.selection_sentence()
    assert "Brier score" in result.selection_sentence()  # the decision metric is explained on first use
    assert result.calendar_sentence() and result.cutoffs_sentence() and result.optimism_sentence()
    # the threshold is called cheaper than 0.5 only where it was
    rules = result.threshold.table.copy()
    rules.iloc[0, rules.columns.get_loc("validation_cost_per_customer")] = \
        rules.loc["Default 0.5", "validation_cost_per_customer"] + 1.0
    worse = dataclasses.replace(result, threshold=dataclasses.replace(result.threshold, table=rules))
    assert "cost more than flagging from 0.5" in worse.threshold_sentence()
    assert "not the cheapest rule there" in worse.threshold_sentence()
    rules.iloc[0, rules.columns.get_loc("validation_cost_per_customer")] = \
        rules.loc["Default 0.5", "validation_cost_per_customer"] - 1.0
    better = dataclasses.replace(result, threshold=dataclasses.replace(result.threshold, table=rules))
    assert "also cost less than flagging from 0.5" in better.threshold_sentence()


def test_a_flat_calendar_is_said_so(run):
    _, _, result, _ = run
    flat = result.purchase_model.assign(calendar="none")
    cutoffs = result.cutoffs.assign(calendar="none")
    plain = dataclasses.replace(result, purchase_model=flat, cutoffs=cutoffs)
    assert "flat calendar" in plain.calendar_sentence()
    assert "no seasonal correction" in plain.cutoffs_sentence()


def _digests(out):
    return {name: hashlib.sha256((out / catalog.PRODUCTS[name].path).read_bytes()).hexdigest()
            for name in ("churn_metrics", "churn_predictions")}


def test_a_rerun_reproduces_the_csv_artifacts_byte_for_byte(run):
    params, out, _, _ = run
    before = _digests(out)
    stages.run(STEP, str(params), out)
    after = _digests(out)
    assert after == before, [name for name in before if after.get(name) != before[name]]
