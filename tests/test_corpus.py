"""A corpus of bad and awkward input files, each run the way a user runs it.

Every case either runs (the anomaly counted in the cleaning ledger or written in ``info["notes"]``) or stops
in ``retention prepare`` with exit code 2 and ONE line ``error: ...`` naming the file, the column, the
count, an example and the fix. Any other exception escaping ``cli.main`` fails the test that triggers it.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import yaml

from retention import cli, pipeline
from retention.data import DataValidationError
from retention.params import ParamsError, validate_params

START = dt.datetime(2010, 12, 1, 8, 26)
COLUMNS = ["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country"]
# Windows that fit a 4-month corpus log (the defaults need 270 days of data) and leave the churn model
# churners and stayers in every cross-validation fold (retention.requirements).
SHORT = {"churn": {"horizon_days": 7, "min_history_days": 28, "n_train_cutoffs": 4, "spacing_days": 7},
         "clv": {"holdout_days": 14, "penalizer": 0.01}}


def base_log(customers: int = 6, days: int = 120) -> pd.DataFrame:
    """A clean UCI-layout log: each customer buys every 10 + c days from 2010-12-01 08:26, in date order."""
    rows, invoice = [], 536365
    for c in range(customers):
        for k in range(0, days, 10 + c):
            rows.append({"InvoiceNo": str(invoice), "StockCode": f"8512{c}A", "Description": "WHITE HANGING HEART",
                         "Quantity": 6, "InvoiceDate": START + dt.timedelta(days=k, hours=c), "UnitPrice": 2.55,
                         "CustomerID": str(12346 + c), "Country": "United Kingdom"})
            invoice += 1
    return pd.DataFrame(rows, columns=COLUMNS).sort_values("InvoiceDate", kind="stable").reset_index(drop=True)


def write_csv(tmp_path, name: str, frame: pd.DataFrame, **kwargs) -> str:
    path = tmp_path / name
    frame.to_csv(path, index=False, **kwargs)
    return str(path)


def write_text(tmp_path, name: str, text: str | bytes) -> str:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return str(path)


def params_file(tmp_path, data_path: str, data: dict | None = None, **sections) -> str:
    profile = {"data": {"source": "file", "path": data_path, **(data or {})}, **SHORT, **sections}
    path = tmp_path / "profile.yaml"
    path.write_text(yaml.safe_dump(profile))
    return str(path)


def cli_error(capsys, tmp_path, data_path: str, data: dict | None = None, **sections) -> str:
    """Run ``retention prepare`` and return its one-line error (asserting exit 2 and no traceback)."""
    code = cli.main(["prepare", "--params", params_file(tmp_path, data_path, data, **sections),
                     "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err
    return err.strip()


def cli_runs(capsys, tmp_path, data_path: str, data: dict | None = None, **sections) -> str:
    code = cli.main(["prepare", "--params", params_file(tmp_path, data_path, data, **sections),
                     "--out", str(tmp_path / "out")])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return captured.out


def run_prepare(tmp_path, data_path: str, data: dict | None = None, **sections) -> tuple[dict, pd.Series]:
    """``pipeline.prepare`` on a file: the run info and the ledger's rows per reason."""
    profile = {"data": {"source": "file", "path": data_path, **(data or {})}, **SHORT, **sections}
    info = pipeline.prepare(validate_params(profile), tmp_path / "out")
    ledger = pd.read_csv(pipeline.output_paths(tmp_path / "out")["ledger"])
    return info, ledger.set_index("reason")["rows"]


def note_with(info: dict, text: str) -> str:
    found = [n for n in info["notes"] if text in n]
    assert found, f"no note contains {text!r}: {info['notes']}"
    return found[0]


def clean_lines(tmp_path) -> pd.DataFrame:
    return pd.read_parquet(pipeline.output_paths(tmp_path / "out")["transactions"])


# --- columns -------------------------------------------------------------------------------------------------


