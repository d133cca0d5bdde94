"""Writing the C6 JSON artifacts (``kpis.json``, ``decision.json``): plain JSON, NaN and infinity as null."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from retention.io import write_text_atomic

__all__ = ["json_ready", "write_json"]


def json_ready(value: Any) -> Any:
    """``value`` with numpy scalars made plain and NaN / infinite floats replaced by None, recursively."""
    if isinstance(value, dict):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str | bytes):  # numpy scalar
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def write_json(document: dict[str, Any], path: str | Path) -> Path:
    """Write a JSON artifact atomically (UTF-8, indent 2, keys in the given order; byte-stable for the same input)."""
    text = json.dumps(json_ready(document), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    return write_text_atomic(text, path)
