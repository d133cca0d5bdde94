import numpy as np
import pandas as pd
import pytest

from retention.data import DataValidationError
from retention.experiments import (
    campaign_outcomes,
    campaign_profit,
    campaign_verdict,
    check_results,
    margin_outcome,
    mean_effect,
    measure_effects,
    measured_uplift,
    proportion_effect,
    read_results,
    validate_results,
)

KNOWN = ["1", "2", "3", "4", "5", "6"]
LOG = {"known_ids": KNOWN, "first_date": "2011-01-01", "end_date": "2011-12-31"}


def raw(rows, columns=("CustomerID", "group", "sent_at")) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(columns), dtype="string")
    frame.index = [f"line {i + 2}" for i in range(len(frame))]
    return frame


def test_a_clean_file_reads_with_flexible_names_and_case(tmp_path):
    path = tmp_path / "results.csv"
    path.write_text("customer_id,Group,Sent At\n1,Treatment,2011-06-01\n2, control ,2011-06-01\n3.0,treatment,"
                    "2011-06-01\n")
    results = read_results(path, **LOG)
    a = results.assignment
    assert list(a.columns) == ["CustomerID", "group", "sent_at", "campaign", "discount"]
    assert list(a["CustomerID"]) == ["1", "2", "3"] and list(a["group"]) == ["treatment", "control", "treatment"]
    assert (a["sent_at"] == pd.Timestamp("2011-06-01")).all()
    assert results.dropped == {"rows_in": 3, "rows_kept": 3}
    assert any("'.0'" in note for note in results.notes)


@pytest.mark.parametrize("rows, column, words", [
    ([("1", "treatment", "2011-06-01"), ("2", "holdout", "2011-06-01")], "group", "'holdout' (line 3)"),
    ([("1", "treatment", "2011-06-01"), ("2", "control", "01/13/2011x")], "sent_at", "not dates"),
    ([("1", "treatment", "2010-06-01"), ("2", "control", "2011-06-01")], "sent_at", "outside the transaction log"),
    ([("1", "treatment", "2011-06-01"), ("1", "control", "2011-06-01"), ("2", "control", "2011-06-01")],
     "CustomerID", "listed twice with a different group"),
    ([("1", "treatment", "2011-06-01"), ("2", "treatment", "2011-06-01")], "group",
     "no customer is left in the control"),
    ([("7", "treatment", "2011-06-01"), ("8", "control", "2011-06-01")], "CustomerID", "no customer of the results"),
    ([("1", "treatment", "2011-12-01"), ("2", "control", "2011-12-01")], "sent_at", "lower the outcome window to 30"),
    ([(None, "treatment", "2011-06-01"), ("2", "control", "2011-06-01")], "CustomerID", "empty CustomerIDs"),
])
def test_bad_results_are_one_clear_error(rows, column, words):
    with pytest.raises(DataValidationError) as info:
        validate_results(raw(rows), file="results.csv", **LOG)
    message = str(info.value)
    assert message.startswith(f"results.csv, column '{column}'") and words in message and "Fix:" in message


def test_missing_columns_and_several_campaigns_are_errors():
    with pytest.raises(DataValidationError, match=r"no column \['sent_at'\].*Fix:"):
        validate_results(raw([("1", "treatment")], columns=("CustomerID", "group")), **LOG)
    two = raw([("1", "treatment", "2011-06-01", "A"), ("2", "control", "2011-06-01", "B")],
              columns=("CustomerID", "group", "sent_at", "campaign"))
    with pytest.raises(DataValidationError, match="2 campaigns: 'A' \\(1 rows\\), 'B'"):
        validate_results(two, **LOG)
    with pytest.raises(DataValidationError, match="no campaign 'C'"):
        validate_results(two, campaign="C", **LOG)


