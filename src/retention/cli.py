"""Command line used by the Makefile: ``retention prepare|index|generate --params FILE --out DIR``.

Errors the user can fix (bad params, bad input data) print one clear message, no traceback, exit 2.
"""

from __future__ import annotations

import argparse
import json
import sys

from retention import pipeline, site
from retention.data import DataValidationError
from retention.params import ParamsError, load_params
from retention.paths import resolve

__all__ = ["main"]


def _prepare(args: argparse.Namespace) -> None:
    params = load_params(args.params)
    info = pipeline.prepare(params, args.out)
    print(f"prepared {info['rows_kept']:,} of {info['rows_in']:,} lines, {info['customers']:,} customers, "
          f"{info['first_date']} to {info['end_date']} -> {args.out}")


def _index(args: argparse.Namespace) -> None:
    params = load_params(args.params)
    info = json.loads(pipeline.output_paths(args.out)["info"].read_text())
    target = site.write_index(resolve(args.out), site.run_manifest(params, args.params, info))
    print(f"open {target}")


def _generate(args: argparse.Namespace) -> None:
    params = load_params(args.params)
    print(f"data ready: {pipeline.ensure_data(params)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="retention", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for name, func in (("prepare", _prepare), ("index", _index), ("generate", _generate)):
        cmd = sub.add_parser(name)
        cmd.add_argument("--params", default="params/default.yaml")
        cmd.add_argument("--out", default="reports")
        cmd.set_defaults(func=func)
    args = parser.parse_args(argv)
    try:
        args.func(args)
    except (ParamsError, DataValidationError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
