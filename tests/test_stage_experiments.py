"""Stage 05 in-process on a small generated profile (prepare, then 01..05), on a profile without a campaign test,
and with results files named in the params: a good one is read, a bad one stops ``prepare`` before any report."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest
import yaml

from retention import catalog, cli, stages

SUMMARY_KEYS = {"present", "campaign", "sent_at", "outcome_days", "n_treatment", "n_control", "uplift", "learner",
                "qini_share_of_oracle", "note"}



def _profile(folder, **sections) -> tuple:
    params = folder / "small.yaml"
    base = {"data": {"path": str(folder / "data" / "log.csv")}, "generator": {"n_customers": 400, "seed": 5}}
    for key, value in sections.items():
        base[key] = {**base.get(key, {}), **value}
    params.write_text(yaml.safe_dump(base))
    return params, folder / "out"


def _series(params, out, upto: str = "05_experiments") -> dict:
    assert cli.main(["prepare", "--params", str(params), "--out", str(out)]) == 0
    results = {}
    steps = list(catalog.NOTEBOOK_STEPS)
    for step in steps[: steps.index(upto) + 1]:
        results[step] = stages.run_in(stages.open_context(step, str(params), out))
    return results


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    params, out = _profile(tmp_path_factory.mktemp("exp"))
    return params, out, _series(params, out)


def test_the_generated_campaign_is_measured_and_every_customer_scored(small):
    _, out, results = small
    r = results["05_experiments"]
    assert dataclasses.is_dataclass(r) and r.__dataclass_params__.frozen and r.present
    customers = results["02_segmentation"].customers.index
    assert r.predicted_uplift.index.equals(customers) and r.predicted_uplift.notna().all()
    assert r.predicted_uplift.between(-1, 1).all()
    written = pd.read_parquet(out / "work" / "experiments_customers.parquet")
    assert list(written.columns) == ["CustomerID", "predicted_uplift"] and len(written) == len(customers)
    summary = json.loads((out / "artifacts" / "experiment_summary.json").read_text())
    assert set(summary) == SUMMARY_KEYS and summary["present"] is True
    assert summary["n_treatment"] + summary["n_control"] == len(r.outcomes)
    low, mid, high = (summary["uplift"][k] for k in ("low", "estimate", "high"))
    assert low < mid < high and summary["sent_at"] == str(r.sent_at.date())
    assert summary["learner"] == r.learner in r.comparison.learners
    assert summary["qini_share_of_oracle"] == pytest.approx(r.truth["shares"][r.learner], abs=1e-6)
    assert r.discount == 0.15 and summary["campaign"] == "15% off the next order"


def test_effects_overall_by_segment_and_risk_band_at_the_send_date(small):
    _, out, results = small
    r = results["05_experiments"]
    effects = pd.read_csv(out / "artifacts" / "experiment_effects.csv")
    assert set(effects["by"]) == {"all", "Segment", "risk_band"}
    assert set(effects["outcome"]) == {"purchased", "orders", "revenue", "margin"}
    assert set(r.outcomes["risk_band"]) <= {"Low", "Medium", "High"}
    seg = effects[(effects["by"] == "Segment") & (effects["outcome"] == "purchased")]
    assert seg["n_treatment"].sum() + seg["n_control"].sum() == len(r.outcomes)
    assert list(r.groups["by"].unique()) == ["Segment", "risk_band"]
    assert list(r.groups.loc[r.groups["by"] == "Segment", "level"]) == list(r.segment_order)
    # the net profit sentence and numbers agree: n_treated x (margin effect - contact) - fixed
    overall = r.effects[(r.effects["by"] == "all") & (r.effects["outcome"] == "margin")].iloc[0]
    assert r.profit["estimate"] == pytest.approx(overall["n_treatment"] * (overall["uplift"] - 0.5) - 250.0)
    assert r.headline and r.verdict and r.advice and r.targeting
    assert f"{r.uplift.estimate * 100:.1f} percentage points" in r.headline


def test_the_learner_is_chosen_by_cross_fitted_qini_and_checked_against_the_truth(small):
    r = small[2]["05_experiments"]
    table = r.comparison.table
    learners = table.loc[r.comparison.learners]
    assert len(learners) >= 2 and r.learner == learners["qini_area"].idxmax()
    assert table.loc["oracle", "share_of_oracle_true_gain"] == 1.0
    truth = r.truth
    assert -1 < truth["true_uplift"] < 1 and set(truth["shares"]) == set(r.comparison.learners)
    assert truth["list"]["n"] == int((r.predicted_profit > 0).sum())
    assert truth["list"]["oracle"] >= truth["list"]["recommended"]


def test_without_a_test_the_stage_says_so_and_predicts_nothing(tmp_path):
    params, out = _profile(tmp_path, generator={"n_customers": 400, "seed": 5, "campaign": False})
    r = _series(params, out)["05_experiments"]
    assert not r.present and "no campaign test" in r.why_absent.lower()
    assert r.predicted_uplift.isna().all() and len(r.predicted_uplift) > 0
    summary = json.loads((out / "artifacts" / "experiment_summary.json").read_text())
    assert set(summary) == SUMMARY_KEYS and summary["present"] is False
    assert all(summary[k] is None for k in SUMMARY_KEYS - {"present", "outcome_days", "note"})
    assert pd.read_csv(out / "artifacts" / "experiment_effects.csv").columns.tolist() == ["note"]


def test_a_results_file_named_in_the_params_is_an_input(small, tmp_path, capsys):
    params, out, _ = small
    data = yaml.safe_load(params.read_text())["data"]["path"]
    campaign = pd.read_csv(data.replace(".csv", "_campaign.csv"), dtype=str)
    mine = tmp_path / "results.csv"
    campaign.drop(columns=["discount", "campaign"]).to_csv(mine, index=False)
    good, good_out = tmp_path / "good.yaml", tmp_path / "good_out"
    good.write_text(yaml.safe_dump({**yaml.safe_load(params.read_text()), "experiment": {"results": str(mine)}}))
    r = _series(good, good_out)["05_experiments"]
    assert r.present and r.source == str(mine) and r.discount is None
    assert any("no discount" in note for note in r.notes)

    broken = campaign.copy()
    broken.loc[3, "group"] = "holdout"
    bad_file = tmp_path / "bad.csv"
    broken.to_csv(bad_file, index=False)
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({**yaml.safe_load(params.read_text()), "experiment": {"results": str(bad_file)}}))
    capsys.readouterr()
    assert cli.main(["prepare", "--params", str(bad), "--out", str(tmp_path / "bad_out")]) == 2
    message = capsys.readouterr().err
    assert "bad.csv, column 'group'" in message and "'holdout' (line 5)" in message and "Fix:" in message
    # prepared data already there: the file is checked again on every run
    assert cli.main(["prepare", "--params", str(bad), "--out", str(out)]) == 2
    assert "column 'group'" in capsys.readouterr().err
    missing = tmp_path / "missing.yaml"
    missing.write_text(yaml.safe_dump({**yaml.safe_load(params.read_text()),
                                       "experiment": {"results": str(tmp_path / "nowhere.csv")}}))
    assert cli.main(["prepare", "--params", str(missing), "--out", str(out)]) == 2
    assert "which does not exist" in capsys.readouterr().err
    assert np.isfinite(r.uplift.estimate)