def test_missing_required_column(capsys, tmp_path):
    path = write_csv(tmp_path, "nodate.csv", base_log().drop(columns="InvoiceDate"))
    err = cli_error(capsys, tmp_path, path)
    assert "nodate.csv, column 'InvoiceDate': required column 'InvoiceDate' is missing (the file has [" in err
    assert "Fix: add data.columns: {'<your column>': 'InvoiceDate'}" in err


def test_misspelled_date_column_suggests_the_mapping(capsys, tmp_path):
    path = write_csv(tmp_path, "typo.csv", base_log().rename(columns={"InvoiceDate": "InvoiceDat"}))
    err = cli_error(capsys, tmp_path, path)
    assert "typo.csv, column 'InvoiceDate': required column 'InvoiceDate' is missing" in err
    assert "Fix: did you mean 'InvoiceDat'? Map it with data.columns: {'InvoiceDat': 'InvoiceDate'}" in err


def test_misspelled_customer_and_price_columns_are_all_named_at_once(capsys, tmp_path):
    log = base_log().rename(columns={"CustomerID": "Custmer ID", "UnitPrice": "Unit_Prise"})
    err = cli_error(capsys, tmp_path, write_csv(tmp_path, "typos.csv", log))
    assert "required columns 'CustomerID', 'UnitPrice' are missing" in err
    assert "did you mean 'Custmer ID' and 'Unit_Prise'?" in err
    assert "{'Custmer ID': 'CustomerID', 'Unit_Prise': 'UnitPrice'}" in err


def test_customer_id_with_underscore_is_read_without_a_mapping(tmp_path):
    path = write_csv(tmp_path, "snake.csv", base_log().rename(columns={"CustomerID": "Customer_ID"}))
    info, _ = run_prepare(tmp_path, path)
    assert info["customers"] == 6
    assert "Read column 'Customer_ID' as CustomerID" in note_with(info, "Customer_ID")


def test_a_file_without_header_line_says_so(capsys, tmp_path):
    text = base_log().to_csv(index=False).split("\n", 1)[1]
    err = cli_error(capsys, tmp_path, write_text(tmp_path, "noheader.csv", text))
    assert "noheader.csv" in err and "the first line looks like a transaction, not column names" in err


def test_two_columns_that_mean_the_same_are_an_error(capsys, tmp_path):
    log = base_log().assign(Invoice=lambda d: d["InvoiceNo"])
    err = cli_error(capsys, tmp_path, write_csv(tmp_path, "twice.csv", log))
    assert "twice.csv, column 'InvoiceNo': more than one column would become 'InvoiceNo': ['InvoiceNo', 'Invoice']" \
        in err


def test_optional_columns_missing_are_noted_with_what_is_skipped(tmp_path):
    log = base_log().drop(columns=["StockCode", "Description", "Country"])
    info, _ = run_prepare(tmp_path, write_csv(tmp_path, "slim.csv", log))
    assert info["available_columns"] == {"InvoiceNo": True, "StockCode": False, "Description": False,
                                         "Country": False}
    assert "product rankings" in note_with(info, "no StockCode or Description column")
    assert "country breakdown is skipped" in note_with(info, "no Country column")


# --- empty files ---------------------------------------------------------------------------------------------


def test_empty_file(capsys, tmp_path):
    err = cli_error(capsys, tmp_path, write_text(tmp_path, "empty.csv", ""))
    assert err == f"error: {tmp_path / 'empty.csv'}: the file is empty. Fix: export the transactions again"


def test_header_only_file(capsys, tmp_path):
    err = cli_error(capsys, tmp_path, write_text(tmp_path, "header.csv", ",".join(COLUMNS) + "\n"))
    assert "header.csv: the file has a header but no transaction lines. Fix: export the transactions again" in err


def test_missing_file(capsys, tmp_path):
    err = cli_error(capsys, tmp_path, str(tmp_path / "nowhere.csv"))
    assert "nowhere.csv: the file does not exist. Fix: check data.path" in err


# --- dates ---------------------------------------------------------------------------------------------------


