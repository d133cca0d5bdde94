"""Shared validation helpers: one clear ValueError per bad value, with suggestions for misspelt names."""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

__all__ = ["FloatArray", "number", "share", "amount", "whole", "unknown_message", "names", "examples"]

FloatArray = NDArray[np.float64]

SHARE_MEANINGS: dict[str, str] = {
    "discount": "a fraction of the order value",
    "uplift": "the share of would-be churners the offer saves",
    "redemption_rate": "the share of customers who would have stayed anyway that redeem",
    "margin": "the gross margin share of revenue",
    "saved_redemption": "the share of saved customers who redeem",
    "monetary_quantile": "a quantile of Monetary",
    "max_p_loss": "the highest acceptable probability of losing money",
}


def number(value: Any, name: str) -> float:
    """``value`` as a finite float, or a ValueError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise ValueError(f"{name} must be a number, got {value!r}.")
    result = float(value)
    if not math.isfinite(result):
        raise ValueError(f"{name} must be a finite number, got {value!r}.")
    return result


def share(value: Any, name: str) -> float:
    """A number between 0 and 1 (inclusive), or a ValueError that says what the share means."""
    result = number(value, name)
    if not 0.0 <= result <= 1.0:
        meaning = SHARE_MEANINGS.get(name, "a share")
        raise ValueError(f"{name} must be between 0 and 1 ({meaning}), got {value!r}.")
    return result


def amount(value: Any, name: str) -> float:
    """A non-negative amount of money, or a ValueError."""
    result = number(value, name)
    if result < 0.0:
        raise ValueError(f"{name} must be zero or more (an amount of money), got {value!r}.")
    return result


def whole(value: Any, name: str, minimum: int) -> int:
    """A whole number at least ``minimum``, or a ValueError."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise ValueError(f"{name} must be a whole number of at least {minimum}, got {value!r}.")
    return int(value)


def unknown_message(kind: str, unknown: Iterable[str], known: Iterable[str]) -> str:
    """'unknown X: 'a' (did you mean 'b'?). Known: ...' with close-match suggestions."""
    known = [str(k) for k in known]
    parts = []
    for name in unknown:
        close = difflib.get_close_matches(str(name), known, n=1)
        parts.append(f"{name!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
    return f"unknown {kind}: {', '.join(parts)}. Known: {', '.join(known)}."


def names(value: Any, key: str, campaign: str) -> tuple[str, ...]:
    """A non-empty tuple of names from a string or a sequence of strings."""
    items = (value,) if isinstance(value, str) else tuple(value)
    if not items or not all(isinstance(v, str) and v for v in items):
        raise ValueError(f"Campaign {campaign!r}: {key} must be a non-empty list of names, got {value!r}.")
    return items


def examples(index: pd.Index, n: int = 3) -> str:
    """The first few IDs of ``index`` as text."""
    return ", ".join(repr(i) for i in index[:n]) + (", ..." if len(index) > n else "")