def test_repeats_unknown_ids_and_late_sends_are_counted_not_silent():
    rows = [("1", "treatment", "2011-06-01"), ("1", "treatment", "2011-06-01"), ("2", "control", "2011-06-01"),
            ("99", "control", "2011-06-01"), ("3", "treatment", "2011-12-10"), ("4", "control", "2011-06-01"),
            (None, None, None)]
    results = validate_results(raw(rows), **LOG)
    assert list(results.assignment["CustomerID"]) == ["1", "2", "4"]
    assert results.dropped == {"rows_in": 7, "blank_line": 1, "duplicate_row": 1, "unknown_customer": 1,
                               "window_past_end": 1, "rows_kept": 3}
    text = " ".join(results.notes)
    assert "1 rows repeat" in text and "(0 treatment, 1 control) never appear" in text and "'99'" not in text
    assert "e.g. 99" in text and "sent too late for a 60-day outcome window" in text


def test_discounts_are_one_share_per_campaign():
    rows = [("1", "treatment", "2011-06-01", "15%"), ("2", "control", "2011-06-01", None),
            ("3", "treatment", "2011-06-01", "0.15")]
    results = validate_results(raw(rows, columns=("CustomerID", "group", "sent_at", "discount")), **LOG)
    assert results.discount == pytest.approx(0.15) and (results.assignment["discount"] == 0.15).all()
    assert any("1 rows give no discount" in note for note in results.notes)
    assert validate_results(raw(rows[:2], columns=("CustomerID", "group", "sent_at", "discount"))[
        ["CustomerID", "group", "sent_at"]], **LOG).discount is None
    with pytest.raises(DataValidationError, match="column 'discount'.*different discounts"):
        validate_results(raw([("1", "treatment", "2011-06-01", "0.1"), ("2", "control", "2011-06-01", "0.2")],
                             columns=("CustomerID", "group", "sent_at", "discount")), **LOG)
    with pytest.raises(DataValidationError, match="not a share between 0 and 1.*'150%'.*Fix:"):
        validate_results(raw([("1", "treatment", "2011-06-01", "150%"), ("2", "control", "2011-06-01", "")],
                             columns=("CustomerID", "group", "sent_at", "discount")), **LOG)


def test_the_profiles_results_file_is_checked_before_any_report(tmp_path):
    data = tmp_path / "log.csv"
    assert check_results(None, source="file", data_path=data, **LOG) is None   # no test: nothing to check
    assert check_results(None, source="generated", data_path=data, **LOG) is None  # no campaign was generated
    (tmp_path / "log_campaign.csv").write_text("CustomerID,group,sent_at\n1,treatment,2011-06-01\n"
                                               "2,control,2011-06-01\n")
    generated = check_results(None, source="generated", data_path=data, **LOG)
    assert len(generated.assignment) == 2
    with pytest.raises(DataValidationError, match="experiment.results names nowhere.csv, which does not exist"):
        check_results("nowhere.csv", source="file", data_path=data, params_file="p.yaml", **LOG)
    bad = tmp_path / "results.csv"
    bad.write_text("CustomerID,group,sent_at\n1,treatment,2011-06-01\n2,holdout,2011-06-01\n")
    with pytest.raises(DataValidationError, match=r"results.csv, column 'group'.*'holdout' \(line 3\).*Fix:"):
        check_results(str(bad), source="file", data_path=data, **LOG)


