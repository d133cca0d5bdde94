"""Command line used by the Makefile: ``retention prepare|run|index|generate|results|dag --params FILE --out DIR``.

``retention run`` computes the stages (every product of the series, no notebooks and no HTML) after
``prepare``; ``--steps 02_segmentation,03_churn_model`` runs only those, in series order.

Errors the user can fix (bad params, bad input data, params that do not fit the data, a file that cannot be
read or written) print one line ``error: <message>`` on stderr, no traceback, and exit 2. ``prepare`` also
prints the notes the loader made (separator, encoding, date order, ...), one per line.
"""

from __future__ import annotations

import argparse
import json
import sys

from retention import catalog, pipeline, site
from retention.data import DataValidationError
from retention.params import ParamsError, load_params
from retention.paths import resolve

__all__ = ["main"]


def _prepare(args: argparse.Namespace) -> None:
    params = load_params(args.params)
    info = pipeline.prepare(params, args.out, params_file=args.params)
    print(f"prepared {info['rows_kept']:,} of {info['rows_in']:,} lines, {info['customers']:,} customers, "
          f"{info['first_date']} to {info['end_date']} -> {args.out}")
    for note in info.get("notes", []):
        print(f"  note: {note}")
    rerun = catalog.write_param_stamps(params, resolve(args.out))
    if rerun and len(rerun) < len(catalog.NOTEBOOK_STEPS):
        print(f"  params changed for: {', '.join(rerun)}")


def _index(args: argparse.Namespace) -> None:
    params = load_params(args.params)
    info_path = pipeline.output_paths(args.out)["info"]
    if not info_path.exists():
        raise DataValidationError(f"{info_path} is missing. Fix: run `retention prepare --params {args.params} "
                                  f"--out {args.out}` first (make reports does).")
    info = json.loads(info_path.read_text())
    target = site.write_index(resolve(args.out), site.run_manifest(params, args.params, info))
    print(f"open {target}")


def _generate(args: argparse.Namespace) -> None:
    params = load_params(args.params)
    print(f"data ready: {pipeline.ensure_data(params)}")


def _run(args: argparse.Namespace) -> None:
    from retention import stages

    _prepare(args)
    # no --steps: every step; --steps "" (the first report of `make report-one`): prepare only
    wanted = [s for s in args.steps.split(",") if s] if args.steps is not None else list(catalog.NOTEBOOK_STEPS)
    unknown = [s for s in wanted if s not in catalog.NOTEBOOK_STEPS]
    if unknown:
        raise ParamsError(f"--steps names {unknown}, which are not steps of the series {list(catalog.NOTEBOOK_STEPS)}.")
    for step in [s for s in catalog.NOTEBOOK_STEPS if s in wanted]:
        result = stages.run(step, args.params, args.out)
        print(f"{step}: done" + "".join(f"\n  warning: {w}" for w in getattr(result, "warnings", ())))


def _dag(args: argparse.Namespace) -> None:
    print(catalog.makefile_rules(args.out), end="")


def _results(args: argparse.Namespace) -> None:
    results = site.key_results(resolve(args.out))
    print(json.dumps(results, indent=2, sort_keys=True))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="retention", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for name, func in (("prepare", _prepare), ("run", _run), ("index", _index), ("generate", _generate),
                       ("results", _results), ("dag", _dag)):
        cmd = sub.add_parser(name)
        cmd.add_argument("--params", default="params/default.yaml")
        cmd.add_argument("--out", default="reports")
        if name == "run":
            cmd.add_argument("--steps", default=None, help="comma-separated steps (default: all; empty: none)")
        cmd.set_defaults(func=func)
    args = parser.parse_args(argv)
    try:
        args.func(args)
    except (ParamsError, DataValidationError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # e.g. the output folder is not writable, the disk is full
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"error: {where}{exc.strerror or exc}. Fix: check that the folder exists and can be written to.",
              file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
