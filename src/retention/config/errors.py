"""The one error type of a parameter profile, and the helpers that phrase its messages.

Every problem becomes ONE line: ``<file>[, line N]: <section.key> = <value> <what is wrong>. Fix: <what to do>``.
Validators raise :class:`ValueProblem` (a problem of the value they check; the message builder adds the key and
the value) or :class:`RuleError` (a rule between keys, phrased completely by the validator).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["ParamsError", "ValueProblem", "RuleError", "suggest", "did_you_mean"]


class ParamsError(ValueError):
    """A parameter profile is invalid; the message names the file, the key and the fix (one line)."""


class ValueProblem(ValueError):
    """A value that is wrong on its own: ``what`` continues "<key> = <value> ..."; ``fix`` says what to do;
    ``hint`` is the closest valid name (shown as "Did you mean ...?")."""

    def __init__(self, what: str, fix: str, hint: str | None = None) -> None:
        super().__init__(f"{what}. Fix: {fix}")
        self.what = what
        self.fix = fix
        self.hint = hint


class RuleError(ValueError):
    """A rule between keys is broken; ``text`` is the whole message, ``loc`` the key it points at (for its line)."""

    def __init__(self, text: str, loc: tuple[str | int, ...] = ()) -> None:
        super().__init__(text)
        self.text = text
        self.loc = loc


def did_you_mean(name: object, options: Iterable[object]) -> str | None:
    """The closest of ``options`` to ``name`` (by spelling), or None when none is close."""
    names = [str(o) for o in options]
    close = difflib.get_close_matches(str(name), names, n=1, cutoff=0.5)
    return close[0] if close else None


def suggest(name: object, options: Iterable[object], what: str = "keys") -> str:
    """`` Did you mean 'x'?`` for a close option, else `` Known <what>: a, b, c.``."""
    options = [str(o) for o in options]
    close = did_you_mean(name, options)
    return f" Did you mean '{close}'?" if close else f" Known {what}: {', '.join(options)}."