def test_day_first_dates(tmp_path):
    log = base_log().assign(InvoiceDate=lambda d: d["InvoiceDate"].dt.strftime("%d/%m/%Y %H:%M"))
    assert "31/12/2010 08:26" in set(log["InvoiceDate"])
    info, _ = run_prepare(tmp_path, write_csv(tmp_path, "dayfirst.csv", log))
    assert (info["first_date"], info["end_date"]) == ("2010-12-01", "2011-03-28")
    assert "some first numbers are above 12, e.g. '13/12/2010 10:26'" in note_with(info, "day/month/year")


def test_iso_dates_with_time_zones_keep_the_local_wall_clock_time(tmp_path):
    log = base_log().assign(InvoiceDate=lambda d: d["InvoiceDate"].dt.strftime("%Y-%m-%dT%H:%M:%S+01:00"))
    log.loc[1, "InvoiceDate"] = "2010-12-01T09:26:00Z"
    info, _ = run_prepare(tmp_path, write_csv(tmp_path, "tz.csv", log))
    assert clean_lines(tmp_path)["InvoiceDate"].iloc[:2].tolist() == [pd.Timestamp("2010-12-01 08:26"),
                                                                       pd.Timestamp("2010-12-01 09:26")]
    note = note_with(info, "time zone")
    assert "on 60 lines (e.g. '2010-12-01T08:26:00+01:00' (line 2))" in note and "local wall-clock time" in note


def test_excel_serial_numbers_in_an_xlsx(tmp_path):
    log = base_log()
    log["InvoiceDate"] = (log["InvoiceDate"] - pd.Timestamp("1899-12-30")) / pd.Timedelta(days=1)
    assert log["InvoiceDate"].iloc[0] == pytest.approx(40513.35, abs=0.01)
    log.to_excel(tmp_path / "serial.xlsx", index=False)
    info, _ = run_prepare(tmp_path, str(tmp_path / "serial.xlsx"))
    assert clean_lines(tmp_path)["InvoiceDate"].iloc[0] == pd.Timestamp("2010-12-01 08:26")
    assert "is 2010-12-01 08:26); converted to dates" in note_with(info, "Excel serial day numbers")


def test_excel_serial_numbers_in_a_csv(tmp_path):
    log = base_log()
    log["InvoiceDate"] = ((log["InvoiceDate"] - pd.Timestamp("1899-12-30")) / pd.Timedelta(days=1)).round(5)
    info, _ = run_prepare(tmp_path, write_csv(tmp_path, "serial.csv", log))
    assert info["first_date"] == "2010-12-01"
    assert "(line 2)" in note_with(info, "Excel serial day numbers")


def test_dates_that_do_not_parse(capsys, tmp_path):
    log = base_log().assign(InvoiceDate=lambda d: d["InvoiceDate"].astype(str))
    log.loc[3, "InvoiceDate"], log.loc[7, "InvoiceDate"] = "yesterday", "2010-13-01"
    err = cli_error(capsys, tmp_path, write_csv(tmp_path, "dates.csv", log))
    assert ("dates.csv, column 'InvoiceDate': dates that do not parse (2 rows; e.g. 'yesterday' (line 5), "
            "'2010-13-01' (line 9)). Fix: write dates as YYYY-MM-DD HH:MM (ISO 8601)") in err


def test_dates_written_both_day_first_and_month_first(capsys, tmp_path):
    log = base_log().assign(InvoiceDate=lambda d: d["InvoiceDate"].dt.strftime("%d/%m/%Y %H:%M"))
    log.loc[5, "InvoiceDate"] = "12/13/2010 10:00"
    err = cli_error(capsys, tmp_path, write_csv(tmp_path, "mixed.csv", log))
    assert "mixed.csv, column 'InvoiceDate': dates written day first" in err
    assert "month first (1 row with a second number above 12)" in err and "'12/13/2010 10:00' (line 7)" in err


