"""The models' warnings in plain words, for a report to state instead of printing raw library text.

The fits warn when the data cannot pin a parameter down, when a fit falls back to its stated remedy, or when an
optimiser stops early (:mod:`.models`); the value pipeline marks the warnings of its backtest fits with
:data:`~.value.BACKTEST_WARNING`. :func:`plain_warnings` turns each known message into one sentence a reader
can act on and returns the rest as they are, for an appendix.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .models import MODELS, GammaGammaModel
from .value import BACKTEST_WARNING

__all__ = ["plain_warnings"]

_LABELS = {cls.__name__: cls.label for cls in (*MODELS.values(), GammaGammaModel)} | {"_MeanMatched": "Gamma-Gamma"}
_CONVERGENCE = re.compile(r"^(\w+): optimiser did not converge \(.*\); max \|gradient\| (\S+)$", re.S)
_NO_COVARIANCE = re.compile(r"^(\w+): covariance undefined, parameter draws equal the estimate$")
_PLAIN = ("the data cannot pin down", "ran to the edge of its parameter space", "has q <= 1")


def _sentence(message: str) -> str | None:
    """One message in plain words, or None when it is not a known model message."""
    found = _CONVERGENCE.match(message)
    if found:
        label = _LABELS.get(found.group(1), found.group(1))
        return (f"{label}: the optimiser stopped before it had fully converged (largest remaining gradient "
                f"{found.group(2)}), so its estimates are approximate.")
    found = _NO_COVARIANCE.match(message)
    if found:
        label = _LABELS.get(found.group(1), found.group(1))
        return (f"{label}: the data cannot pin down any of its parameters, so the value intervals leave out its "
                "uncertainty altogether.")
    if any(marker in message for marker in _PLAIN):
        return message
    return None


def plain_warnings(messages: Iterable[str]) -> tuple[list[str], list[str]]:
    """``(plain, other)``: the known model warnings as plain sentences (once each, in order; the backtest's say
    they concern a fit at an earlier cutoff, used only to choose the model), and every other message unchanged.
    """
    plain: dict[str, None] = {}
    other: dict[str, None] = {}
    for message in messages:
        text = str(message).strip()
        backtest = text.startswith(BACKTEST_WARNING)
        core = text[len(BACKTEST_WARNING):] if backtest else text
        sentence = _sentence(core)
        if sentence is None:
            other[text] = None
        elif backtest:
            plain[f"In the backtest (a fit at an earlier cutoff, used only to choose the model): {sentence}"] = None
        else:
            plain[sentence] = None
    return list(plain), list(other)
