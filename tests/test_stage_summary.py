"""The executive summary stage (07) and the headline numbers of the index and the summary (issue 13, item 2).

The stage runs on the products the campaigns step (06) writes, here made from the C6 fixtures
(tests/fixtures/kpis.json and decision.json) and a per-customer decision table consistent with them, in a
temporary output folder. The HTML checks parse the pages and compare every headline number shown (targets,
expected net profit, ROI, P(loss), break-even uplift, each KPI's current and previous value, the narrative's
numbers) with the JSON, formatted, and every trend's good/bad word with the KPI's direction. They run on the
index written from the fixtures, on notebook 07 executed from them, and on a finished run in reports/ (or
RETENTION_REPORTS) when there is one.
"""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from bs4 import BeautifulSoup
from conftest import prepared_profile

from retention import report as rp
from retention import stages
from retention.report import site
from retention.report.components import format_kpi
from retention.stages import summary as stage

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
REPORTS = Path(os.environ.get("RETENTION_REPORTS", ROOT / "reports"))
STEP = "07_executive_summary"


def fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


# -- products of 06 made from the fixtures ---------------------------------------------------------------------

def _decision_customers(out: Path, targets: int, threshold: float = 0.5) -> pd.DataFrame:
    """A per-customer decision table (schema of decision.customers) from the segments and churn tables."""
    seg = pd.read_parquet(out / "work" / "segments_customers.parquet").set_index("CustomerID")
    churn = pd.read_parquet(out / "work" / "churn_customers.parquet").set_index("CustomerID")
    p = churn["churn_probability"].reindex(seg.index)
    in_base = seg["Recency"] < 180
    value = 0.4 * seg["Monetary"].clip(lower=0) * (1 - p)
    frame = pd.DataFrame({"in_base": in_base, "at_risk": in_base & (p >= threshold), "value_at_stake": value,
                          "expected_loss": p * value}, index=seg.index)
    frame["expected_profit"] = 0.15 * frame["expected_loss"] - 5.0
    ranked = frame[frame["at_risk"]].sort_values("expected_loss", ascending=False).index[:targets]
    frame["targeted"] = frame.index.isin(ranked)
    frame["recommended_action"] = np.where(frame["targeted"], "Offer 15% off the next order",
                                           np.where(frame["in_base"], "No offer", "Win-back question"))
    return frame


def write_products(out: Path, decision: dict[str, Any], kpis: dict[str, Any], *, consistent: bool = True,
                   targets: int = 25) -> tuple[dict[str, Any], dict[str, Any]]:
    """Write decision.customers, decision.json and kpis.json into ``out``; with ``consistent`` the JSON's current
    base, at-risk count and share, expected loss and list size are those of the per-customer table."""
    decision, kpis = copy.deepcopy(decision), copy.deepcopy(kpis)
    run = decision.get("action") == "run"
    frame = _decision_customers(out, targets if run else 0)
    if consistent:
        base, at_risk = int(frame["in_base"].sum()), int(frame["at_risk"].sum())
        now = {"base": base, "at_risk": at_risk, "at_risk_share": at_risk / base,
               "expected_loss": float(frame.loc[frame["in_base"], "expected_loss"].sum())}
        for kpi in kpis["kpis"]:
            kpi["current"] = now.get(kpi["key"], kpi["current"])
        if run:
            decision["targets"] = int(frame["targeted"].sum())
            for alternative in decision.get("alternatives", []):
                if alternative["campaign"] == decision["campaign"]:
                    alternative["targets"] = decision["targets"]
    frame.reset_index().to_parquet(out / "work" / "decision_customers.parquet")
    (out / "artifacts").mkdir(exist_ok=True)
    (out / "artifacts" / "decision.json").write_text(json.dumps(decision, indent=2))
    (out / "artifacts" / "kpis.json").write_text(json.dumps(kpis, indent=2))
    listed = frame[frame["targeted"]].reset_index()[["CustomerID", "expected_loss"]]
    listed.to_csv(out / "artifacts" / "campaign_targets.csv", index=False)
    return decision, kpis


