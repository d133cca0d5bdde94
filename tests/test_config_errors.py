"""Every class of bad parameter file (issue 12, "Params") gives ONE line: the file, the line, the key, the value,
what is wrong and the fix; through the CLI it is one ``error:`` line on stderr, exit code 2, no traceback."""

from __future__ import annotations

import pytest

from retention import cli
from retention.config import ParamsError, load, validate

MINIMAL = "data:\n  currency: USD\n"


def write(tmp_path, text: str | bytes, name: str = "mine.yaml") -> str:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return str(path)


def error(tmp_path, text: str | bytes) -> str:
    """The one-line message of loading ``text`` as a profile (asserting the common shape)."""
    path = write(tmp_path, text)
    with pytest.raises(ParamsError) as caught:
        load(path)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(path) and "Fix: " in message, message
    return message.removeprefix(path)


def problem(raw: dict) -> str:
    with pytest.raises(ParamsError) as caught:
        validate(raw, source="p.yaml")
    message = str(caught.value)
    assert "\n" not in message and message.startswith("p.yaml: ") and "Fix: " in message, message
    return message.removeprefix("p.yaml: ")


# --- an empty file is an error, not the demo data ------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n# and another\n", "{}\n", "---\n"])
def test_an_empty_or_comment_only_file_is_an_error(tmp_path, text):
    assert error(tmp_path, text) == (" is empty: it sets no parameters (only blank lines or comments). Fix: copy "
                                     "params/default.yaml and edit it, or pass --params params/default.yaml for the "
                                     "demo data.")


def test_a_file_whose_sections_are_all_empty_sets_nothing(tmp_path):
    message = error(tmp_path, "data:\ngenerator:  # nothing below\n")
    assert message.startswith(" sets no parameters: its sections ['data', 'generator'] are empty. Fix: set at least")


def test_an_empty_section_next_to_a_set_one_is_fine(tmp_path):
    assert load(write(tmp_path, "generator:\n" + MINIMAL)).data.currency == "USD"


# --- duplicate keys and sections name both lines --------------------------------------------------------------


def test_a_section_given_twice_names_both_lines(tmp_path):
    text = "churn:\n  horizon_days: 30\ndata:\n  currency: USD\nchurn:\n  seed: 3\n"
    assert error(tmp_path, text) == (", line 5: section 'churn' appears twice, on lines 1 and 5 (YAML would silently "
                                     "keep only the second). Fix: merge the two into one 'churn:' section.")


def test_a_key_given_twice_names_both_lines(tmp_path):
    text = "churn:\n  horizon_days: 30\n  seed: 1\n  horizon_days: 60\n"
    assert error(tmp_path, text) == (", line 4: key 'churn.horizon_days' is set twice, on lines 2 and 4 (YAML would "
                                     "silently keep only the second). Fix: keep one of them.")


def test_a_key_given_twice_inside_a_campaign_or_a_flow_mapping(tmp_path):
    text = ("roi:\n  campaigns:\n    - name: A\n      segments: [Lost]\n      discount: 0.1\n"
            "    - {name: B, segments: [Lost], uplift: 0.1, uplift: 0.2}\n")
    assert error(tmp_path, text).startswith(", line 6: key 'roi.campaigns[1].uplift' is set twice, on line 6 ")
    assert error(tmp_path, "data: {currency: USD, currency: GBP}\n").startswith(
        ", line 1: key 'data.currency' is set twice, on line 1 ")


def test_anchors_and_merge_keys_are_not_duplicates(tmp_path):
    text = "x: &shared {currency: USD}\n"
    assert "unknown section 'x'" in error(tmp_path, text)  # the anchor holder itself is still an unknown section
    text = "data:\n  <<: {currency: USD, source: generated}\n  currency: EUR\n"
    assert load(write(tmp_path, text)).data.currency == "EUR"


# --- names a file refers to are checked before any notebook ---------------------------------------------------


