"""The corpus, continued: customer ids and column names as new users' exports write them (issue 12).

Each case runs ``retention prepare`` as a user does and asserts what must not change (customers, revenue,
lines kept) besides the note or the one-line error.
"""

from __future__ import annotations

import pandas as pd
import pytest
from test_corpus import base_log, cli_error, note_with, run_prepare, write_csv, write_text

from retention.data import load

REVENUE = float((base_log()["Quantity"] * base_log()["UnitPrice"]).sum())


def kept(counts: pd.Series) -> int:
    return int(counts["rows_kept"])


def revenue(tmp_path) -> float:
    ledger = pd.read_csv(tmp_path / "out" / "artifacts" / "cleaning_ledger.csv").set_index("reason")
    return float(ledger.loc["rows_kept", "revenue"])


# --- identities ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("placeholder", ["NULL", "N/A", "nan", "-", "  ", "None", "#N/A", "unknown", "?"])
def test_placeholder_ids_are_guest_lines_never_one_customer(tmp_path, placeholder):
    log = base_log()
    guests = log.index[log["CustomerID"] == "12351"]
    log.loc[guests, "CustomerID"] = placeholder
    info, counts = run_prepare(tmp_path, write_csv(tmp_path, "guests.csv", log))
    assert info["customers"] == 5  # not 6: the placeholder is nobody
    assert counts["missing_customer_id"] == len(guests) and kept(counts) == len(log) - len(guests)
    assert placeholder not in set(pd.read_parquet(tmp_path / "out" / "work" / "transactions.parquet")["CustomerID"])
    if placeholder.strip():
        note = note_with(info, "placeholder")
        assert f"{placeholder!r} {len(guests)}" in note and "missing_customer_id" in note


def test_ids_in_scientific_notation_stop_with_the_fix(capsys, tmp_path):
    log = base_log()
    log.loc[[2, 9, 30], "CustomerID"] = ["4.40013E+11", "4.40013E+11", "1.2e5"]
    err = cli_error(capsys, tmp_path, write_csv(tmp_path, "sci.csv", log))
    assert "sci.csv, column 'CustomerID': ids written in scientific notation, which lost digits" in err
    assert "(3 rows; e.g. '4.40013E+11' (line 4), '1.2e5' (line 32))" in err
    assert "Fix: export the customer ids as text" in err


def test_numeric_ids_written_with_decimals_are_one_customer(tmp_path):
    log = base_log()
    mine = log.index[log["CustomerID"] == "12346"]
    log.loc[mine[::3], "CustomerID"] = "12346.0"
    log.loc[mine[1::3], "CustomerID"] = "12346.00"
    info, counts = run_prepare(tmp_path, write_csv(tmp_path, "decimals.csv", log))
    assert info["customers"] == 6 and kept(counts) == len(log)
    assert revenue(tmp_path) == pytest.approx(REVENUE)
    assert "read as the same customer" in note_with(info, "with and without decimals")


def test_ids_that_differ_by_leading_zeros_stay_two_customers_and_are_counted(tmp_path):
    log = base_log()
    mine = log.index[log["CustomerID"] == "12346"]
    log.loc[mine[::2], "CustomerID"] = "0012346"
    info, _ = run_prepare(tmp_path, write_csv(tmp_path, "zeros.csv", log))
    assert info["customers"] == 7
    note = note_with(info, "leading zeros")
    assert note.startswith("2 customer ids differ from another only by leading zeros (e.g. '0012346' and '12346')")


# --- column names --------------------------------------------------------------------------------------------


SHOP_EXPORT = {"InvoiceNo": "Order ID", "StockCode": "SKU", "Description": "Product", "Quantity": "Qty",
               "InvoiceDate": "Order Date", "UnitPrice": "Price Each", "CustomerID": "Customer Id",
               "Country": "Ship Country"}


def test_common_names_of_every_column_are_read_with_a_note_and_the_same_revenue(tmp_path):
    info, counts = run_prepare(tmp_path, write_csv(tmp_path, "shop.csv", base_log().rename(columns=SHOP_EXPORT)))
    assert info["customers"] == 6 and kept(counts) == 60
    assert revenue(tmp_path) == pytest.approx(REVENUE)  # Qty is read: not one unit per line
    note = note_with(info, "common names")
    assert "'Order ID' as InvoiceNo, 'SKU' as StockCode, 'Product' as Description, 'Qty' as Quantity" in note
    assert "'Customer Id' as CustomerID" in note_with(info, "same name up to case")


@pytest.mark.parametrize(("quantity", "price"), [("Quantity Ordered", "Unit Price"), ("Units", "Item Price"),
                                                 ("QTY", "unit_price")])
def test_other_spellings_of_quantity_and_price_keep_the_revenue(tmp_path, quantity, price):
    log = base_log().rename(columns={"Quantity": quantity, "UnitPrice": price})
    info, _ = run_prepare(tmp_path, write_csv(tmp_path, "spelled.csv", log))
    assert revenue(tmp_path) == pytest.approx(REVENUE)
    assert not any("no Quantity column" in n for n in info["notes"])


@pytest.mark.parametrize("total", ["Total", "Line Total", "Revenue"])
def test_a_line_total_without_a_price_gives_the_unit_price(tmp_path, total):
    log = base_log()
    log[total] = log["Quantity"] * log["UnitPrice"]
    info, _ = run_prepare(tmp_path, write_csv(tmp_path, "totals.csv", log.drop(columns="UnitPrice")))
    assert revenue(tmp_path) == pytest.approx(REVENUE)
    assert "UnitPrice = Amount / Quantity" in note_with(info, "line total")