CDNOW_LIKE = {  # "run none; test first" whose candidate loses money (the CDNOW situation of issue 13)
    "as_of": "1998-06-30", "currency": "USD", "action": "none", "pinned": False, "campaign": None,
    "analysis_pick": None,
    "headline": "Run no campaign yet; test first: no option is expected to make money with at most a 20% chance "
                "of loss (best candidate Protect: expected to lose $320, losing money in 71% of simulations).",
    "why": ["4 options were evaluated.", "Expected to lose money under the base assumptions: Protect, Win-back."],
    "target_list": None, "targets": 0, "expected_net_profit": 0.0, "roi": None, "p_loss": 0.0,
    "break_even_uplift": 0.352, "assumed_uplift": 0.15, "break_even_status": "red",
    "offer": {"type": "next_order", "discount": 0.15, "months": None, "contact_cost": 5.0, "fixed_cost": 250.0,
              "margin": 0.4, "cost_model": "15% off the next order; contact 5.00 per customer; fixed 250.00"},
    "test": None, "test_campaign": "Protect", "max_p_loss": 0.2,
    "alternatives": [
        {"campaign": "Protect", "targets": 35, "expected_net_profit": -319.79, "roi": -0.52, "p_loss": 0.71,
         "break_even_uplift": 0.352, "assumed_uplift": 0.15},
        {"campaign": "Win-back", "targets": 7924, "expected_net_profit": -6560.5, "roi": -0.88, "p_loss": 1.0,
         "break_even_uplift": None, "assumed_uplift": 0.05}],
}


def cdnow_kpis() -> dict[str, Any]:
    kpis = fixture("kpis.json")
    kpis["currency"] = "USD"
    return kpis



@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """A small generated profile, prepared and segmented (stage 02), with a churn table."""
    root = tmp_path_factory.mktemp("summary")
    params, out = prepared_profile(root)
    stages.run("02_segmentation", str(params), out)
    seg = pd.read_parquet(out / "work" / "segments_customers.parquet")
    p = 1 - np.exp(-seg["Recency"].to_numpy() / 120.0)  # a churn probability rising with recency
    pd.DataFrame({"CustomerID": seg["CustomerID"], "churn_probability": p.round(6)}).to_parquet(
        out / "work" / "churn_customers.parquet")
    return params, out


def run_stage(folder, decision, kpis, **kwargs):
    params, out = folder
    decision, kpis = write_products(out, decision, kpis, **kwargs)
    return stages.run(STEP, str(params), out), decision, kpis


# -- the stage ---------------------------------------------------------------------------------------------------

def test_stage_reads_the_headlines_and_writes_its_summary(folder):
    result, decision, kpis = run_stage(folder, fixture("decision.json"), fixture("kpis.json"))
    _, out = folder
    assert result.decision == decision and result.kpis == kpis  # the files, as written
    assert result.outcome == "run (pinned)" and result.tone == "good"
    assert result.checks == ()
    written = json.loads((out / "work" / "executive_summary.json").read_text())
    assert written["narrative"] == result.narrative and written["outcome"] == "run (pinned)"
    # the value x risk view adds up to the headline numbers of kpis.json (same population, one definition)
    by_key = {k["key"]: k for k in kpis["kpis"]}
    base = result.by_segment
    assert base["customers"].sum() == by_key["base"]["current"]
    assert base["at_risk"].sum() == by_key["at_risk"]["current"]
    assert base["expected_loss"].sum() == pytest.approx(by_key["expected_loss"]["current"])
    assert base["targeted"].sum() == decision["targets"] == result.listed
    assert (base["expected_loss"] <= base["value_at_stake"] + 1e-9).all()
    assert set(result.chart["group"]) <= set(result.groups)
    assert result.lists["file"].iloc[0] == "campaign_targets.csv"
    assert "segment_migration.csv" not in set(result.lists["file"])  # not one of the segment lists
    assert [r[0] for r in result.reports] == [f"{s}.html" for s, _, _ in site.SERIES if s != STEP]
    assert "lapsed" in result.lapsed_text and "not part of the expected loss" in result.lapsed_text
    assert "pinned_campaign" in result.glossary


def test_narrative_says_each_number_as_the_cards_do_and_the_direction_in_words(folder):
    result, decision, kpis = run_stage(folder, fixture("decision.json"), fixture("kpis.json"))
    text = result.narrative
    cur = kpis["currency"]
    for kpi in kpis["kpis"]:
        assert format_kpi(kpi["current"], kpi["unit"], cur) in text, kpi["key"]
    share = next(k for k in kpis["kpis"] if k["key"] == "at_risk_share")
    assert f"down from {rp.pct(share['previous'])} (better) as a share of the base" in text
    assert "up from 54.0% (better)" in text  # the retention rate rose: better
    assert rp.money(decision["expected_net_profit"], cur) in text and rp.pct(decision["p_loss"]) in text
    assert "The params pin the campaign" in text and "the analysis alone would pick Protect" in text
    assert "pays" not in text


def test_inconsistent_products_are_said_not_hidden(folder):
    result, _, _ = run_stage(folder, fixture("decision.json"), fixture("kpis.json"), consistent=False)
    assert any("Customer base" in c for c in result.checks)
    assert any("marks" in c for c in result.checks)