def test_a_campaign_segment_that_no_rule_defines(tmp_path):
    text = ("roi:\n  campaigns:\n    - name: Mine\n      segments: [Lost, Hibernatng]\n"
            "      discount: 0.1\n      uplift: 0.1\n")
    assert error(tmp_path, text) == (
        ", line 4: roi.campaigns[0] (Mine) targets segment 'Hibernatng', which segmentation.rules does not define. "
        "Did you mean 'Hibernating'? Fix: use segment names of segmentation.rules: ['Champions', 'Loyal Customers', "
        "'Potential Loyalists', 'New Customers', 'Promising', 'Need Attention', 'About To Sleep', \"Can't Lose "
        "Them\", 'At Risk', 'Hibernating', 'Lost'].")


def test_campaign_segments_follow_renamed_segment_rules():
    rules = [{"segment": "Everyone", "r": [1, 5], "fm": [1, 5]}]
    campaign = {"name": "All", "segments": ["Everyone"], "discount": 0.1, "uplift": 0.1}
    assert validate({"segmentation": {"rules": rules}, "roi": {"campaigns": [campaign]}})
    assert problem({"segmentation": {"rules": rules}}).startswith(  # the default campaigns name the default segments
        "roi.campaigns[0] (Win-back) targets segment 'Hibernating', which segmentation.rules does not define.")


def test_a_pinned_campaign_must_exist():
    assert problem({"decision": {"pinned_campaign": "Nurtur"}}).startswith(
        "decision.pinned_campaign 'Nurtur' is not one of the campaigns ['Win-back', 'Protect', 'Nurture', "
        "'High-value at risk']. Did you mean 'Nurture'? Fix: name one of roi.campaigns")


def test_export_segments_must_be_defined():
    assert problem({"segmentation": {"export_segments": ["Champions", "Whales"]}}).startswith(
        "segmentation.export_segments names ['Whales'], which no rule defines. Fix: use segment names")


def test_model_names_are_checked_with_a_suggestion():
    message = problem({"churn": {"production_model": "Random forrest"}})
    from retention.churn import MODEL_NAMES

    assert message.startswith(f"churn.production_model = 'Random forrest' is not one of {['auto', *MODEL_NAMES]} (")
    assert message.endswith(". Did you mean 'Random forest'? Fix: use 'auto' or one of the model names.")
    assert problem({"clv": {"model": "bgnb"}}).startswith(
        "clv.model = 'bgnb' is not one of ['auto', 'bgnbd', 'mbgnbd', 'pareto_nbd'] (")


def test_cluster_features_rule_columns_and_risk_bands_are_names_too():
    assert "unknown: ['Recncy'] (" in problem({"segmentation": {"cluster_features": ["Recncy", "Monetary"]}})
    message = problem({"roi": {"campaigns": [{"name": "X", "rule": "Monetery > 100", "discount": 0.1,
                                              "uplift": 0.1}]}})
    assert message.startswith("roi.campaigns[0].rule = 'Monetery > 100' uses 'Monetery', which is not a column of "
                              "the customer table (")
    assert "Did you mean 'Monetary'? Fix: use only ['CustomerID', 'churn_probability'" in message
    assert "is not a valid condition" in problem({"roi": {"campaigns": [
        {"name": "X", "rule": "Monetary >>> 1", "discount": 0.1, "uplift": 0.1}]}})
    banded = {"name": "X", "risk_bands": ["Hihg"], "discount": 0.1, "uplift": 0.1}
    assert problem({"roi": {"campaigns": [banded]}}).startswith(
        "roi.campaigns[0].risk_bands[0] = 'Hihg' is not one of ['Low', 'Medium', 'High']")


def test_a_valid_rule_with_quoted_names_and_text_values_passes():
    rule = "`Monetary` > 100 and Segment in ['Lost', 'At Risk'] and risk_band != 'Low'"
    params = validate({"roi": {"campaigns": [{"name": "X", "rule": rule, "discount": 0.1, "uplift": 0.1}]}})
    assert params.roi.campaigns[0].rule == rule


# --- impossible values: one line, never a traceback -----------------------------------------------------------


def test_an_impossible_date_names_the_key_and_its_line(tmp_path):
    # PyYAML raises a bare ValueError for 2011-13-01; the strict loader keeps it as text for the check.
    assert error(tmp_path, MINIMAL + "  end_date: 2011-13-01\n") == (
        ", line 3: data.end_date = '2011-13-01' is not a date: month must be in 1..12 (analysis date; later "
        "transactions are dropped; empty = the last date). Fix: write it as YYYY-MM-DD, e.g. 2011-12-09.")
    assert "day is out of range for month" in error(tmp_path, "generator:\n  start_date: 2011-02-30\n")
    assert "is not a date in YYYY-MM-DD form" in error(tmp_path, MINIMAL + "  end_date: 30/11/2011\n")


