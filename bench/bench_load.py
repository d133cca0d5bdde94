"""Peak memory and time of the streaming loader on a generated 10-million-line log (issue 15, part 1).

    python bench/bench_load.py                       # 10M lines in /tmp/retention-bench-load
    python bench/bench_load.py --lines 1000000       # smaller

The log comes from :func:`retention.generator.write_large_log` (Parquet parts), written once as one CSV and
one Parquet file chunk by chunk (the bench itself never holds it whole). Each measurement runs in a child
process under ``/usr/bin/time -v`` and reports wall time and peak resident memory (RSS):

* ``load_to_parquet`` on the CSV and on the Parquet file (both passes, the canonical dataset written);
* for scale, ``pandas.read_csv(dtype=str)`` of the whole CSV: the least any load that holds the file needs.

Numbers, not tests: they go to stdout and ``bench/results/load.json``.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _write_inputs(folder: Path, lines: int) -> tuple[Path, Path]:
    """The generated log as one CSV and one Parquet file (made once per line count)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from retention.generator import write_large_log

    csv_path, parquet_path = folder / f"log_{lines}.csv", folder / f"log_{lines}.parquet"
    if csv_path.exists() and parquet_path.exists():
        return csv_path, parquet_path
    parts = write_large_log(folder / f"parts_{lines}", lines, seed=1)
    writer = None
    with open(csv_path, "w", encoding="utf-8", newline="") as handle:
        for number, part in enumerate(parts):
            for batch in pq.ParquetFile(part).iter_batches(batch_size=500_000):
                frame = batch.to_pandas()
                frame.to_csv(handle, index=False, header=number == 0 and handle.tell() == 0, lineterminator="\n")
                table = pa.Table.from_pandas(frame, preserve_index=False)
                writer = writer or pq.ParquetWriter(parquet_path, table.schema)
                writer.write_table(table)
    writer.close()
    return csv_path, parquet_path


def _child(kind: str, source: str, target: str) -> None:
    """What is measured (runs in its own process)."""
    started = time.perf_counter()
    if kind == "pandas_read_csv":
        import pandas as pd

        rows = len(pd.read_csv(source, dtype=str))
    else:
        from retention.data import load_to_parquet

        rows = load_to_parquet(source, target).rows
    print(json.dumps({"rows": rows, "seconds": round(time.perf_counter() - started, 1)}))


def _measure(kind: str, source: Path, target: Path) -> dict:
    command = ["/usr/bin/time", "-v", sys.executable, __file__, "--child", kind, str(source), str(target)]
    run = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    if run.returncode != 0:
        raise RuntimeError(f"{kind} failed: {run.stderr[-2000:]}")
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", run.stderr).group(1))
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", run.stderr).group(1)
    seconds = sum(float(x) * 60 ** i for i, x in enumerate(reversed(wall.split(":"))))
    result = json.loads(run.stdout.strip().splitlines()[-1])
    return {"kind": kind, "input": source.name, "input_mb": round(source.stat().st_size / 2**20, 1),
            "rows": result["rows"], "wall_seconds": round(seconds, 1), "peak_rss_mb": round(rss_kb / 1024, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=10_000_000)
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/retention-bench-load"))
    parser.add_argument("--child", nargs=3, metavar=("KIND", "SOURCE", "TARGET"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
        return
    args.data_dir.mkdir(parents=True, exist_ok=True)
    csv_path, parquet_path = _write_inputs(args.data_dir, args.lines)
    rows = [_measure("load_to_parquet", csv_path, args.data_dir / "lines_from_csv"),
            _measure("load_to_parquet", parquet_path, args.data_dir / "lines_from_parquet"),
            _measure("pandas_read_csv", csv_path, args.data_dir / "unused")]
    for row in rows:
        print(f"{row['kind']:>16} {row['input']:>22} {row['input_mb']:>8.1f} MB {row['rows']:>11,} rows "
              f"{row['wall_seconds']:>7.1f} s  peak RSS {row['peak_rss_mb']:>7.1f} MB")
    out = ROOT / "bench" / "results" / "load.json"
    out.write_text(json.dumps({"lines": args.lines, "results": rows}, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
