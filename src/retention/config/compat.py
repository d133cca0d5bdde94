"""The plain nested dict of params, built from the typed :class:`Params`, for the code that predates it.

``pipeline.py`` (prepare), ``cli.py`` and the report settings still read ``params["section"]["key"]``; the stages
and notebooks receive the typed object. The dict has the same shapes as the YAML: lists (not tuples), segment
rules and campaigns as plain dicts, and ``roi.economics`` / ``roi.campaigns`` / ``roi.scenario`` / ``roi.ranges``
holding only the keys that are set (as the ROI library reads them).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from retention.config.loading import load, validate
from retention.config.root import Params

__all__ = ["to_dict", "defaults", "validate_params", "load_params"]


def _lists(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _lists(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_lists(v) for v in value]
    return value


def to_dict(params: Params) -> dict[str, dict[str, Any]]:
    """The nested dict view of ``params`` (see the module docstring)."""
    out = _lists(params.model_dump(mode="python"))
    roi = params.roi
    out["roi"].update(
        economics=roi.economics.model_dump(exclude_none=True),
        campaigns=[_lists(c.model_dump(exclude_none=True)) for c in roi.campaigns],
        scenario=roi.scenario.model_dump(exclude_none=True),
        ranges=_lists(roi.ranges.model_dump(exclude_none=True)),
    )
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
