"""Typed, validated configuration: one frozen model per section of a parameter profile (``params/*.yaml``).

>>> from retention.config import load
>>> params = load("params/default.yaml")
>>> params.churn.horizon_days
90

Constraints are declared once, on the fields (ranges, choices); rules between keys are model validators; names a
profile refers to (segments, campaigns, models, features) are checked when it loads, before any notebook runs.
Every problem is one :class:`ParamsError` line: ``<file>, line N: <section.key> = <value> <what is wrong>. Fix:
<what to do>``.
"""

from retention.config.campaigns import CAMPAIGN_RULE_COLUMNS, CampaignConfig, Economics, RangesConfig, RoiConfig
from retention.config.decisions import DecisionConfig, ExperimentConfig
from retention.config.errors import ParamsError
from retention.config.inputs import CleaningConfig, DataConfig, EdaConfig, FeaturesConfig, GeneratorParams
from retention.config.loading import load, params_hash, validate
from retention.config.models import CHURN_MODEL_NAMES, ChurnConfig, ClvConfig
from retention.config.root import SECTIONS, Params
from retention.config.runtime import EngineConfig, ReportConfig
from retention.config.segmentation import SegmentationConfig, SegmentRule

__all__ = [
    "load",
    "validate",
    "params_hash",
    "ParamsError",
    "Params",
    "SECTIONS",
    "DataConfig",
    "GeneratorParams",
    "CleaningConfig",
    "EdaConfig",
    "FeaturesConfig",
    "SegmentRule",
    "SegmentationConfig",
    "ChurnConfig",
    "ClvConfig",
    "CHURN_MODEL_NAMES",
    "Economics",
    "CampaignConfig",
    "RangesConfig",
    "RoiConfig",
    "CAMPAIGN_RULE_COLUMNS",
    "DecisionConfig",
    "ExperimentConfig",
    "EngineConfig",
    "ReportConfig",
]