@pytest.mark.parametrize(("raw", "expected"), [
    ({"generator": {"seed": "forty-two"}}, "generator.seed = 'forty-two' has the wrong type: expected a whole "
                                           "number, got text (random seed of the synthetic log). Fix: write a whole "
                                           "number (default: 42)."),
    ({"generator": {"seasonal": "yes"}}, "generator.seasonal = 'yes' has the wrong type: expected true or false"),
    ({"churn": {"horizon_days": 90.5}}, "churn.horizon_days = 90.5 has the wrong type: expected a whole number"),
    ({"churn": {"n_train_cutoffs": True}}, "churn.n_train_cutoffs = true has the wrong type: expected a whole"),
    ({"cleaning": {"max_unit_price": "5"}}, "cleaning.max_unit_price = '5' has the wrong type: expected a number"),
    ({"cleaning": {"non_product_codes": "POST"}}, "cleaning.non_product_codes = 'POST' has the wrong type: "
                                                  "expected a list"),
    ({"cleaning": {"non_product_codes": ["POST", 7]}}, "cleaning.non_product_codes[1] = 7 has the wrong type: "
                                                       "expected text"),
    ({"data": {"sheet": True}}, "data.sheet = true has the wrong type: expected text or a whole number"),
    ({"data": {"columns": {"Qty": 5}}}, "data.columns.Qty = 5 has the wrong type: expected text"),
    ({"data": {"columns": ["Qty"]}}, "data.columns = ['Qty'] has the wrong type: expected a mapping"),
    ({"roi": {"economics": {"margin": "40%"}}}, "roi.economics.margin = '40%' has the wrong type: expected a number"),
    ({"experiment": {"results": 5}}, "experiment.results = 5 has the wrong type: expected text"),
    ({"engine": {"spark_master": None}}, "engine.spark_master = null has the wrong type: expected text"),
])
def test_wrong_types_anywhere(raw, expected):
    assert problem(raw).startswith(expected)


@pytest.mark.parametrize(("raw", "expected"), [
    ({"roi": {"economics": {"contact_cost": -1}}}, "roi.economics.contact_cost = -1 is below the minimum 0 (cost "
                                                   "per targeted customer, in the currency). Fix: use a value of at "
                                                   "least 0."),
    ({"roi": {"campaigns": [{"name": "X", "segments": ["Lost"], "discount": 0.1, "uplift": 0.1,
                             "fixed_cost": -5.0}]}},
     "roi.campaigns[0].fixed_cost = -5.0 is below the minimum 0"),
    ({"churn": {"cost_missed_churner": 0}}, "churn.cost_missed_churner = 0 is below the minimum 0.01"),
    ({"roi": {"scenario": {"uplift": 1.5}}}, "roi.scenario.uplift = 1.5 is above the maximum 1 (share of would-be "
                                             "churners the offer saves). Fix: use a value from 0 to 1."),
    ({"roi": {"what_if_discounts": [0.1, -0.1]}}, "roi.what_if_discounts[1] = -0.1 is below the minimum 0"),
    ({"decision": {"at_risk_threshold": 1.2}}, "decision.at_risk_threshold = 1.2 is above the maximum 1"),
    ({"experiment": {"alpha": 0}}, "experiment.alpha = 0 must be above 0 (significance level of the test). Fix: "
                                   "use a value above 0 and below 1."),
    ({"experiment": {"control_share": 1.0}}, "experiment.control_share = 1.0 must be below 1"),
    ({"generator": {"campaign_share": 0.0}}, "generator.campaign_share = 0.0 must be above 0"),
    ({"churn": {"risk_bands": [0.0, 0.5]}}, "churn.risk_bands[0] = 0.0 must be above 0"),
    ({"report": {"max_chart_points": 10}}, "report.max_chart_points = 10 is below the minimum 100"),
    ({"clv": {"uncertainty_draws": 5}}, "clv.uncertainty_draws = 5 is below the minimum 20"),
    ({"churn": {"cost_wasted_offer": float("inf")}}, "churn.cost_wasted_offer = inf is not a finite number"),
    ({"roi": {"economics": {"margin": float("nan")}}}, "roi.economics.margin = nan is not a finite number"),
    ({"features": {"peak_months": [11, 13]}}, "features.peak_months[1] = 13 is above the maximum 12 (months "
                                              "counted as peak season, 1-12). Fix: use a value from 1 to 12."),
])
def test_negative_costs_and_probabilities_outside_0_1(raw, expected):
    assert problem(raw).startswith(expected)


