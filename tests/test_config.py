"""The typed configuration (``retention.config``): models, defaults of the new keys, the phase-A dict view and
the params hash. The bad-file classes are in test_config_errors.py."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from pathlib import Path

import pydantic
import pytest
import yaml

from retention import config, roi
from retention.config import Params, ParamsError, load, params_hash, validate
from retention.config.compat import to_dict
from retention.params import defaults, load_params, validate_params

ROOT = Path(__file__).resolve().parents[1]
PROFILES = sorted((ROOT / "params").glob("*.yaml"))


def test_load_returns_typed_frozen_sections():
    params = load("params/default.yaml")
    assert isinstance(params, Params) and isinstance(params.churn, config.ChurnConfig)
    assert params.churn.horizon_days == 90 and params.generator.start_date == dt.date(2010, 12, 1)
    assert params.features.peak_months == (10, 11, 12) and params.churn.risk_bands == (0.3, 0.6)
    assert params.roi.campaigns[3].segments == ("About To Sleep", "Can't Lose Them", "At Risk")
    assert params.segmentation.segment_names[0] == "Champions" and params.roi.campaign_names[0] == "Win-back"
    with pytest.raises(pydantic.ValidationError, match="frozen"):
        params.churn.horizon_days = 30
    with pytest.raises(pydantic.ValidationError, match="frozen"):
        params.churn = params.churn


def test_the_default_profile_is_the_defaults_and_every_shipped_profile_loads():
    assert load("params/default.yaml") == Params()
    for path in PROFILES:
        assert isinstance(load(path), Params)
    cdnow = load("params/cdnow.yaml")
    assert cdnow.data.source == "cdnow" and cdnow.clv.holdout_days == 273 and cdnow.cleaning.non_product_codes == ()


def test_the_new_keys_of_contract_c7_have_their_defaults():
    p = Params()
    assert p.data.date_order == "auto"
    assert p.decision.model_dump() == {"base_window_days": 180, "at_risk_threshold": 0.5, "horizon_months": 12,
                                       "max_p_loss": 0.2, "pinned_campaign": None, "offer_type": "next_order",
                                       "offer_months": 3}
    assert (p.clv.model, p.clv.seasonal, p.clv.backtest_cutoffs, p.clv.backtest_horizon_days,
            p.clv.uncertainty_draws) == ("auto", "auto", 3, 90, 200)
    assert p.churn.production_model == "auto"
    assert p.experiment.model_dump() == {"results": None, "outcome_days": 60, "alpha": 0.05, "power": 0.8,
                                         "min_detectable_uplift": None, "control_share": 0.5, "seed": 42}
    assert (p.generator.campaign, p.generator.campaign_days_before_end, p.generator.campaign_share) == (True, 120, 0.3)
    assert p.engine.model_dump() == {"name": "duckdb", "memory_limit": None, "temp_directory": None,
                                     "spark_master": "local[2]"}
    assert p.report.model_dump() == {"max_table_rows": 2000, "max_chart_points": 5000, "sample_seed": 42,
                                     "customer_id_salt": None}


def test_the_new_keys_take_their_documented_values():
    p = validate({"data": {"date_order": "mdy"}, "clv": {"model": "pareto_nbd", "seasonal": False},
                  "churn": {"production_model": "BG/NBD baseline"},
                  "decision": {"offer_type": "all_orders", "offer_months": 6, "pinned_campaign": "Protect"},
                  "experiment": {"results": "data/test.csv", "min_detectable_uplift": 0.02},
                  "engine": {"name": "spark", "memory_limit": "4GB", "temp_directory": "/tmp/spill"},
                  "generator": {"campaign": False, "months": 3}})
    assert (p.data.date_order, p.clv.model, p.clv.seasonal, p.decision.offer_type) == ("mdy", "pareto_nbd", False,
                                                                                         "all_orders")
    assert p.engine.memory_limit == "4GB" and p.experiment.min_detectable_uplift == 0.02
    for size in ("512MB", "1.5 GiB", "50%", "2tb"):
        assert validate({"engine": {"memory_limit": size}}).engine.memory_limit == size
    for name in config.churn_model_names():
        assert validate({"churn": {"production_model": name}}).churn.production_model == name


def test_every_model_names_its_fields_and_every_key_is_described_in_default_yaml():
    for name, section in Params.model_fields.items():
        for key, field in section.annotation.model_fields.items():
            assert field.description and "(" not in field.description.replace("corr(", ""), (name, key)
    text = (ROOT / "params" / "default.yaml").read_text().splitlines()
    keys = [(i, line) for i, line in enumerate(text) if re.match(r"^  [a-z_]+:", line)]
    undescribed = [line for i, line in keys if "#" not in line and not text[i - 1].lstrip().startswith("#")]
    assert undescribed == []


def test_validate_fills_defaults_and_overrides_win_key_by_key(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("churn:\n  horizon_days: 60\n  seed: 7\n")
    params = load(path, overrides={"churn": {"seed": 8}, "clv": {"time_unit": "D"}})
    assert (params.churn.horizon_days, params.churn.seed, params.clv.time_unit) == (60, 8, "D")
    assert validate(None) == validate({}) == Params()
    with pytest.raises(ParamsError, match=r"overrides: section 'churn' must be a mapping"):
        load(path, overrides={"churn": 5})


def test_numbers_are_strict_but_whole_numbers_are_fine_for_decimals(tmp_path):
    p = validate({"cleaning": {"max_unit_price": 100}, "data": {"end_date": "2011-06-30"}})
    assert p.cleaning.max_unit_price == 100.0 and isinstance(p.cleaning.max_unit_price, float)
    assert p.data.end_date == dt.date(2011, 6, 30)
    path = tmp_path / "p.yaml"
    path.write_text("data:\n  end_date: 2011-06-30 18:30:00\n")
    assert load(path).data.end_date == dt.date(2011, 6, 30)


# --- the phase-A dict view (retention.params) -----------------------------------------------------------------


def test_the_dict_view_keeps_todays_shapes():
    view = load_params("params/default.yaml")
    assert view == to_dict(load("params/default.yaml")) == defaults()
    assert view["features"]["peak_months"] == [10, 11, 12] and view["churn"]["risk_bands"] == [0.3, 0.6]
    assert view["segmentation"]["rules"][0] == {"segment": "Champions", "r": [4, 5], "fm": [4, 5]}
    assert view["roi"]["economics"] == {"contact_cost": 0.5, "fixed_cost": 250.0, "redemption_rate": 0.3,
                                        "margin": 0.4, "saved_redemption": 1.0}
    assert view["roi"]["campaigns"][1] == {"name": "Protect", "description": "Personal outreach to former best "
                                           "customers who have gone quiet.", "segments": ["Can't Lose Them"],
                                           "discount": 0.15, "contact_cost": 5.0, "uplift": 0.15}
    assert view["roi"]["scenario"] == {} and list(view["roi"]["ranges"]) == ["uplift", "redemption_rate", "margin",
                                                                              "discount", "contact_cost"]
    assert view["roi"]["ranges"]["uplift"] == [0.03, 0.2] and view["data"]["end_date"] is None
    view["churn"]["seed"] = 1  # a plain dict the notebooks may change, as before
    assert defaults()["churn"]["seed"] == 42


def test_the_dict_view_builds_the_roi_librarys_campaigns():
    view = validate_params({"roi": {"scenario": {"uplift": 0.2}}})
    economics = view["roi"]["economics"]
    campaigns = roi.campaigns_from_dicts(view["roi"]["campaigns"], defaults=economics)
    assert [c.name for c in campaigns] == ["Win-back", "Protect", "Nurture", "High-value at risk"]
    chosen = roi.campaign_from_dict({**view["roi"]["campaigns"][3], **view["roi"]["scenario"]}, economics)
    assert chosen.assumptions.uplift == 0.2 and chosen.offer.contact_cost == 2.0


def test_temporary_fill_ins_of_the_dict_view():
    # the campaign is a result of the analysis (decision.pinned_campaign may force one); no params key chooses it.
    assert "chosen_campaign" not in validate_params({})["roi"]
    assert validate_params({"decision": {"pinned_campaign": "Nurture"}})["decision"]["pinned_campaign"] == "Nurture"
    # churn.production_model: auto (the churn notebook ships the best candidate); an explicit name is kept.
    assert validate_params({})["churn"]["production_model"] == "auto"
    assert validate_params({"churn": {"production_model": "Random forest"}})["churn"]["production_model"] == \
        "Random forest"


def test_the_old_module_keeps_its_public_names():
    import retention.params as old

    assert old.ParamsError is ParamsError and issubclass(ParamsError, ValueError)
    assert set(old.__all__) >= {"ParamsError", "defaults", "load_params", "validate_params", "params_hash"}


# --- params_hash ----------------------------------------------------------------------------------------------


def test_params_hash_of_the_dict_view_is_computed_as_before():
    view = defaults()
    before = hashlib.sha256(json.dumps(view, sort_keys=True, default=str).encode()).hexdigest()[:12]
    assert params_hash(view) == before


def test_params_hash_is_stable_and_changes_with_any_value(tmp_path):
    spelled_out = tmp_path / "a.yaml"
    spelled_out.write_text("data:\n  currency: GBP\n  source: generated\nchurn:\n  seed: 42\n")
    reordered = tmp_path / "b.yaml"
    reordered.write_text("churn:\n  seed: 42\ndata:\n  source: generated\n")
    assert params_hash(load(spelled_out)) == params_hash(load(reordered)) == params_hash(Params())
    assert params_hash(load("params/default.yaml")) == params_hash(Params())
    variants = [{"churn": {"seed": 1}}, {"data": {"end_date": "2011-01-01"}},
                {"decision": {"pinned_campaign": "Nurture"}},
                {"churn": {"production_model": "Logistic regression"}}, {}]
    assert len({params_hash(validate(v)) for v in variants}) == len(variants)
    assert params_hash(Params().data) == params_hash(validate({"churn": {"seed": 1}}).data)
    assert re.fullmatch(r"[0-9a-f]{12}", params_hash(Params()))


def test_every_shipped_profile_round_trips_through_yaml(tmp_path):
    for path in PROFILES:
        params = load(path)
        copy = tmp_path / path.name
        copy.write_text(yaml.safe_dump(params.model_dump(mode="json")))
        assert load(copy) == params