def test_a_total_and_a_price_without_quantity_give_the_quantity(tmp_path):
    log = base_log().assign(Total=lambda d: d["Quantity"] * d["UnitPrice"]).drop(columns="Quantity")
    info, _ = run_prepare(tmp_path, write_csv(tmp_path, "noqty.csv", log))
    assert revenue(tmp_path) == pytest.approx(REVENUE)
    assert pd.read_parquet(tmp_path / "out" / "work" / "transactions.parquet")["Quantity"].eq(6).all()
    assert "Quantity is taken as Amount / UnitPrice" in note_with(info, "no quantity")


def test_a_total_that_disagrees_with_quantity_times_price_is_counted(tmp_path):
    log = base_log().assign(Total=lambda d: d["Quantity"] * d["UnitPrice"])
    log.loc[[4, 8], "Total"] = 20.0
    info, _ = run_prepare(tmp_path, write_csv(tmp_path, "taxed.csv", log))
    assert revenue(tmp_path) == pytest.approx(REVENUE)
    note = note_with(info, "differs from Quantity x UnitPrice")
    assert "on 2 lines (e.g. '6 x 2.55 = 15.30 but 20.00' (line 6)" in note


@pytest.mark.parametrize(("header", "canonical"), [("Quantty", "Quantity"), ("Qnty", "Quantity"),
                                                   ("Invoce No", "InvoiceNo"), ("Countr", "Country")])
def test_a_header_close_to_a_known_name_stops_with_did_you_mean(capsys, tmp_path, header, canonical):
    log = base_log().rename(columns={canonical: header})
    err = cli_error(capsys, tmp_path, write_csv(tmp_path, "typo.csv", log))
    assert f"typo.csv, column '{header}': the column is not one the analysis knows, but its name is close to " \
           f"{canonical}" in err
    assert f"did you mean {canonical}? Map it with data.columns: {{'{header}': '{canonical}'}}" in err


def test_a_close_header_can_be_left_out_on_purpose(tmp_path):
    log = base_log().drop(columns="Country").assign(County="Kent")
    info, _ = run_prepare(tmp_path, write_csv(tmp_path, "county.csv", log), {"columns": {"County": "ignore"}})
    assert info["customers"] == 6 and "Left out as data.columns says: 'County'" in note_with(info, "Left out")


def test_duplicated_header_names_are_an_error(capsys, tmp_path):
    text = base_log().to_csv(index=False).replace("Description", "Quantity", 1)
    err = cli_error(capsys, tmp_path, write_text(tmp_path, "twice.csv", text))
    assert "twice.csv: two columns are both named 'Quantity' (columns 3 and 4 of the header)" in err


def test_extra_columns_are_listed_in_a_note(tmp_path):
    log = base_log().assign(**{"Purchase Address": "1 High St", "Notes": ""})
    info, counts = run_prepare(tmp_path, write_csv(tmp_path, "extra.csv", log))
    assert kept(counts) == 60 and revenue(tmp_path) == pytest.approx(REVENUE)
    assert "columns 'Purchase Address', 'Notes'" in note_with(info, "Not used by the analysis")


def test_amounts_in_two_currencies_are_an_error(capsys, tmp_path):
    log = base_log().assign(Currency="GBP")
    log.loc[[7, 11], "Currency"] = "EUR"
    err = cli_error(capsys, tmp_path, write_csv(tmp_path, "fx.csv", log))
    assert "fx.csv, column 'Currency': amounts in more than one currency (GBP 58, EUR 2 lines) (60 rows; " in err
    assert "amounts in different currencies cannot be added up" in err


def test_one_currency_column_is_noted_and_compared_with_the_params(tmp_path):
    info, _ = run_prepare(tmp_path, write_csv(tmp_path, "eur.csv", base_log().assign(Currency="eur")))
    assert "data.currency says GBP" in note_with(info, "Every amount is in EUR (column 'Currency')")
    again, _ = run_prepare(tmp_path, write_csv(tmp_path, "eur.csv", base_log().assign(Currency="EUR")),
                           {"currency": "EUR"})
    assert "Every amount is in EUR (column 'Currency')." in again["notes"]


# --- files that cannot be read -------------------------------------------------------------------------------


def test_a_file_without_read_permission_says_so(capsys, tmp_path, monkeypatch):
    path = write_csv(tmp_path, "locked.csv", base_log())
    real_open = open

    def refuse(file, *args, **kwargs):
        if str(file) == path:
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr("retention.data.read.open", refuse, raising=False)
    err = cli_error(capsys, tmp_path, path)
    assert "locked.csv: the file cannot be read: permission denied. Fix: give your user read access" in err
    assert "can be written to" not in err


def test_a_folder_and_a_broken_parquet_file_say_so(capsys, tmp_path):
    (tmp_path / "log.csv").mkdir()
    assert "log.csv: this is a folder, not a file" in cli_error(capsys, tmp_path, str(tmp_path / "log.csv"))
    broken = write_text(tmp_path, "cut.parquet", b"PAR1" + b"\x00" * 64)
    assert "cut.parquet: the file could not be read as a Parquet table" in cli_error(capsys, tmp_path, broken)


def test_the_loader_streams_the_same_result_whatever_the_chunk_size(tmp_path):
    log = base_log()
    log.loc[[3, 4], "CustomerID"] = "NULL"
    log["UnitPrice"] = log["UnitPrice"].map(lambda v: f"{v:.2f}".replace(".", ","))
    path = write_csv(tmp_path, "chunks.csv", log, sep=";")
    whole, pieces = load(path), load(path, chunk_rows=7)
    pd.testing.assert_frame_equal(whole.transactions, pieces.transactions)
    assert whole.notes == pieces.notes and whole.dropped == pieces.dropped
