"""Page components: callouts, KPI cards, the decision card, the glossary.

Each component has an ``*_html`` function returning markup (used by the index page too) and a ``show_*``
or plain function that displays it in a notebook. Styles live in the series' stylesheet
(``templates/retention/retention.css``), shared by the reports and the index.

KPI cards and the decision card read the JSON artifacts of contract C6 (``kpis.json``, ``decision.json``):
see :func:`kpi_cards_from_json` and :func:`decision_card_html`.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from retention.report import labels as column_labels
from retention.report.formatting import MISSING, day, is_missing, money, number, pct
from retention.report.notebook import display_html
from retention.report.tables import static_table_html
from retention.report.theme import TRAFFIC_LIGHT, Trend, trend

__all__ = ["KpiCard", "TRAFFIC_LIGHT_WORDS", "callout", "callout_html", "kpi_cards", "kpi_cards_html",
           "kpi_cards_from_json", "format_kpi", "decision_card_html", "show_decision", "show_kpis",
           "glossary_html", "show_glossary", "definitions_html", "show_definitions", "bullet_list_html", "show_list"]

_esc = html.escape
TRAFFIC_LIGHT_WORDS = {"green": "clears it comfortably", "amber": "clears it narrowly", "red": "does not clear it"}
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
    """One KPI card: the label, the formatted value, a note, and optionally its trend and definition."""

    label: str
    value: str
    note: str = ""
    trend: Trend | None = None
    change: str = ""
    definition: str = ""


def _card(card: KpiCard | tuple[str, str, str]) -> KpiCard:
    return card if isinstance(card, KpiCard) else KpiCard(*card)


def kpi_cards_html(cards: Iterable[KpiCard | tuple[str, str, str]]) -> str:
    """KPI cards in a grid that never leaves one card alone on a row: 4 cards sit 4 x 1 on a wide screen
    and 2 x 2 on a narrow one, 3 cards 3 x 1 or 1 x 3."""
    items = []
    cards = [_card(c) for c in cards]
    for card in cards:
        change = ""
        if card.trend is not None:
            verdict = {True: "good", False: "bad", None: "neutral"}[card.trend.good]
            change = (f'<div class="change change-{verdict}" title="{_esc(card.trend.word)}">'
                      f'<span class="arrow" style="color:{card.trend.color}" aria-label="{_esc(card.trend.word)}">'
                      f"{card.trend.arrow}</span> {_esc(card.change)}</div>")
        elif card.change:
            change = f'<div class="change change-neutral">{_esc(card.change)}</div>'
        title = f' title="{_esc(card.definition)}"' if card.definition else ""
        definition = f'<div class="definition">{_esc(card.definition)}</div>' if card.definition else ""
        note = f'<div class="note">{_esc(card.note)}</div>' if card.note else ""
        items.append(f'<div class="kpi"{title}><div class="label">{_esc(card.label)}</div>'
                     f'<div class="value">{_esc(card.value)}</div>{change}{note}{definition}</div>')
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


def kpi_cards_from_json(kpis: Mapping[str, Any], keys: Sequence[str] | None = None) -> list[KpiCard]:
    """Cards from ``kpis.json`` (contract C6): value, ▲/▼ coloured by whether the change is good, the previous
    value, and the definition. ``keys`` picks and orders the KPIs (default: all, in file order)."""
    currency = kpis.get("currency", "GBP")
    by_key = {k["key"]: k for k in kpis["kpis"]}
    chosen = [by_key[k] for k in keys] if keys is not None else list(kpis["kpis"])
    since = f" on {day(kpis['previous_as_of'])}" if kpis.get("previous_as_of") else " the period before"
    cards = []
    for kpi in chosen:
        move = trend(kpi["current"], kpi.get("previous"), kpi.get("higher_is_better"))
        change = (f"from {format_kpi(kpi['previous'], kpi['unit'], currency)}{since}" if move is not None
                  else "no previous period to compare")
        cards.append(KpiCard(kpi["name"], format_kpi(kpi["current"], kpi["unit"], currency), trend=move,
                             change=change, definition=kpi.get("definition", "")))
    return cards


def show_kpis(kpis: Mapping[str, Any], keys: Sequence[str] | None = None) -> None:
    """Show the KPI cards of ``kpis.json``."""
    kpi_cards(kpi_cards_from_json(kpis, keys))


def _fact(label: str, value: str, extra: str = "", css: str = "") -> str:
    note = f'<div class="note">{extra}</div>' if extra else ""
    return (f'<div class="fact {css}"><div class="label">{_esc(label)}</div><div class="value">{value}</div>'
            f"{note}</div>")


def _test_value(key: str, value: Any, currency: str) -> str:
    if isinstance(value, bool) or value is None:
        return {True: "yes", False: "no", None: MISSING}[value]
    if isinstance(value, int | float):
        unit = column_labels.unit(key)
        if unit == "money" or any(w in key for w in ("cost", "profit", "revenue", "value")):
            return money(value, currency)
        if unit in ("share", "probability") or (isinstance(value, float) and 0 <= value <= 1 and any(
                w in key for w in ("share", "uplift", "power", "alpha", "rate", "probability"))):
            return pct(value)
        return number(value, 0 if float(value).is_integer() else 2)
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def _test_block(test: Mapping[str, Any] | None, currency: str) -> str:
    if not test:
        return '<p class="muted">No test is designed for this decision.</p>'
    lead_keys = ("summary", "headline", "description")
    lead = next((str(test[k]) for k in lead_keys if isinstance(test.get(k), str)), "")
    rows = "".join(f"<li><b>{_esc(column_labels.label(k))}</b> {_esc(_test_value(k, v, currency))}</li>"
                   for k, v in test.items() if k not in lead_keys and not isinstance(v, dict))
    return (f"<p>{_esc(lead)}</p>" if lead else "") + (f'<ul class="test-facts">{rows}</ul>' if rows else "")


def _alternatives(decision: Mapping[str, Any], currency: str) -> str:
    rows = decision.get("alternatives") or []
    if not rows:
        return ""
    frame = pd.DataFrame([{
        "Campaign": a.get("campaign"), "Customers": number(a["targets"]) if "targets" in a else MISSING,
        "Expected net profit": money(a.get("expected_net_profit"), currency),
        "Return on cost": pct(a.get("roi")), "Chance of a loss": pct(a.get("p_loss"))} for a in rows])
    return ("<details class=\"alternatives\"><summary>Alternatives considered</summary>"
            + static_table_html(frame, key_column=True) + "</details>")


def decision_card_html(decision: Mapping[str, Any], href_prefix: str = "") -> str:
    """The decision card from ``decision.json`` (contract C6): the one recommended action and its list to
    download, expected net profit, chance of loss, break-even uplift as a traffic light, why, and the test
    that would confirm it. ``href_prefix`` makes the list's relative path work from the page's folder."""
    currency = decision.get("currency", "GBP")
    run = decision.get("action") == "run"
    facts = []
    if run:
        href = href_prefix + str(decision.get("target_list") or "")
        link = f' <a class="download" href="{_esc(href)}" download>Download the list (CSV)</a>' \
            if decision.get("target_list") else ""
        facts.append(_fact("Customers to contact", _esc(number(decision.get("targets"))), link))
        profit = decision.get("expected_net_profit")
        tone = "" if is_missing(profit) else ("gain" if profit >= 0 else "loss")
        facts.append(_fact("Expected net profit", _esc(money(profit, currency)),
                           _esc(f"return on cost {pct(decision.get('roi'))}"), tone))
        facts.append(_fact("Chance of a loss", _esc(pct(decision.get("p_loss"))), "share of simulated scenarios"))
        status = decision.get("break_even_status")
        light = (f'<span class="light light-{_esc(status)}" style="background:{TRAFFIC_LIGHT[status]}" '
                 f'aria-label="{_esc(status)}"></span>') if status in TRAFFIC_LIGHT else ""
        source = "measured" if decision.get("uplift_source") == "measured" else "assumed"
        extra = (f"the {source} uplift of {pct(decision.get('assumed_uplift'))} "
                 f"{TRAFFIC_LIGHT_WORDS.get(status, 'is compared with it')}")
        facts.append(_fact("Break-even uplift", light + _esc(pct(decision.get("break_even_uplift"))), _esc(extra)))
    pick = decision.get("analysis_pick")
    pinned = ""
    if decision.get("pinned"):
        pinned = ('<p class="pinned">Campaign pinned in the params'
                  + (f"; the analysis alone would pick {_esc(str(pick))}." if pick and pick != decision.get(
                      "campaign") else ".") + "</p>")
    why = "".join(f"<li>{_esc(w)}</li>" for w in decision.get("why") or [])
    campaign = f'<span class="campaign">{_esc(str(decision.get("campaign")))}</span>' if run else ""
    facts_html = f'<div class="facts">{"".join(facts)}</div>' if facts else ""
    why_html = f'<h4>Why</h4><ul class="why">{why}</ul>' if why else ""
    return (f'<section class="decision-card decision-{"run" if run else "none"}">'
            f'<div class="decision-head"><span class="kicker">Recommended action</span>{campaign}</div>'
            f'<p class="headline">{_esc(str(decision.get("headline", "")))}</p>{pinned}'
            f"{facts_html}{why_html}"
            f"<h4>The test that would confirm it</h4>{_test_block(decision.get('test'), currency)}"
            f"{_alternatives(decision, currency)}</section>")


def show_decision(decision: Mapping[str, Any], href_prefix: str = "") -> None:
    """Show the decision card of ``decision.json``."""
    display_html(decision_card_html(decision, href_prefix))


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
