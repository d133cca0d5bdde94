"""Where the labels of a bubble chart go, so that they keep off each other, the bubbles and the chart's edges.

Used by the executive summary's value x risk chart (:mod:`retention.stages.summary`): :func:`x_range` gives its
churn-probability axis and :func:`label_positions` each bubble's plotly ``textposition``.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["label_positions", "x_range"]


def x_range(probabilities: pd.Series) -> list[float]:
    """The value x risk chart's churn-probability axis: from zero, a little past the largest mean, at most 102%."""
    top = float(probabilities.max()) if len(probabilities) else 0.0
    return [0.0, min(1.02, top * 1.15 + 0.08)]


_POSITIONS = ("top center", "bottom center", "middle right", "middle left")


def _box(x: float, y: float, text: str, position: str, radius: float,
         char: float = 0.0075) -> tuple[float, float, float, float]:
    """The label's box (left, bottom, right, top) in chart fractions: ``char`` of the width per character (about
    0.75% on a wide screen, 2.8% on a phone) and 4.5% of the height per line, beside a bubble of ``radius``."""
    w, h = char * len(text), 0.045
    cx, cy = {"top center": (x, y + radius + h / 2), "bottom center": (x, y - radius - h / 2),
              "middle right": (x + radius + w / 2, y), "middle left": (x - radius - w / 2, y)}[position]
    return cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


def label_positions(x: pd.Series, y: pd.Series, text: pd.Series, size: pd.Series,
                    x_span: float = 1.0) -> list[str]:
    """Where each bubble's label goes (plotly ``textposition``) so that labels keep off each other, the bubbles
    and the chart's edges: bubbles are placed from the largest, each label taking the first of above, below,
    right and left that collides least with what is placed and never runs past the chart's side on a phone."""
    xs = x.to_numpy(dtype=float) / (x_span or 1.0)
    top = float(y.max()) if len(y) else 0.0
    ys = y.to_numpy(dtype=float) / (top * 1.05 if top > 0 else 1.0)
    sizes = size.to_numpy(dtype=float)
    radii = 0.012 + 0.035 * (sizes / sizes.max()) ** 0.5 if len(sizes) and sizes.max() > 0 else sizes * 0
    bubbles = [(xs[i] - radii[i], ys[i] - radii[i], xs[i] + radii[i], ys[i] + radii[i]) for i in range(len(xs))]
    placed: list[tuple[float, float, float, float]] = []
    positions = [""] * len(xs)
    for i in sorted(range(len(xs)), key=lambda k: -sizes[k]):
        def cost(position: str, i: int = i) -> float:
            box = _box(xs[i], ys[i], str(text.iloc[i]), position, radii[i])
            phone = _box(xs[i], ys[i], str(text.iloc[i]), position, radii[i], char=0.028)  # must fit a phone too
            outside = max(0.0, -phone[0]) + max(0.0, phone[2] - 1) + max(0.0, -box[1]) + max(0.0, box[3] - 1)
            return (sum(_overlap(box, other) for other in placed)
                    + sum(_overlap(box, bubble) for j, bubble in enumerate(bubbles) if j != i) + outside)
        best = min(_POSITIONS, key=cost)
        positions[i] = best
        placed.append(_box(xs[i], ys[i], str(text.iloc[i]), best, radii[i]))
    return positions