@pytest.mark.parametrize(("raw", "expected"), [
    ({"churn": {"risk_bands": [0.7, 0.3]}}, "churn.risk_bands = [0.7, 0.3] needs two increasing probabilities"),
    ({"churn": {"risk_bands": [0.3]}}, "churn.risk_bands = [0.3] needs exactly 2 values. Fix: write [low, high]."),
    ({"roi": {"ranges": {"margin": [0.5, 0.3]}}}, "roi.ranges.margin = [0.5, 0.3] needs [low, high] with low <= "
                                                  "high ([low, high] of the margin). Fix: write the lower value "
                                                  "first."),
    ({"segmentation": {"k_min": 6, "k_max": 3}}, "segmentation.k_min (6) is larger than k_max (3). Fix: make k_min "
                                                 "at most k_max."),
    ({"segmentation": {"rules": [{"segment": "All", "r": [5, 1], "fm": [1, 5]}]}},
     "segmentation.rules = [{'segment': 'All', 'r': [5, 1], 'fm': [1, 5]}] is not a valid set of rules: segment "
     "rule 0 (All): 'r' range [5, 1] must satisfy 1 <= low <= high <= 5"),
    ({"generator": {"months": 3}}, "generator.campaign_days_before_end = 120 puts the past campaign before the log "
                                   "starts (the log covers 90 days). Fix: set it below 90"),
    ({"experiment": {"outcome_days": 150}}, "experiment.outcome_days = 150 is longer than the time between the "
                                            "generated campaign and the end of the log"),
])
def test_thresholds_in_the_wrong_order_and_windows_that_cannot_fit(raw, expected):
    assert problem(raw).startswith(expected)


def test_a_campaign_without_its_economics_or_a_target_or_a_name():
    assert problem({"roi": {"economics": {"margin": 0.4}}}) == (
        "roi.campaigns[0] (Win-back) has no redemption_rate. Fix: set it in the campaign or in roi.economics.")
    assert problem({"roi": {"campaigns": [{"name": "X", "discount": 0.1, "uplift": 0.1}]}}
                   ).startswith("roi.campaigns[0] = {'name': 'X', 'discount': 0.1, 'uplift': 0.1} has no target rule")
    assert problem({"roi": {"campaigns": [{"segments": ["Lost"], "discount": 0.1}]}}).startswith(
        "roi.campaigns[0].name is missing (unique, human-readable name). Fix: add it.")
    assert problem({"roi": {"campaigns": []}}).startswith("roi.campaigns = [] needs at least 1 entry")
    assert problem({"roi": {"campaigns": [{"name": "A", "segments": ["Lost"], "discount": 0.1, "uplift": 0.1}] * 2}}
                   ).startswith(
        "roi.campaigns: campaign names must be unique; repeated: ['A'].")


def test_impossible_values_through_the_cli_are_one_error_line_and_exit_2(tmp_path, capsys):
    path = write(tmp_path, "data:\n  source: generated\n  end_date: 2011-13-01\n")
    assert cli.main(["generate", "--params", path]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "Traceback" not in captured.err
    assert captured.err == f"error: {path}, line 3: data.end_date = '2011-13-01' is not a date: month must be in " \
                           f"1..12 (analysis date; later transactions are dropped; empty = the last date). Fix: " \
                           f"write it as YYYY-MM-DD, e.g. 2011-12-09.\n"


# --- the shape of the file ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("- just\n- a list\n", " must hold sections of key: value pairs, not a list. Fix: start from params/default.yaml"),
    ("hello\n", " must hold sections of key: value pairs, not text. Fix:"),
    ("42\n", " must hold sections of key: value pairs, not a number. Fix:"),
    ("data:\n  - source\n", ", line 1: section 'data' must be a mapping of key: value pairs, not a list. Fix: write "
                            "'data:' followed by indented 'key: value' lines, as in params/default.yaml."),
    ("data: file\n", ", line 1: section 'data' must be a mapping of key: value pairs, not text."),
    ("1: 2\n", ": unknown section '1'. Known sections: data, generator,"),
])
def test_a_file_or_section_of_the_wrong_shape(tmp_path, text, expected):
    assert error(tmp_path, text).startswith(expected)


