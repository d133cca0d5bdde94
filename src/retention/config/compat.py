"""Phase-A bridge: today's plain nested dict of params, built from the typed :class:`Params`.

The notebooks, ``pipeline.py`` and ``cli.py`` still read ``params["section"]["key"]``; phase B hands them the
typed object and this module goes. The dict has today's shapes: lists (not tuples), segment rules and campaigns as
plain dicts, and ``roi.economics`` / ``roi.campaigns`` / ``roi.scenario`` / ``roi.ranges`` holding only the keys
that are set (as the ROI library reads them). Two values are filled in for the notebooks, temporarily:

* ``roi.chosen_campaign``: ``decision.pinned_campaign`` when set, else ``roi.chosen_campaign``, else (null: "let
  the analysis choose", which arrives in phase B) the first campaign;
* ``churn.production_model``: "auto" (ship the best candidate, phase B) reads as today's default model.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from retention.config.loading import load, validate
from retention.config.root import Params

__all__ = ["LEGACY_PRODUCTION_MODEL", "to_dict", "defaults", "validate_params", "load_params"]

LEGACY_PRODUCTION_MODEL = "Logistic regression"
"""What ``churn.production_model: auto`` reads as in the dict view until the churn stage picks the model."""


def _lists(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _lists(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_lists(v) for v in value]
    return value


def to_dict(params: Params) -> dict[str, dict[str, Any]]:
    """Today's nested dict view of ``params`` (see the module docstring for the two filled-in values)."""
    out = _lists(params.model_dump(mode="python"))
    roi = params.roi
    out["roi"].update(
        economics=roi.economics.model_dump(exclude_none=True),
        campaigns=[_lists(c.model_dump(exclude_none=True)) for c in roi.campaigns],
        scenario=roi.scenario.model_dump(exclude_none=True),
        ranges=_lists(roi.ranges.model_dump(exclude_none=True)),
        chosen_campaign=params.decision.pinned_campaign or roi.chosen_campaign or roi.campaigns[0].name,
    )
    if params.churn.production_model == "auto":
        out["churn"]["production_model"] = LEGACY_PRODUCTION_MODEL
    return out


def defaults() -> dict[str, dict[str, Any]]:
    """The default value of every parameter, as today's nested dict."""
    return to_dict(Params())


def validate_params(raw: Mapping[str, Any] | None, source: str = "params") -> dict[str, dict[str, Any]]:
    """Fill defaults into ``raw`` and check every key (:func:`retention.config.validate`); today's dict."""
    return to_dict(validate(raw, source))


def load_params(path: str | Path, overrides: Mapping[str, Any] | None = None) -> dict[str, dict[str, Any]]:
    """Read and check a YAML profile (:func:`retention.config.load`); today's dict."""
    return to_dict(load(path, overrides))
