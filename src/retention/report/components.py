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
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from retention.report import labels as column_labels
from retention.report.formatting import MISSING, day, is_missing, money, number, pct
from retention.report.notebook import display_html
from retention.report.tables import static_table_html
from retention.report.theme import TRAFFIC_LIGHT, Trend, trend

__all__ = ["KpiCard", "TRAFFIC_LIGHT_WORDS", "callout", "callout_html", "kpi_cards", "kpi_cards_html",
           "kpi_cards_from_json", "format_kpi", "HEADLINE_KPIS", "headline_kpi_cards", "decision_card_html",
           "decision_test_sentence", "decision_action_html", "show_decision", "show_kpis", "glossary_html",
           "show_glossary", "definitions_html", "show_definitions", "bullet_list_html", "show_list"]

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


def _fact(label: str, value: str, extra: str = "", css: str = "", field: str = "", alternative: str = "") -> str:
    """One fact of the decision card; ``field`` (and ``alternative``, a campaign of ``alternatives``) tag the
    value with the ``decision.json`` entry it shows, for the test that checks the page against the JSON."""
    note = f'<div class="note">{extra}</div>' if extra else ""
    tag = f' data-field="{_esc(field)}"' if field else ""
    tag += f' data-alternative="{_esc(alternative)}"' if alternative else ""
    return (f'<div class="fact {css}"><div class="label">{_esc(label)}</div><div class="value"{tag}>{value}</div>'
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


def _alternative(decision: Mapping[str, Any], name: str | None) -> Mapping[str, Any] | None:
    return next((a for a in decision.get("alternatives") or [] if a.get("campaign") == name), None) \
        if name else None


def _uplift_source(decision: Mapping[str, Any]) -> str:
    """Whether the decision's uplift was measured by a past test or assumed in the params."""
    return "measured" if decision.get("uplift_source") == "measured" else "assumed"


def decision_test_sentence(decision: Mapping[str, Any]) -> str:
    """The test that would confirm the decision, in one sentence, from ``decision.json`` alone (used when the
    decision carries no test design): a control group inside the list to run, or a test of the best candidate
    before any roll-out. Never says a campaign pays; says what uplift it must show to break even."""
    b = decision.get("break_even_uplift")
    need = (f"a measured uplift of at least {pct(b)} ({_uplift_source(decision)} so far: "
            f"{pct(decision.get('assumed_uplift'))})" if not is_missing(b)
            else "an uplift larger than any offer can give")
    if decision.get("action") == "run" and decision.get("campaign"):
        return (f"Keep a random control group out of {decision['campaign']} and compare how many buy again: "
                f"the campaign breaks even only with {need}.")
    candidate = decision.get("test_campaign")
    alternative = _alternative(decision, candidate)
    if candidate and alternative is not None:
        size = alternative.get("targets")
        of = f" of its {number(size)} customers" if not is_missing(size) else ""
        return (f"Run {candidate} on a random half{of}, keep the other half as a control group, and roll it out "
                f"only with {need}.")
    return "No option targets anyone: define an offer and a target list before testing."


def _test_block(decision: Mapping[str, Any], currency: str, fold: bool = False) -> str:
    test = decision.get("test")
    if not test:
        return f'<p class="test-sentence">{_esc(decision_test_sentence(decision))}</p>'
    lead_keys = ("summary", "headline", "description")
    lead = next((str(test[k]) for k in lead_keys if isinstance(test.get(k), str)), "")
    rows = "".join(f"<li><b>{_esc(column_labels.label(k))}</b> {_esc(_test_value(k, v, currency))}</li>"
                   for k, v in test.items() if k not in lead_keys and not isinstance(v, dict))
    facts = f'<ul class="test-facts">{rows}</ul>' if rows else ""
    if fold and facts:
        facts = f'<details class="test-design"><summary>The test design</summary>{facts}</details>'
    return (f"<p>{_esc(lead)}</p>" if lead else "") + facts


def _alternatives(decision: Mapping[str, Any], currency: str) -> str:
    rows = decision.get("alternatives") or []
    if not rows:
        return ""
    frame = pd.DataFrame([{
        "Campaign": a.get("campaign"), "Customers": number(a["targets"]) if "targets" in a else MISSING,
        "Expected net profit": money(a.get("expected_net_profit"), currency),
        "Return on cost": pct(a.get("roi")), "Chance of a loss": pct(a.get("p_loss")),
        "Break-even uplift": pct(a.get("break_even_uplift"))} for a in rows])
    return static_table_html(frame, key_column=True)


def _light(status: Any) -> str:
    if status not in TRAFFIC_LIGHT:
        return ""
    return (f'<span class="light light-{_esc(status)}" style="background:{TRAFFIC_LIGHT[status]}" '
            f'role="img" aria-label="{_esc(status)}"></span>')


def _profit_tone(profit: Any) -> str:
    return "" if is_missing(profit) else ("gain" if profit > 0 else "loss" if profit < 0 else "")


def _run_facts(decision: Mapping[str, Any], currency: str, href_prefix: str) -> list[str]:
    href = href_prefix + str(decision.get("target_list") or "")
    link = f' <a class="download" href="{_esc(href)}" download>Download the list (CSV)</a>' \
        if decision.get("target_list") else ""
    profit = decision.get("expected_net_profit")
    roi = f'return on cost <span data-field="roi">{_esc(pct(decision.get("roi")))}</span>'
    status = decision.get("break_even_status")
    extra = (f'the {_uplift_source(decision)} uplift of <span data-field="assumed_uplift">'
             f'{_esc(pct(decision.get("assumed_uplift")))}</span> '
             f"{_esc(TRAFFIC_LIGHT_WORDS.get(status, 'is compared with it'))}")
    return [_fact("Customers to contact", _esc(number(decision.get("targets"))), link, field="targets"),
            _fact("Expected net profit", _esc(money(profit, currency)), roi, _profit_tone(profit),
                  field="expected_net_profit"),
            _fact("Chance of a loss", _esc(pct(decision.get("p_loss"))), "share of simulated scenarios",
                  field="p_loss"),
            _fact("Break-even uplift", _light(status) + _esc(pct(decision.get("break_even_uplift"))), extra,
                  field="break_even_uplift")]


def _none_facts(decision: Mapping[str, Any], currency: str) -> list[str]:
    """No campaign now: nobody to contact, and the numbers of the option a test should measure, said to be the
    candidate's (a loss reads as a loss; nothing is called a campaign that pays)."""
    candidate = decision.get("test_campaign")
    alternative = _alternative(decision, candidate)
    facts = [_fact("Customers to contact now", _esc(number(decision.get("targets") or 0)),
                   "no campaign before a test measures the uplift", field="targets")]
    if alternative is None:
        return facts
    name = _esc(str(candidate))
    profit = alternative.get("expected_net_profit")
    if not is_missing(profit) and profit < 0:
        profit_note = f"{name}, if rolled out untested: expected to lose money"
    else:
        profit_note = f"{name}, if rolled out untested (not recommended: too risky)"
    status = decision.get("break_even_status")
    extra = (f'the test must show at least this; {_uplift_source(decision)} so far: '
             f'<span data-field="assumed_uplift">{_esc(pct(decision.get("assumed_uplift")))}</span>')
    return facts + [
        _fact("Candidate to test: expected net profit", _esc(money(profit, currency)), profit_note,
              "loss" if _profit_tone(profit) == "loss" else "", field="expected_net_profit",
              alternative=str(candidate)),
        _fact("Candidate's chance of a loss", _esc(pct(alternative.get("p_loss"))),
              f"{name}: share of simulated scenarios", field="p_loss", alternative=str(candidate)),
        _fact("Break-even uplift", _light(status) + _esc(pct(decision.get("break_even_uplift"))), extra,
              field="break_even_uplift")]


def _offer_words(decision: Mapping[str, Any]) -> str:
    """The offer in a few words ("15% off the next order"), from the decision's offer cost model."""
    offer = decision.get("offer") or {}
    if offer.get("cost_model"):
        return str(offer["cost_model"]).split(";")[0].strip()
    if is_missing(offer.get("discount")):
        return "the offer"
    if offer.get("type") == "all_orders" and offer.get("months"):
        return f"{pct(offer['discount'], 0)} off all orders for {offer['months']} months"
    return f"{pct(offer['discount'], 0)} off the next order"


def decision_action_html(decision: Mapping[str, Any]) -> str:
    """The recommended action in one line, from ``decision.json``'s fields (its numbers are the card's, tagged):
    "Run Protect: 15% off the next order to 169 customers." or "Run no campaign yet: test X first." """
    if decision.get("action") == "run" and decision.get("campaign"):
        targets = decision.get("targets")
        noun = "customer" if targets == 1 else "customers"
        return (f"Run {_esc(str(decision['campaign']))}: {_esc(_offer_words(decision))} to "
                f'<span data-field="targets">{_esc(number(targets))}</span> {noun}.')
    if decision.get("test_campaign"):
        return f"Run no campaign yet: test {_esc(str(decision['test_campaign']))} first."
    return "Run no campaign: no option targets anyone."


def decision_card_html(decision: Mapping[str, Any], href_prefix: str = "", fold: bool = False) -> str:
    """The decision card from ``decision.json`` (contract C6): the one recommended action and its list to
    download, expected net profit, chance of loss, break-even uplift as a traffic light, why, and the test
    that would confirm it. ``href_prefix`` makes the list's relative path work from the page's folder.

    The card's first line is the action (:func:`decision_action_html`); the library's headline sentence, which
    repeats the numbers in other words, stays in ``decision.json`` and the reasons follow under "Why".
    When the decision is "run none; test first", the card says nobody is contacted now and shows the numbers
    of the candidate a test should measure, labelled as such. ``fold`` folds the test design, and the reasons
    with the alternatives, into boxes that open on a click (the index and the executive summary), so the first
    screen holds the numbers."""
    currency = decision.get("currency", "GBP")
    run = decision.get("action") == "run"
    facts = _run_facts(decision, currency, href_prefix) if run else _none_facts(decision, currency)
    pick = decision.get("analysis_pick")
    pinned = ""
    if decision.get("pinned"):
        pinned = ('<p class="pinned">Campaign pinned in the params'
                  + (f"; the analysis alone would pick {_esc(str(pick))}." if pick and pick != decision.get(
                      "campaign") else "; the analysis alone would run no campaign." if not pick else ".")
                  + "</p>")
    reasons = decision.get("why") or []
    why = "".join(f"<li>{_esc(w)}</li>" for w in reasons)
    facts_html = f'<div class="facts">{"".join(facts)}</div>' if facts else ""
    alternatives = _alternatives(decision, currency)
    if fold:
        n = len(decision.get("alternatives") or [])
        what = "Why" + (f", and the {n} options compared" if n else "")
        body = (f'<ul class="why">{why}</ul>' if why else "") + alternatives
        why_html = f'<details class="why"><summary>{_esc(what)}</summary>{body}</details>' if body else ""
    else:
        why_html = f'<h4>Why</h4><ul class="why">{why}</ul>' if why else ""
        if alternatives:
            why_html += ('<details class="alternatives"><summary>Alternatives considered</summary>'
                         f"{alternatives}</details>")
    return (f'<section class="decision-card decision-{"run" if run else "none"}">'
            f'<div class="decision-head"><span class="kicker">Recommended action</span></div>'
            f'<p class="headline">{decision_action_html(decision)}</p>{pinned}'
            f"{facts_html}<h4>The test that would confirm it</h4>{_test_block(decision, currency, fold)}"
            f"{why_html}</section>")


def show_decision(decision: Mapping[str, Any], href_prefix: str = "", fold: bool = False) -> None:
    """Show the decision card of ``decision.json`` (see :func:`decision_card_html`)."""
    display_html(decision_card_html(decision, href_prefix, fold))


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