def test_test_first_with_a_loss_is_never_called_a_campaign_that_pays(folder):
    result, decision, _ = run_stage(folder, CDNOW_LIKE, cdnow_kpis())
    assert result.outcome == "test first" and result.tone == "warning" and result.listed == 0
    text = result.narrative
    assert "No campaign is recommended yet" in text and "Test Protect first" in text
    assert "an expected net loss of $319.79" in text and "net profit" not in text.split("Test Protect")[1]
    assert "pay" not in text and "best 0" not in text
    card = rp.decision_card_html(decision, fold=True)
    assert "pays" not in card and "best 0" not in card and "Download" not in card
    assert 'data-field="targets">0<' in card and 'class="fact loss"' in card
    assert "expected to lose money" in card and "Run Protect on a random half of its 35 customers" in card
    assert result.lists.set_index("file").loc["campaign_targets.csv", "holds"].startswith("empty")
    assert stage._holds("campaign_targets", "", decision, 35) == ("the customers of Protect, the candidate to test "
                                                                  "(no campaign to run now)")


def test_a_pinned_campaign_that_loses_money_is_said_to_lose(folder):
    decision = fixture("decision.json")
    decision.update(expected_net_profit=-1234.5, analysis_pick=None, roi=-0.3, p_loss=0.9)
    result, decision, _ = run_stage(folder, decision, fixture("kpis.json"))
    assert result.tone == "bad"
    assert "an expected net loss of £1,234" in result.narrative and "would run no campaign" in result.narrative
    card = rp.decision_card_html(decision)
    assert 'class="fact loss"' in card and "the analysis alone would run no campaign" in card


def test_no_option_at_all_reads_plainly(folder):
    decision = dict(CDNOW_LIKE, test_campaign=None, alternatives=[], break_even_uplift=None, assumed_uplift=None)
    result, decision, _ = run_stage(folder, decision, cdnow_kpis())
    assert result.outcome == "none" and "no option targets anyone" in result.narrative
    assert "define an offer" in rp.decision_card_html(decision)


# -- every headline number of a page equals the JSON --------------------------------------------------------------

@dataclass
class Headlines:
    """What a page shows: the tagged decision values, the KPI cards' values and trend words, the narrative."""

    fields: list[tuple[str, str | None, str]]   # (decision.json field, campaign of alternatives or None, text)
    kpis: list[tuple[str, str, str]]            # (kpi key, "current" or "previous", text)
    verdicts: list[tuple[str, str]]             # (kpi key of the card, the trend's word)
    narratives: list[str]                       # the "In short" callouts


def headlines(page: str) -> Headlines:
    soup = BeautifulSoup(page, "html.parser")
    fields = [(el["data-field"], el.get("data-alternative"), el.get_text(strip=True))
              for el in soup.select("[data-field]")]
    kpis = [(el["data-kpi"], "current", el.get_text(strip=True)) for el in soup.select("[data-kpi]")]
    kpis += [(el["data-kpi-previous"], "previous", el.get_text(strip=True))
             for el in soup.select("[data-kpi-previous]")]
    verdicts = []
    for card in soup.select("div.kpi"):
        value, change = card.select_one(".value[data-kpi]"), card.select_one("[data-verdict]")
        if value is not None and change is not None:
            verdicts.append((value["data-kpi"], change["data-verdict"]))
    narratives = [box.select_one("p").get_text(" ", strip=True) for box in soup.select("div.callout")
                  if box.select_one("strong") is not None and box.select_one("strong").get_text() == "In short"]
    return Headlines(fields, kpis, verdicts, narratives)


def _expected_fields(decision: dict[str, Any]) -> dict[tuple[str, str | None], str]:
    cur = decision.get("currency", "GBP")
    if decision["action"] == "run":
        return {("targets", None): rp.number(decision["targets"]),
                ("expected_net_profit", None): rp.money(decision["expected_net_profit"], cur),
                ("roi", None): rp.pct(decision["roi"]), ("p_loss", None): rp.pct(decision["p_loss"]),
                ("break_even_uplift", None): rp.pct(decision["break_even_uplift"]),
                ("assumed_uplift", None): rp.pct(decision["assumed_uplift"])}
    expected = {("targets", None): rp.number(decision["targets"])}
    candidate = next((a for a in decision["alternatives"] if a["campaign"] == decision.get("test_campaign")), None)
    if candidate is not None:
        name = candidate["campaign"]
        expected.update({("expected_net_profit", name): rp.money(candidate["expected_net_profit"], cur),
                         ("p_loss", name): rp.pct(candidate["p_loss"]),
                         ("break_even_uplift", None): rp.pct(decision["break_even_uplift"]),
                         ("assumed_uplift", None): rp.pct(decision["assumed_uplift"])})
    return expected


