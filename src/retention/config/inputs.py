"""Sections about the input: where the data comes from, the synthetic log, cleaning, EDA and features."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal, Self

from pydantic import Field, Strict, model_validator

from retention.config.base import Day, Flag, Number, OpenShare, Section, Seed, Text, Whole
from retention.config.errors import RuleError

__all__ = ["GENERATED_LOG", "DataConfig", "GeneratorParams", "CleaningConfig", "EdaConfig", "FeaturesConfig"]

GENERATED_LOG = "data/generated/online_retail.csv"
"""Where the seeded synthetic log is written (the default ``data.path``)."""

Month = Annotated[int, Strict(), Field(ge=1, le=12)]
SheetIndex = Annotated[int, Strict(), Field(ge=0)]


class DataConfig(Section):
    """``data``: the transaction file and how to read it."""

    source: Literal["generated", "file", "cdnow"] = Field(
        "generated", description="'generated' writes our seeded synthetic log; 'file' reads data.path; 'cdnow' "
                                 "converts the CDNOW log shipped with the lifetimes package into data.path, a .csv")
    path: Text = Field(GENERATED_LOG, description="transaction file, CSV, Parquet or .xlsx, relative to the "
                                                  "project root")
    sheet: Text | SheetIndex | None = Field(None, description="Excel sheet name or index; empty reads every sheet")
    columns: dict[Text, Text] = Field(default_factory=dict,
                                      description="mapping {your column: canonical column} for other exports")
    date_order: Literal["auto", "dmy", "mdy", "ymd", "ydm"] = Field(
        "auto", description="order of day, month and year in text dates; auto decides from the data")
    end_date: Day | None = Field(None, description="analysis date; later transactions are dropped; "
                                                   "empty = the last date")
    currency: Text = Field("GBP", description="ISO currency code used to format money")

    @model_validator(mode="after")
    def _cdnow_target(self) -> Self:
        if self.source != "cdnow":
            return self
        if not self.path.lower().endswith(".csv"):
            raise RuleError(f"data.path = {self.path!r}: with data.source 'cdnow' the converted log is written there "
                            f"as CSV. Fix: use a .csv path, e.g. data/cdnow/cdnow_master.csv.", ("data", "path"))
        if self.path == GENERATED_LOG:
            raise RuleError(f"data.source 'cdnow' would overwrite the generated log at {GENERATED_LOG}. "
                            f"Fix: set data.path: data/cdnow/cdnow_master.csv.", ("data", "source"))
        return self


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


class GeneratorParams(Section):
    """``generator``: the seeded synthetic log (used when ``data.source`` is 'generated')."""

    seed: Seed = Field(42, description="random seed of the synthetic log")
    n_customers: Whole = Field(4300, ge=1, le=50_000_000, description="identified customers who buy in the period")
    start_date: Day = Field(dt.date(2010, 12, 1), description="first day of the log")
    months: Whole = Field(12, ge=2, le=120, description="length of the log in months")
    guest_line_share: Number = Field(0.25, ge=0.0, le=0.9, description="share of lines without a CustomerID")
    future_days: Whole = Field(365, ge=30, le=3650, description="days simulated after the end for the ground truth")
    seasonal: Flag = Field(True, description="November peak and quiet weekends; false gives a stationary process")
    campaign: Flag = Field(True, description="simulate a past retention campaign with a random control group")
    campaign_days_before_end: Whole = Field(120, ge=1, le=3650,
                                            description="the past campaign is sent this many days before the end")
    campaign_share: OpenShare = Field(0.3, description="share of customers in the past campaign's test")

    @property
    def log_days(self) -> int:
        """Days from ``start_date`` to the end of the log."""
        return (_add_months(self.start_date, self.months) - self.start_date).days

    @model_validator(mode="after")
    def _campaign_inside_the_log(self) -> Self:
        if self.campaign and self.campaign_days_before_end >= self.log_days:
            raise RuleError(f"generator.campaign_days_before_end = {self.campaign_days_before_end} puts the past "
                            f"campaign before the log starts (the log covers {self.log_days} days). Fix: set it "
                            f"below {self.log_days}, raise generator.months, or set generator.campaign: false.",
                            ("generator", "campaign_days_before_end"))
        return self


class CleaningConfig(Section):
    """``cleaning``: which lines are not purchases."""

    non_product_codes: tuple[Text, ...] = Field(
        ("POST", "DOT", "M", "D", "C2", "CRUK", "BANK CHARGES", "AMAZONFEE", "B", "S", "PADS", "ADJUST"),
        description="StockCodes that are fees, postage or adjustments, not products")
    max_quantity: Whole = Field(10_000, ge=1, description="lines with a larger quantity are outliers")
    max_unit_price: Number = Field(5_000.0, ge=0.01, description="lines with a larger unit price are outliers")


class EdaConfig(Section):
    """``eda``: the exploratory report."""

    top_n: Whole = Field(10, ge=3, le=100, description="how many countries and products the EDA ranks")


class FeaturesConfig(Section):
    """``features``: customer features."""

    peak_months: tuple[Month, ...] = Field((10, 11, 12), description="months counted as peak season, 1-12")
