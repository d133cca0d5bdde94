"""Phase-A compatibility: the old ``retention.params`` API, returning today's plain nested dict.

The typed configuration lives in :mod:`retention.config` (``retention.config.load(path) -> Params``); this module
keeps ``load_params`` / ``validate_params`` / ``defaults`` working for the notebooks and the pipeline until
phase B hands them the typed object (see :mod:`retention.config.compat`).
"""

from retention.config import ParamsError, params_hash
from retention.config.compat import defaults, load_params, to_dict, validate_params

__all__ = ["ParamsError", "defaults", "load_params", "validate_params", "params_hash", "to_dict"]
