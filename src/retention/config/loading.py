"""Load a profile into :class:`Params`: read the YAML strictly, merge overrides, validate, one-line errors."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from retention.config.errors import ParamsError, suggest
from retention.config.messages import describe
from retention.config.root import SECTIONS, Params
from retention.config.yaml_io import Loc, read_yaml
from retention.paths import project_root

__all__ = ["load", "validate", "params_hash"]

_KIND_NAMES = {list: "a list", str: "text", int: "a number", float: "a number", bool: "true/false"}


def _check_root(raw: Any, source: str) -> dict[str, Any]:
    """The file must hold sections of ``key: value`` pairs, and set at least one of them."""
    if raw is None or raw == {}:
        raise ParamsError(f"{source} is empty: it sets no parameters (only blank lines or comments). Fix: copy "
                          f"params/default.yaml and edit it, or pass --params params/default.yaml for the demo data.")
    if not isinstance(raw, dict):
        kind = _KIND_NAMES.get(type(raw), type(raw).__name__)
        raise ParamsError(f"{source} must hold sections of key: value pairs, not {kind}. Fix: start from "
                          f"params/default.yaml (sections such as 'data:' with indented 'key: value' lines).")
    if not any(values for values in raw.values()):
        raise ParamsError(f"{source} sets no parameters: its sections {list(raw)} are empty. Fix: set at least one "
                          f"key (e.g. data.source), or pass --params params/default.yaml for the demo data.")
    return raw


def _merge(raw: dict[str, Any], overrides: Mapping[str, Any] | None) -> dict[str, Any]:
    """``overrides`` (same nested shape) win over the file, key by key within a section."""
    merged = dict(raw)
    for section, values in (overrides or {}).items():
        if not isinstance(values, Mapping):
            raise ParamsError(f"overrides: section '{section}' must be a mapping of key: value pairs, got "
                              f"{values!r}. Fix: pass e.g. {{'{section}': {{'key': value}}}}.")
        base = merged.get(section)
        merged[section] = {**base, **values} if isinstance(base, Mapping) else dict(values)
    return merged


def _validate(raw: Mapping[str, Any], source: str, lines: Mapping[Loc, int]) -> Params:
    for name in raw:
        if not isinstance(name, str):
            raise ParamsError(f"{source}: unknown section '{name}'.{suggest(name, SECTIONS, 'sections')} Fix: "
                              f"correct the section name, or remove the section.")
    present = {section: values for section, values in raw.items() if values is not None}
    try:
        return Params.model_validate(present)
    except ValidationError as exc:
        raise ParamsError(describe(exc, source, lines)) from None


def validate(raw: Mapping[str, Any] | None, source: str = "params") -> Params:
    """Validate a nested mapping (e.g. built in code); missing sections and keys take their defaults.

    Raises
    ------
    ParamsError
        On the first problem, in one line naming ``source``, the key, the value and the fix.
    """
    if raw is not None and not isinstance(raw, Mapping):
        raise ParamsError(f"{source} must be a mapping of sections, not {type(raw).__name__}.")
    return _validate(raw or {}, source, {})


def resolve_profile(path: str | Path) -> Path:
    """A profile path; relative paths resolve from the project root."""
    file = Path(path)
    return file if file.is_absolute() else project_root() / file


def load(path: str | Path, overrides: Mapping[str, Any] | None = None) -> Params:
    """Read and validate a YAML profile (relative paths resolve from the project root).

    Parameters
    ----------
    path : str or Path
        The profile, e.g. ``params/default.yaml``.
    overrides : mapping, optional
        ``{section: {key: value}}`` that win over the file (e.g. a one-off papermill rerun).

    Returns
    -------
    Params
        The typed, frozen profile with every default filled in.

    Raises
    ------
    ParamsError
        One line naming the file, the line, the key, the value and the fix: a missing, unreadable, empty or
        non-UTF-8 file, invalid YAML (tabs, duplicated keys or sections), an unknown section or key (with the
        closest known name), a value of the wrong type or out of range, or names that do not exist.
    """
    source = str(path)
    raw, lines = read_yaml(resolve_profile(path), source)
    return _validate(_merge(_check_root(raw, source), overrides), source, lines)


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def params_hash(params: Params | BaseModel | Mapping[str, Any]) -> str:
    """A short stable fingerprint of validated params (for the run manifest and the prepare fingerprint).

    Equal values give equal hashes whatever the key order or how the file spelled them (a default written out or
    left out); any changed value changes it. Accepts the typed :class:`Params` (or one section), or the plain dict
    of :func:`retention.params.load_params` (which hashes exactly as before).
    """
    text = json.dumps(_plain(params), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:12]
