"""Stage 06 (campaigns and the decision) on the small generated profile, in-process: the whole chain from
``prepare`` to the decision, once with the generator's past campaign (a measured uplift) and once without any
test (assumed uplifts). The invariants of issue 13's "done when" are asserted on the products."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import re

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import prepared_profile

from retention import catalog, stages
from retention.generator.truth import true_incremental_profit

CHAIN = ("02_segmentation", "03_churn_model", "04_customer_value", "05_experiments", "06_campaigns")


def _chain(folder, extra: dict) -> tuple:
    params, out = prepared_profile(folder, extra)
    result = None
    for step in CHAIN:
        result = stages.run(step, str(params), out)
    return params, out, result



@pytest.fixture(scope="module")
def measured(tmp_path_factory):
    return _chain(tmp_path_factory.mktemp("campaigns"), {})


@pytest.fixture(scope="module")
def assumed(tmp_path_factory):
    return _chain(tmp_path_factory.mktemp("campaigns_no_test"), {"generator": {"campaign": False}})


@pytest.fixture(params=["measured", "assumed"])
def run(request, measured, assumed):
    return {"measured": measured, "assumed": assumed}[request.param]


def test_the_stage_returns_a_frozen_result_and_writes_every_product(run):
    _, out, result = run
    assert dataclasses.is_dataclass(result) and result.__dataclass_params__.frozen
    for name in catalog.step("06_campaigns").writes:
        assert (out / catalog.PRODUCTS[name].path).exists(), name
    assert json.loads((out / "artifacts" / "decision.json").read_text()) == result.decision
    assert json.loads((out / "artifacts" / "kpis.json").read_text()) == result.kpis


def test_the_response_model_is_measured_only_when_a_test_exists(measured, assumed):
    m, a = measured[2], assumed[2]
    assert m.regime.response.measured and m.decision["uplift_source"] == "measured"
    assert m.assumed is not None and m.comparison is not None
    assert len(m.comparison) == len(m.regime.options)
    assert not a.regime.response.measured and a.decision["uplift_source"] == "assumed"
    assert a.assumed is None and a.comparison is None
    # the measured uplift is the test's purchase-rate effect over the control group's non-buyer share
    points = m.decision["response"]["purchase_rate_points"]["estimate"]
    assert m.regime.response.uplift == pytest.approx(points / (1 - m.decision["response"]["control_purchase_rate"]))


def test_at_risk_is_within_the_base_and_expected_loss_within_value_at_stake(run):
    _, out, result = run
    customers = pd.read_parquet(out / "work" / "decision_customers.parquet").set_index("CustomerID")
    assert not (customers["at_risk"] & ~customers["in_base"]).any()
    assert (customers["expected_loss"] <= customers["value_at_stake"] + 1e-9).all()
    seg = result.by_segment
    assert (seg["expected_loss"] <= seg["value_at_stake"] + 1e-9).all()
    assert (seg["at_risk"] <= seg["customers"]).all()
    base = result.kpis["kpis"][0]
    assert base["key"] == "base" and base["current"] == int(customers["in_base"].sum())


def test_the_recommendation_is_the_best_acceptable_option_or_says_why_not(run):
    _, _, result = run
    decision, regime = result.decision, result.regime
    acceptable = [o for o in regime.options if o.pays and o.p_loss <= decision["max_p_loss"]]
    if decision["pinned"]:
        assert any("pinned" in w for w in decision["why"])
    elif acceptable:
        best = max(acceptable, key=lambda o: o.net_profit)
        assert decision["action"] == "run" and decision["campaign"] == best.name
        assert decision["expected_net_profit"] == pytest.approx(best.net_profit)
    else:
        assert decision["action"] == "none" and decision["headline"].startswith("Run no campaign")
        assert decision["targets"] == 0 and decision["target_list"] is None


def test_no_word_contradicts_its_number(run):
    _, _, result = run
    for row in result.options.itertuples():
        if row.verdict.startswith("Pays"):
            assert row.expected_net_profit > 0 and row.targets > 0
    texts = [result.decision["headline"], *result.decision["why"], *result.texts.values()]
    sentences = [s for t in texts for s in re.split(r"(?<=[.;:])\s", t)]
    for sentence in sentences:
        if re.search(r"\bpays?\b", sentence, re.I):
            assert not re.search(r"-[£$]", sentence), sentence
        assert not re.search(r"expected net profit (of )?-", sentence), sentence
        assert not re.search(r"\bbest 0\b|\bnan\b|\bNone\b", sentence), sentence


def test_the_monte_carlo_shown_is_the_one_behind_the_chance_of_loss(run):
    _, _, result = run
    if result.focus is None or result.focus.targets == 0:
        assert result.monte_carlo is None
        return
    assert float((result.monte_carlo["net_profit"] < 0).mean()) == pytest.approx(result.focus.p_loss)
    torn = result.tornado
    assert torn["base_net_profit"].to_numpy() == pytest.approx(np.full(len(torn), result.focus.net_profit))


def test_the_what_if_answers_the_question_literally(run):
    _, _, result = run
    q = result.question
    assert q["n"] == 500 and q["discount"] == pytest.approx(0.15)
    base = int(result.frame["in_base"].sum())
    assert q["highest_churn"]["targeted"] == min(500, base)
    grid = result.what_if
    assert {"highest_churn", "highest_expected_loss", "profit_maximising"} <= set(grid["pool"])
    assert set(grid["offer_type"]) == {"next_order", "all_orders"}


def test_the_test_design_and_its_seeded_stratified_assignment(run):
    params, out, result = run
    assignment = pd.read_csv(out / "artifacts" / "experiment_assignment.csv", dtype={"CustomerID": str})
    assert list(assignment.columns) == ["CustomerID", "group", "stratum"]
    focus = result.focus
    if focus is None or focus.targets == 0:
        assert assignment.empty and result.decision["test"] is None
        return
    targets = pd.read_csv(out / "artifacts" / "campaign_targets.csv", dtype={"CustomerID": str})
    assert sorted(assignment["CustomerID"]) == sorted(targets["CustomerID"])
    assert set(assignment["group"]) <= {"treatment", "control"}
    assert abs((assignment["group"] == "control").mean() - 0.5) <= 1 / len(assignment) + 1e-9
    test = result.decision["test"]
    assert test["campaign"] == focus.name and test["summary"]
    if "n_treatment" in test and not test["feasible"]:
        assert "too small" in test["summary"]


def test_the_truth_check_uses_the_generators_single_definition(run):
    params, out, result = run
    truth = result.truth
    assert truth is not None
    nb = truth.nonbuyers
    assert nb["at_risk_customers"] == int(result.frame["at_risk"].sum())
    assert 0 <= nb["at_risk_nonbuyer_share"] <= 1
    focus = result.focus
    if focus is None or focus.targets == 0:
        return
    table = pd.read_csv(params.parent / "data" / "log_truth.csv", dtype={"CustomerID": str})
    ids = pd.read_csv(out / "artifacts" / "campaign_targets.csv", dtype={"CustomerID": str})["CustomerID"]
    true = true_incremental_profit(table, ids, discount=focus.offer.discount, margin=focus.assumptions.margin,
                                   contact_cost=focus.offer.contact_cost, offer_type=focus.offer.offer_type,
                                   offer_months=focus.offer.offer_months, horizon_days=365)
    assert truth.lists["recommended"] == pytest.approx(true - focus.offer.fixed_cost)
    assert truth.lists["oracle"] >= truth.lists["recommended"] - 1e-6
    row = truth.options[(truth.options["model"] == result.regime.source) & (truth.options["option"] == focus.name)]
    assert float(row["true_net_profit"].iloc[0]) == pytest.approx(true - focus.offer.fixed_cost)


def test_enhanced_customer_data_joins_every_per_customer_column(run):
    _, out, _ = run
    enhanced = pd.read_csv(out / "artifacts" / "enhanced_customer_data.csv", dtype={"CustomerID": str})
    for column in ("Segment", "churn_probability", "risk_band", "clv", "expected_revenue_if_alive", "predicted_uplift",
                   "in_base", "at_risk", "value_at_stake", "expected_loss", "expected_profit", "targeted",
                   "recommended_action"):
        assert column in enhanced.columns, column
    assert enhanced["CustomerID"].is_unique


def test_rerunning_the_stage_reproduces_its_csv_artifacts_byte_for_byte(run):
    params, out, _ = run
    files = sorted((out / "artifacts").glob("*.csv"))
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files}
    stages.run("06_campaigns", str(params), out)
    assert {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files} == before


def test_a_pinned_campaign_is_run_and_the_decision_says_what_the_analysis_would_pick(measured):
    params, out, _ = measured
    pinned = params.parent / "pinned.yaml"
    data = yaml.safe_load(params.read_text())
    data["decision"] = {"pinned_campaign": "Protect"}
    pinned.write_text(yaml.safe_dump(data))
    result = stages.run("06_campaigns", str(pinned), out)
    assert result.decision["pinned"] and result.decision["campaign"] == "Protect"
    assert result.decision["action"] == "run"
    assert any("pinned in params" in w for w in result.decision["why"])
    assert result.texts["options_title"].startswith("Protect is pinned")
    stages.run("06_campaigns", str(params), out)  # leave the module's products as they were


def test_kpis_compare_like_with_like(run):
    _, _, result = run
    kpis = {k["key"]: k for k in result.kpis["kpis"]}
    assert set(kpis) == {"base", "at_risk", "at_risk_share", "expected_loss", "retention_rate"}
    assert kpis["at_risk_share"]["current"] == pytest.approx(kpis["at_risk"]["current"] / kpis["base"]["current"])
    for k in kpis.values():
        if k["previous"] is not None and k["current"] != k["previous"]:
            better = (k["current"] > k["previous"]) == k["higher_is_better"]
            assert k["change"] == ("better" if better else "worse")
    assert all(v is None or math.isfinite(v) for k in kpis.values() for v in (k["current"], k["previous"]))
    assert np.isfinite(kpis["retention_rate"]["current"])


@pytest.mark.parametrize("folder", ["reports", "reports/cdnow"])
def test_the_reports_headline_numbers_equal_the_json(folder):
    """After `make report-one STEP=06_campaigns` (skipped otherwise): every KPI card and the decision card show
    the numbers of kpis.json and decision.json."""
    import html as html_lib
    from pathlib import Path

    from retention.report.components import format_kpi

    out = Path(__file__).resolve().parents[1] / folder
    page = out / "06_campaigns.html"
    if not page.exists():
        pytest.skip(f"no {page}")
    text = html_lib.unescape(page.read_text(encoding="utf-8"))
    kpis = json.loads((out / "artifacts" / "kpis.json").read_text())
    decision = json.loads((out / "artifacts" / "decision.json").read_text())
    for kpi in kpis["kpis"]:
        assert f">{format_kpi(kpi['current'], kpi['unit'], kpis['currency'])}<" in text, kpi["key"]
    assert decision["headline"] in text
    for why in decision["why"]:
        assert why in text
    if decision["test"]:
        assert decision["test"]["summary"] in text


def test_every_declared_params_key_is_read(measured):
    params, out, _ = measured
    ctx = stages.open_context("06_campaigns", str(params), out)
    stages.run_in(ctx)
    read = ctx.params_read
    unread = [k for k in catalog.step("06_campaigns").params
              if not any(r == k or r.startswith(f"{k}.") or k.startswith(f"{r}.") for r in read)]
    assert not unread
