"""One validated schema for every parameter profile in ``params/``.

A profile is a YAML file with the sections below. Every key has a default, a type and, where it
matters, a range or a list of allowed values. Loading a profile fills in the defaults, rejects
unknown keys (suggesting the closest known one) and out-of-range values, and returns a plain nested
dict that the notebooks and the library read.
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from retention.churn.models import MODEL_NAMES
from retention.paths import project_root
from retention.segments import DEFAULT_SEGMENT_RULES

__all__ = ["ParamsError", "Field", "SCHEMA", "defaults", "load_params", "validate_params", "params_hash"]


class ParamsError(ValueError):
    """A parameter profile is invalid; the message names the file, the key and the fix."""


@dataclass(frozen=True)
class Field:
    """One parameter: its default, accepted type(s), and optional range or choices."""

    default: Any
    kind: type | tuple[type, ...]
    help: str
    min: float | None = None
    max: float | None = None
    choices: tuple[Any, ...] | None = None
    nullable: bool = False
    check: Callable[[Any], str | None] | None = field(default=None, compare=False)


def _month_list(value: Any) -> str | None:
    if not all(isinstance(m, int) and 1 <= m <= 12 for m in value):
        return "every month must be a whole number from 1 to 12"
    return None


def _column_map(value: Any) -> str | None:
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        return "keys and values must be column names (text): {column in your file: canonical name}"
    return None


def _segment_rules(value: Any) -> str | None:
    from retention.segments import validate_segment_rules

    try:
        validate_segment_rules(value)
    except (ValueError, TypeError) as exc:
        return str(exc)
    return None


def _cluster_columns(value: Any) -> str | None:
    from retention.features import FEATURE_COLUMNS

    numeric = [c for c in FEATURE_COLUMNS if c not in ("Country", "FirstPurchase", "LastPurchase", "PeakSeason")]
    unknown = [c for c in value if c not in numeric]
    if unknown or len(value) < 2:
        return f"needs two or more of {numeric}; unknown: {unknown}"
    return None


def _campaigns(value: Any) -> str | None:
    from retention.roi import campaign_from_dict

    if not value:
        return "list at least one campaign"
    names = []
    for item in value:
        try:
            names.append(campaign_from_dict(item, _ROI_ECONOMICS_PROBE).name)
        except (ValueError, TypeError) as exc:
            return str(exc)
    if len(set(names)) != len(names):
        return f"campaign names must be unique, got {names}"
    return None


# Any complete set of shared economics, so each campaign can be checked on its own keys.
_ROI_ECONOMICS_PROBE = {"contact_cost": 0.0, "fixed_cost": 0.0, "redemption_rate": 0.0, "margin": 0.5,
                        "saved_redemption": 1.0, "horizon_days": 90}


def _ranges(value: Any) -> str | None:
    from retention.roi import PARAMETERS

    for key, bounds in value.items():
        if key not in PARAMETERS:
            return f"unknown parameter '{key}'; known: {list(PARAMETERS)}"
        if not (isinstance(bounds, list) and len(bounds) == 2 and all(isinstance(b, int | float) for b in bounds)
                and bounds[0] <= bounds[1]):
            return f"'{key}' needs [low, high] with low <= high, got {bounds!r}"
    return None


def _number_list(value: Any) -> str | None:
    if not value or not all(isinstance(v, int | float) and not isinstance(v, bool) and v >= 0 for v in value):
        return "needs a non-empty list of non-negative numbers"
    return None


def _string_list(value: Any) -> str | None:
    if not all(isinstance(v, str) for v in value):
        return "every entry must be text"
    return None


SCHEMA: dict[str, dict[str, Field]] = {
    "data": {
        "source": Field("generated", str, "'generated' writes our seeded synthetic log; 'file' reads path; "
                        "'cdnow' converts the CDNOW log shipped with the lifetimes package into path (a .csv)",
                        choices=("generated", "file", "cdnow")),
        "path": Field("data/generated/online_retail.csv", str,
                      "transaction file (CSV, Parquet or .xlsx), relative to the project root"),
        "sheet": Field(None, (str, int), "Excel sheet name or index (all sheets when empty)", nullable=True),
        "columns": Field({}, dict, "mapping {your column: canonical column} for other exports",
                         check=_column_map),
        "end_date": Field(None, dt.date, "analysis date; later transactions are dropped (default: last date)",
                          nullable=True),
        "currency": Field("GBP", str, "ISO currency code used to format money"),
    },
    "generator": {
        "seed": Field(42, int, "random seed of the synthetic log", min=0),
        "n_customers": Field(4300, int, "identified customers who buy in the period", min=1, max=50_000_000),
        "start_date": Field(dt.date(2010, 12, 1), dt.date, "first day of the log"),
        "months": Field(12, int, "length of the log in months", min=2, max=120),
        "guest_line_share": Field(0.25, float, "share of lines without a CustomerID", min=0.0, max=0.9),
        "future_days": Field(365, int, "days simulated after the end for the ground truth", min=30, max=3650),
        "seasonal": Field(True, bool, "November peak and quiet weekends; false gives a stationary process"),
    },
    "cleaning": {
        "non_product_codes": Field(
            ["POST", "DOT", "M", "D", "C2", "CRUK", "BANK CHARGES", "AMAZONFEE", "B", "S", "PADS", "ADJUST"],
            list, "StockCodes that are fees, postage or adjustments, not products", check=_string_list),
        "max_quantity": Field(10_000, int, "lines with a larger quantity are outliers", min=1),
        "max_unit_price": Field(5_000.0, float, "lines with a larger unit price are outliers", min=0.01),
    },
    "eda": {
        "top_n": Field(10, int, "how many countries and products the EDA ranks", min=3, max=100),
    },
    "features": {
        "peak_months": Field([10, 11, 12], list, "months counted as peak season", check=_month_list),
    },
    "segmentation": {
        "rules": Field([dict(rule) for rule in DEFAULT_SEGMENT_RULES], list,
                       "named segments on the R x FM score grid; the first matching rule wins", check=_segment_rules),
        "cluster_features": Field(["Recency", "Frequency", "Monetary", "Tenure", "AvgOrderValue", "UniqueProducts"],
                                  list, "customer features the k-means clustering uses", check=_cluster_columns),
        "k_min": Field(2, int, "smallest number of clusters tried", min=2, max=20),
        "k_max": Field(8, int, "largest number of clusters tried", min=2, max=20),
        "seed": Field(42, int, "seed of k-means and the silhouette sample", min=0),
        "migration_days": Field(90, int, "days before the end of the earlier cutoff for segment migration",
                                min=7, max=3650),
        "high_value_min_m_score": Field(4, int, "M score (1-5) from which a customer counts as high value",
                                        min=1, max=5),
        "export_segments": Field([], list, "segments to write as their own CSV list", check=_string_list),
    },
    "churn": {
        "horizon_days": Field(90, int, "a customer has churned if they make no purchase in the next H days",
                              min=7, max=730),
        "n_train_cutoffs": Field(4, int, "training cutoffs (each gives one labelled example per customer)",
                                 min=1, max=24),
        "spacing_days": Field(30, int, "days between training cutoffs", min=7, max=365),
        "min_history_days": Field(90, int, "the first cutoff comes at least this long after the data starts",
                                  min=7, max=3650),
        "feature_window_days": Field(None, int, "only this many days of history feed the features (all: empty)",
                                     min=7, nullable=True),
        "cost_missed_churner": Field(40.0, float, "cost of not contacting a customer who churns (currency)",
                                     min=0.01),
        "cost_wasted_offer": Field(20.0, float, "cost of an offer to a customer who would have stayed (currency)",
                                   min=0.01),
        "risk_bands": Field([0.3, 0.6], list, "churn probabilities that separate Low / Medium / High risk",
                            check=lambda v: None if len(v) == 2 and all(isinstance(x, int | float) for x in v)
                            and 0 < v[0] < v[1] < 1 else "needs two increasing probabilities between 0 and 1"),
        "calibration": Field("sigmoid", str, "probability calibration on training data",
                             choices=("sigmoid", "isotonic")),
        "production_model": Field("auto", str, "the model that scores every customer ('auto': the best on the "
                                  "out-of-time validation)", choices=("auto", *MODEL_NAMES)),
        "cv_folds": Field(3, int, "cross-validation folds (grouped by customer) for tuning", min=2, max=10),
        "seed": Field(42, int, "seed of every model", min=0),
    },
    "clv": {
        "time_unit": Field("W", str, "time unit of the BG/NBD model: 'D' days or 'W' weeks", choices=("D", "W")),
        "horizon_months": Field(12, int, "months of future value counted in the CLV", min=1, max=120),
        "discount_rate_monthly": Field(0.01, float, "monthly discount rate of future revenue", min=0.0, max=0.5),
        "holdout_days": Field(120, int, "days at the end held out to check the model's forecasts", min=14, max=730),
        "penalizer": Field(0.0, float, "L2 penalty on the model parameters (0 = plain maximum likelihood)",
                           min=0.0, max=100.0),
        "max_spend_frequency_corr": Field(0.3, float, "warn when |corr(frequency, spend)| exceeds this "
                                          "(the Gamma-Gamma model assumes independence)", min=0.0, max=1.0),
    },
    "roi": {
        "economics": Field({"contact_cost": 0.5, "fixed_cost": 250.0, "redemption_rate": 0.3, "margin": 0.4,
                            "saved_redemption": 1.0}, dict,
                           "economics shared by every campaign unless it sets its own (replace with your figures)"),
        "campaigns": Field([
            {"name": "Win-back", "segments": ["Hibernating", "Lost"], "discount": 0.2, "uplift": 0.05,
             "description": "Reactivate lapsed, low-value customers with one discounted email."},
            {"name": "Protect", "segments": ["Can't Lose Them"], "discount": 0.15, "contact_cost": 5.0,
             "uplift": 0.15, "description": "Personal outreach to former best customers who have gone quiet."},
            {"name": "Nurture", "segments": ["Potential Loyalists"], "discount": 0.1, "uplift": 0.05,
             "description": "Turn recent average buyers into loyal ones with a small incentive."},
            {"name": "High-value at risk", "segments": ["About To Sleep", "Can't Lose Them", "At Risk"],
             "monetary_quantile": 0.75, "discount": 0.15, "contact_cost": 2.0, "uplift": 0.1,
             "description": "High spenders drifting away (At Risk, Can't Lose Them, About To Sleep)."},
        ], list, "the campaigns compared side by side", check=_campaigns),
        "chosen_campaign": Field("High-value at risk", str, "the campaign analysed in depth and exported"),
        "scenario": Field({}, dict, "changes to the chosen campaign for an exact what-if rerun, "
                          "e.g. {discount: 0.2, uplift: 0.12}"),
        "ranges": Field({"uplift": [0.03, 0.2], "redemption_rate": [0.1, 0.5], "margin": [0.3, 0.5],
                         "discount": [0.05, 0.25], "contact_cost": [0.5, 5.0]}, dict,
                        "plausible [low, high] of each uncertain assumption (scenarios, tornado, Monte Carlo)",
                        check=_ranges),
        "what_if_discounts": Field([0.05, 0.1, 0.15, 0.2, 0.25, 0.3], list, "discounts on the what-if sliders",
                                   check=_number_list),
        "what_if_uplifts": Field([0.02, 0.05, 0.1, 0.15, 0.2, 0.3], list, "uplifts on the what-if sliders",
                                 check=_number_list),
        "what_if_top_n": Field([50, 100, 200, 300, 500, 750, 1000, 1500, 2000], list,
                               "numbers of targets (top-N by expected loss) on the what-if sliders",
                               check=_number_list),
        "monte_carlo_draws": Field(5000, int, "Monte Carlo draws for the probability of loss", min=100, max=1_000_000),
        "seed": Field(42, int, "seed of the Monte Carlo draws", min=0),
    },
    "report": {
        "customer_id_salt": Field(None, str, "pseudonymise customer ids in exports with this salt",
                                  nullable=True),
    },
}


def defaults() -> dict[str, dict[str, Any]]:
    """The default value of every parameter, as a nested dict."""
    return {section: {key: copy.deepcopy(f.default) for key, f in fields.items()}
            for section, fields in SCHEMA.items()}


def _suggest(name: str, options: list[str]) -> str:
    close = difflib.get_close_matches(name, options, n=1, cutoff=0.5)
    return f" Did you mean '{close[0]}'?" if close else f" Known keys: {', '.join(sorted(options))}."


def _check_value(where: str, spec: Field, value: Any) -> Any:
    if value is None:
        if spec.nullable:
            return None
        raise ParamsError(f"{where} must not be empty ({spec.help}).")
    kinds = spec.kind if isinstance(spec.kind, tuple) else (spec.kind,)
    if float in kinds and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if dt.date in kinds and isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            raise ParamsError(f"{where} = {value!r} is not a date; write it as YYYY-MM-DD.") from None
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, bool) and bool not in kinds or not isinstance(value, kinds):
        names = " or ".join(k.__name__ for k in kinds)
        raise ParamsError(f"{where} = {value!r} has the wrong type: expected {names} ({spec.help}).")
    if spec.choices is not None and value not in spec.choices:
        raise ParamsError(f"{where} = {value!r} is not one of {list(spec.choices)}.")
    if spec.min is not None and value < spec.min:
        raise ParamsError(f"{where} = {value!r} is below the minimum {spec.min} ({spec.help}).")
    if spec.max is not None and value > spec.max:
        raise ParamsError(f"{where} = {value!r} is above the maximum {spec.max} ({spec.help}).")
    if spec.check is not None:
        problem = spec.check(value)
        if problem:
            raise ParamsError(f"{where}: {problem}.")
    return value


def _check_data(params: dict[str, dict[str, Any]], source: str) -> None:
    """Rules between keys of the data section."""
    d = params["data"]
    generated_path = SCHEMA["data"]["path"].default
    if d["source"] == "cdnow":
        if not d["path"].lower().endswith(".csv"):
            raise ParamsError(f"{source}: data.path = {d['path']!r}: with data.source 'cdnow' the converted log is "
                              f"written there as CSV; use e.g. data/cdnow/cdnow_master.csv.")
        if d["path"] == generated_path:
            raise ParamsError(f"{source}: data.source 'cdnow' would overwrite the generated log at {generated_path}; "
                              f"set data.path: data/cdnow/cdnow_master.csv.")


def _check_together(params: dict[str, dict[str, Any]], source: str) -> None:
    """Rules that involve more than one key."""
    _check_data(params, source)
    seg = params["segmentation"]
    if seg["k_min"] > seg["k_max"]:
        raise ParamsError(f"{source}: segmentation.k_min ({seg['k_min']}) is larger than k_max ({seg['k_max']}).")
    roi = params["roi"]
    campaign_names = [c["name"] for c in roi["campaigns"]]
    if roi["chosen_campaign"] not in campaign_names:
        raise ParamsError(f"{source}: roi.chosen_campaign '{roi['chosen_campaign']}' is not one of the campaigns "
                          f"{campaign_names}.")
    from retention.roi import CAMPAIGN_KEYS, campaign_from_dict

    unknown_economics = [k for k in roi["economics"] if k not in CAMPAIGN_KEYS]
    if unknown_economics:
        raise ParamsError(f"{source}: roi.economics has unknown keys {unknown_economics}.")
    try:
        for campaign in roi["campaigns"]:
            chosen = campaign["name"] == roi["chosen_campaign"]
            campaign_from_dict({**campaign, **(roi["scenario"] if chosen else {})}, roi["economics"])
    except ValueError as exc:
        raise ParamsError(f"{source}: roi: {exc}") from None
    names = {rule["segment"] for rule in seg["rules"]}
    unknown = [s for s in seg["export_segments"] if s not in names]
    if unknown:
        raise ParamsError(f"{source}: segmentation.export_segments names {unknown}, which no rule defines "
                          f"(segments: {sorted(names)}).")


def validate_params(raw: Mapping[str, Any] | None, source: str = "params") -> dict[str, dict[str, Any]]:
    """Fill defaults into ``raw`` and check every key; raise :class:`ParamsError` on the first problem."""
    raw = dict(raw or {})
    result = defaults()
    for section, values in raw.items():
        if section not in SCHEMA:
            raise ParamsError(f"{source}: unknown section '{section}'.{_suggest(section, list(SCHEMA))}")
        if values is None:
            continue
        if not isinstance(values, Mapping):
            raise ParamsError(f"{source}: section '{section}' must be a mapping of key: value.")
        for key, value in values.items():
            fields = SCHEMA[section]
            if key not in fields:
                raise ParamsError(f"{source}: unknown key '{section}.{key}'.{_suggest(key, list(fields))}")
            result[section][key] = _check_value(f"{source}: {section}.{key}", fields[key], value)
    _check_together(result, source)
    return result


def load_params(path: str | Path, overrides: Mapping[str, Any] | None = None) -> dict[str, dict[str, Any]]:
    """Read a YAML profile (relative paths resolve from the project root) and validate it.

    ``overrides`` (same nested shape) win over the file, e.g. for a one-off papermill rerun.
    """
    file = Path(path)
    if not file.is_absolute():
        file = project_root() / file
    if not file.exists():
        raise ParamsError(f"Parameter file {path} does not exist. Copy params/default.yaml and edit it.")
    try:
        raw = yaml.safe_load(file.read_text()) or {}
    except yaml.YAMLError as exc:
        raise ParamsError(f"{path} is not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise ParamsError(f"{path} must hold sections of key: value pairs, not {type(raw).__name__}.")
    for section, values in (overrides or {}).items():
        base = raw.setdefault(section, {}) or {}
        raw[section] = {**base, **values}
    return validate_params(raw, source=str(path))


def params_hash(params: Mapping[str, Any]) -> str:
    """A short stable fingerprint of validated params (for the run manifest)."""
    text = json.dumps(params, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:12]