def test_empty_dates_are_counted_in_the_ledger(tmp_path):
    log = base_log().assign(InvoiceDate=lambda d: d["InvoiceDate"].astype(str))
    log.loc[[4, 9], "InvoiceDate"] = ""
    info, counts = run_prepare(tmp_path, write_csv(tmp_path, "gaps.csv", log))
    assert counts["missing_date"] == 2 and info["rows_kept"] == len(log) - 2


def test_no_line_has_a_date(capsys, tmp_path):
    log = base_log().assign(InvoiceDate="")
    err = cli_error(capsys, tmp_path, write_csv(tmp_path, "nodates.csv", log))
    assert "nodates.csv: no purchase line is left after cleaning (60 lines read; dropped: missing_date 60;" in err
    assert "Fix: fill in the InvoiceDate column." in err


def test_dates_beyond_what_can_be_stored(capsys, tmp_path):
    log = base_log().assign(InvoiceDate=lambda d: d["InvoiceDate"].astype(str))
    log.loc[2, "InvoiceDate"] = "9999-12-31"
    err = cli_error(capsys, tmp_path, write_csv(tmp_path, "far.csv", log))
    assert "far.csv, column 'InvoiceDate': dates that do not parse (1 row; e.g. '9999-12-31' (line 4))" in err


# --- numbers, separators, encodings --------------------------------------------------------------------------


def test_european_csv_with_semicolons_and_decimal_commas(tmp_path):
    log = base_log()
    log.loc[0, "UnitPrice"] = 1234.5
    path = write_csv(tmp_path, "eu.csv", log, sep=";", decimal=",")
    assert "2,55" in (tmp_path / "eu.csv").read_text()
    info, _ = run_prepare(tmp_path, path)
    assert clean_lines(tmp_path)["UnitPrice"].iloc[:2].tolist() == [1234.5, 2.55]
    assert "semicolons" in note_with(info, "Columns are separated by")
    assert "UnitPrice uses a decimal comma in a ';'-separated file (e.g. '1234,5' (line 2) read as 1234.5)" in \
        note_with(info, "decimal comma")


def test_latin1_text_is_decoded_and_noted(tmp_path):
    log = base_log()
    log.loc[0, "Description"] = "CAFÉ CRÈME"
    path = write_text(tmp_path, "latin.csv", log.to_csv(index=False).encode("latin-1"))
    info, _ = run_prepare(tmp_path, path)
    assert clean_lines(tmp_path)["Description"].iloc[0] == "CAFÉ CRÈME"
    assert "decoded as Windows-1252 (cp1252), e.g. 'CAFÉ'" in note_with(info, "not UTF-8")


def test_quantity_written_as_a_word(capsys, tmp_path):
    log = base_log().astype({"Quantity": str})
    log.loc[2, "Quantity"] = "six"
    err = cli_error(capsys, tmp_path, write_csv(tmp_path, "words.csv", log))
    assert "words.csv, column 'Quantity': values that are not numbers (1 row; e.g. 'six' (line 4)). Fix: use " \
           "digits" in err


def test_price_with_a_currency_sign_is_read_and_noted(tmp_path):
    log = base_log().astype({"UnitPrice": str})
    log.loc[1, "UnitPrice"] = "£2.55"
    info, _ = run_prepare(tmp_path, write_csv(tmp_path, "pounds.csv", log))
    assert (clean_lines(tmp_path)["UnitPrice"] == 2.55).all()
    assert "from 1 value (e.g. '£2.55' (line 3)); amounts are taken to be in GBP" in note_with(info, "'£'")


def test_prices_in_two_currencies_are_an_error(capsys, tmp_path):
    log = base_log().astype({"UnitPrice": str})
    log.loc[1, "UnitPrice"], log.loc[2, "UnitPrice"] = "£2.55", "$3.10"
    err = cli_error(capsys, tmp_path, write_csv(tmp_path, "currencies.csv", log))
    assert "currencies.csv, column 'UnitPrice': values in more than one currency ($ and £) (2 rows;" in err