def test_tabs_are_named_with_their_line(tmp_path):
    expected = ", line 3: the line is indented with a tab; YAML allows only spaces. Fix: replace the tab by spaces"
    assert error(tmp_path, "data:\n  currency: USD\n\tsource: file\n").startswith(expected)
    assert error(tmp_path, "data:\n  currency: USD\n \tsource: file\n").startswith(expected)
    assert load(write(tmp_path, 'data:\n  currency: "US\tD"\n')).data.currency == "US\tD"  # a tab inside text is fine


def test_bytes_that_are_not_utf8(tmp_path):
    assert error(tmp_path, "data:\n  currency: GBP\n  path: caf\u00e9.csv\n".encode("latin-1")) == (
        ", line 3: byte 0xe9 is not UTF-8 text. Fix: save the file as UTF-8 (most editors offer it under 'Save as' / "
        "'Encoding').")
    assert error(tmp_path, MINIMAL.encode("utf-16")).startswith(", line 1: byte 0xff is not UTF-8 text.")
    assert error(tmp_path, b"data:\n  currency: U\x00SD\n").startswith(
        ", line 2: character U+0000 is not allowed in YAML.")
    assert load(write(tmp_path, b"\xef\xbb\xbf" + MINIMAL.encode())).data.currency == "USD"  # a BOM is fine


def test_invalid_yaml_is_one_line_with_line_and_column(tmp_path):
    assert error(tmp_path, "data:\n  path: a: b\n").startswith(
        ", line 2, column 10: not valid YAML: mapping values are not allowed here. Fix: compare the line with "
        "params/default.yaml")
    assert error(tmp_path, "data:\n  currency: [USD\n").startswith(", line 3, column 1: not valid YAML: expected ',' "
                                                                   "or ']', but got '<stream end>'")


def test_a_missing_folder_or_unreadable_file(tmp_path):
    with pytest.raises(ParamsError, match=r"nope.yaml does not exist. Fix: copy params/default.yaml and edit it."):
        load(tmp_path / "nope.yaml")
    with pytest.raises(ParamsError, match=r"is a folder. Fix: pass a .yaml file"):
        load(tmp_path)


def test_unknown_sections_and_keys_at_any_depth_suggest_the_closest_name():
    assert problem({"decison": {}}) == ("unknown section 'decison'. Did you mean 'decision'? Fix: correct the "
                                        "section name, or remove the section.")
    assert problem({"engine": {"memory": "4GB"}}) == ("unknown key 'engine.memory'. Did you mean 'memory_limit'? "
                                                      "Fix: correct the key, or remove it.")
    assert problem({"roi": {"ranges": {"upflit": [0.1, 0.3]}}}).startswith(
        "unknown key 'roi.ranges.upflit'. Did you mean 'uplift'?")
    assert problem({"segmentation": {"rules": [{"segmnt": "A", "r": [1, 5], "fm": [1, 5]}]}}).startswith(
        "unknown key 'segmentation.rules[0].segmnt'. Did you mean 'segment'?")
    assert problem({"zzz": {}}).startswith("unknown section 'zzz'. Known sections: data, generator, cleaning,")


@pytest.mark.parametrize("text", [
    "", "- a\n", "data:\n\tcurrency: USD\n", "churn:\n  seed: 1\n  seed: 2\n", "data:\n  end_date: 2011-13-01\n",
    "decision:\n  pinned_campaign: Nope\n", "data:\n  source: database\n", b"data:\n  currency: \xa3\n",
    "data: [a]\n", "data:\n  path: a: b\n",
])
def test_the_cli_turns_every_class_into_one_error_line(tmp_path, capsys, text):
    assert cli.main(["generate", "--params", write(tmp_path, text)]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.startswith("error: ") and captured.err.count("\n") == 1
    assert "Traceback" not in captured.err and "Fix: " in captured.err
