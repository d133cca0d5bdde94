import pandas as pd
import pytest

from retention.data import CANONICAL_COLUMNS, DataValidationError, available_columns, load, load_transactions

UCI = (
    "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
    "536365,85123A,WHITE HANGING HEART,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom\n"
    "536366,71053,WHITE METAL LANTERN,6,2010-12-01 08:28:00,3.39,,United Kingdom\n"
    "C536379,D,Discount,-1,2010-12-01 09:41:00,27.5,14527,United Kingdom\n"
)


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_csv_loads_into_the_canonical_schema(tmp_path):
    df = load_transactions(write(tmp_path, "uci.csv", UCI))
    assert list(df.columns) == CANONICAL_COLUMNS
    assert len(df) == 3
    assert df.loc[0, "CustomerID"] == "17850"  # the spreadsheet ".0" is gone
    assert pd.isna(df.loc[1, "CustomerID"])
    assert df.loc[2, "Quantity"] == -1
    assert df["InvoiceDate"].dtype == "datetime64[ns]"
    assert df.loc[0, "UnitPrice"] == pytest.approx(2.55)


def test_parquet_and_excel_with_online_retail_ii_names(tmp_path):
    ii = pd.DataFrame({
        "Invoice": ["489434", "489435"], "StockCode": ["85048", "22350"], "Description": ["A", "B"],
        "Quantity": [12, 3], "InvoiceDate": pd.to_datetime(["2009-12-01 07:45", "2010-01-03 09:00"]),
        "Price": [6.95, 2.1], "Customer ID": [13085.0, 13086.0], "Country": ["United Kingdom", "France"],
    })
    ii.to_parquet(tmp_path / "ii.parquet")
    from_parquet = load_transactions(tmp_path / "ii.parquet")
    with pd.ExcelWriter(tmp_path / "ii.xlsx") as writer:  # the real II workbook has one sheet per year
        ii.iloc[:1].to_excel(writer, sheet_name="Year 2009-2010", index=False)
        ii.iloc[1:].to_excel(writer, sheet_name="Year 2010-2011", index=False)
    from_excel = load_transactions(tmp_path / "ii.xlsx")
    one_sheet = load_transactions(tmp_path / "ii.xlsx", sheet="Year 2010-2011")
    for df in (from_parquet, from_excel):
        assert list(df.columns) == CANONICAL_COLUMNS
        assert df["CustomerID"].tolist() == ["13085", "13086"]
        assert df["UnitPrice"].tolist() == [6.95, 2.1]
    assert one_sheet["InvoiceNo"].tolist() == ["489435"]


def test_column_mapping_for_a_customer_date_amount_export(tmp_path):
    path = write(tmp_path, "shop.csv", "client,day,total\nA,2021-01-05,10.5\nA,2021-02-01,4\nB,2021-01-07,8\n")
    df = load_transactions(path, column_map={"client": "CustomerID", "day": "InvoiceDate", "total": "Amount"})
    assert df["UnitPrice"].tolist() == [10.5, 4.0, 8.0]
    assert df["Quantity"].tolist() == [1.0, 1.0, 1.0]
    assert df["InvoiceNo"].tolist() == ["A-20210105", "A-20210201", "B-20210107"]
    assert available_columns(df) == {"InvoiceNo": True, "StockCode": False, "Description": False, "Country": False}


def test_missing_required_column_names_file_column_and_fix(tmp_path):
    path = write(tmp_path, "typo.csv", UCI.replace("CustomerID", "CustmerNo"))
    with pytest.raises(DataValidationError) as err:
        load_transactions(path)
    message = str(err.value)
    assert "typo.csv" in message and "'CustomerID'" in message
    assert "did you mean 'CustmerNo'" in message and "data.columns: {'CustmerNo': 'CustomerID'}" in message


def test_names_that_differ_only_in_case_and_punctuation_are_recognised_and_noted(tmp_path):
    path = write(tmp_path, "lower.csv", UCI.replace("CustomerID", "customer_id").replace("InvoiceDate", "Invoice Date"))
    loaded = load(path)
    assert loaded.transactions.loc[0, "CustomerID"] == "17850"
    assert "Read column 'Invoice Date' as InvoiceDate, 'customer_id' as CustomerID" in loaded.notes[0]


def test_unparseable_dates_are_counted_with_examples(tmp_path):
    text = UCI.replace("2010-12-01 08:28:00", "yesterday").replace("2010-12-01 09:41:00", "31/31/2010")
    with pytest.raises(DataValidationError, match=r"InvoiceDate.*dates that do not parse \(2 rows; e.g. 'yesterday'"):
        load_transactions(write(tmp_path, "dates.csv", text))


