"""The whole profile: one typed, frozen :class:`Params` with a model per section, and the rules across sections."""

from __future__ import annotations

from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from retention.config.campaigns import RoiConfig
from retention.config.decisions import DecisionConfig, ExperimentConfig
from retention.config.errors import RuleError, did_you_mean
from retention.config.inputs import CleaningConfig, DataConfig, EdaConfig, FeaturesConfig, GeneratorParams
from retention.config.models import ChurnConfig, ClvConfig
from retention.config.runtime import EngineConfig, ReportConfig
from retention.config.segmentation import SegmentationConfig

__all__ = ["Params", "SECTIONS"]


class Params(BaseModel):
    """A validated parameter profile (``params/*.yaml``); every key has a default."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    data: DataConfig = Field(default_factory=DataConfig, description="the transaction file")
    generator: GeneratorParams = Field(default_factory=GeneratorParams, description="the synthetic log")
    cleaning: CleaningConfig = Field(default_factory=CleaningConfig, description="cleaning rules")
    eda: EdaConfig = Field(default_factory=EdaConfig, description="the exploratory report")
    features: FeaturesConfig = Field(default_factory=FeaturesConfig, description="customer features")
    segmentation: SegmentationConfig = Field(default_factory=SegmentationConfig, description="segments")
    churn: ChurnConfig = Field(default_factory=ChurnConfig, description="the churn model")
    clv: ClvConfig = Field(default_factory=ClvConfig, description="customer lifetime value")
    roi: RoiConfig = Field(default_factory=RoiConfig, description="campaigns and their economics")
    decision: DecisionConfig = Field(default_factory=DecisionConfig, description="the decision report")
    experiment: ExperimentConfig = Field(default_factory=ExperimentConfig, description="tests of campaigns")
    engine: EngineConfig = Field(default_factory=EngineConfig, description="the per-line engine")
    report: ReportConfig = Field(default_factory=ReportConfig, description="report limits and privacy")

    @model_validator(mode="after")
    def _names_exist(self) -> Self:
        segments = self.segmentation.segment_names
        for i, campaign in enumerate(self.roi.campaigns):
            unknown = [s for s in campaign.segments or () if s not in segments]
            if unknown:
                raise RuleError(f"roi.campaigns[{i}] ({campaign.name}) targets segment '{unknown[0]}', which "
                                f"segmentation.rules does not define.{_hint(unknown[0], segments)} Fix: use segment "
                                f"names of segmentation.rules: {list(segments)}.",
                                ("roi", "campaigns", i, "segments"))
        pinned, names = self.decision.pinned_campaign, self.roi.campaign_names
        if pinned is not None and pinned not in names:
            raise RuleError(f"decision.pinned_campaign '{pinned}' is not one of the campaigns {list(names)}."
                            f"{_hint(pinned, names)} Fix: name one of roi.campaigns, or set null to let the "
                            f"analysis choose.", ("decision", "pinned_campaign"))
        return self

    @model_validator(mode="after")
    def _experiment_fits_the_generated_campaign(self) -> Self:
        g, outcome = self.generator, self.experiment.outcome_days
        if self.data.source == "generated" and g.campaign and outcome > g.campaign_days_before_end:
            raise RuleError(f"experiment.outcome_days = {outcome} is longer than the time between the generated "
                            f"campaign and the end of the log (generator.campaign_days_before_end = "
                            f"{g.campaign_days_before_end}), so no outcome could be observed in full. Fix: lower "
                            f"experiment.outcome_days or raise generator.campaign_days_before_end.",
                            ("experiment", "outcome_days"))
        return self


SECTIONS: tuple[str, ...] = tuple(Params.model_fields)
"""Section names, in the order of ``params/default.yaml``."""


def _hint(name: str, names: tuple[str, ...]) -> str:
    close = did_you_mean(name, names)
    return f" Did you mean '{close}'?" if close else ""
