"""Colours that mean the same thing in every report, and the direction of a change (good or bad).

One named palette, Okabe-Ito (colour-blind safe), for categories. Roles on top of it: a gain is bluish
green, a loss vermillion, the model blue, a baseline grey, what actually happened black; a traffic light
is green / amber (orange) / red (vermillion). :func:`trend` says whether a change is good, from the
measure's direction (``higher_is_better``), and gives its arrow and colour.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["PALETTE", "PALETTE_NAME", "COLORS", "GAIN", "LOSS", "NEUTRAL", "ACCENT", "WARNING", "MUTED", "ROLE_COLORS",
           "TRAFFIC_LIGHT", "GAIN_LOSS_SCALE", "SEQUENTIAL_SCALE", "Trend", "trend", "gain_loss_colors"]

PALETTE_NAME = "Okabe-Ito"
COLORS = {"blue": "#0072B2", "orange": "#E69F00", "bluish_green": "#009E73", "vermillion": "#D55E00",
          "reddish_purple": "#CC79A7", "sky_blue": "#56B4E9", "yellow": "#F0E442", "black": "#000000",
          "grey": "#999999", "wine": "#882255", "teal": "#44AA99"}
# The qualitative palette of every chart, in this order (plotly's colorway).
PALETTE = list(COLORS.values())

GAIN = COLORS["bluish_green"]
LOSS = COLORS["vermillion"]
WARNING = COLORS["orange"]
ACCENT = COLORS["blue"]
NEUTRAL = COLORS["grey"]
MUTED = "#56606b"
ROLE_COLORS = {"gain": GAIN, "loss": LOSS, "warning": WARNING, "model": ACCENT, "baseline": NEUTRAL,
               "actual": COLORS["black"], "forecast": ACCENT, "neutral": NEUTRAL}
TRAFFIC_LIGHT = {"green": GAIN, "amber": WARNING, "red": LOSS}
# Continuous scales: money that can be lost or gained (loss red, 0 white, gain green), and magnitudes.
GAIN_LOSS_SCALE = [[0.0, LOSS], [0.5, "#f7f7f7"], [1.0, GAIN]]
SEQUENTIAL_SCALE = "Blues"


@dataclass(frozen=True)
class Trend:
    """How a measure moved: ▲ / ▼ / =, whether that is good (None when direction is unknown), its colour."""

    arrow: str
    good: bool | None
    color: str

    @property
    def word(self) -> str:
        return {True: "better", False: "worse", None: "changed"}[self.good] if self.arrow != "=" else "unchanged"


def trend(current: float | None, previous: float | None, higher_is_better: bool | None = None) -> Trend | None:
    """The direction of a change and whether it is good; None when there is no previous value."""
    if current is None or previous is None or current != current or previous != previous:
        return None
    if current == previous:
        return Trend("=", None, NEUTRAL)
    up = current > previous
    good = None if higher_is_better is None else (up == higher_is_better)
    return Trend("▲" if up else "▼", good, {True: GAIN, False: LOSS, None: NEUTRAL}[good])


def gain_loss_colors(values: Iterable[float]) -> list[str]:
    """One colour per value: gain green at or above zero, loss red below (bars of profit, tornado sides)."""
    return [GAIN if v >= 0 else LOSS for v in values]