_DATE = re.compile(r"\b\d{1,2} [A-Z][a-z]{2} \d{4}\b")
_NUMBER = re.compile(r"-?(?:[£$€]|[A-Z]{3} )?\d[\d,]*(?:\.\d+)?(?:%|k|M)?")


def _allowed_numbers(decision: dict[str, Any], kpis: dict[str, Any]) -> set[str]:
    """Every number a narrative may say: the JSON values formatted as the cards format them."""
    cur = kpis.get("currency", "GBP")
    allowed = {str(kpis.get("period_days"))}
    for kpi in kpis["kpis"]:
        for value in (kpi["current"], kpi.get("previous")):
            allowed.add(format_kpi(value, kpi["unit"], cur))
    for option in [decision, *decision.get("alternatives", [])]:
        for key in ("expected_net_profit",):
            if option.get(key) is not None:
                allowed |= {rp.money(option[key], cur), rp.money(abs(option[key]), cur)}
        for key in ("p_loss", "break_even_uplift", "assumed_uplift", "roi", "max_p_loss"):
            if option.get(key) is not None:
                allowed.add(rp.pct(option[key]))
        if option.get("targets") is not None:
            allowed.add(rp.number(option["targets"]))
    return allowed


def check_headlines(page: str, decision: dict[str, Any], kpis: dict[str, Any], *, narrative: bool = True) -> None:
    """Assert that every headline number the page shows equals the JSON (and that each one is shown)."""
    found = headlines(page)
    expected = _expected_fields(decision)
    shown: dict[tuple[str, str | None], set[str]] = {}
    for field, alternative, text in found.fields:
        shown.setdefault((field, alternative), set()).add(text)
    for key, value in expected.items():
        assert shown.get(key) == {value}, f"{key}: page shows {shown.get(key)}, decision.json says {value}"
    cur = kpis.get("currency", "GBP")
    values: dict[tuple[str, str], set[str]] = {}
    for key, kind, text in found.kpis:
        values.setdefault((key, kind), set()).add(text)
    for kpi in kpis["kpis"]:
        assert values.get((kpi["key"], "current")) == {format_kpi(kpi["current"], kpi["unit"], cur)}, kpi["key"]
        if kpi.get("previous") is not None:
            assert values.get((kpi["key"], "previous")) == {format_kpi(kpi["previous"], kpi["unit"], cur)}, kpi["key"]
    assert set(k for k, _ in values) <= {k["key"] for k in kpis["kpis"]}
    by_key = {k["key"]: k for k in kpis["kpis"]}
    assert len(found.verdicts) >= 4
    for key, word in found.verdicts:
        kpi = by_key[key]
        if kpi["current"] == kpi["previous"]:
            assert word == "unchanged", key
        else:
            good = (kpi["current"] > kpi["previous"]) == kpi["higher_is_better"]
            assert word == ("better" if good else "worse"), f"{key}: {word}"
    if narrative:
        assert found.narratives, "the narrative callout is missing"
        allowed = _allowed_numbers(decision, kpis)
        for text in found.narratives:
            said = set(_NUMBER.findall(_DATE.sub("", text)))
            assert said <= allowed, f"the narrative says numbers the JSON does not hold: {sorted(said - allowed)}"


@pytest.mark.parametrize("case", ["default", "cdnow-like"])
def test_index_headlines_equal_the_json(folder, tmp_path, case):
    decision, kpis = (fixture("decision.json"), fixture("kpis.json")) if case == "default" \
        else (CDNOW_LIKE, cdnow_kpis())
    result, decision, kpis = run_stage(folder, decision, kpis)
    _, out = folder
    page = site.write_index(out, {"params_file": "p.yaml"}).read_text(encoding="utf-8")
    check_headlines(page, decision, kpis)
    assert page.index("decision-card") < page.index('class="kpis"') < page.index("In short")
    assert result.narrative in page.replace("&#x27;", "'")


def test_the_check_catches_a_number_that_differs_from_the_json(folder):
    _, decision, kpis = run_stage(folder, fixture("decision.json"), fixture("kpis.json"))
    _, out = folder
    page = site.write_index(out, {"params_file": "p.yaml"}).read_text(encoding="utf-8")
    shown = rp.money(decision["expected_net_profit"], "GBP")
    with pytest.raises(AssertionError, match="expected_net_profit"):
        check_headlines(page.replace(f'data-field="expected_net_profit">{shown}', 'data-field="expected_net_'
                                     'profit">£1.00'), decision, kpis)
    with pytest.raises(AssertionError, match="better|worse"):
        check_headlines(page.replace('data-verdict="better"', 'data-verdict="worse"'), decision, kpis)