def test_thousands_separators_are_read_and_noted(tmp_path):
    log = base_log().astype({"UnitPrice": str})
    log.loc[1, "UnitPrice"] = "1,234.50"
    info, counts = run_prepare(tmp_path, write_csv(tmp_path, "thousands.csv", log))
    assert clean_lines(tmp_path)["UnitPrice"].max() == 1234.5
    assert "UnitPrice has thousands separators (e.g. '1,234.50' (line 3) read as 1234.5)" in \
        note_with(info, "thousands")


def test_lines_with_more_fields_than_the_header(capsys, tmp_path):
    text = base_log().to_csv(index=False).replace("WHITE HANGING HEART", "WHITE, HANGING HEART", 2)
    err = cli_error(capsys, tmp_path, write_text(tmp_path, "ragged.csv", text))
    assert "ragged.csv: lines with more fields than the header's 8 (2 rows; e.g. line 2:" in err
    assert "Fix: quote text fields that contain the separator ','" in err


# --- what cleaning counts ------------------------------------------------------------------------------------


def test_all_lines_cancelled(capsys, tmp_path):
    log = base_log().assign(InvoiceNo=lambda d: "C" + d["InvoiceNo"], Quantity=-6)
    err = cli_error(capsys, tmp_path, write_csv(tmp_path, "cancelled.csv", log))
    assert "cancelled.csv: no purchase line is left after cleaning (60 lines read; dropped: cancellation 60;" in err
    assert "Fix: the file holds only cancellations" in err
    ledger = pd.read_csv(tmp_path / "out" / "artifacts" / "cleaning_ledger.csv").set_index("reason")["rows"]
    assert ledger["cancellation"] == 60 and ledger["rows_kept"] == 0


def test_only_one_customer_stops_with_the_minimum_the_series_needs(capsys, tmp_path):
    log = base_log().query("CustomerID == '12346'")
    err = cli_error(capsys, tmp_path, write_csv(tmp_path, "one.csv", log))
    assert "one.csv: the customer clusters need at least 3 customers, 2 of them with different purchase patterns " \
           "(segmentation.k_min=2 clusters), but the clean data has 1 customer with 1 different pattern" in err
    assert "Fix: use a log with more customers" in err


def test_every_purchase_on_one_day_stops_before_the_notebooks(capsys, tmp_path):
    log = base_log().assign(InvoiceDate="2010-12-01 10:00")
    err = cli_error(capsys, tmp_path, write_csv(tmp_path, "oneday.csv", log))
    assert "oneday.csv: every purchase that is kept is on one day (2010-12-01)" in err
    assert "at least 42 days (churn.horizon_days x 2 + churn.min_history_days)" in err


def test_every_purchase_on_one_day_is_noted_when_no_model_needs_history(tmp_path):
    path = write_csv(tmp_path, "oneday.csv", base_log().assign(InvoiceDate="2010-12-01 10:00"))
    params = validate_params({"data": {"source": "file", "path": path}})
    del params["churn"], params["clv"], params["segmentation"]
    info = pipeline.prepare(params, tmp_path / "out")
    assert "recency, tenure, churn and CLV need purchases spread over time" in note_with(info, "one day")


def test_lines_after_the_end_date_are_counted(tmp_path):
    log = base_log()
    after = int((log["InvoiceDate"] >= pd.Timestamp("2011-03-01")).sum())
    info, counts = run_prepare(tmp_path, write_csv(tmp_path, "future.csv", log), {"end_date": "2011-02-28"},
                               segmentation={"migration_days": 60})
    assert after > 0 and counts["after_end_date"] == after
    assert info["end_date"] == "2011-02-28" and info["rows_kept"] == len(log) - after
    assert "(data.end_date)" in note_with(info, "covers")


def test_negative_prices_are_counted(tmp_path):
    log = base_log()
    log.loc[[3, 5], "UnitPrice"] = -11062.06
    _, counts = run_prepare(tmp_path, write_csv(tmp_path, "negative.csv", log))
    assert counts["non_positive_price"] == 2


def test_a_ten_million_unit_outlier_is_counted(tmp_path):
    log = base_log()
    log.loc[4, "Quantity"] = 10_000_000
    info, counts = run_prepare(tmp_path, write_csv(tmp_path, "huge.csv", log))
    assert counts["outlier"] == 1 and info["rows_kept"] == len(log) - 1


