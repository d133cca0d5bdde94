import json

import pytest
import yaml

from retention import cli, pipeline
from retention.params import validate_params


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
    prepared = pipeline.load_prepared(out)
    assert len(prepared.transactions) == info["rows_kept"]


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
    assert "broken.csv, column 'InvoiceDate'" in err and "1 rows" in err and "Fix:" in err


def test_stages_join_into_the_enhanced_table_up_to_the_given_stage(tmp_path):
    import pandas as pd

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
