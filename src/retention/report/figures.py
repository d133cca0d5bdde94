"""Plotly figures: the series' look, log histograms, and offline embedding with stable ids."""

from __future__ import annotations

from retention.report.notebook import display_html
from retention.report.theme import PALETTE

__all__ = ["style_figure", "log_histogram", "show_figure"]


def style_figure(fig, title: str, x_title: str | None = None, y_title: str | None = None, height: int = 420):
    """Apply the series' look: the finding as title, labelled axes, the shared palette."""
    fig.update_layout(
        title={"text": title, "x": 0.0, "xanchor": "left", "font": {"size": 17}},
        template="plotly_white", colorway=PALETTE, height=height,
        margin={"l": 60, "r": 30, "t": 70, "b": 60}, font={"family": "Inter, Segoe UI, Helvetica, Arial, sans-serif"},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1.0},
    )
    if x_title is not None:
        fig.update_xaxes(title_text=x_title)
    if y_title is not None:
        fig.update_layout(yaxis_title_text=y_title)
    return fig


def log_histogram(values, n_bins: int = 40, color: str = PALETTE[0], unit: str = ""):
    """A histogram on log-spaced bins (for skewed money and counts), as a plotly bar figure.

    Values at or below zero cannot sit on a log axis; they are counted in the first bin's label.
    """
    import numpy as np
    import plotly.graph_objects as go

    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    positive = v[v > 0]
    low, high = (positive.min(), positive.max()) if positive.size else (1.0, 10.0)
    edges = np.logspace(np.log10(low), np.log10(high), n_bins + 1)
    edges[0], edges[-1] = low, high  # exact ends: rounding in logspace must not push values out
    counts, _ = np.histogram(np.clip(v, low, None), bins=edges)
    centres = np.sqrt(edges[:-1] * edges[1:])
    fig = go.Figure(go.Bar(x=centres, y=counts, width=np.diff(edges), marker_color=color,
                           customdata=np.stack([edges[:-1], edges[1:]], axis=1),
                           hovertemplate="%{customdata[0]:,.1f} to %{customdata[1]:,.1f}" + unit
                           + ": %{y:,}<extra></extra>"))
    fig.update_xaxes(type="log")
    fig.update_layout(bargap=0)
    return fig


def show_figure(fig, name: str) -> None:
    """Show a plotly figure inline (plotly.js comes from :func:`setup_notebook`), with a stable div id."""
    markup = fig.to_html(full_html=False, include_plotlyjs=False, include_mathjax=False, div_id=name,
                         config={"displaylogo": False, "responsive": True})
    display_html(f'<div class="chart">{markup}</div>')