def test_non_numeric_quantity_and_price(tmp_path):
    with pytest.raises(DataValidationError, match=r"'Quantity'.*not numbers \(1 row; e.g. 'six' \(line 2\)\)"):
        load_transactions(write(tmp_path, "q.csv", UCI.replace(",6,2010-12-01 08:26", ",six,2010-12-01 08:26")))
    pounds = load(write(tmp_path, "p.csv", UCI.replace("2.55", "£2.55")))
    assert pounds.transactions.loc[0, "UnitPrice"] == pytest.approx(2.55)
    assert any("removed the currency sign '£'" in note for note in pounds.notes)
    with pytest.raises(DataValidationError, match=r"'UnitPrice'.*more than one currency"):
        load_transactions(write(tmp_path, "m.csv", UCI.replace("2.55", "£2.55").replace("3.39", "$3.39")))


def test_empty_header_only_and_anonymous_files(tmp_path):
    with pytest.raises(DataValidationError, match="empty.csv: the file is empty"):
        load_transactions(write(tmp_path, "empty.csv", ""))
    with pytest.raises(DataValidationError, match="header but no transaction lines"):
        load_transactions(write(tmp_path, "header.csv", UCI.splitlines()[0] + "\n"))
    anonymous = "\n".join(line.rsplit(",", 2)[0] + ",," + line.rsplit(",", 1)[1] for line in UCI.splitlines())
    anonymous = anonymous.replace("UnitPrice,,Country", "UnitPrice,CustomerID,Country")
    with pytest.raises(DataValidationError, match="no line has a customer id"):
        load_transactions(write(tmp_path, "anon.csv", anonymous + "\n"))
    with pytest.raises(DataValidationError, match="does not exist"):
        load_transactions(tmp_path / "missing.csv")
    with pytest.raises(DataValidationError, match="unsupported file type"):
        load_transactions(write(tmp_path, "x.json", "{}"))


def test_mapping_errors_are_explained(tmp_path):
    path = write(tmp_path, "uci.csv", UCI)
    with pytest.raises(DataValidationError, match="does not have"):
        load_transactions(path, column_map={"Client": "CustomerID"})
    with pytest.raises(DataValidationError, match="not a canonical column"):
        load_transactions(path, column_map={"Country": "Region"})


@pytest.mark.parametrize(("written", "note"), [
    ("2010-12-13 08:26:00", None),
    ("2010/12/13 08:26", None),
    ("13 Dec 2010 08:26", None),
    ("12/13/10 8:26 AM", "month/day/year"),
    ("13.12.2010 08:26", "day/month/year"),
    ("2010-12-13T08:26:00-05:00", "time zone"),
    ("20101213", "YYYYMMDD"),
    ("1292228760", "Unix timestamps"),
])
def test_date_spellings(tmp_path, written, note):
    text = f"CustomerID,InvoiceDate,UnitPrice\n1,{written},2.5\n2,2010-12-01 00:00,1\n"
    loaded = load(write(tmp_path, "d.csv", text))
    expected = pd.Timestamp("2010-12-13 08:26") if len(written) > 8 else pd.Timestamp("2010-12-13")
    assert loaded.transactions.loc[0, "InvoiceDate"] == expected
    assert note is None or any(note in n for n in loaded.notes), loaded.notes


def test_utf16_tab_separated_and_space_separated_text(tmp_path):
    path = tmp_path / "unicode.txt"
    path.write_bytes("CustomerID\tInvoiceDate\tUnitPrice\n1\t2010-12-01\t2.5\n".encode("utf-16"))
    loaded = load(path)
    assert loaded.transactions.loc[0, "UnitPrice"] == 2.5
    assert any("UTF-16" in n for n in loaded.notes) and any("tabs" in n for n in loaded.notes)
    spaced = load(write(tmp_path, "spaced.txt", "CustomerID InvoiceDate Amount\n1  19970101  11.77\n"))
    assert spaced.transactions.loc[0, "InvoiceDate"] == pd.Timestamp("1997-01-01")
    assert any("spaces" in n for n in spaced.notes)


def test_time_zone_aware_parquet_keeps_local_time(tmp_path):
    frame = pd.DataFrame({"CustomerID": ["1"], "UnitPrice": [2.0],
                          "InvoiceDate": pd.to_datetime(["2011-06-01 23:30"]).tz_localize("Europe/London")})
    frame.to_parquet(tmp_path / "tz.parquet")
    loaded = load(tmp_path / "tz.parquet")
    assert loaded.transactions.loc[0, "InvoiceDate"] == pd.Timestamp("2011-06-01 23:30")
    assert any("Europe/London" in n for n in loaded.notes)


def test_excel_cells_of_mixed_types(tmp_path):
    frame = pd.DataFrame({"Invoice": [489434, "C489449"], "Customer ID": [13085.0, None],
                          "InvoiceDate": [pd.Timestamp("2009-12-01 07:45"), "2009-12-02 10:00"],
                          "Price": [6.95, "1,5"], "Quantity": [12, "3"]})
    frame.to_excel(tmp_path / "mixed.xlsx", index=False)
    df = load_transactions(tmp_path / "mixed.xlsx")
    assert df["InvoiceNo"].tolist() == ["489434", "C489449"]
    assert df["CustomerID"].iloc[0] == "13085" and pd.isna(df["CustomerID"].iloc[1])
    assert df["InvoiceDate"].tolist() == [pd.Timestamp("2009-12-01 07:45"), pd.Timestamp("2009-12-02 10:00")]
    assert df["UnitPrice"].tolist() == [6.95, 1.5] and df["Quantity"].tolist() == [12.0, 3.0]


