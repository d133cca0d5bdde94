"""Page components: callouts and KPI cards."""

from __future__ import annotations

import html
from collections.abc import Iterable

from retention.report.notebook import display_html
from retention.report.theme import PALETTE

__all__ = ["callout", "kpi_cards"]


def callout(text: str, title: str = "What this says") -> None:
    """A highlighted "what this says" box; ``text`` is Markdown-free plain sentences (escaped)."""
    display_html(f'<div class="callout" style="border-left:4px solid {PALETTE[0]};background:#f3f8fc;'
                  f'padding:12px 16px;margin:8px 0 16px 0;border-radius:4px">'
                  f'<strong>{html.escape(title)}</strong><p style="margin:6px 0 0 0">{html.escape(text)}</p></div>')


def kpi_cards(cards: Iterable[tuple[str, str, str]]) -> None:
    """Show KPI cards: (label, value, note) each."""
    items = "".join(
        f'<div class="kpi" style="flex:1 1 180px;border:1px solid #dde3ea;border-radius:8px;padding:12px 16px;'
        f'background:#fff"><div style="color:#56606b;font-size:13px">{html.escape(label)}</div>'
        f'<div style="font-size:26px;font-weight:600;margin:4px 0">{html.escape(value)}</div>'
        f'<div style="color:#56606b;font-size:12px">{html.escape(note)}</div></div>'
        for label, value, note in cards)
    display_html(f'<div class="kpis" style="display:flex;flex-wrap:wrap;gap:12px;margin:8px 0 16px 0">{items}</div>')
