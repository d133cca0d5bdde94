from pathlib import Path

import pytest
import yaml

from retention.params import ParamsError, defaults, load_params, params_hash, validate_params

ROOT = Path(__file__).resolve().parents[1]


def test_default_profile_states_every_default():
    # params/default.yaml lists every key with its default, so a reader sees all the knobs.
    raw = yaml.safe_load((ROOT / "params" / "default.yaml").read_text())
    assert validate_params(raw) == defaults()
    assert {k: set(v) for k, v in raw.items()} == {k: set(v) for k, v in defaults().items()}


def test_unknown_section_and_key_suggest_the_closest_name():
    with pytest.raises(ParamsError, match="unknown section 'cleanng'.*Did you mean 'cleaning'"):
        validate_params({"cleanng": {}})
    with pytest.raises(ParamsError, match=r"unknown key 'cleaning.max_quantty'.*Did you mean 'max_quantity'"):
        validate_params({"cleaning": {"max_quantty": 5}})


def test_out_of_range_wrong_type_and_bad_choice_are_errors():
    with pytest.raises(ParamsError, match="below the minimum"):
        validate_params({"generator": {"n_customers": 0}})
    with pytest.raises(ParamsError, match="wrong type"):
        validate_params({"generator": {"seed": "forty-two"}})
    with pytest.raises(ParamsError, match="wrong type"):
        validate_params({"generator": {"seed": True}})
    with pytest.raises(ParamsError, match="not one of"):
        validate_params({"data": {"source": "database"}})
    with pytest.raises(ParamsError, match="not a date"):
        validate_params({"data": {"end_date": "30/11/2011"}})
    with pytest.raises(ParamsError, match="from 1 to 12"):
        validate_params({"features": {"peak_months": [11, 13]}})


def test_values_are_coerced_and_overrides_win(tmp_path):
    profile = tmp_path / "p.yaml"
    profile.write_text("cleaning:\n  max_unit_price: 100\ndata:\n  end_date: 2011-06-30\n")
    params = load_params(profile, overrides={"cleaning": {"max_quantity": 50}})
    assert params["cleaning"]["max_unit_price"] == 100.0
    assert isinstance(params["cleaning"]["max_unit_price"], float)
    assert params["cleaning"]["max_quantity"] == 50
    assert str(params["data"]["end_date"]) == "2011-06-30"
    assert params_hash(params) != params_hash(defaults())


def test_missing_or_malformed_file_is_a_clear_error(tmp_path):
    with pytest.raises(ParamsError, match="does not exist"):
        load_params(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("- just\n- a list\n")
    with pytest.raises(ParamsError, match="must hold sections"):
        load_params(bad)


def test_segmentation_rules_and_cross_checks():
    hole = [r for r in defaults()["segmentation"]["rules"] if r["segment"] != "Lost"]
    with pytest.raises(ParamsError, match="R=1, FM=1"):
        validate_params({"segmentation": {"rules": hole}})
    with pytest.raises(ParamsError, match="k_min .* larger than k_max"):
        validate_params({"segmentation": {"k_min": 6, "k_max": 3}})
    with pytest.raises(ParamsError, match="export_segments names \\['Whales'\\]"):
        validate_params({"segmentation": {"export_segments": ["Whales"]}})
    with pytest.raises(ParamsError, match="unknown: \\['Age'\\]"):
        validate_params({"segmentation": {"cluster_features": ["Recency", "Age"]}})


def test_roi_and_churn_params_are_checked():
    with pytest.raises(ParamsError, match="pinned_campaign 'Nope'"):
        validate_params({"decision": {"pinned_campaign": "Nope"}})
    with pytest.raises(ParamsError, match="Did you mean 'discount'|discont"):
        validate_params({"roi": {"campaigns": [{"name": "X", "segments": ["Lost"], "discont": 0.1}]}})
    with pytest.raises(ParamsError, match="low <= high"):
        validate_params({"roi": {"ranges": {"uplift": [0.3, 0.1]}}})
    with pytest.raises(ParamsError, match="unknown key 'roi.ranges.upflit'. Did you mean 'uplift'"):
        validate_params({"roi": {"ranges": {"upflit": [0.1, 0.3]}}})
    with pytest.raises(ParamsError, match=r"roi.scenario.uplift = 1.5 is above the maximum 1 .*Fix: use a value "
                                          r"from 0 to 1"):
        validate_params({"roi": {"scenario": {"uplift": 1.5}}})
    with pytest.raises(ParamsError, match="increasing probabilities"):
        validate_params({"churn": {"risk_bands": [0.7, 0.3]}})
    with pytest.raises(ParamsError, match="not one of"):
        validate_params({"churn": {"production_model": "SVM"}})
