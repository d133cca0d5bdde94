import pandas as pd
import pytest

from retention.data import CANONICAL_COLUMNS, DataValidationError, available_columns, load_transactions

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
    path = write(tmp_path, "typo.csv", UCI.replace("CustomerID", "CustomerId"))
    with pytest.raises(DataValidationError) as err:
        load_transactions(path)
    message = str(err.value)
    assert "typo.csv" in message and "'CustomerID'" in message
    assert "did you mean 'CustomerId'" in message and "data.columns" in message


def test_unparseable_dates_are_counted_with_examples(tmp_path):
    text = UCI.replace("2010-12-01 08:28:00", "yesterday").replace("2010-12-01 09:41:00", "31/31/2010")
    with pytest.raises(DataValidationError, match=r"InvoiceDate.*dates that do not parse \(2 rows; e.g. 'yesterday'"):
        load_transactions(write(tmp_path, "dates.csv", text))


def test_non_numeric_quantity_and_price(tmp_path):
    with pytest.raises(DataValidationError, match=r"'Quantity'.*not numbers \(1 rows; e.g. 'six'\)"):
        load_transactions(write(tmp_path, "q.csv", UCI.replace(",6,2010-12-01 08:26", ",six,2010-12-01 08:26")))
    with pytest.raises(DataValidationError, match=r"'UnitPrice'.*not numbers.*'£2.55'"):
        load_transactions(write(tmp_path, "p.csv", UCI.replace("2.55", "£2.55")))


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
