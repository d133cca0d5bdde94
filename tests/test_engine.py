"""customer_table: DuckDB gives the same features, BG/NBD summary and ledger on every layout (Parquet, CSV, a
folder of chunks, a glob, the raw layout); the values themselves are checked by hand in test_engine_hand.py."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from retention import engine
from retention.engine import CustomerTable, EngineConfig, customer_table, differences, frame_differences, input_files
from retention.generator import GeneratorConfig, generate

pytest.importorskip("ibis")
pytest.importorskip("duckdb")

CODES = ("POST", "DOT", "M", "D", "C2", "CRUK", "BANK CHARGES", "AMAZONFEE", "B", "S", "PADS", "ADJUST")
CONFIG = EngineConfig(non_product_codes=CODES)


@pytest.fixture(scope="module")
def log() -> pd.DataFrame:
    return generate(GeneratorConfig(n_customers=2000, seed=3)).transactions


@pytest.fixture(scope="module")
def files(log, tmp_path_factory) -> dict[str, object]:
    folder = tmp_path_factory.mktemp("engine")
    parquet, csv = folder / "log.parquet", folder / "log.csv"
    log.to_parquet(parquet, index=False)
    log.to_csv(csv, index=False, lineterminator="\n")
    chunks = folder / "chunks"
    chunks.mkdir()
    for i, part in enumerate(np.array_split(np.arange(len(log)), 3)):
        log.iloc[part].to_parquet(chunks / f"part-{i}.parquet", index=False)
    return {"parquet": parquet, "csv": csv, "chunks": chunks}


@pytest.fixture(scope="module")
def reference(files) -> CustomerTable:
    return customer_table(files["parquet"], config=CONFIG, engine="duckdb")


def test_duckdb_on_parquet(log, files, reference):
    table = reference
    assert table.engine == "duckdb"
    assert len(table.features) == 2000 and table.summary.index.equals(table.features.index)
    assert table.ledger.set_index("reason").loc["duplicate_line", "rows"] > 0
    assert table.rows_in == len(pd.read_parquet(files["parquet"]))
    assert table.end_date == log["InvoiceDate"].max().normalize() and table.cutoff == table.end_date
    assert (table.features["Recency"] >= 0).all() and (table.features["LastPurchase"] <= table.cutoff).all()
    assert (table.summary["frequency"] < table.features["Frequency"] + 1).all()  # purchase days <= invoices


def test_duckdb_on_csv_and_on_a_folder_of_chunks_agree(files, reference):
    assert differences(reference, customer_table(files["csv"], config=CONFIG, engine="duckdb")) == []
    raw = customer_table(files["parquet"], config=CONFIG, engine="duckdb", layout="raw")
    assert differences(reference, raw) == []
    assert differences(reference, customer_table(files["chunks"], config=CONFIG, engine="duckdb")) == []
    glob = str(files["chunks"]) + "/part-*.parquet"
    assert differences(reference, customer_table(glob, config=CONFIG, engine="duckdb")) == []


def test_earlier_cutoff_window_weeks_and_end_date_agree(files):
    options = {"config": CONFIG, "window_days": 120, "unit": "W", "end_date": "2011-09-30",
               "peak_months": (11, 12)}
    duck_table = customer_table(files["parquet"], "2011-07-15", engine="duckdb", **options)
    from_csv = customer_table(files["csv"], "2011-07-15", engine="duckdb", **options)
    assert differences(duck_table, from_csv) == []
    assert duck_table.ledger.set_index("reason").loc["after_end_date", "rows"] > 0
    assert duck_table.end_date == pd.Timestamp("2011-09-30") and duck_table.cutoff == pd.Timestamp("2011-07-15")
    assert duck_table.features["Tenure"].max() < 120
    days = duck_table.summary["T"].to_numpy() * 7
    assert np.allclose(days, np.round(days))


def test_the_loader_rules_blank_lines_and_repeated_headers_agree(log, tmp_path):
    text = log.head(3000).to_csv(index=False, lineterminator="\n").splitlines()
    header = text[0]
    lines = [header, *text[1:1000], ",,,,,,,", *text[1000:2000], header, *text[2000:], ""]
    path = tmp_path / "messy.csv"
    path.write_text("\n".join(lines))
    clean = tmp_path / "clean.csv"
    log.head(3000).to_csv(clean, index=False, lineterminator="\n")
    a = customer_table(clean, config=CONFIG, engine="duckdb")
    b = customer_table(path, config=CONFIG, engine="duckdb")
    # the blank line and the repeated header change nothing but the counts of lines read
    assert frame_differences("features", a.features, b.features) == []
    assert frame_differences("summary", a.summary, b.summary) == []
    assert b.rows_in == a.rows_in + 2
    reasons = b.ledger.set_index("reason")["rows"]
    assert reasons.get("blank_line", 1) == 1 and reasons.get("repeated_header", 1) == 1


def test_whitespace_and_spreadsheet_ids_are_canonicalised_like_the_loader(lines, tmp_path):
    frame = lines([
        ("536365", "85123A", 6, "2011-01-01 08:26", 2.55, "17850.0"),
        (" 536365 ", "85123A ", 6, "2011-01-01 08:26", 2.55, " 17850"),  # the same line: a duplicate
        ("536366", "71053", 2, "2011-01-02 09:00", 3.39, "17850"),
        ("C536367", "71053", -1, "2011-01-03 10:00", 3.39, "17850"),
        ("536368", "POST", 1, "2011-01-03 10:00", 18.0, "13047"),
        ("536369", "22752", 3, "2011-01-04 10:00", 7.65, "13047"),
        ("536370", "22752", 3, "2011-01-05 10:00", 7.65, ""),
        ("536371", "22752", 1, "2011-01-05 11:00", 7.65, ".0"),  # '.0' from a spreadsheet: no id
        ("536372", "22752", 1, "2011-01-05 12:00", 7.65, "NULL"),  # placeholders are missing ids
        ("536373", "22752", 1, "2011-01-05 13:00", 7.65, " n/a "),
        ("536374", "22752", 1, "2011-01-05 14:00", 7.65, "-"),
        ("536375", "22752", 2, "2011-01-06 10:00", 7.65, "14294.00"),  # one customer, however written
        ("C536376", "22752", 2, "2011-01-07 10:00", 7.65, "14294"),  # a C invoice adding units: an order
    ])
    path = tmp_path / "small.parquet"
    frame.to_parquet(path, index=False)
    b = customer_table(path, config=CONFIG, engine="duckdb", layout="raw")  # a raw export, not the loader's
    assert list(b.features.index) == ["13047", "14294", "17850"]
    assert b.features.loc["14294", "Frequency"] == 2
    assert b.features.loc["17850", "Frequency"] == 2 and b.features.loc["17850", "Monetary"] == pytest.approx(
        6 * 2.55 + 2 * 3.39 - 3.39)  # the duplicate is out, the C invoice is a return
    assert b.features.loc["13047", "Frequency"] == 1  # POST is not a product
    reasons = b.ledger.set_index("reason")["rows"]
    assert reasons["duplicate_line"] == 1 and reasons["cancellation"] == 1 and reasons["missing_customer_id"] == 5


def test_auto_engine_input_files_and_errors(files, tmp_path):
    assert customer_table(files["parquet"], config=CONFIG).engine == "duckdb"  # "auto" is DuckDB
    found, kind = input_files(files["chunks"])
    assert kind == "parquet" and [p.rsplit("/", 1)[-1] for p in found] == ["part-0.parquet", "part-1.parquet",
                                                                          "part-2.parquet"]
    assert input_files([files["csv"]]) == ([str(files["csv"])], "csv")
    with pytest.raises(FileNotFoundError):
        input_files(tmp_path / "nothing-here")
    with pytest.raises(ValueError, match="engine must be one of"):
        customer_table(files["parquet"], engine="pandas")  # no pandas path: lines stay in the engine
    pd.DataFrame({"who": ["a"], "when": ["2011-01-01"]}).to_parquet(tmp_path / "odd.parquet")
    with pytest.raises(ValueError, match="canonical column names"):
        customer_table(tmp_path / "odd.parquet", engine="duckdb")
    with pytest.raises(ValueError, match="layout must be"):
        customer_table(files["parquet"], engine="duckdb", layout="excel")
    with pytest.raises(ValueError, match="window_days"):
        EngineConfig(window_days=0)


def test_config_from_params_and_spill_settings(files, tmp_path):
    params = {"cleaning": {"non_product_codes": list(CODES), "max_quantity": 10_000, "max_unit_price": 5000.0},
              "data": {"end_date": None}, "features": {"peak_months": [10, 11, 12]}, "clv": {"time_unit": "W"}}
    config = EngineConfig.from_params(params, memory_limit="300MB", temp_directory=str(tmp_path / "spill"),
                                      threads=1)
    assert config.unit == "W" and config.non_product_codes == CODES
    table = customer_table(files["parquet"], config=config, engine="duckdb")
    assert table.summary["T"].to_numpy() * 7 == pytest.approx(np.round(table.summary["T"].to_numpy() * 7))
    on_disk = customer_table(files["parquet"], config=config, engine="duckdb", work_tables="disk")
    assert differences(table, on_disk) == []
    assert not list((tmp_path / "spill").glob("*.duckdb*"))  # the work database is removed afterwards


def test_one_definition_compiles_to_duckdb_and_spark_sql():
    types = {"InvoiceNo": "VARCHAR", "StockCode": "VARCHAR", "Description": "VARCHAR", "Quantity": "DOUBLE",
             "InvoiceDate": "TIMESTAMP", "UnitPrice": "DOUBLE", "CustomerID": "VARCHAR", "Country": "VARCHAR"}
    duck = engine.compile_sql("duckdb", types, "2011-11-30", CONFIG, end_date="2011-12-09")
    assert list(duck) == ["last_date", "reason_counts", "lines", "returns", "totals", "days", "invoices", "products",
                          "back", "features", "summary"]
    assert "GROUP BY" in duck["lines"] and '"raw"' in duck["lines"] and "ARG_MIN" in duck["summary"]
    assert 'CAST("t0"."Quantity"' not in duck["lines"]  # canonical types are taken as they are
    pytest.importorskip("pyspark")
    spark = engine.compile_sql("pyspark", types, "2011-11-30", CONFIG, end_date="2011-12-09")
    assert set(spark) == set(duck) and "`raw`" in spark["lines"] and "MIN_BY" in spark["summary"]


def test_differences_reports_what_disagrees(reference):
    changed = reference.features.copy()
    changed.iloc[0, changed.columns.get_loc("Monetary")] += 1.0
    other = CustomerTable(features=changed, summary=reference.summary, ledger=reference.ledger,
                          rows_in=reference.rows_in, end_date=reference.end_date, cutoff=reference.cutoff,
                          engine="test")
    found = differences(reference, other)
    assert len(found) == 1 and found[0].startswith("features.Monetary: 1 value(s) differ")
