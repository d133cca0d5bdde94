"""The modified BG/NBD model (Batislam, Denizel & Filiztekin 2007 [1]_), as implemented in BTYDplus [2]_.

The BG/NBD story with one change: a customer may also drop out right after the *first* purchase, so a
customer with no repeat purchase is no longer alive for sure. There are ``x + 1`` dropout opportunities
instead of ``x``; every BG/NBD formula holds with ``b + x`` replaced by ``b + x + 1`` in its beta part:

* likelihood: ``B(a, b+x+1)/B(a, b) G(r+x) alpha^r / (G(r) (alpha+T)^(r+x))
  + B(a+1, b+x)/B(a, b) G(r+x) alpha^r / (G(r) (alpha+t_x)^(r+x))`` (the second term also for x = 0);
* ``P(alive) = 1 / (1 + a/(b+x) ((alpha+T)/(alpha+t_x))^(r+x))``;
* given alive, ``lambda ~ Gamma(r+x, alpha+T)`` and ``p ~ Beta(a, b+x+1)``, and the future is a BG/NBD
  process from there.

On the CDNOW 1/10 sample (39 weeks) BTYDplus reports ``r = 0.525, alpha = 6.183, a = 0.891,
b = 1.614``.

References
----------
.. [1] Batislam, E. P., Denizel, M. and Filiztekin, A. (2007). Empirical validation and comparison of
   models for customer base analysis. *International Journal of Research in Marketing* 24(3), 201-209.
.. [2] Platzer, M. (2016). BTYDplus: Customer Analytics for Non-Contractual Settings (R package),
   ``mbgnbd.LL``, ``mbgnbd.PAlive``, ``mbgnbd.ConditionalExpectedTransactions``.
"""

from __future__ import annotations

from typing import ClassVar

from .bgnbd import BetaGeoModel

__all__ = ["ModifiedBetaGeoModel"]


class ModifiedBetaGeoModel(BetaGeoModel):
    """MBG/NBD: BG/NBD with a dropout opportunity at the first purchase too (Batislam et al. 2007 [1]_).

    Same contract, parameters (``r``, ``alpha``, ``a``, ``b``) and methods as :class:`~.BetaGeoModel`;
    one-time buyers get ``P(alive) = 1 / (1 + a/b ((alpha+T)/alpha)^r) < 1``, falling with their age.
    """

    _dropout_shift: ClassVar[int] = 1
    label: ClassVar[str] = "MBG/NBD"
