import json

import pandas as pd
import pytest
import yaml

from retention import cli, data, pipeline
from retention.params import ParamsError, load_params, validate_params


@pytest.fixture
def profile(tmp_path):
    params = validate_params({
        "data": {"path": str(tmp_path / "data" / "log.csv")},
        "generator": {"n_customers": 150, "seed": 11},
    })
    return params


def test_prepare_generates_cleans_and_skips_when_nothing_changed(profile, tmp_path):
    out = tmp_path / "out"
    info = pipeline.prepare(profile, out)
    paths = pipeline.output_paths(out)
    assert paths["transactions"].exists() and paths["ledger"].exists()
    assert (tmp_path / "data" / "log_truth.csv").exists()
    assert info["customers"] == 150 and info["rows_in"] > info["rows_kept"] > 0
    stamp = paths["transactions"].stat().st_mtime_ns
    again = pipeline.prepare(profile, out)
    assert again == json.loads(json.dumps(info))
    assert paths["transactions"].stat().st_mtime_ns == stamp  # untouched: make reruns nothing downstream
    assert len(pd.read_parquet(paths["transactions"])) == info["rows_kept"]


def test_changed_generator_settings_regenerate_the_data(profile, tmp_path):
    first = pipeline.ensure_data(profile).read_bytes()
    profile["generator"]["seed"] = 12
    assert pipeline.ensure_data(profile).read_bytes() != first


def test_cli_reports_user_errors_in_one_line_without_traceback(tmp_path, capsys):
    bad_params = tmp_path / "bad.yaml"
    bad_params.write_text(yaml.safe_dump({"generatr": {"seed": 1}}))
    assert cli.main(["prepare", "--params", str(bad_params), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Did you mean 'generator'" in err and "Traceback" not in err

    data = tmp_path / "broken.csv"
    data.write_text("CustomerID,InvoiceDate,UnitPrice\n1,not a date,2.0\n")
    params = tmp_path / "file.yaml"
    params.write_text(yaml.safe_dump({"data": {"source": "file", "path": str(data)}}))
    assert cli.main(["prepare", "--params", str(params), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "broken.csv, column 'InvoiceDate'" in err and "1 row;" in err and "'not a date' (line 2)" in err
    assert "Fix:" in err


def test_stages_join_into_the_enhanced_table_up_to_the_given_stage(tmp_path):
    seg = pd.DataFrame({"Segment": ["Lost", "Champions"]}, index=pd.Index(["2", "1"], name="CustomerID"))
    churn = pd.DataFrame({"churn_probability": [0.1, 0.9]}, index=pd.Index(["1", "2"], name="CustomerID"))
    pipeline.write_stage(seg, tmp_path, "segments")
    pipeline.write_stage(churn, tmp_path, "churn")
    only_segments = pipeline.write_enhanced(tmp_path, "segments")
    assert list(only_segments.columns) == ["Segment"]
    both = pipeline.write_enhanced(tmp_path, "churn", id_map=lambda ids: "x" + ids)
    assert both.loc["2", "churn_probability"] == 0.9
    written = pd.read_csv(tmp_path / "artifacts" / "enhanced_customer_data.csv")
    assert written["CustomerID"].tolist() == ["x2", "x1"]
    with pytest.raises(ValueError, match="unknown stage"):
        pipeline.write_stage(seg, tmp_path, "nope")
    with pytest.raises(FileNotFoundError, match="must run first"):
        pipeline.read_stage(tmp_path, "clv")


def test_prepared_info_keeps_its_keys_and_adds_notes(profile, tmp_path):
    info = pipeline.prepare(profile, tmp_path / "out")
    assert {"fingerprint", "data_path", "data_file", "rows_in", "rows_kept", "customers", "first_date", "end_date",
            "available_columns", "currency", "notes"} <= set(info)
    assert all(isinstance(note, str) for note in info["notes"])
    assert info["notes"][-1].startswith("The clean data covers ")


def test_cdnow_source_converts_the_lifetimes_log_once_and_prepares_it(tmp_path):
    params = validate_params({"data": {"source": "cdnow", "path": str(tmp_path / "cdnow" / "cdnow.csv"),
                                       "currency": "USD"}})
    converted = pipeline.ensure_data(params)
    assert converted.read_text().splitlines()[:2] == ["CustomerID,InvoiceDate,Quantity,Amount",
                                                      "00001,1997-01-01,1,11.77"]
    stamp = converted.stat().st_mtime_ns
    assert pipeline.ensure_data(params).stat().st_mtime_ns == stamp
    info = pipeline.prepare(params, tmp_path / "out")
    assert info["rows_in"] == 69_659 and (info["first_date"], info["end_date"]) == ("1997-01-01", "1998-06-30")
    ledger = pd.read_csv(pipeline.output_paths(tmp_path / "out")["ledger"]).set_index("reason")["rows"]
    assert ledger["non_positive_price"] == 80 and ledger["duplicate_line"] == 0
    assert info["rows_kept"] == 69_659 - 80
    assert info["notes"][0].startswith("The data is the CDNOW transaction log")
    assert any("255 lines repeat an earlier line exactly" in note for note in info["notes"])


def test_cdnow_without_lifetimes_says_how_to_install_it(tmp_path, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "lifetimes" else real(name, *a))
    params = validate_params({"data": {"source": "cdnow", "path": str(tmp_path / "cdnow.csv")}})
    with pytest.raises(data.DataValidationError, match=r"'lifetimes' package, which is not installed\. "
                                                        r"Fix: pip install lifetimes"):
        pipeline.ensure_data(params)


def test_the_cdnow_profile_is_valid_and_fits_its_data():
    params = load_params("params/cdnow.yaml")
    assert params["data"]["source"] == "cdnow" and params["data"]["currency"] == "USD"
    assert "UniqueProducts" not in params["segmentation"]["cluster_features"]
    pipeline.check_params_against_data(params, "1997-01-01", "1998-06-30")
    with pytest.raises(ParamsError, match="would overwrite the generated log"):
        validate_params({"data": {"source": "cdnow"}})


def test_every_shipped_profile_is_valid():
    from pathlib import Path

    profiles = sorted((Path(__file__).resolve().parents[1] / "params").glob("*.yaml"))
    assert {p.name for p in profiles} >= {"default.yaml", "cdnow.yaml", "online_retail_ii.yaml"}
    for path in profiles:
        load_params(path)
