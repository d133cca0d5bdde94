"""The decision card: what to do, why, the alternatives and the test that would confirm it, from ``decision.json``.

Re-exported by :mod:`retention.report.components` (callouts, KPI cards, the glossary), whose conventions it
follows: an ``*_html`` function returning markup (used by the index page too) and a ``show_*`` function that
displays it in a notebook.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

import pandas as pd

from retention.report import labels as column_labels
from retention.report.formatting import MISSING, is_missing, money, number, pct
from retention.report.notebook import display_html
from retention.report.tables import static_table_html
from retention.report.theme import TRAFFIC_LIGHT

__all__ = ["TRAFFIC_LIGHT_WORDS", "decision_action_html", "decision_card_html", "decision_test_sentence",
           "show_decision"]

_esc = html.escape
TRAFFIC_LIGHT_WORDS = {"green": "clears it comfortably", "amber": "clears it narrowly", "red": "does not clear it"}


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
