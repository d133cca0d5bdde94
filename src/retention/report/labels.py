"""The column dictionary: machine name -> the label a person reads, its unit, and a one-line meaning.

Reports show labels (:func:`label`, :func:`human_columns`); CSV files keep the machine names, and
:func:`csv_dictionary` documents them once (the index page lists every artifact's columns with it).
Meanings double as hover text, footnotes and the glossary (:func:`glossary`).

One definition per term: a meaning written by the library that owns the term wins over the text here.
:func:`meaning` reads the customer features' definitions from :data:`retention.features.FEATURE_DESCRIPTIONS`
and, once it exists, the decision vocabulary from ``retention.decisions.GLOSSARY`` (keys matched by machine
name, or by the term in lower case with underscores for spaces and other signs: "P(loss)" is ``p_loss``);
the texts below are used only for columns neither of them defines.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import pandas as pd

__all__ = ["ColumnInfo", "COLUMNS", "column_info", "label", "meaning", "unit", "human_columns", "glossary",
           "csv_dictionary"]


@dataclass(frozen=True)
class ColumnInfo:
    """What a column is for a reader: its label, its unit (see ``formatting.UNITS``) and a one-line meaning."""

    label: str
    unit: str = "text"
    meaning: str = ""


_C = ColumnInfo
COLUMNS: dict[str, ColumnInfo] = {
    # identity and segments
    "CustomerID": _C("Customer ID", "text", "The customer's id (pseudonymised when the params set a salt)."),
    "Country": _C("Country"),
    "Segment": _C("Segment", "text", "RFM segment: a named group of recency, frequency and spend scores."),
    "R": _C("Recency score", "number", "1 to 5 against the other customers; 5 = bought most recently."),
    "F": _C("Frequency score", "number", "1 to 5 against the other customers; 5 = ordered most often."),
    "M": _C("Spend score", "number", "1 to 5 against the other customers; 5 = spent the most."),
    "RFM": _C("RFM score", "text", "The recency, frequency and spend scores side by side (555 is the best)."),
    "FM": _C("FM score", "number", "The mean of the frequency and spend scores."),
    "Cluster": _C("Cluster", "text", "Data-driven group (k-means on the customer features)."),
    "ClusterDescription": _C("Cluster description"),
    # customer features (meanings come from retention.features.FEATURE_DESCRIPTIONS)
    "Recency": _C("Days since last order", "days"),
    "Frequency": _C("Orders", "count"),
    "Monetary": _C("Net spend", "money"),
    "Tenure": _C("Days since first order", "days"),
    "PurchaseVelocity": _C("Days between orders", "days"),
    "AvgOrderValue": _C("Average order value", "money"),
    "ReturnRate": _C("Returned share", "share"),
    "UniqueProducts": _C("Distinct products", "count"),
    "PeakSeasonShare": _C("Peak-season share", "share"),
    "PeakSeason": _C("Seasonal buyer"),
    "Frequency_90d": _C("Orders, last 90 days", "count"),
    "Monetary_90d": _C("Net spend, last 90 days", "money"),
    "OrdersPerMonthRecentVsOverall": _C("Order-rate trend", "number"),
    "FirstPurchase": _C("First order", "date"),
    "LastPurchase": _C("Last order", "date"),
    # churn
    "churn_probability": _C("Churn probability", "probability",
                            "Calibrated probability that the customer makes no purchase in the churn horizon."),
    "p_churn": _C("Churn probability", "probability",
                  "Calibrated probability that the customer makes no purchase in the churn horizon."),
    "risk_band": _C("Risk band", "text", "Low, medium or high churn probability (thresholds in the params)."),
    "top_reasons": _C("Top reasons", "text",
                      "The features that raise this customer's churn score the most (associations, not causes)."),
    "model_version": _C("Model version"),
    "roc_auc": _C("ROC-AUC", "number", "Chance that a random churner is scored above a random stayer "
                  "(0.5 = guessing, 1 = perfect)."),
    "pr_auc": _C("PR-AUC", "number", "Average precision over all cut-offs: how pure the flagged list stays as it "
                 "grows (the churn rate = guessing)."),
    "brier": _C("Brier score", "number", "Mean squared gap between the predicted probability and what happened "
                "(0 = perfect; lower is better)."),
    "log_loss": _C("Log loss", "number", "Penalty for confident wrong probabilities (lower is better)."),
    "accuracy": _C("Accuracy", "share", "Share of customers the model classifies correctly at the threshold."),
    "precision": _C("Precision", "share", "Of the customers flagged as churners, the share who did churn."),
    "recall": _C("Recall", "share", "Of the customers who churned, the share the model flagged."),
    "f1": _C("F1 score", "number", "Harmonic mean of precision and recall."),
    "positive_rate": _C("Flagged share", "share", "Share of customers flagged as churners at the threshold."),
    "base_rate": _C("Churn rate", "share", "Share of customers who did churn."),
    "lift_top_decile": _C("Lift in the top 10%", "number",
                          "Churn rate among the riskiest 10% divided by the overall churn rate."),
    "threshold": _C("Threshold", "probability", "Churn probability at or above which a customer is flagged."),
    "n": _C("Customers", "count"),
    # value (CLV) and decisions
    "p_alive": _C("Chance still active", "probability",
                  "Probability, from the purchase model, that the customer has not silently left."),
    "p_no_purchase": _C("Chance of no order in the horizon", "probability",
                        "Probability of no purchase within the churn horizon, from the purchase model."),
    "expected_purchases": _C("Expected orders", "number", "Orders the purchase model expects over the CLV horizon."),
    "expected_purchases_if_alive": _C("Expected orders if active", "number",
                                      "Orders expected over the decision horizon if the customer is still active."),
    "expected_revenue_if_alive": _C("Expected revenue if active", "money",
                                    "Revenue expected over the decision horizon if the customer is still active."),
    "expected_order_value": _C("Expected order value", "money", "Spend per order the value model expects."),
    "clv": _C("Customer lifetime value", "money", "Discounted revenue the customer is expected to bring over "
              "the CLV horizon."),
    "value_if_active": _C("Value if retained", "money",
                          "Revenue the customer brings over the CLV horizon if retained."),
    "revenue_at_risk": _C("Revenue at risk", "money", "Churn probability × value if retained."),
    "value_at_stake": _C("Value at stake", "money",
                         "Margin on the revenue expected over the decision horizon if the customer stays."),
    "expected_loss": _C("Expected loss", "money", "Churn probability × value at stake."),
    "recommended_action": _C("Recommended action"),
    "expected_value": _C("Expected value", "money"),
    "saved_value": _C("Saved value", "money", "Value kept by the customers the offer persuades to stay."),
    "incremental_margin": _C("Extra margin", "money", "Margin on the saved value."),
    "discount_cost_saved": _C("Discount to saved customers", "money"),
    "discount_cost_wasted": _C("Discount to customers who would have stayed", "money"),
    "contact_cost": _C("Contact cost", "money"),
    "fixed_cost": _C("Fixed cost", "money"),
    "net_profit": _C("Net profit", "money", "Extra margin minus discounts and contact costs."),
    "expected_net_profit": _C("Expected net profit", "money"),
    "saved_revenue": _C("Saved revenue", "money"),
    "total_cost": _C("Total cost", "money"),
    "targeted": _C("Customers targeted", "count"),
    "targets": _C("Customers targeted", "count"),
    "at_risk_share": _C("At-risk share", "share", "At-risk customers as a share of the customer base."),
    "profit_maximising_list": _C("Profit-maximising list"),
    "roi": _C("Return on cost", "share", "Net profit divided by the campaign's cost."),
    "p_loss": _C("Chance of a loss", "probability",
                 "Share of simulated scenarios in which the campaign loses money."),
    "break_even_uplift": _C("Break-even uplift", "share",
                            "The share of would-be churners the offer must keep for the campaign to pay."),
    "assumed_uplift": _C("Assumed uplift", "share", "The share of would-be churners the offer is assumed to keep."),
    "uplift": _C("Uplift", "share", "Extra share of customers who buy because of the offer."),
    "discount": _C("Discount", "share"),
    "margin": _C("Margin", "share", "Gross margin on revenue."),
    "campaign": _C("Campaign"),
    # experiments (the test that would confirm a decision)
    "control_share": _C("Held-out share", "share", "Share of the list kept out of the campaign as the control group."),
    "n_treatment": _C("Customers offered", "count"),
    "n_control": _C("Customers held out", "count"),
    "outcome_days": _C("Days to wait for the outcome", "days"),
    "min_detectable_uplift": _C("Smallest uplift the test detects", "share",
                                "The smallest true uplift the test finds with the stated power."),
    "alpha": _C("False-alarm risk", "share", "Chance the test reports an uplift that is not there (alpha)."),
    "power": _C("Power", "share", "Chance the test detects an uplift of the stated size when it is there."),
    "response_type": _C("Response type", "text", "Sure thing, persuadable, lost cause or sleeping dog: how the "
                        "customer would react to an offer (known only in generated data)."),
    "true_uplift": _C("True uplift", "share", "The generator's true effect of the offer on this customer."),
    # data and migration
    "step": _C("Step", "count"),
    "reason": _C("Reason"),
    "rule": _C("Rule"),
    "rows": _C("Lines", "count"),
    "revenue": _C("Revenue", "money"),
    "share_of_rows": _C("Share of lines", "share"),
    "from_segment": _C("Segment then"),
    "to_segment": _C("Segment now"),
    "customers": _C("Customers", "count"),
    "Why": _C("Why on the list"),
}
"""Every known column. Unknown columns get a label made from their name (``net_profit`` -> "Net profit")."""


@cache
def _owned_meanings() -> dict[str, str]:
    """Definitions written by the libraries that own the terms (features; decisions once it exists)."""
    from retention.features import FEATURE_DESCRIPTIONS

    owned = {name: text.replace("NaN", "empty") for name, text in FEATURE_DESCRIPTIONS.items()}
    try:
        from retention.decisions import GLOSSARY  # type: ignore[import-not-found]
    except ImportError:
        return owned
    for term, text in GLOSSARY.items():
        owned[str(term)] = text
        owned[str(term).lower().replace(" ", "_")] = text
        owned[re.sub(r"[^a-z0-9]+", "_", str(term).lower()).strip("_")] = text  # "P(loss)" -> p_loss
    return owned


def _label_from_name(name: str) -> str:
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", str(name)).replace("_", " ").strip()
    return words[:1].upper() + words[1:].lower() if words else str(name)


def column_info(name: str) -> ColumnInfo:
    """The dictionary entry of a column, or one made from its name (text unit, no meaning)."""
    known = COLUMNS.get(name)
    text = _owned_meanings().get(name, known.meaning if known else "")
    if known is None:
        return ColumnInfo(_label_from_name(name), "text", text)
    return ColumnInfo(known.label, known.unit, text)


def label(name: str) -> str:
    """The label a person reads: ``label("churn_probability")`` is "Churn probability"."""
    return column_info(name).label


def meaning(name: str) -> str:
    """The one-line meaning of a column ("" when it needs none)."""
    return column_info(name).meaning


def unit(name: str) -> str:
    """The unit of a column: money, share, probability, count, days, number, date or text."""
    return column_info(name).unit


def human_columns(frame: pd.DataFrame, overrides: dict[str, str] | None = None) -> pd.DataFrame:
    """A copy of ``frame`` with labels instead of machine names (``overrides`` for report-specific labels)."""
    overrides = overrides or {}
    return frame.rename(columns={c: overrides.get(c, label(c)) for c in frame.columns})


def glossary(names: Iterable[str] | None = None) -> pd.DataFrame:
    """Term and meaning of the given columns (default: every known column), those with a meaning only."""
    names = list(COLUMNS) if names is None else list(names)
    rows, seen = [], set()
    for name in names:
        info = column_info(name)
        if info.meaning and info.label not in seen:
            seen.add(info.label)
            rows.append((info.label, info.meaning))
    return pd.DataFrame(rows, columns=["Term", "Meaning"])


def csv_dictionary(columns: Iterable[str]) -> pd.DataFrame:
    """The machine names of a CSV file with their label and meaning: CSV columns are documented once, here."""
    infos = [(c, column_info(c)) for c in columns]
    return pd.DataFrame({"Column": [c for c, _ in infos], "Label": [i.label for _, i in infos],
                         "Meaning": [i.meaning for _, i in infos]})