def test_repeated_header_lines_are_dropped_and_counted(tmp_path):
    lines = base_log().to_csv(index=False).splitlines()
    lines.insert(21, lines[0])
    lines.insert(42, lines[0])
    lines.insert(50, ",,,,,,,")
    info, counts = run_prepare(tmp_path, write_text(tmp_path, "concatenated.csv", "\n".join(lines) + "\n"))
    assert counts["repeated_header"] == 2 and counts["blank_line"] == 1
    assert counts["rows_in"] == 63 and info["rows_kept"] == 60
    assert "Removed 2 copies of the header line inside the file (e.g. line 22, line 43)" in \
        note_with(info, "header line")


# --- layouts -------------------------------------------------------------------------------------------------


def online_retail_ii(log: pd.DataFrame) -> pd.DataFrame:
    ii = log.rename(columns={"InvoiceNo": "Invoice", "UnitPrice": "Price", "CustomerID": "Customer ID"})
    return ii.assign(**{"Customer ID": ii["Customer ID"].astype(float)})


def test_online_retail_ii_workbook_with_two_sheets_needs_no_mapping(tmp_path):
    ii = online_retail_ii(base_log())
    with pd.ExcelWriter(tmp_path / "online_retail_II.xlsx") as writer:
        ii.iloc[:25].to_excel(writer, sheet_name="Year 2009-2010", index=False)
        ii.iloc[25:].to_excel(writer, sheet_name="Year 2010-2011", index=False)
    info, counts = run_prepare(tmp_path, str(tmp_path / "online_retail_II.xlsx"))
    assert counts["rows_in"] == 60 and info["rows_kept"] == 60 and info["customers"] == 6
    assert clean_lines(tmp_path)["CustomerID"].iloc[0] == "12346"
    assert "'Year 2009-2010' (25 lines), 'Year 2010-2011' (35 lines)" in note_with(info, "Stacked 2 Excel sheets")


def test_online_retail_ii_csv_with_us_dates_needs_no_mapping(tmp_path):
    ii = online_retail_ii(base_log())
    ii["InvoiceDate"] = [f"{t.month}/{t.day}/{t.year} {t.hour}:{t.minute:02d}" for t in ii["InvoiceDate"]]
    assert ii["InvoiceDate"].iloc[0] == "12/1/2010 8:26"
    info, _ = run_prepare(tmp_path, write_csv(tmp_path, "online_retail_II.csv", ii))
    assert (info["first_date"], info["end_date"]) == ("2010-12-01", "2011-03-28")
    assert "some second numbers are above 12" in note_with(info, "month/day/year (US style)")


def test_ambiguous_day_month_order_follows_the_file_order(tmp_path):
    # No number above 12: read day first the lines are in date order, month first they are not.
    log = base_log().assign(InvoiceDate=lambda d: d["InvoiceDate"].dt.strftime("%d/%m/%Y %H:%M"))
    log = log[log["InvoiceDate"].str[:2].astype(int) <= 12]
    info, _ = run_prepare(tmp_path, write_csv(tmp_path, "ambiguous.csv", log))
    assert info["first_date"] == "2010-12-01" and info["end_date"] == "2011-03-11"
    assert "the lines are in date order when read this way" in note_with(info, "day/month/year")


def test_ambiguous_dates_in_no_order_are_read_month_first_and_noted(tmp_path):
    path = write_text(tmp_path, "tie.csv", "CustomerID,InvoiceDate,Amount\nA,05/06/2011,3\nB,05/06/2011,4\n")
    params = validate_params({"data": {"source": "file", "path": path}})
    del params["churn"], params["clv"], params["segmentation"]
    info = pipeline.prepare(params, tmp_path / "out")
    assert info["first_date"] == "2011-05-06"
    assert "month first was assumed (as in the UCI exports)" in note_with(info, "month/day/year")