def test_sheets_with_other_columns_are_an_error_but_empty_sheets_are_skipped(tmp_path):
    data = pd.DataFrame({"CustomerID": ["1"], "InvoiceDate": ["2010-12-01"], "UnitPrice": [1.0]})
    with pd.ExcelWriter(tmp_path / "book.xlsx") as writer:
        data.to_excel(writer, sheet_name="2010", index=False)
        data[["UnitPrice", "CustomerID", "InvoiceDate"]].to_excel(writer, sheet_name="2011", index=False)
        pd.DataFrame().to_excel(writer, sheet_name="Notes", index=False)
    loaded = load(tmp_path / "book.xlsx")
    assert len(loaded.transactions) == 2 and any("'Notes' is empty" in n for n in loaded.notes)
    with pd.ExcelWriter(tmp_path / "other.xlsx") as writer:
        data.to_excel(writer, sheet_name="2010", index=False)
        pd.DataFrame({"Summary": [1]}).to_excel(writer, sheet_name="Pivot", index=False)
    with pytest.raises(DataValidationError, match="sheet 'Pivot' has other columns than sheet '2010'.*data.sheet"):
        load(tmp_path / "other.xlsx")


def test_load_to_parquet_writes_the_canonical_dataset_in_parts_equal_to_load(tmp_path):
    from retention.data import LoadSummary, load_to_parquet, read_lines

    rows = "".join(f"5{i:05d},85123A,HEART,{1 + i % 5},2010-12-{1 + i % 28:02d} 08:{i % 60:02d}:00,2.55,"
                   f"{17850 + i % 9},United Kingdom\n" for i in range(250))
    path = write(tmp_path, "log.csv", UCI.splitlines()[0] + "\n" + rows + "\n" + UCI.splitlines()[0] + "\n")
    summary = load_to_parquet(path, tmp_path / "lines", chunk_rows=60)
    assert summary.parts == [f"part-{i:05d}.parquet" for i in range(5)] and summary.rows == 250
    assert summary.dropped == {"blank_line": 1, "repeated_header": 1}
    assert LoadSummary.read(tmp_path / "lines") == summary
    lines = read_lines(tmp_path / "lines")
    pd.testing.assert_frame_equal(lines, load(path).transactions)
    assert lines.dtypes.astype(str).to_dict() == {
        "InvoiceNo": "string", "StockCode": "string", "Description": "string", "Quantity": "float64",
        "InvoiceDate": "datetime64[ns]", "UnitPrice": "float64", "CustomerID": "string", "Country": "string"}
    assert summary.notes == load(path).notes


def test_a_failed_load_leaves_the_previous_dataset_whole(tmp_path):
    from retention.data import load_to_parquet, read_lines

    good = write(tmp_path, "good.csv", UCI)
    load_to_parquet(good, tmp_path / "lines")
    with pytest.raises(DataValidationError):
        load_to_parquet(write(tmp_path, "bad.csv", UCI.replace("2.55", "two")), tmp_path / "lines")
    assert len(read_lines(tmp_path / "lines")) == 3 and not list(tmp_path.glob(".lines.*"))


def test_excel_is_read_row_by_row_with_blank_rows_counted_and_stray_cells_noted(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Orders"
    sheet.append([None])
    sheet.append(["CustomerID", "InvoiceDate", "UnitPrice"])
    sheet.append([1, pd.Timestamp("2010-12-01 10:00").to_pydatetime(), 2.5])
    sheet.append([None, None, None])
    sheet.append(["0002", "2010-12-02", "3,5", "stray"])
    sheet.append([None, None, None])
    book.save(tmp_path / "rows.xlsx")
    loaded = load(tmp_path / "rows.xlsx", chunk_rows=1)
    assert loaded.transactions["CustomerID"].tolist() == ["1", "0002"]  # text ids keep their zeros
    assert loaded.transactions["UnitPrice"].tolist() == [2.5, 3.5] and loaded.dropped == {"blank_line": 1}
    assert any("values to the right of its last named column on 1 row (e.g. sheet 'Orders' row 5)" in n
               for n in loaded.notes), loaded.notes


def test_every_chunk_size_gives_the_same_notes_and_errors(tmp_path):
    text = UCI.replace("2010-12-01 08:28:00", "yesterday")
    path = write(tmp_path, "bad.csv", text)
    messages = set()
    for size in (1, 2, 1000):
        with pytest.raises(DataValidationError) as err:
            load(path, chunk_rows=size)
        messages.add(str(err.value))
    assert len(messages) == 1