def _render(params: Path, out: Path) -> str:
    """Execute notebook 07 with papermill into ``out`` and export its HTML as `make reports` does."""
    bindir = Path(sys.executable).parent
    executed = out / "notebooks" / f"{STEP}.ipynb"
    executed.parent.mkdir(exist_ok=True)
    env = {**os.environ, "JUPYTER_PREFER_ENV_PATH": "1", "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
    subprocess.run([bindir / "papermill", "--kernel", "python3", "--cwd", ROOT, "-p", "params_file", params,
                    "-p", "output_dir", out, ROOT / "notebooks" / f"{STEP}.ipynb", executed],
                   check=True, capture_output=True, env=env)
    subprocess.run([bindir / "jupyter", "nbconvert", "--to", "html", "--no-input", "--log-level", "WARN",
                    "--output-dir", out, "--TemplateExporter.extra_template_basedirs=src/retention/templates",
                    "--template", "retention", "--output", STEP, executed],
                   check=True, capture_output=True, env=env, cwd=ROOT)
    return (out / f"{STEP}.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("case", ["default", "cdnow-like"])
def test_executive_summary_headlines_equal_the_json(folder, case):
    decision, kpis = (fixture("decision.json"), fixture("kpis.json")) if case == "default" \
        else (CDNOW_LIKE, cdnow_kpis())
    params, out = folder
    decision, kpis = write_products(out, decision, kpis)
    page = _render(params, out)
    check_headlines(page, decision, kpis)
    soup = BeautifulSoup(page, "html.parser")
    for hidden in soup(["script", "style"]):
        hidden.decompose()
    visible = soup.get_text(" ")
    assert not re.findall(r"\b(?:NaN|None|nan)\b", visible)
    if case == "cdnow-like":
        assert "pays" not in visible and "best 0" not in visible


@pytest.mark.skipif(not (REPORTS / "index.html").exists() or not (REPORTS / f"{STEP}.html").exists(),
                    reason="no finished report run to check")
@pytest.mark.parametrize("page", ["index.html", f"{STEP}.html"])
def test_a_finished_run_shows_the_json_headlines(page):
    decision = json.loads((REPORTS / "artifacts" / "decision.json").read_text(encoding="utf-8"))
    kpis = json.loads((REPORTS / "artifacts" / "kpis.json").read_text(encoding="utf-8"))
    check_headlines((REPORTS / page).read_text(encoding="utf-8"), decision, kpis)


def test_a_measured_uplift_is_called_measured(folder):
    decision = dict(fixture("decision.json"), uplift_source="measured")
    result, decision, _ = run_stage(folder, decision, fixture("kpis.json"))
    assert "(measured 15.0%)" in result.narrative and "assumed" not in result.narrative
    card = rp.decision_card_html(decision)
    assert "the measured uplift of" in card
    plain = rp.decision_card_html(dict(decision, test=None))
    assert "measured so far: 15.0%" in plain


def test_the_chart_title_says_why_a_segment_carries_the_loss():
    table = pd.DataFrame({"customers": [100, 100, 50], "mean_churn_probability": [0.2, 0.6, 0.5],
                          "mean_value_at_stake": [1000.0, 100.0, 120.0], "expected_loss": [20000.0, 6000.0, 3000.0]},
                         index=pd.Index(["Champions", "At Risk", "Lost"], name="Segment"))
    title = stage.chart_title(table, "GBP")
    assert title.startswith("The Champions segment carries the largest expected loss of the base (£20.0k, 69.0%")
    assert "worth more than most, not more likely to leave" in title
    table.loc["At Risk", "expected_loss"] = 40000.0
    assert "more likely to leave, though worth less than most" in stage.chart_title(table, "GBP")
    assert stage.chart_title(table.assign(expected_loss=0.0), "GBP").startswith("No segment")


def test_bubble_labels_keep_off_each_other_and_the_sides():
    x = pd.Series([0.40, 0.41, 0.02, 0.7])
    y = pd.Series([500.0, 505.0, 300.0, 900.0])
    positions = stage.label_positions(x, y, pd.Series(["Need Attention", "About To Sleep", "Potential Loyalists",
                                                       "Champions"]), pd.Series([100, 100, 50, 80]), 0.8)
    assert positions[0] != positions[1]  # two bubbles on top of each other: labels on different sides
    assert positions[2] != "middle left"  # never out of the chart's left side