def test_a_workbook_saved_as_csv_is_read_as_a_workbook(tmp_path):
    base_log().to_excel(tmp_path / "book.xlsx", index=False)
    (tmp_path / "export.csv").write_bytes((tmp_path / "book.xlsx").read_bytes())
    info, _ = run_prepare(tmp_path, str(tmp_path / "export.csv"))
    assert info["rows_kept"] == 60
    assert "holds an Excel workbook; it was read as one" in note_with(info, "export.csv")


def test_a_corrupt_workbook(capsys, tmp_path):
    err = cli_error(capsys, tmp_path, write_text(tmp_path, "broken.xlsx", b"PK\x03\x04" + b"\x00garbage" * 20))
    assert "broken.xlsx: the file could not be read as an Excel workbook (BadZipFile:" in err
    assert "Fix: open it in the program that made it and export it again" in err


def test_a_sheet_that_does_not_exist(capsys, tmp_path):
    with pd.ExcelWriter(tmp_path / "ii.xlsx") as writer:
        online_retail_ii(base_log()).to_excel(writer, sheet_name="Year 2010-2011", index=False)
    err = cli_error(capsys, tmp_path, str(tmp_path / "ii.xlsx"), {"sheet": "Year 2011"})
    assert "ii.xlsx: there is no sheet 'Year 2011' (sheets: ['Year 2010-2011']). Fix: did you mean " \
           "'Year 2010-2011'?" in err


# --- params that must fit the data ---------------------------------------------------------------------------


def test_end_date_before_the_first_transaction(capsys, tmp_path):
    path = write_csv(tmp_path, "log.csv", base_log())
    err = cli_error(capsys, tmp_path, path, {"end_date": "2009-01-31"})
    assert "data.end_date 2009-01-31 is before the first transaction in" in err
    assert "(the data runs from 2010-12-01 to 2011-03-28)" in err and "profile.yaml" in err


def test_end_date_after_the_last_transaction(tmp_path):
    with pytest.raises(ParamsError, match=r"data.end_date 2012-01-01 is after the last transaction in .*log.csv "
                                          r"\(the data runs from 2010-12-01 to 2011-03-28\)"):
        run_prepare(tmp_path, write_csv(tmp_path, "log.csv", base_log()), {"end_date": "2012-01-01"})


def test_churn_horizon_longer_than_the_data(capsys, tmp_path):
    path = write_csv(tmp_path, "log.csv", base_log())
    err = cli_error(capsys, tmp_path, path, churn={"horizon_days": 90, "min_history_days": 90})
    assert "the churn settings do not fit the data" in err and "covers 117 days (2010-12-01 to 2011-03-28)" in err
    assert "churn.horizon_days=90 and churn.min_history_days=90 need at least 270 days" in err
    assert "Fix: lower churn.horizon_days to 13 or less, or use a longer transaction log" in err


def test_churn_check_runs_even_when_the_data_is_already_prepared(tmp_path):
    path = write_csv(tmp_path, "log.csv", base_log())
    run_prepare(tmp_path, path)
    with pytest.raises(ParamsError, match="lower churn.min_history_days to 17 or less"):
        run_prepare(tmp_path, path, churn={"horizon_days": 50, "min_history_days": 30})


def test_clv_holdout_longer_than_the_data(tmp_path):
    with pytest.raises(ParamsError, match=r"clv.holdout_days=200 leaves no calibration period: .*covers 117 days"):
        run_prepare(tmp_path, write_csv(tmp_path, "log.csv", base_log()), clv={"holdout_days": 200})


def test_only_data_validation_errors_escape_prepare(tmp_path):
    # One awkward file of each kind above through the library call: nothing but our two error types.
    for name, text in [("a.csv", "x\n"), ("b.csv", "CustomerID,InvoiceDate,UnitPrice\n1,,\n"),
                       ("c.csv", '"unterminated\n'), ("d.csv", "\x00\x01\x02")]:
        with pytest.raises((DataValidationError, ParamsError)):
            run_prepare(tmp_path, write_text(tmp_path, name, text))
