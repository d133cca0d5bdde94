"""The landing page of a run: moved to :mod:`retention.report.site`; this name stays importable."""

from retention.report.site import SERIES, key_results, run_manifest, write_index

__all__ = ["SERIES", "run_manifest", "write_index", "key_results"]