def test_outcomes_join_the_engine_counts_to_the_assignment_and_the_margin_nets_the_discount():
    assignment = pd.DataFrame({"CustomerID": ["1", "2", "3"], "group": ["treatment", "control", "control"],
                               "sent_at": pd.to_datetime(["2011-06-01"] * 3)})
    purchases = pd.DataFrame({"orders": [2, 0, 1], "revenue": [75.0, 0.0, 15.0],
                              "first_order_revenue": [35.0, 0.0, 15.0]}, index=pd.Index(["3", "2", "1"][::-1]))
    out = campaign_outcomes(assignment, purchases)
    assert list(out.index) == ["1", "2", "3"]
    assert out.loc["1", ["orders", "revenue", "first_order_revenue"]].to_list() == [2, 75.0, 35.0]
    assert out.loc["2", ["purchased", "orders", "revenue"]].to_list() == [False, 0, 0.0]
    assert bool(out.loc["3", "purchased"]) and out.loc["3", "revenue"] == 15.0
    with pytest.raises(ValueError, match="no outcome row"):
        campaign_outcomes(assignment, purchases.drop(index="3"))
    # the discount on the treated first order: paid 35 at 15% off -> 35 * 0.15 / 0.85 given away
    margin = margin_outcome(out, margin=0.4, discount=0.15)
    assert margin["1"] == pytest.approx(0.4 * 75 - 0.6 * 35 * 0.15 / 0.85)
    assert margin["3"] == pytest.approx(0.4 * 15)


def test_effects_match_statsmodels_and_welch():
    rng = np.random.default_rng(1)
    treated, control = rng.random(400) < 0.40, rng.random(500) < 0.30
    effect = proportion_effect(treated, control)
    assert effect["uplift"] == pytest.approx(treated.mean() - control.mean())
    assert effect["ci_low"] < effect["uplift"] < effect["ci_high"] and effect["p_value"] < 0.01
    a, b = rng.normal(10, 5, 300), rng.normal(9, 1, 50)
    welch = mean_effect(a, b)
    se = np.sqrt(a.var(ddof=1) / 300 + b.var(ddof=1) / 50)
    assert (welch["ci_high"] - welch["ci_low"]) / 2 == pytest.approx(se * 1.97, rel=0.02)  # t quantile ~1.97
    assert np.isnan(mean_effect(a, b[:1])["uplift"])


def test_measured_effects_by_group_and_the_verdict():
    rng = np.random.default_rng(2)
    n = 2000
    group = np.where(np.arange(n) % 2 == 0, "treatment", "control")
    segment = rng.choice(["A", "B"], n)
    bought = rng.random(n) < np.where(group == "treatment", np.where(segment == "A", 0.8, 0.3), 0.3)
    revenue = np.where(bought, 100.0, 0.0)
    out = pd.DataFrame({"group": group, "purchased": bought, "orders": bought.astype(int), "revenue": revenue,
                        "first_order_revenue": revenue, "Segment": segment})
    effects = measure_effects(out, by=["Segment"], margin=0.4, discount=0.1)
    assert set(effects["outcome"]) == {"purchased", "orders", "revenue", "margin"}
    seg = effects[(effects["by"] == "Segment") & (effects["outcome"] == "purchased")].set_index("level")
    assert seg.loc["A", "ci_low"] > 0.3 and seg.loc["B", "ci_low"] < 0 < seg.loc["B", "ci_high"]
    measured = measured_uplift(effects)
    assert measured.ci_low < measured.estimate < measured.ci_high
    assert measured.draws(20000, seed=1).std() == pytest.approx(measured.std_error, rel=0.05)
    assert campaign_verdict(effects, contact_cost=0.0).startswith("The campaign paid")
    profit = campaign_profit(effects, contact_cost=1.0, fixed_cost=100.0)
    margin = effects[(effects["by"] == "all") & (effects["outcome"] == "margin")].iloc[0]
    assert profit["outcome"] == "margin" and profit["n_treatment"] == 1000
    assert profit["estimate"] == pytest.approx(1000 * (margin["uplift"] - 1.0) - 100.0)
    assert profit["low"] < profit["estimate"] < profit["high"]
    assert "£" in campaign_verdict(effects, currency="£") and "£ " not in campaign_verdict(effects, currency="£")
    assert campaign_verdict(effects, contact_cost=50.0, currency="GBP").startswith("The campaign did not pay")
    assert "cannot tell" in campaign_verdict(effects, contact_cost=effects.iloc[3]["uplift"] + 0.0)
