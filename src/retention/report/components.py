"""Page components: callouts, KPI cards, the decision card, the glossary.

Each component has an ``*_html`` function returning markup (used by the index page too) and a ``show_*``
or plain function that displays it in a notebook. Styles live in the series' stylesheet
(``templates/retention/retention.css``), shared by the reports and the index.

KPI cards and the decision card read the JSON artifacts of contract C6 (``kpis.json``, ``decision.json``):
see :func:`kpi_cards_from_json` and :func:`decision_card_html`. The decision card lives in
:mod:`retention.report.decision_card` and is re-exported here.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from retention.report import labels as column_labels
from retention.report.decision_card import (
    TRAFFIC_LIGHT_WORDS,
    decision_action_html,
    decision_card_html,
    decision_test_sentence,
    show_decision,
)
from retention.report.formatting import MISSING, day, is_missing, money, number, pct
from retention.report.notebook import display_html
from retention.report.theme import Trend, trend

__all__ = ["KpiCard", "TRAFFIC_LIGHT_WORDS", "callout", "callout_html", "kpi_cards", "kpi_cards_html",
           "kpi_cards_from_json", "format_kpi", "HEADLINE_KPIS", "headline_kpi_cards", "decision_card_html",
           "decision_test_sentence", "decision_action_html", "show_decision", "show_kpis", "glossary_html",
           "show_glossary", "definitions_html", "show_definitions", "bullet_list_html", "show_list"]

_esc = html.escape
_TONES = ("info", "good", "bad", "warning")


def callout_html(text: str, title: str = "What this says", tone: str = "info") -> str:
    """A highlighted box; ``text`` is plain sentences (escaped); ``tone`` is info, good, bad or warning."""
    if tone not in _TONES:
        raise ValueError(f"tone must be one of {_TONES}, not {tone!r}")
    return (f'<div class="callout callout-{tone}"><strong>{_esc(title)}</strong>'
            f"<p>{_esc(text)}</p></div>")


def callout(text: str, title: str = "What this says", tone: str = "info") -> None:
    """Show a highlighted "what this says" box (see :func:`callout_html`)."""
    display_html(callout_html(text, title, tone))


def bullet_list_html(items: Iterable[str], intro: str | None = None) -> str:
    """Plain sentences as a bulleted list (escaped: text from data or a loader is never read as markup)."""
    head = f"<p><strong>{_esc(intro)}</strong></p>" if intro else ""
    return head + "<ul>" + "".join(f"<li>{_esc(str(item))}</li>" for item in items) + "</ul>"


def show_list(items: Iterable[str], intro: str | None = None) -> None:
    """Show sentences as a bulleted list under an optional bold ``intro`` (see :func:`bullet_list_html`)."""
    display_html(bullet_list_html(items, intro))


@dataclass(frozen=True)
class KpiCard:
    """One KPI card: the label, the formatted value, a note, and optionally its trend and definition.

    ``key`` names the KPI of ``kpis.json`` the card shows and ``previous`` the formatted previous value inside
    ``change``: the markup then tags both (``data-kpi``, ``data-kpi-previous``) so a test can check them against
    the JSON. ``note_html`` is trusted markup built by this module (it replaces ``note``).
    """

    label: str
    value: str
    note: str = ""
    trend: Trend | None = None
    change: str = ""
    definition: str = ""
    key: str = ""
    previous: str = ""
    note_html: str = ""


def _card(card: KpiCard | tuple[str, str, str]) -> KpiCard:
    return card if isinstance(card, KpiCard) else KpiCard(*card)


def _tagged(text: str, value: str, attributes: str) -> str:
    """``text`` escaped, with the first occurrence of ``value`` wrapped in a span carrying ``attributes``."""
    escaped, target = _esc(text), _esc(value)
    if not value or target not in escaped:
        return escaped
    return escaped.replace(target, f"<span {attributes}>{target}</span>", 1)


def _change_html(card: KpiCard) -> str:
    previous = f'class="previous" data-kpi-previous="{_esc(card.key)}"' if card.key else 'class="previous"'
    text = _tagged(card.change, card.previous, previous)
    if card.trend is None:
        return f'<div class="change change-neutral">{text}</div>' if card.change else ""
    verdict = {True: "good", False: "bad", None: "neutral"}[card.trend.good]
    word = card.trend.word
    said = f' <span class="verdict verdict-{verdict}">({_esc(word)})</span>' if card.trend.good is not None else ""
    return (f'<div class="change change-{verdict}" data-verdict="{_esc(word)}" title="{_esc(word)}">'
            f'<span class="arrow" style="color:{card.trend.color}" aria-label="{_esc(word)}">'
            f"{card.trend.arrow}</span> {text}{said}</div>")


def kpi_cards_html(cards: Iterable[KpiCard | tuple[str, str, str]]) -> str:
    """KPI cards in a grid that never leaves one card alone on a row: 4 cards sit 4 x 1 on a wide screen
    and 2 x 2 on a narrow one, 3 cards 3 x 1 or 1 x 3. A trend says in words whether the change is good."""
    items = []
    cards = [_card(c) for c in cards]
    for card in cards:
        title = f' title="{_esc(card.definition)}"' if card.definition else ""
        definition = f'<div class="definition">{_esc(card.definition)}</div>' if card.definition else ""
        note = card.note_html or (_esc(card.note) if card.note else "")
        note = f'<div class="note">{note}</div>' if note else ""
        tag = f' data-kpi="{_esc(card.key)}"' if card.key else ""
        items.append(f'<div class="kpi"{title}><div class="label">{_esc(card.label)}</div>'
                     f'<div class="value"{tag}>{_esc(card.value)}</div>{_change_html(card)}{note}{definition}</div>')
    return f'<div class="kpis" data-count="{len(cards)}">{"".join(items)}</div>'


def kpi_cards(cards: Iterable[KpiCard | tuple[str, str, str]]) -> None:
    """Show KPI cards: :class:`KpiCard` objects or (label, value, note) tuples."""
    display_html(kpi_cards_html(cards))


def format_kpi(value: float | None, unit: str, currency: str) -> str:
    """A KPI value by its C6 unit: count, share or money."""
    if is_missing(value):
        return MISSING
    if unit == "money":
        return money(value, currency)
    if unit == "share":
        return pct(value)
    if unit == "count":
        return number(value)
    raise ValueError(f"unknown KPI unit {unit!r}; expected count, share or money")


def _since(kpis: Mapping[str, Any]) -> str:
    return f" on {day(kpis['previous_as_of'])}" if kpis.get("previous_as_of") else " the period before"


def kpi_cards_from_json(kpis: Mapping[str, Any], keys: Sequence[str] | None = None) -> list[KpiCard]:
    """Cards from ``kpis.json`` (contract C6): value, ▲/▼ coloured by whether the change is good and said in
    words, the previous value, and the definition. ``keys`` picks and orders the KPIs (default: all, in file
    order)."""
    currency = kpis.get("currency", "GBP")
    by_key = {k["key"]: k for k in kpis["kpis"]}
    chosen = [by_key[k] for k in keys] if keys is not None else list(kpis["kpis"])
    since = _since(kpis)
    cards = []
    for kpi in chosen:
        move = trend(kpi["current"], kpi.get("previous"), kpi.get("higher_is_better"))
        previous = format_kpi(kpi.get("previous"), kpi["unit"], currency)
        change = f"from {previous}{since}" if move is not None else "no previous period to compare"
        cards.append(KpiCard(kpi["name"], format_kpi(kpi["current"], kpi["unit"], currency), trend=move,
                             change=change, definition=kpi.get("definition", ""), key=kpi["key"],
                             previous=previous if move is not None else ""))
    return cards


HEADLINE_KPIS = ("base", "at_risk_share", "expected_loss", "retention_rate")
"""The four headline cards of the index and the executive summary (2 x 2 or 4 x 1). The at-risk card shows the
share of the base, so its trend compares like with like when the base changes size; the at-risk count and its
previous value sit in the card's note."""


