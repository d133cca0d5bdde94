"""The campaign choice as a result (C6 ``decision.json``).

Rule (:func:`decide`): among the evaluated options (every params campaign and the profit-maximising list),
recommend the one with the highest expected net profit among those that target someone, are expected to make
money and lose money in at most ``max_p_loss`` of the simulations. When none qualifies the decision is
"run none; test first", naming the option a controlled test should measure (the one with the highest expected
net profit) and the uplift it must show. A campaign pinned in params is run, and the decision says it is
pinned and what the analysis would pick. Sentences never say "pays" about a loss and never offer "the best 0
customers".

Break-even status (:func:`break_even_status`), comparing the break-even uplift ``b`` with the assumed uplift
``u`` and the low end ``l`` of the uplift range (``u / 2`` when no range is given):

* green -- ``b <= l``: the campaign pays even at the pessimistic uplift;
* amber -- ``l < b <= u``: it pays at the assumed uplift but not at the pessimistic one;
* red -- ``b > u``, no uplift pays, or nothing is targeted.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from retention.decisions.options import Option
from retention.roi import PROFIT_LIST_NAME
from retention.roi._checks import share, unknown_message

__all__ = ["Decision", "decide", "break_even_status", "decision_document", "money_text"]

_SYMBOLS = {"GBP": "£", "USD": "$", "EUR": "€"}


def money_text(value: float, currency: str) -> str:
    """An amount for a sentence: ``£3,285``, ``USD 1,200`` (whole units; the sign is left to the words)."""
    symbol = _SYMBOLS.get(currency)
    amount = f"{abs(value):,.0f}"
    return f"{symbol}{amount}" if symbol else f"{currency} {amount}"


def break_even_status(option: Option | None, uplift_low: float | None = None) -> str:
    """``"green"``, ``"amber"`` or ``"red"`` by the rule in the module docstring."""
    if option is None or option.targets == 0:
        return "red"
    b, u = float(option.summary["break_even_uplift"]), option.assumptions.uplift
    low = u / 2 if uplift_low is None else uplift_low
    if not math.isfinite(b) or b > u:
        return "red"
    return "green" if b <= low else "amber"


@dataclass(frozen=True)
class Decision:
    """What to do, why, and with which numbers."""

    action: str
    pinned: bool
    chosen: Option | None
    analysis_pick: Option | None
    test_candidate: Option | None
    options: tuple[Option, ...]
    max_p_loss: float
    status: str
    headline: str
    why: tuple[str, ...]
    uplift_source: str = "assumed"

    @property
    def focus(self) -> Option | None:
        """The option the numbers of the decision describe: the one to run, else the one to test."""
        return self.chosen if self.chosen is not None else self.test_candidate


def _acceptable(option: Option, max_p_loss: float) -> bool:
    return option.pays and option.p_loss <= max_p_loss


def _best(options: Sequence[Option]) -> Option | None:
    """Highest expected net profit, first in the given order on ties."""
    return max(options, key=lambda o: o.net_profit, default=None)


def _outcome(option: Option, currency: str) -> str:
    if option.net_profit > 0:
        return f"expected net profit {money_text(option.net_profit, currency)}"
    return f"expected to lose {money_text(-option.net_profit, currency)}"


def _headline(action: str, pinned: bool, focus: Option | None, max_p_loss: float, currency: str) -> str:
    if action == "run" and focus is not None:
        label = "the profit-maximising list" if focus.name == PROFIT_LIST_NAME else focus.name
        label += " (pinned in params)" if pinned else ""
        offer = focus.offer.cost_model().split(";")[0]
        return (f"Run {label} with {offer}: {focus.targets:,} customers, {_outcome(focus, currency)}, losing money "
                f"in {focus.p_loss:.0%} of simulations.")
    if focus is None:
        return "Run no campaign: no option targets anyone."
    return (f"Run no campaign yet; test first: no option is expected to make money with at most a {max_p_loss:.0%} "
            f"chance of loss (best candidate {focus.name}: {_outcome(focus, currency)}, losing money in "
            f"{focus.p_loss:.0%} of simulations).")


def _comparison(options: Sequence[Option], pick: Option | None, max_p_loss: float, currency: str) -> list[str]:
    """What was evaluated, what won, what earns more but is too risky, what loses, what targets nobody."""
    names = ", ".join(o.name for o in options if o.name != PROFIT_LIST_NAME)
    lines = [f"{len(options)} options were evaluated: the params campaigns ({names}) and the profit-maximising "
             f"list of the customer base."]
    if pick is not None:
        lines.append(f"{pick.name} has the highest expected net profit ({money_text(pick.net_profit, currency)} on "
                     f"{pick.targets:,} customers, ROI {pick.summary['roi']:.0%}) among options that lose money in "
                     f"at most {max_p_loss:.0%} of simulations.")
    lines += [f"{o.name} would earn more ({money_text(o.net_profit, currency)}) but loses money in {o.p_loss:.0%} "
              f"of simulations, above the {max_p_loss:.0%} limit." for o in options
              if o.pays and o.p_loss > max_p_loss and (pick is None or o.net_profit > pick.net_profit)]
    losing = [o.name for o in options if o.targets > 0 and not o.pays]
    if losing:
        lines.append(f"Expected to lose money under the base assumptions: {', '.join(losing)}.")
    lines += ["No customer of the base has a positive expected incremental profit from the offer."
              if o.name == PROFIT_LIST_NAME else f"{o.name} targets nobody in this data."
              for o in options if o.targets == 0]
    return lines


def _break_even_sentence(focus: Option, run: bool, status: str, source: str = "assumed") -> str:
    b = float(focus.summary["break_even_uplift"])
    if math.isnan(b):
        need = "some uplift, but nothing is at stake"
    else:
        need = f"at least {b:.1%} of would-be non-buyers" if math.isfinite(b) else "more than any uplift can give"
    verb = "It pays only if" if run else f"{focus.name} would pay only if"
    return (f"{verb} the offer converts {need} ({source} {focus.assumptions.uplift:.1%}; break-even status "
            f"{status}). Offer cost model: {focus.offer.cost_model()}.")


def _why(options: Sequence[Option], chosen: Option | None, pick: Option | None, candidate: Option | None,
         pinned: bool, max_p_loss: float, status: str, currency: str, source: str = "assumed") -> list[str]:
    why = _comparison(options, pick, max_p_loss, currency)
    if pinned and chosen is not None:
        why.append(f"{chosen.name} is pinned in params; the analysis would "
                   + (f"pick {pick.name}." if pick is not None else "run no campaign (none makes money with "
                      "acceptable risk)."))
    focus = chosen if chosen is not None else candidate
    if focus is not None and focus.targets > 0:
        why.append(_break_even_sentence(focus, chosen is not None, status, source))
    if chosen is None and candidate is not None:
        why.append(f"Test first: measure the real uplift of {candidate.name} ({candidate.targets:,} customers) "
                   f"against a random control group before rolling it out.")
    return why


def decide(options: Sequence[Option], *, max_p_loss: float = 0.2, pinned_campaign: str | None = None,
           currency: str = "GBP", uplift_low: float | None = None, uplift_source: str = "assumed") -> Decision:
    """Choose among evaluated options (rule in the module docstring).

    Parameters
    ----------
    options : sequence of Option
        From :func:`retention.decisions.evaluate_options`.
    max_p_loss : float, default 0.2
        Highest acceptable probability of loss.
    pinned_campaign : str, optional
        A campaign name the params force.
    currency : str
        For the sentences.
    uplift_low : float, optional
        Low end of the uplift range, for the break-even status.
    uplift_source : {"assumed", "measured"}
        Where the uplift comes from, for the sentences and ``decision.json``.
    """
    if uplift_source not in ("assumed", "measured"):
        raise ValueError(f"uplift_source must be 'assumed' or 'measured', got {uplift_source!r}.")
    max_p_loss = share(max_p_loss, "max_p_loss")
    if not options:
        raise ValueError("options is empty: evaluate at least one campaign.")
    by_name = {o.name: o for o in options}
    if pinned_campaign is not None and pinned_campaign not in by_name:
        raise ValueError("pinned_campaign: " + unknown_message("campaign", [pinned_campaign], by_name))
    pick = _best([o for o in options if _acceptable(o, max_p_loss)])
    pinned = pinned_campaign is not None
    chosen = by_name[pinned_campaign] if pinned else pick
    candidate = None if chosen is not None else _best([o for o in options if o.targets > 0])
    action = "run" if chosen is not None else "none"
    status = break_even_status(chosen if chosen is not None else candidate, uplift_low)
    return Decision(action=action, pinned=pinned, chosen=chosen, analysis_pick=pick, test_candidate=candidate,
                    options=tuple(options), max_p_loss=max_p_loss, status=status,
                    headline=_headline(action, pinned, chosen or candidate, max_p_loss, currency),
                    why=tuple(_why(options, chosen, pick, candidate, pinned, max_p_loss, status, currency,
                                   uplift_source)), uplift_source=uplift_source)


def decision_document(decision: Decision, *, as_of: object, currency: str, target_list: str | None,
                      test: dict[str, Any] | None = None, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The C6 ``decision.json`` document.

    For a run, the numbers are the chosen campaign's and ``target_list`` is the relative path of its CSV.
    For "none", nothing is targeted (``targets`` 0, net profit 0, P(loss) 0, ROI null, ``target_list`` null);
    ``break_even_uplift``, ``assumed_uplift``, ``offer`` and ``test_campaign`` describe the option to test.
    ``test`` is the design of the test that would confirm the decision (the experiments package builds it).
    ``uplift_source`` says whether ``assumed_uplift`` was assumed or measured; ``extra`` adds keys (e.g. the
    response model and the sleeping dogs left out).
    """
    focus = decision.focus
    run = decision.action == "run" and focus is not None
    offer = focus.offer if focus is not None else None
    return {
        "as_of": str(pd.Timestamp(as_of).date()), "currency": currency, "action": decision.action,
        "pinned": decision.pinned, "campaign": focus.name if run else None,
        "analysis_pick": decision.analysis_pick.name if decision.analysis_pick is not None else None,
        "headline": decision.headline, "why": list(decision.why), "target_list": target_list if run else None,
        "targets": focus.targets if run else 0,
        "expected_net_profit": focus.net_profit if run else 0.0,
        "roi": float(focus.summary["roi"]) if run else None,
        "p_loss": focus.p_loss if run else 0.0,
        "break_even_uplift": float(focus.summary["break_even_uplift"]) if focus is not None else None,
        "assumed_uplift": focus.assumptions.uplift if focus is not None else None,
        "uplift_source": decision.uplift_source,
        "break_even_status": decision.status,
        "offer": None if offer is None else {
            "type": offer.offer_type, "discount": offer.discount, "months": offer.offer_months,
            "contact_cost": offer.contact_cost, "fixed_cost": offer.fixed_cost,
            "margin": focus.assumptions.margin, "cost_model": offer.cost_model()},
        "test": test,
        "test_campaign": decision.test_candidate.name if decision.test_candidate is not None else None,
        "max_p_loss": decision.max_p_loss,
        "alternatives": [o.as_alternative() for o in decision.options],
        **(extra or {}),
    }
