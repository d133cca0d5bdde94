"""Purchase models (BG/NBD, MBG/NBD, Pareto/NBD) on a shared base, and the Gamma-Gamma spend model."""

from __future__ import annotations

from .base import PurchaseModel
from .bgnbd import BetaGeoModel, simulate_summary
from .gamma_gamma import GammaGammaModel, spend_frequency_correlation
from .mbgnbd import ModifiedBetaGeoModel
from .pareto_nbd import ParetoNBDModel

__all__ = ["MODELS", "BetaGeoModel", "GammaGammaModel", "ModifiedBetaGeoModel", "ParetoNBDModel", "PurchaseModel",
           "simulate_summary", "spend_frequency_correlation"]

#: The purchase models by the names params use (``clv.model``).
MODELS: dict[str, type[PurchaseModel]] = {
    "bgnbd": BetaGeoModel,
    "mbgnbd": ModifiedBetaGeoModel,
    "pareto_nbd": ParetoNBDModel,
}
