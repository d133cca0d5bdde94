"""Colours that mean the same thing in every report."""

from __future__ import annotations

__all__ = ["PALETTE"]

# Okabe-Ito: a colour-blind-safe qualitative palette, used by every chart in the series.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000",
           "#999999", "#882255", "#44AA99"]
