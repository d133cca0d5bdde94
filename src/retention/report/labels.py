"""The column dictionary: machine name -> the label a person reads, its unit, and a one-line meaning.

Reports show labels (:func:`label`, :func:`human_columns`); CSV files keep the machine names, and
:func:`csv_dictionary` documents them once (the index page lists every artifact's columns with it).
Meanings double as hover text, footnotes and the glossary (:func:`glossary`).

One definition per term: a meaning written by the library that owns the term wins over the text here.
:func:`meaning` reads the customer features' definitions from :data:`retention.features.FEATURE_DESCRIPTIONS`
and, once it exists, the decision vocabulary from ``retention.decisions.GLOSSARY`` (keys matched by machine
name, or by the term in lower case with underscores for spaces and other signs: "P(loss)" is ``p_loss``);
the texts below are used only for columns neither of them defines.

The module is over 400 lines on purpose: about 300 of them are one table, :data:`COLUMNS` (the column
dictionary), and the functions that read it are short.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import pandas as pd

__all__ = ["ColumnInfo", "COLUMNS", "LEDGER_LABELS", "column_info", "label", "meaning", "unit", "human_columns",
           "glossary", "csv_dictionary", "reason_label"]


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
    "silhouette": _C("Silhouette score", "number",
                     "How much closer customers sit to their own cluster than to the next one, from -1 to 1: up to "
                     "0.25 no real structure, up to 0.5 weak, up to 0.7 reasonable, above 0.7 strong."),
    # customer features (meanings come from retention.features.FEATURE_DESCRIPTIONS)
    "Recency": _C("Days since last order", "days"),
    "Frequency": _C("Orders", "count"),
    "Monetary": _C("Net spend", "money"),
    "Tenure": _C("Days since first order", "days"),
    "PurchaseVelocity": _C("Days between orders", "days"),
    "DaysBetweenOrders": _C("Days between orders", "days",
                            "Mean days between a customer's order days, for customers who bought on two or more "
                            "days; empty for those who bought on one day only (no gap measured yet)."),
    "RepeatShare": _C("Repeat buyers", "share", "Share of customers who bought on two or more different days."),
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
    # churn report terms (glossary of 03)
    "churned": _C("Churned", "text", "Made no purchase in the churn horizon after a given date: what the churn "
                  "probability predicts."),
    "out_of_time": _C("Out-of-time check", "text", "Models learn from earlier dates and are scored once on a later "
                      "date none of them saw, the way they are used on the future."),
    "baseline": _C("Baseline", "text", "A simple score every model must beat to be worth shipping: days since the "
                   "last order, or the purchase model's own answer."),
    "calibrated": _C("Calibrated", "text", "Probabilities that come true as often as they say: of the customers "
                     "given 70%, about 70% do not buy."),
    "shop_calendar": _C("Shop calendar", "text", "How busy each month and weekday is against an average day, "
                        "estimated from the purchases (a month needs a year of history); the purchase model counts "
                        "a busy week as longer than a quiet one."),
    "model_margin": _C("Margin over a baseline", "number", "How much lower the shipped score's Brier score is than "
                       "the baseline's on the same customers (positive = the shipped score is better)."),
    "margin_se": _C("Standard error of the margin", "number", "How far the margin could move by chance over the "
                    "same customers; a margin of two standard errors or more is unlikely to be luck."),
    "cost_per_customer": _C("Cost per customer", "money", "Missed churners times their cost plus wasted offers "
                            "times theirs, divided by the number of customers."),
    "coefficient": _C("Coefficient", "number", "Change in the log-odds of churn per standard deviation of a "
                      "feature, the other features held equal: an association in past data, not a rule."),
    "vif": _C("Overlap with other features (VIF)", "number", "Variance inflation factor: how much of a feature the "
              "others already carry; above 5 its coefficient should not be read on its own."),
    "permutation_importance": _C("Permutation importance", "number", "How much the ranking quality (ROC-AUC) drops "
                                 "when one feature's values are shuffled among the customers: what a model relies "
                                 "on, not why customers leave."),
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
    "clv_p05": _C("CLV, low end", "money", "5th percentile of the customer's CLV over the model's parameter "
                  "uncertainty (with clv_p95: a 90% range)."),
    "clv_p95": _C("CLV, high end", "money", "95th percentile of the customer's CLV over the model's parameter "
                  "uncertainty."),
    "expected_revenue_if_alive_p05": _C("Expected revenue if active, low end", "money",
                                        "5th percentile of the expected revenue if active over parameter "
                                        "uncertainty."),
    "expected_revenue_if_alive_p95": _C("Expected revenue if active, high end", "money",
                                        "95th percentile of the expected revenue if active over parameter "
                                        "uncertainty."),
    "value_at_stake_p05": _C("Value at stake, low end", "money"),
    "value_at_stake_p95": _C("Value at stake, high end", "money"),
    "clv_share": _C("Share of CLV", "share", "The group's share of the total customer lifetime value."),
    "mean_clv": _C("Average CLV", "money", "Customer lifetime value per customer of the group."),
    "median_clv": _C("Median CLV", "money", "The middle customer's lifetime value in the group."),
    "mean_value_at_stake": _C("Average value at stake", "money", "Value at stake per customer of the group."),
    "mean_p_alive": _C("Average chance still active", "probability",
                       "The group's mean probability that a customer has not silently left."),
    # the forecast backtest (forecast_backtest.csv) and the cohort curves (cohort_value_curves.csv)
    "cutoff": _C("Cutoff", "date", "The as-of date of a backtest fit: the model sees only purchases up to it."),
    "model_label": _C("Model"),
    "seasonal": _C("Seasonal", "text", "Whether the forecast follows the shop's calendar (seasonal index)."),
    "calendar": _C("Calendar", "text", "The calendar effects the seasonal forecast uses (month, weekday)."),
    "actual": _C("Actual orders", "count", "Orders (purchase days) the customers really made in the window after "
                 "the cutoff."),
    "forecast": _C("Forecast orders", "count", "Orders the model forecast for the window after the cutoff."),
    "total_error": _C("Total error", "share", "Forecast total ÷ actual total − 1: negative means the forecast was "
                      "too low."),
    "mean_abs_total_error": _C("Average miss", "share", "The total error without its sign, averaged over the "
                               "backtest cutoffs."),
    "mae": _C("Error per customer", "number", "Mean absolute difference between each customer's forecast and "
              "actual orders (MAE; lower is better)."),
    "capture_top10": _C("Top 10% capture", "share", "Share of the actual future orders made by the 10% of "
                        "customers with the highest forecast: how well the forecast ranks customers."),
    "capture_top20": _C("Top 20% capture", "share", "Share of the actual future orders made by the 20% of "
                        "customers with the highest forecast."),
    "no_purchase_share": _C("Observed share with no order", "share", "Share of customers who made no order in the "
                            "window: what the mean predicted chance of no order should match (calibration)."),
    "chosen": _C("Chosen"),
    "months_since_acquisition": _C("Months since first purchase", "count"),
    "period": _C("Period", "text", "Observed (up to the as-of date) or forecast (after it)."),
    "cumulative_margin_per_customer": _C("Cumulative margin per customer", "money",
                                         "Margin on everything the cohort bought since its first month, per "
                                         "customer of the cohort; forecast months add the model's expectation."),
    # terms of the value report's glossary
    "bgnbd": _C("BG/NBD model", "text", "Buy till you die: each customer buys at their own steady rate while "
                "active and may leave for good after any purchase (Fader, Hardie & Lee 2005)."),
    "mbgnbd": _C("MBG/NBD model", "text", "BG/NBD where a customer may also leave right after the first purchase, "
                 "so one-time buyers are not certainly still active (Batislam et al. 2007)."),
    "pareto_nbd": _C("Pareto/NBD model", "text", "Buy till you die where a customer may leave at any time, not only "
                     "after a purchase (Schmittlein, Morrison & Colombo 1987)."),
    "gamma_gamma": _C("Gamma-Gamma model", "text", "How much a customer spends per purchase: their own average, "
                      "pulled towards the shop's average the fewer purchases it rests on (Fader & Hardie 2013)."),
    "backtest": _C("Backtest", "text", "The model is fitted on the history up to an earlier date and its forecast "
                   "compared with what customers then did; repeated at several dates (rolling origin)."),
    "seasonal_index": _C("Seasonal index", "text", "How busy each month and weekday is relative to an average day "
                         "(1 = average), estimated from all customers' purchases; the forecast runs on this "
                         "calendar."),
    "parameter_interval": _C("90% range", "text", "The 5th to 95th percentile of a value over 200-odd draws of the "
                             "model's parameters from their estimated uncertainty; it leaves out the choice of "
                             "model and the randomness of each customer's buying."),
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
    "option": _C("Option"),
    "verdict": _C("Verdict"),
    "cost_model": _C("Offer cost model", "text", "What the discount is taken off, the contact cost per customer and "
                     "the fixed cost per campaign."),
    "expected_profit": _C("Expected incremental profit", "money",
                          "Expected extra margin from the offer minus its expected discounts and contact cost."),
    "incremental_revenue": _C("Extra revenue", "money", "Revenue the offer's extra buyers bring."),
    "extra_buyers": _C("Extra buyers", "number", "Customers the offer is expected to turn into buyers."),
    "discount_cost": _C("Discounts given", "money"),
    "expected_churners": _C("Expected non-buyers", "number"),
    "in_base": _C("In the customer base"),
    "at_risk": _C("At risk"),
    "response_weight": _C("Response weight", "number", "Extra buyers the offer makes of the customer per unit of "
                          "uplift."),
    "response_value": _C("Value of a response", "money"),
    "buy_anyway": _C("Chance of buying anyway", "probability"),
    "true_net_profit": _C("True net profit", "money", "What the list truly makes, from the generator's truth "
                          "(generated data only)."),
    "gap": _C("Expected minus true", "money"),
    "model": _C("Model"),
    "source": _C("Uplift"),
    "list_size": _C("Customers on the list", "count"),
    "baseline_rate": _C("Purchase rate without the offer", "share",
                        "Share of the list expected to buy within the outcome window without an offer."),
    "expected_cost": _C("Expected cost of the test", "money"),
    "feasible": _C("The list is large enough"),
    "assignment": _C("Assignment file"),
    "detectable_with_list": _C("Smallest uplift the whole list detects", "share"),
    # experiments (the test that would confirm a decision)
    "control_share": _C("Held-out share", "share", "Share of the list kept out of the campaign as the control group."),
    "n_treatment": _C("Customers offered", "count"),
    "n_control": _C("Customers held out", "count"),
    "outcome_days": _C("Days to wait for the outcome", "days"),
    "min_detectable_uplift": _C("Uplift the test must detect", "share",
                                "Points on the purchase rate the test finds with the stated power."),
    "alpha": _C("False-alarm risk", "share", "Chance the test reports an uplift that is not there (alpha)."),
    "power": _C("Power", "share", "Chance the test detects an uplift of the stated size when it is there."),
    "response_type": _C("Response type", "text", "Sure thing, persuadable, lost cause or sleeping dog: how the "
                        "customer would react to an offer (known only in generated data)."),
    "true_uplift": _C("True uplift", "share", "The generator's true effect of the offer on this customer."),
    # measuring a past campaign (05)
    "purchase_uplift": _C("Purchase uplift", "share", "The offer's effect on buying: the share of offered customers "
                          "who bought within the outcome window minus the share of held-out customers who did."),
    "predicted_uplift": _C("Predicted uplift", "share", "The change in a customer's chance of buying within the "
                           "outcome window if they get the offer, predicted by the chosen uplift learner."),
    "persuadable": _C("Persuadable", "text", "A customer who buys only if offered: the offer's whole effect."),
    "sure_thing": _C("Sure thing", "text", "A customer who buys anyway: a discount offered to them is wasted."),
    "lost_cause": _C("Lost cause", "text", "A customer who does not buy, offered or not."),
    "sleeping_dog": _C("Sleeping dog", "text", "A customer whom contact makes less likely to buy: leave them out."),
    "qini_area": _C("Qini area", "number", "Extra buyers a ranking finds above a random order, summed over every "
                    "list size (the area between its Qini curve and the random line; 0 = no better than chance)."),
    "auuc": _C("AUUC", "number", "Area under the uplift curve above random: like the Qini area, counting extra "
               "buyers as if everyone in the top group had been offered."),
    "cross_fitting": _C("Cross-fitting", "text", "Scoring each test customer with a model fitted without them "
                        "(the test split in folds), so a ranking is judged on customers it has not seen."),
    "oracle": _C("Oracle", "text", "A ranking by each customer's true response, known only in generated data: "
                 "the most any targeting could find."),
    "p_value": _C("p-value", "probability", "The chance of an effect at least this large if the offer did "
                  "nothing."),
    "confidence_interval": _C("Confidence interval", "text", "The range of effects the test cannot rule out at "
                              "its confidence level (95% unless the params say otherwise)."),
    # data and migration
    "step": _C("Step", "count"),
    "reason": _C("Reason", "text", "Why a line of the file is left out of the analysis; each line counts under the "
                 "first cleaning rule it breaks."),
    "rule": _C("Rule"),
    "rows": _C("Lines", "count"),
    "revenue": _C("Revenue", "money", "Quantity × unit price, summed over the purchase lines the cleaning kept."),
    "share_of_rows": _C("Share of lines", "share"),
    # activity (the EDA report)
    "orders": _C("Orders", "count", "Invoices: the lines a customer bought together at one time."),
    "order_value": _C("Order value", "money", "The revenue of one order: quantity × unit price over its lines."),
    "lines_per_order": _C("Product lines per order", "count", "How many different product lines one order holds."),
    "active_customers": _C("Active customers", "count", "Customers with at least one order in the month."),
    "new_customers": _C("New customers", "count", "Customers whose first order in the data falls in the month."),
    "returning_customers": _C("Returning customers", "count",
                              "Customers active in the month who had ordered in an earlier month."),
    "cohort": _C("Cohort", "date", "The new customers of one calendar month, followed month by month."),
    "next_month_repeat": _C("Buy again next month", "share",
                            "Share of new customers who order again in the calendar month after their first. "
                            "Weighted: all new customers pooled (each counts once)."),
    "revenue_share": _C("Share of revenue", "share"),
    "revenue_per_order": _C("Revenue per order", "money"),
    "units": _C("Units sold", "count"),
    "stock_code": _C("Product code"),
    "description": _C("Product"),
    "country": _C("Country"),
    "from_segment": _C("Segment then"),
    "to_segment": _C("Segment now"),
    "customers": _C("Customers", "count"),
    "Why": _C("Why on the list"),
}
"""Every known column. Unknown columns get a label made from their name (``net_profit`` -> "Net profit")."""

LEDGER_LABELS: dict[str, str] = {
    "rows_in": "Lines in the file",
    "blank_line": "Blank line",
    "repeated_header": "Header line repeated",
    "far_past_date": "Dated far in the past",
    "far_future_date": "Dated far in the future",
    "missing_customer_id": "No customer id (guest)",
    "missing_date": "No date",
    "cancellation": "Cancellation or return",
    "non_positive_quantity": "Zero or negative quantity",
    "non_product_code": "Not a product (fees, postage)",
    "non_positive_price": "Zero or negative price",
    "after_end_date": "After the analysis date",
    "outlier": "Outlier quantity or price",
    "duplicate_line": "Exact duplicate line",
    "rows_kept": "Lines kept",
}
"""Short names a person reads for the cleaning ledger's reasons (what each rule means is defined with the rules, in
:data:`retention.engine.cleaning.LEDGER_REASONS`, and written in the ledger's ``rule`` column)."""


def reason_label(reason: str) -> str:
    """The short name of a cleaning-ledger reason (``missing_customer_id`` -> "No customer id (guest)")."""
    return LEDGER_LABELS.get(reason, _label_from_name(reason))


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
