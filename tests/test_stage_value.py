"""Stage 04 (customer value) in-process on a small generated profile: prepare, steps 01-03, then 04.

The stage reads no lines (the engine's purchase-day grain feeds the models), writes its products to the schemas of
the phase-B brief, reproduces its CSV artifacts byte for byte, and says in its result what the report states.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json

import numpy as np
import pandas as pd
import pytest
import yaml

from retention import catalog, cli, clv, stages

STEP = "04_customer_value"
C1 = ["p_alive", "p_no_purchase", "expected_purchases", "expected_purchases_if_alive", "expected_order_value",
      "expected_revenue_if_alive", "clv"]



def _profile(folder, **sections) -> str:
    params = folder / "small.yaml"
    params.write_text(yaml.safe_dump({"data": {"path": str(folder / "data" / "log.csv")},
                                      "generator": {"n_customers": 400, "seed": 5}, **sections}))
    return str(params)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("value")
    params = _profile(folder)
    out = folder / "out"
    assert cli.main(["prepare", "--params", params, "--out", str(out)]) == 0
    for step in ("01_eda", "02_segmentation", "03_churn_model"):
        stages.run(step, params, out)
    (out / "work" / "transactions.parquet").unlink()  # 04 reads no lines: the engine's grain is enough
    ctx = stages.open_context(STEP, params, out)
    result = stages.run_in(ctx)
    return params, out, result, ctx.params_read


def test_the_step_reads_no_lines_and_declares_what_it_reads(run):
    _, _, _, read = run
    step = catalog.step(STEP)
    assert "prepared.transactions" not in step.reads and "prepared.returns" not in step.reads
    assert set(step.reads) == {"prepared.info", "segments.customers"}
    for key in step.params:
        assert any(r == key or r.startswith(f"{key}.") or key.startswith(f"{r}.") for r in read), key


def test_products_follow_the_schemas(run):
    _, out, result, _ = run
    assert dataclasses.is_dataclass(result) and result.__dataclass_params__.frozen
    values = pd.read_parquet(out / "work" / "value_customers.parquet").set_index("CustomerID")
    offer = f"expected_revenue_if_alive_{result.settings['offer_months']}m"
    assert list(values.columns) == [*C1, "expected_revenue_if_alive_p05", "expected_revenue_if_alive_p95",
                                    "clv_p05", "clv_p95", offer]
    assert np.isfinite(values.to_numpy()).all() and (values.to_numpy() >= 0).all()
    assert values.index.is_unique and len(values) == result.totals["customers"]
    previous = pd.read_parquet(out / "work" / "value_previous.parquet").set_index("CustomerID")
    assert list(previous.columns) == [*C1, offer]  # the same value columns, no intervals
    assert len(previous) < len(values)  # fewer customers one churn horizon earlier
    draws = pd.read_parquet(out / "work" / "value_draws.parquet").set_index("CustomerID")
    assert list(draws.columns) == [f"d{i:03d}" for i in range(result.settings["uncertainty_draws"])]
    assert draws.index.equals(values.index)
    np.testing.assert_allclose(draws.quantile(0.05, axis=1), values["expected_revenue_if_alive_p05"], rtol=1e-9)
    backtest = pd.read_csv(out / "artifacts" / "forecast_backtest.csv")
    assert {"cutoff", "model", "seasonal", "actual", "forecast", "total_error", "mae", "capture_top10",
            "capture_top20", "brier", "p_no_purchase", "no_purchase_share"} <= set(backtest.columns)
    cohorts = pd.read_csv(out / "artifacts" / "cohort_value_curves.csv")
    assert list(cohorts.columns) == ["cohort", "month", "months_since_acquisition", "period", "customers",
                                     "cumulative_margin_per_customer", "lower", "upper"]
    assert not cohorts.duplicated(["cohort", "month"]).any()
    summary = json.loads((out / "artifacts" / "value_summary.json").read_text())
    assert summary["model"] == result.fitted.forecast.model_name and summary["model_label"] == result.model_label
    assert summary["totals"]["clv"] == pytest.approx(values["clv"].sum())
    assert summary["truth"]["purchases_365d_truth"] > 0  # generated data: the truth check is in the summary


def test_csv_artifacts_are_reproduced_byte_for_byte(run):
    params, out, _, _ = run
    digest = {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
              for p in (out / "artifacts" / "forecast_backtest.csv", out / "artifacts" / "cohort_value_curves.csv")}
    stages.run(STEP, params, out)
    assert {name: hashlib.sha256((out / "artifacts" / name).read_bytes()).hexdigest() for name in digest} == digest


def test_value_at_stake_is_margin_times_revenue_if_alive_and_bounded(run):
    _, _, result, _ = run
    margin = result.settings["margin"]
    np.testing.assert_allclose(result.stake["value_at_stake"], margin * result.values["expected_revenue_if_alive"])
    assert (result.stake["value_at_stake_p05"] <= result.stake["value_at_stake"] + 1e-9).all()
    assert (result.stake["value_at_stake"] <= result.stake["value_at_stake_p95"] + 1e-9).all()
    t = result.totals
    assert t["clv_low"] <= t["clv"] <= t["clv_high"]
    assert t["value_at_stake"] == pytest.approx(margin * result.values["expected_revenue_if_alive"].sum())


def test_tables_the_report_shows(run):
    _, _, result, _ = run
    seg = result.by_segment
    assert seg.index[-1] == "All customers" and seg.loc["All customers", "customers"] == len(result.values)
    assert seg.drop(index="All customers")["customers"].sum() == len(result.values)
    assert seg.loc["All customers", "clv_share"] == pytest.approx(1.0)
    assert len(result.top_customers) == 10 and result.top_customers["clv"].is_monotonic_decreasing
    params = result.parameters
    assert set(result.fitted.forecast.model.params_) <= set(params["parameter"])
    assert {"p", "q", "gamma"} <= set(params["parameter"]) and params["meaning"].str.len().gt(0).all()
    if not result.candidates.empty:
        assert result.candidates["chosen"].sum() >= 1 or result.fitted.backtest.seasonal is None
        assert not result.candidates.duplicated(["cutoff", "model", "seasonal"]).any()
    truth = result.truth.set_index("measure")
    assert set(truth.index) == {"purchases_365d", "purchases_90d", "spend_365d", "no_purchase_share_90d"}
    # 400 customers are too few to detect the generator's month pattern (weekday only, +60% on this seed); the
    # default 4,300 give -3.8%: here only that the check is computed
    assert np.isfinite(truth.to_numpy(dtype=float)).all() and (truth["truth"] > 0).all()
    assert 0 < result.truth_numbers["purchases_correlation"] < 1


def test_the_sentences_say_what_and_how_sure(run):
    _, _, result, _ = run
    assert result.model_label in result.headline or result.fitted.forecast.model.label in result.headline
    assert "backtest" in result.model_sentence and "%" in result.certainty_sentence
    assert str(result.settings["horizon_months"]) in result.headline
    plain, other = clv.plain_warnings(result.warnings)
    assert plain == result.plain_warnings and other == result.other_warnings
    assert all("Traceback" not in w for w in result.plain_warnings)
    assert result.cohorts_shown and set(result.cohorts_shown) <= set(result.cohorts["cohort"])
    assert not set(result.small_cohorts) & set(result.cohorts_shown)


def test_a_pinned_model_skips_the_backtest_and_says_so(tmp_path):
    params = _profile(tmp_path, clv={"model": "bgnbd", "seasonal": False, "uncertainty_draws": 20})
    out = tmp_path / "out"
    assert cli.main(["prepare", "--params", params, "--out", str(out)]) == 0
    stages.run("02_segmentation", params, out)
    result = stages.run(STEP, params, out)
    assert result.fitted.backtest is None and result.candidates.empty and result.backtest is None
    assert "pinned" in result.model_sentence and result.model_label == "BG/NBD, stationary"
    assert pd.read_csv(out / "artifacts" / "forecast_backtest.csv").columns.tolist() == ["note"]
    assert result.seasonal_index is None and result.seasonal_components == []
