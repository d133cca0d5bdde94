"""A seeded generator of an Online-Retail-like transaction log with known ground truth.

Customer behaviour follows the BG/NBD story (Fader, Hardie & Lee 2005) with Gamma-Gamma order values
(Fader & Hardie 2013) on a seasonal calendar (:mod:`~retention.generator.process`); the log carries the
quirks of the real UCI file (:mod:`~retention.generator.log`). Customers respond to retention offers by
type -- sure things, persuadables, lost causes and sleeping dogs (:mod:`~retention.generator.response`);
a past randomized campaign is written into the log (:mod:`~retention.generator.campaign`). The process is
simulated ``future_days`` beyond the end of the log, with and without an offer made on the end date, so
the ground truth (:mod:`~retention.generator.truth`) holds what each customer really did next in both
worlds, and :func:`~retention.generator.truth.true_incremental_profit` scores any target list against it.
Same seed, same bytes.

Modules: ``config`` (what to generate), ``process`` (latent process and calendar), ``log`` (lines and
quirks), ``response`` (offer responses), ``campaign`` (the past campaign), ``truth`` (truth table and
list scoring), ``synthetic`` (:func:`generate`, :func:`write_generated`), ``large`` (:func:`write_large_log`).
"""

from retention.generator import truth
from retention.generator.campaign import CAMPAIGN_COLUMNS, campaign_name
from retention.generator.config import GeneratorConfig, LatentProcess, ResponseModel
from retention.generator.large import write_large_log
from retention.generator.log import CANONICAL_ORDER
from retention.generator.response import RESPONSE_TYPES, expected_uplift
from retention.generator.synthetic import SyntheticLog, companion_paths, generate, write_generated
from retention.generator.truth import true_incremental_profit, true_incremental_profit_by_customer

__all__ = ["LatentProcess", "ResponseModel", "GeneratorConfig", "SyntheticLog", "CANONICAL_ORDER",
           "CAMPAIGN_COLUMNS", "RESPONSE_TYPES", "expected_uplift", "generate", "write_generated", "write_large_log",
           "companion_paths", "campaign_name", "true_incremental_profit", "true_incremental_profit_by_customer",
           "truth"]
