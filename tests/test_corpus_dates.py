"""The corpus, continued: date layouts, decimal commas, far-dated lines and C invoices that are orders (issue 12)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from test_corpus import base_log, clean_lines, cli_error, note_with, run_prepare, write_csv, write_text

from retention import pipeline
from retention.data import DataValidationError, load
from retention.params import validate_params

REVENUE = float((base_log()["Quantity"] * base_log()["UnitPrice"]).sum())


def revenue(tmp_path) -> float:
    ledger = pd.read_csv(tmp_path / "out" / "artifacts" / "cleaning_ledger.csv").set_index("reason")
    return float(ledger.loc["rows_kept", "revenue"])


def year_log(days: int = 360) -> pd.DataFrame:
    """Eight customers over a year (2011), each buying every 9 + c days, in date order; days 1 to 28."""
    rows, invoice = [], 600000
    for c in range(8):
        for k in range(c, days, 9 + c):
            when = dt.datetime(2011, 1, 1, 9) + dt.timedelta(days=k, hours=c)
            rows.append({"InvoiceNo": str(invoice), "StockCode": f"S{c}", "Description": "MUG", "Quantity": 2,
                         "InvoiceDate": when, "UnitPrice": 4.5 + c, "CustomerID": str(20000 + c), "Country": "Sweden"})
            invoice += 1
    return pd.DataFrame(rows).sort_values("InvoiceDate", kind="stable").reset_index(drop=True)


# --- ambiguous date layouts ----------------------------------------------------------------------------------


def test_two_digit_years_first_are_not_read_into_a_thirty_year_span(tmp_path):
    # 11/03/25 is 25 March 2011 (yy/mm/dd); read as mm/dd/yy or dd/mm/yy it would be 2025 or 2003.
    log = year_log().assign(InvoiceDate=lambda d: d["InvoiceDate"].dt.strftime("%y/%m/%d %H:%M"))
    info, _ = run_prepare(tmp_path, write_csv(tmp_path, "yymmdd.csv", log))
    assert (info["first_date"], info["end_date"]) == ("2011-01-01", "2011-12-26")
    note = note_with(info, "InvoiceDate is read as year/month/day")
    assert "the dates would spread over" in note and "years with purchases in only" in note


def test_a_tie_that_a_year_first_reading_could_explain_stops_with_the_choice(capsys, tmp_path):
    # Every number is 12 or less and the lines are not in date order: dd/mm/yy, mm/dd/yy and yy/mm/dd all fit.
    log = year_log().assign(InvoiceDate=lambda d: d["InvoiceDate"].dt.strftime("%d/%m/%y"))
    log = log[log["InvoiceDate"].str[:2].astype(int).between(10, 12)].sample(frac=1, random_state=3)
    err = cli_error(capsys, tmp_path, write_csv(tmp_path, "tie.csv", log))
    assert "tie.csv, column 'InvoiceDate': the dates can be read as day/month/year or month/day/year or " \
           "year/month/day, and nothing in the file tells which" in err
    assert "Fix: set data.date_order to dmy or mdy or ymd in your params file" in err


def test_data_date_order_decides_and_says_so(tmp_path):
    log = year_log().assign(InvoiceDate=lambda d: d["InvoiceDate"].dt.strftime("%d/%m/%y"))
    log = log[log["InvoiceDate"].str[:2].astype(int).between(10, 12)].sample(frac=1, random_state=3)
    loaded = load(write_csv(tmp_path, "tie.csv", log), date_order="dmy")
    assert loaded.transactions["InvoiceDate"].dt.year.eq(2011).all()
    assert "InvoiceDate is read as day/month/year, as data.date_order says." in loaded.notes


def test_a_date_order_that_does_not_fit_the_file_is_an_error(tmp_path):
    log = year_log().assign(InvoiceDate=lambda d: d["InvoiceDate"].dt.strftime("%d/%m/%Y"))
    params = validate_params({"data": {"source": "file", "path": write_csv(tmp_path, "dmy.csv", log)}})
    params["data"]["date_order"] = "mdy"  # data.date_order (the config helper adds the key to the schema)
    with pytest.raises(DataValidationError, match=r"dmy.csv, column 'InvoiceDate': dates that are not dates when "
                                                  r"read as month/day/year \(US style\) \(data.date_order: mdy\) "
                                                  r"\(139 rows; e.g. '14/01/2011' \(line 12\)"):
        pipeline.prepare(params, tmp_path / "out")


def test_the_shops_week_decides_an_order_the_numbers_cannot(tmp_path):
    # Only days 1 to 12, lines shuffled: the order of the file says nothing, but the shop never sells on Sundays.
    rng = np.random.default_rng(5)
    days = pd.date_range("2010-01-01", "2011-12-31", freq="D")
    days = days[(days.day <= 12) & (days.day_of_week != 6)]
    log = pd.DataFrame({"CustomerID": rng.integers(1, 40, 900).astype(str),
                        "InvoiceDate": rng.choice(days, 900), "Amount": 10.0})
    log["InvoiceDate"] = pd.to_datetime(log["InvoiceDate"]).dt.strftime("%m/%d/%Y")
    loaded = load(write_csv(tmp_path, "week.csv", log))
    assert loaded.transactions["InvoiceDate"].dt.day_of_week.ne(6).all()
    assert "hardly any sales on Sundays" in note_with({"notes": loaded.notes}, "month/day/year")


# --- decimal commas ------------------------------------------------------------------------------------------


def test_a_decimal_comma_with_three_decimals_is_a_decimal(tmp_path):
    log = base_log()
    log["UnitPrice"] = np.where(log.index % 2 == 0, "0,850", "2,55")
    info, _ = run_prepare(tmp_path, write_csv(tmp_path, "comma.csv", log))
    prices = clean_lines(tmp_path)["UnitPrice"]
    assert set(prices.round(3)) == {0.85, 2.55}
    expected = float((log["Quantity"] * np.where(log.index % 2 == 0, 0.85, 2.55)).sum())
    assert revenue(tmp_path) == pytest.approx(expected)
    assert "UnitPrice uses a decimal comma (e.g. '0,850' (line 2) read as 0.85)" in note_with(info, "decimal comma")


def test_three_decimals_read_by_the_files_other_numbers(tmp_path):
    # Every price reads both ways (1,250); the line totals show the file writes decimals with a comma.
    log = base_log().assign(UnitPrice="1,250")
    log["Total"] = (log["Quantity"] * 1.25).map(lambda v: f"{v:.2f}".replace(".", ","))
    run_prepare(tmp_path, write_csv(tmp_path, "totals.csv", log))
    assert clean_lines(tmp_path)["UnitPrice"].eq(1.25).all()
    assert revenue(tmp_path) == pytest.approx(float(log["Quantity"].sum() * 1.25))


def test_thousands_with_a_comma_stay_thousands_when_the_file_uses_decimal_dots(tmp_path):
    log = base_log().astype({"Quantity": str})
    log.loc[2, "Quantity"] = "1,200"
    run_prepare(tmp_path, write_csv(tmp_path, "dots.csv", log), cleaning={"max_quantity": 5000})
    assert clean_lines(tmp_path)["Quantity"].max() == 1200


# --- lines dated far from the rest ---------------------------------------------------------------------------


def test_a_line_in_2031_does_not_move_the_analysis_date(tmp_path):
    log = base_log()
    far = log.iloc[[10]].assign(InvoiceDate=pd.Timestamp("2031-05-01 10:00"))
    log = pd.concat([log, far], ignore_index=True)
    info, counts = run_prepare(tmp_path, write_csv(tmp_path, "far.csv", log))
    assert info["end_date"] == "2011-03-28" and counts["far_future_date"] == 1
    assert counts["rows_in"] == 61 and info["rows_kept"] == 60 and revenue(tmp_path) == pytest.approx(REVENUE)
    note = note_with(info, "far after the rest")
    assert "('2031-05-01 10:00:00' (line 62))" in note and "2011-03-28, the last day with normal activity" in note


def test_a_far_future_line_is_kept_when_the_end_date_includes_it(tmp_path):
    log = base_log()
    later = log.iloc[[10]].assign(InvoiceDate=pd.Timestamp("2011-09-01 10:00"))
    log = pd.concat([log, later], ignore_index=True)
    info, counts = run_prepare(tmp_path, write_csv(tmp_path, "later.csv", log))
    assert counts["far_future_date"] == 1 and info["end_date"] == "2011-03-28"
    info, counts = run_prepare(tmp_path, write_csv(tmp_path, "later.csv", log), {"end_date": "2011-03-28"})
    assert counts["after_end_date"] == 1 and counts["far_future_date"] == 0


def test_a_null_date_in_1970_does_not_start_every_history(tmp_path):
    log = base_log()
    log["InvoiceDate"] = log["InvoiceDate"].astype(str)
    log.loc[5, "InvoiceDate"] = "1970-01-01 00:00:00"
    info, counts = run_prepare(tmp_path, write_csv(tmp_path, "epoch.csv", log))
    assert counts["far_past_date"] == 1 and info["first_date"] == "2010-12-01"
    assert "1 line dated far before the rest ('1970-01-01' (line 7))" in note_with(info, "far before the rest")


# --- C invoices that are orders ------------------------------------------------------------------------------


def test_c_invoices_with_a_positive_quantity_are_orders(tmp_path):
    log = base_log()
    log.loc[[3, 10, 20], "InvoiceNo"] = "C" + log.loc[[3, 10, 20], "InvoiceNo"]
    cancel = log.iloc[[30]].assign(InvoiceNo="C999999", Quantity=-6)
    log = pd.concat([log, cancel], ignore_index=True)
    info, counts = run_prepare(tmp_path, write_csv(tmp_path, "corders.csv", log))
    assert counts["cancellation"] == 1 and info["rows_kept"] == 60 and revenue(tmp_path) == pytest.approx(REVENUE)
    assert "3 lines have an InvoiceNo starting with 'C' but a positive quantity" in note_with(info, "starting with 'C'")


def test_every_invoice_starting_with_c_and_positive_is_a_normal_log(tmp_path):
    log = base_log().assign(InvoiceNo=lambda d: "C" + d["InvoiceNo"])
    info, counts = run_prepare(tmp_path, write_text(tmp_path, "cshop.csv", log.to_csv(index=False)))
    assert counts["cancellation"] == 0 and info["rows_kept"] == 60 and info["customers"] == 6
