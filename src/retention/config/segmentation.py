"""The ``segmentation`` section: the named RFM segments and the k-means clustering."""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import Field, Strict, field_validator, model_validator

from retention.config.base import Section, Seed, Text, Whole
from retention.config.errors import RuleError, ValueProblem, did_you_mean
from retention.segments import DEFAULT_SEGMENT_RULES, validate_segment_rules

__all__ = ["SegmentRule", "SegmentationConfig"]

Score = Annotated[int, Strict(), Field(ge=1, le=5)]


class SegmentRule(Section):
    """One named segment: inclusive ranges of the R score and the FM score (1-5)."""

    segment: Text = Field(description="name of the segment")
    r: tuple[Score, Score] = Field(description="[low, high] of the R score, recency, 5 = most recent")
    fm: tuple[Score, Score] = Field(description="[low, high] of the FM score, frequency and monetary, 5 = best")


class SegmentationConfig(Section):
    """``segmentation``: segment rules, clustering and the segment lists."""

    rules: tuple[SegmentRule, ...] = Field(
        tuple(SegmentRule(**rule) for rule in DEFAULT_SEGMENT_RULES),
        description="named segments on the R x FM score grid; the first matching rule wins")
    cluster_features: tuple[Text, ...] = Field(
        ("Recency", "Frequency", "Monetary", "Tenure", "AvgOrderValue", "UniqueProducts"),
        description="customer features the k-means clustering uses")
    k_min: Whole = Field(2, ge=2, le=20, description="smallest number of clusters tried")
    k_max: Whole = Field(8, ge=2, le=20, description="largest number of clusters tried")
    seed: Seed = Field(42, description="seed of k-means and the silhouette sample")
    migration_days: Whole = Field(90, ge=7, le=3650,
                                  description="days before the end of the earlier cutoff for segment migration")
    high_value_min_m_score: Whole = Field(4, ge=1, le=5,
                                          description="M score, 1-5, from which a customer counts as high value")
    export_segments: tuple[Text, ...] = Field((), description="segments to write as their own CSV list")

    @property
    def segment_names(self) -> tuple[str, ...]:
        """The segment names the rules define, in rule order, each once."""
        return tuple(dict.fromkeys(rule.segment for rule in self.rules))

    @field_validator("rules")
    @classmethod
    def _rules_cover_the_grid(cls, rules: tuple[SegmentRule, ...]) -> tuple[SegmentRule, ...]:
        try:
            validate_segment_rules([rule.model_dump() for rule in rules])
        except (ValueError, TypeError) as exc:
            raise ValueProblem(f"is not a valid set of rules: {str(exc).rstrip('.')}",
                               "give every rule low <= high and cover each cell of the 5 x 5 grid "
                               "(see params/default.yaml)") from None
        return rules

    @field_validator("cluster_features")
    @classmethod
    def _known_features(cls, names: tuple[str, ...]) -> tuple[str, ...]:
        from retention.features import FEATURE_COLUMNS

        numeric = [c for c in FEATURE_COLUMNS if c not in ("Country", "FirstPurchase", "LastPurchase", "PeakSeason")]
        unknown = [c for c in names if c not in numeric]
        if unknown:
            raise ValueProblem(f"names features that do not exist, unknown: {unknown}",
                               f"choose two or more of {numeric}", did_you_mean(unknown[0], numeric))
        if len(names) < 2:
            raise ValueProblem("needs two or more features", f"choose two or more of {numeric}")
        return names

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.k_min > self.k_max:
            raise RuleError(f"segmentation.k_min ({self.k_min}) is larger than k_max ({self.k_max}). "
                            f"Fix: make k_min at most k_max.", ("segmentation", "k_min"))
        names = self.segment_names
        unknown = [s for s in self.export_segments if s not in names]
        if unknown:
            close = did_you_mean(unknown[0], names)
            hint = f"Did you mean '{close}'? " if close else ""
            raise RuleError(f"segmentation.export_segments names {unknown}, which no rule defines. {hint}"
                            f"Fix: use segment names of segmentation.rules: {list(names)}.",
                            ("segmentation", "export_segments"))
        return self