def headline_kpi_cards(kpis: Mapping[str, Any]) -> list[KpiCard]:
    """The four headline cards (:data:`HEADLINE_KPIS`) of ``kpis.json``; every KPI of the file when one of
    them is missing. The at-risk share card notes the at-risk count now and one period earlier."""
    present = {k["key"]: k for k in kpis["kpis"]}
    if not all(k in present for k in HEADLINE_KPIS):
        return kpi_cards_from_json(kpis)
    cards = kpi_cards_from_json(kpis, HEADLINE_KPIS)
    count = present.get("at_risk")
    if count is not None:
        now = format_kpi(count["current"], count["unit"], kpis.get("currency", "GBP"))
        before = format_kpi(count.get("previous"), count["unit"], kpis.get("currency", "GBP"))
        noun = "customer" if count["current"] == 1 else "customers"
        note = f'<span data-kpi="at_risk">{_esc(now)}</span> {noun} at risk'
        if not is_missing(count.get("previous")):
            note += (f' (<span class="previous" data-kpi-previous="at_risk">{_esc(before)}</span>'
                     f"{_esc(_since(kpis))})")
        cards[1] = replace(cards[1], note_html=note)
    return cards


def show_kpis(kpis: Mapping[str, Any], keys: Sequence[str] | None = None) -> None:
    """Show the KPI cards of ``kpis.json``."""
    kpi_cards(kpi_cards_from_json(kpis, keys))


def glossary_html(names: Iterable[str] | None = None, title: str = "Glossary") -> str:
    """A definition list of the given columns' labels and meanings (default: every known column)."""
    table = column_labels.glossary(names)
    items = "".join(f"<dt>{_esc(t)}</dt><dd>{_esc(m)}</dd>" for t, m in table.itertuples(index=False))
    return f'<details class="glossary"><summary>{_esc(title)}</summary><dl>{items}</dl></details>'


def show_glossary(names: Iterable[str] | None = None, title: str = "Glossary") -> None:
    """Show the glossary of the given columns (collapsed until opened)."""
    display_html(glossary_html(names, title))


def definitions_html(terms: Mapping[str, str], title: str = "Glossary", open_: bool = False) -> str:
    """``{term: one plain sentence}`` (e.g. ``retention.decisions.GLOSSARY``) as one short paragraph per term,
    collapsed until opened unless ``open_`` (paragraphs wrap on any screen, unlike a styled definition list)."""
    items = "".join(f'<p class="definition"><b>{_esc(t[:1].upper() + t[1:])}</b>: {_esc(m)}</p>'
                    for t, m in terms.items())
    state = " open" if open_ else ""
    return (f'<details class="glossary"{state}><summary>{_esc(title)}</summary>'
            f'<div class="definitions">{items}</div></details>')


def show_definitions(terms: Mapping[str, str], title: str = "Glossary", open_: bool = False) -> None:
    """Show a definition list of terms (see :func:`definitions_html`)."""
    display_html(definitions_html(terms, title, open_))
