"""Generate the synthetic log, its ground truth and the past campaign's assignment, and write them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from retention.generator.campaign import run_campaign
from retention.generator.config import GeneratorConfig
from retention.generator.log import build_log, catalogue
from retention.generator.process import baseline_purchases, draw_customers
from retention.generator.response import respond
from retention.generator.truth import build_truth

__all__ = ["SyntheticLog", "generate", "write_generated", "companion_paths"]

# The responses draw from their own stream, so switching the campaign off leaves the log of the latent
# process exactly as it is, and the campaign changes only what the treated customers do.
_RESPONSE_STREAM = 1


@dataclass(frozen=True)
class SyntheticLog:
    """The generated log (canonical columns), one ground-truth row per identified customer, and the past
    campaign's assignment (``CustomerID, group, sent_at, campaign, discount``; None without a campaign)."""

    transactions: pd.DataFrame
    truth: pd.DataFrame
    campaign: pd.DataFrame | None = None


def generate(cfg: GeneratorConfig | None = None) -> SyntheticLog:
    """Generate the synthetic log and its ground truth for ``cfg`` (deterministic for its seed).

    The latent process is simulated ``future_days`` beyond the end of the log. With ``cfg.campaign`` a past
    randomized campaign runs first (:mod:`retention.generator.campaign`); then a retention offer to every
    customer on the end date is simulated for the truth only (:mod:`retention.generator.response`).
    """
    cfg = cfg or GeneratorConfig()
    rng = np.random.default_rng(cfg.seed)
    products = catalogue(rng)
    customers = draw_customers(rng, cfg)
    purchases, death = baseline_purchases(rng, cfg, customers)

    responses = np.random.default_rng(np.random.SeedSequence([int(cfg.seed), _RESPONSE_STREAM]))
    responsiveness = responses.random(len(customers))
    campaign = None
    if cfg.campaign:
        campaign = run_campaign(responses, cfg, customers, purchases, death, responsiveness)
        purchases, death = campaign.purchases, campaign.death
    offer = respond(responses, cfg, customers, purchases, death, responsiveness, cfg.n_days - 1,
                    np.arange(len(customers)))
    truth = build_truth(cfg, customers, purchases, death, offer, None if campaign is None else campaign.truth)
    log = build_log(rng, cfg, purchases, customers, products)
    return SyntheticLog(log, truth, None if campaign is None else campaign.assignment)


def companion_paths(path: str | Path) -> dict[str, Path]:
    """Where the truth and the campaign assignment of the log at ``path`` live: ``<stem>_truth.csv`` and
    ``<stem>_campaign.csv`` beside it."""
    path = Path(path)
    return {"truth": path.with_name(f"{path.stem}_truth.csv"), "campaign": path.with_name(f"{path.stem}_campaign.csv")}


def write_generated(cfg: GeneratorConfig, path: str | Path) -> tuple[Path, Path]:
    """Generate and write the log (CSV or Parquet by suffix), ``<stem>_truth.csv`` and, with a campaign,
    ``<stem>_campaign.csv`` beside it (a stale campaign file is removed when there is none).

    Returns the paths of the log and the truth.
    """
    from retention.io import write_csv_atomic, write_parquet_atomic

    path = Path(path)
    synthetic = generate(cfg)
    if path.suffix == ".parquet":
        write_parquet_atomic(synthetic.transactions, path)
    else:
        write_csv_atomic(synthetic.transactions, path)
    companions = companion_paths(path)
    write_csv_atomic(synthetic.truth, companions["truth"])
    if synthetic.campaign is not None:
        write_csv_atomic(synthetic.campaign, companions["campaign"])
    elif companions["campaign"].exists():
        companions["campaign"].unlink()
    return path, companions["truth"]
