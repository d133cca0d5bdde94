import numpy as np
import pandas as pd
import pytest

from retention.data import DataValidationError
from retention.experiments import (
    campaign_outcomes,
    campaign_verdict,
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
    assert list(a.columns) == ["CustomerID", "group", "sent_at", "campaign"]
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


def lines(rows):
    frame = pd.DataFrame(rows, columns=["InvoiceNo", "InvoiceDate", "CustomerID", "Revenue"])
    frame["InvoiceDate"] = pd.to_datetime(frame["InvoiceDate"], format="ISO8601")
    return frame


def test_outcomes_count_only_purchases_strictly_after_the_send_day_and_within_the_window():
    tx = lines([
        ("a1", "2011-05-31 10:00", "1", 10.0),   # before the send day: history
        ("a2", "2011-06-01 18:00", "1", 20.0),   # on the send day: history, not outcome
        ("a3", "2011-06-02 09:00", "1", 30.0),   # first day of the window
        ("a3", "2011-06-02 09:00", "1", 5.0),    # same invoice, second line
        ("a4", "2011-07-31 23:59", "1", 40.0),   # last day of a 60-day window
        ("a5", "2011-08-01 00:01", "1", 50.0),   # day 61: after the window
        ("b1", "2011-08-15", "2", 70.0),         # control customer, only after the window
        ("c1", "2011-06-10", "3", 15.0),
    ])
    assignment = pd.DataFrame({"CustomerID": ["1", "2", "3"], "group": ["treatment", "control", "control"],
                               "sent_at": pd.to_datetime(["2011-06-01"] * 3)})
    out = campaign_outcomes(tx, assignment, outcome_days=60)
    assert out.loc["1", ["orders", "revenue", "first_order_revenue"]].to_list() == [2, 75.0, 35.0]
    assert out.loc["2", ["purchased", "orders", "revenue"]].to_list() == [False, 0, 0.0]
    assert bool(out.loc["3", "purchased"]) and out.loc["3", "revenue"] == 15.0
    short = campaign_outcomes(tx, assignment, outcome_days=1)
    assert short.loc["1", "orders"] == 1 and not short.loc["3", "purchased"]
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
    assert campaign_verdict(effects, contact_cost=50.0, currency="GBP").startswith("The campaign did not pay")
    assert "cannot tell" in campaign_verdict(effects, contact_cost=effects.iloc[3]["uplift"] + 0.0)
