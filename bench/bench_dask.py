"""gdprkit.dask on two worker processes against the same work in one process.

The data: synthetic hourly meter readings in Parquet (Elveta's schema), one
file per 250 meters, with two identifier columns: ``customer_id`` (one value
per meter, so it repeats a thousand times) and ``reading_id`` (every value
distinct). The job pseudonymizes one column of the data set and keeps the
result (it stays on the workers; only its row count returns).

Each pair runs its two sides in turn (ABAB…) and prints the minimum and
median of each. The goal is that of issue 16:

* ``reading_id``, 1,000,000 rows: ``gdprkit.dask.pseudonymize`` on a
  ``LocalCluster`` of 2 single-threaded worker processes, from the Parquet
  read (all columns) to the token column, against the same work in this
  process without Dask: each file read with PyArrow (all columns), the
  column tokenised and put back into the table. The single process runs
  the faster of two spellings, both measured: the plain one
  (``column.to_pylist()`` -> ``Pseudonymizer.tokens()`` -> ``pa.array``)
  and gdprkit's own Arrow path (``pseudonymize_batches``). Goal ≥ 1.85x;
  on 2 cores the ideal is 2x.

Without a goal, for orientation: one Dask worker against the same single
process; ``customer_id`` (repeating values, tokenised once per distinct
value) on 2 workers against the single process doing the same; reading
alone, Dask on 2 workers against PyArrow in one process (the read into
pandas is most of what Dask adds); the single process's own work as one
``dask.delayed`` task per file on 2 workers (PyArrow read,
``pseudonymize_batches``: no pandas, no DataFrame graph), which shows what
the DataFrame costs; the graded pair's own work without Dask, the files shared
between two plain processes running at once, against one process
(``ceiling_parquet``: what the machine gives for this work); and the ceiling
of tokenising alone: two plain processes
tokenising at the same moment against one (no Dask, no Parquet), which is
what the machine's two cores give, with the Dask speed-up divided by it.

Other processes on the machine take cores from the workers: the load
average is printed with the results. Usage: ``python bench/bench_dask.py
[--meters 1000] [--hours 1000] [--quick] [--json PATH] [--check]``.
"""

from __future__ import annotations

import argparse
import functools
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import dask
import dask.dataframe as dd
import distributed
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from _common import GOALS, Report, Side, alternate, common_arguments, median

import gdprkit.dask as gd
from gdprkit.pseudonym import Kek, Keyring, Pseudonymizer

KEY = bytes(range(32))
ENV = "GDPRKIT_BENCH_KEYRING"
#: The key-encryption key that wraps the keyring JSON: made once per run, never stored.
KEK_ENV = "GDPRKIT_BENCH_KEK"
KEK_TEXT = Kek.generate(key_id="bench")
KEK = Kek.env(KEK_ENV)
DOMAIN = "analytics"


def write_readings(directory: Path, meters: int, hours: int, *, per_file: int = 250) -> int:
    """Hourly readings as Parquet files, built with NumPy and Arrow (not row by row)."""
    rng = np.random.default_rng(1042)
    start = np.datetime64("2026-01-01T00:00", "us")
    for part, first in enumerate(range(0, meters, per_file)):
        count = min(per_file, meters - first)
        meter = np.repeat(np.arange(first, first + count), hours)
        hour = np.tile(np.arange(hours), count)
        meter_text = pa.array(meter + 735_999_000_000).cast(pa.string())
        table = pa.table(
            {
                "customer_id": pc.binary_join_element_wise(
                    "C-", pa.array(meter + 1042).cast(pa.string()), ""
                ),
                "meter_id": meter_text,
                "reading_id": pc.binary_join_element_wise(
                    meter_text, pa.array(hour).cast(pa.string()), "-"
                ),
                "read_at": pa.array(
                    start + hour.astype("timedelta64[h]"), pa.timestamp("us", "UTC")
                ),
                "kwh": np.round(rng.gamma(2.0, 0.4, len(meter)), 3),
            }
        )
        pq.write_table(table, directory / f"part-{part:04d}.parquet", row_group_size=125_000)
    return meters * hours


def single_plain(files: Sequence[Path], column: str, pseudonymizer: Pseudonymizer) -> int:
    """One process, plain: read each file, tokens() of the column as a list, put it back."""
    rows = 0
    for path in files:
        table = pq.read_table(path)
        tokens = pseudonymizer.tokens(table.column(column).to_pylist())
        index = table.schema.get_field_index(column)
        table = table.set_column(index, column, pa.array(tokens, type=pa.string()))
        rows += table.num_rows
    return rows


def single_batches(files: Sequence[Path], column: str, source: gd.KeyringSource) -> int:
    """One process, gdprkit's Arrow path: ``pseudonymize_batches`` over each file's batches."""
    rows = 0
    for path in files:
        batches = pq.read_table(path).to_batches()
        for batch in gd.pseudonymize_batches(batches, {column: DOMAIN}, keyring=source):
            rows += batch.num_rows
    return rows


def dask_job(path: Path, column: str, source: gd.KeyringSource) -> int:
    """Read the readings, pseudonymize a column, count the rows: the tokens stay on the workers."""
    # All columns, on purpose: a read of fewer columns makes Dask fuse files into fewer,
    # larger partitions, which would not keep two workers busy.
    ddf = dd.read_parquet(path)
    tokens = gd.pseudonymize(ddf, {column: DOMAIN}, keyring=source)
    return int(tokens.map_partitions(len).sum().compute())


_TOKENISE = """
import sys, time
from gdprkit.pseudonym import Keyring, Pseudonymizer
pseudonymizer = Pseudonymizer(Keyring.from_key(bytes(range(32)), key_id="bench"), domain="d")
values = [f"735999{i:06d}-{i % 1000}" for i in range(int(sys.argv[1]))]
print("ready", flush=True)
sys.stdin.readline()
start = time.perf_counter()
pseudonymizer.tokens(values)
print(time.perf_counter() - start, flush=True)
"""

#: The single process's Parquet work (bench_single's Arrow spelling) on the files named.
_PARQUET_WORK = """
import sys, time
import pyarrow.parquet as pq
import gdprkit.dask as gd
from gdprkit.pseudonym import Kek
keyring_env, kek_env, column, domain, *files = sys.argv[1:]
source = gd.KeyringSource.env(keyring_env, kek=Kek.env(kek_env))
def work(path):
    batches = pq.read_table(path).to_batches()
    return sum(b.num_rows for b in gd.pseudonymize_batches(batches, {column: domain}, keyring=source))
work(files[0])  # imports and the keyring, as a warm worker has them
print("ready", flush=True)
sys.stdin.readline()
start = time.perf_counter()
for path in files:
    work(path)
print(time.perf_counter() - start, flush=True)
"""


def _at_once(script: str, arguments: Sequence[Sequence[str]]) -> float:
    """The slowest of plain processes running ``script`` at the same moment, one per argument list.

    Each process imports and prepares first, says so, and waits for the word
    to start, so the timed parts overlap.
    """
    started = [
        subprocess.Popen(
            [sys.executable, "-c", script, *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for args in arguments
    ]
    pipes = [(p.stdin, p.stdout) for p in started]
    for _, out in pipes:
        assert out is not None
        if out.readline().strip() != "ready":
            raise SystemExit("a plain process did not start")
    for into, _ in pipes:
        assert into is not None
        into.write("go\n")
        into.flush()
    times = [float(out.readline()) for _, out in pipes if out is not None]
    for process in started:
        process.communicate()
    return max(times)


def _plain_pair(
    report: Report,
    key: str,
    what: str,
    script: str,
    alone: Sequence[str],
    shares: Sequence[Sequence[str]],
    *,
    items: int,
    rounds: int,
    per_share: bool,
) -> None:
    """One plain process running ``script`` against one per share at once, in turns.

    With ``per_share`` each share is the whole work, so the machine's time
    for it is the slowest process's divided by the number of shares.
    """
    one: list[float] = []
    many: list[float] = []
    for _ in range(rounds):
        one.append(_at_once(script, [alone]))
        many.append(_at_once(script, shares) / (len(shares) if per_share else 1))
    report.pair(
        key,
        what,
        Side(
            f"{len(shares)} processes at once" + (" (time per share)" if per_share else ""),
            items,
            many,
        ),
        Side("1 process", items, one),
        kind="speed",
        size=items,
    )


def bench_ceiling(report: Report, workers: int, n: int, rounds: int) -> None:
    """``workers`` plain processes tokenising at once against one: what the cores give."""
    _plain_pair(
        report,
        "ceiling",
        f"the ceiling: {workers} plain processes tokenising at once vs one (no Dask; no goal)",
        _TOKENISE,
        [str(n)],
        [[str(n)]] * workers,
        items=n,
        rounds=rounds,
        per_share=True,
    )


def bench_parquet_ceiling(
    report: Report, workers: int, files: Sequence[Path], rows: int, rounds: int
) -> None:
    """The single process's Parquet work split over ``workers`` plain processes, against one.

    What the machine gives for the graded pair's work without Dask: each
    process reads its share of the files with PyArrow and tokenises the
    column, as ``single_batches`` does in one process.
    """
    head = [ENV, KEK_ENV, "reading_id", DOMAIN]
    names = [str(f) for f in files]
    shares = [head + names[i::workers] for i in range(workers) if names[i::workers]]
    _plain_pair(
        report,
        "ceiling_parquet",
        f"the graded pair's work without Dask: {workers} plain processes sharing the files "
        "vs one (no goal)",
        _PARQUET_WORK,
        head + names,
        shares,
        items=rows,
        rounds=rounds,
        per_share=False,
    )


def _cluster(workers: int, keyring: Keyring) -> distributed.LocalCluster:
    os.environ[KEK_ENV] = KEK_TEXT  # this process wraps the keyring, the workers unwrap it
    return distributed.LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",
        silence_logs=40,
        env={ENV: keyring.to_json(kek=KEK), KEK_ENV: KEK_TEXT},
    )


def bench_cluster(
    report: Report,
    workers: int,
    path: Path,
    rows: int,
    rounds: int,
    single: dict[str, Callable[[], int]],
) -> None:
    """Dask on ``workers`` worker processes against the single process, per column."""
    source = gd.KeyringSource.env(ENV, kek=KEK)
    with (
        _cluster(workers, Keyring.from_key(KEY, key_id="bench")) as cluster,
        distributed.Client(cluster),
    ):
        for column in ("reading_id", "customer_id") if workers > 1 else ("reading_id",):
            job = functools.partial(dask_job, path, column, source)
            if job() != rows:  # also the warm-up: imports and the keyring load per worker
                raise SystemExit("the Dask job counted another number of rows")
            base_t, ours_t = alternate(single[column], job, rounds, warmup=False)
            graded = column == "reading_id" and workers == 2 and rows >= 1_000_000
            report.pair(
                f"dask_{workers}_{column}",
                f"{column}: Dask, {workers} worker{'s' if workers > 1 else ''} vs the same "
                f"work in one process{'' if graded else ' (no goal)'}",
                Side(f"dask, {workers} worker process(es)", rows, ours_t),
                Side("one process, no Dask", rows, base_t),
                kind="speed",
                goal=GOALS["dask"] if graded else None,
                size=rows,
            )
        if workers > 1:
            files = sorted(path.glob("*.parquet"))
            # The same tasks without the DataFrame: what the read into pandas and the
            # DataFrame's graph cost the pairs above.
            arrow_job = functools.partial(dask_arrow_job, files, "reading_id", source)
            if arrow_job() != rows:
                raise SystemExit("the Dask Arrow job counted another number of rows")
            base_t, ours_t = alternate(single["reading_id"], arrow_job, rounds, warmup=False)
            report.pair(
                f"dask_{workers}_arrow",
                f"reading_id: a dask.delayed task per file (PyArrow read, pseudonymize_batches), "
                f"{workers} workers vs the same work in one process (no goal)",
                Side(f"dask.delayed, {workers} worker processes", rows, ours_t),
                Side("one process, no Dask", rows, base_t),
                kind="speed",
                size=rows,
            )
            # Where the Dask pairs lose time without tokenising: the read into pandas.
            report.compare(
                f"dask_{workers}_read",
                f"reading only: Dask, {workers} workers vs PyArrow in one process (no goal)",
                ("dd.read_parquet, count", lambda: dask_count(path)),
                ("pq.read_table per file, count", lambda: sum(read_count(f) for f in files)),
                items=rows,
                rounds=rounds,
                kind="speed",
            )


def arrow_file(path: Path, column: str, source: gd.KeyringSource) -> int:
    """One file read with PyArrow and pseudonymized with ``pseudonymize_batches``: a task."""
    batches = pq.read_table(path).to_batches()
    return sum(
        b.num_rows for b in gd.pseudonymize_batches(batches, {column: DOMAIN}, keyring=source)
    )


def dask_arrow_job(files: Sequence[Path], column: str, source: gd.KeyringSource) -> int:
    """The single process's work, a ``dask.delayed`` task per file: no pandas, no DataFrame."""
    return int(sum(dask.compute(*[dask.delayed(arrow_file)(f, column, source) for f in files])))


def dask_count(path: Path) -> int:
    """The rows of the readings, read by Dask on the workers."""
    return int(dd.read_parquet(path).map_partitions(len).sum().compute())


def read_count(path: Path) -> int:
    """The rows of one file, every column read with PyArrow."""
    return int(pq.read_table(path).num_rows)


def bench_single(
    report: Report, files: Sequence[Path], rows: int, rounds: int
) -> dict[str, Callable[[], int]]:
    """Both single-process spellings per column; the faster is the baseline of the Dask pairs."""
    os.environ[KEK_ENV] = KEK_TEXT
    os.environ[ENV] = Keyring.from_key(KEY, key_id="bench").to_json(kek=KEK)
    source = gd.KeyringSource.env(ENV, kek=KEK)
    pseudonymizer = Pseudonymizer(Keyring.from_key(KEY, key_id="bench"), domain=DOMAIN)
    chosen: dict[str, Callable[[], int]] = {}
    for column in ("reading_id", "customer_id"):
        plain = functools.partial(single_plain, files, column, pseudonymizer)
        batches = functools.partial(single_batches, files, column, source)
        if plain() != rows or batches() != rows:
            raise SystemExit("a single-process spelling counted another number of rows")
        report.compare(
            f"single_{column}",
            f"{column}, one process: pseudonymize_batches vs plain tokens() (no goal)",
            ("pq.read_table + pseudonymize_batches", batches),
            ("pq.read_table + to_pylist + tokens + pa.array", plain),
            items=rows,
            rounds=rounds,
            kind="speed",
        )
        result = report.results[-1]
        faster = median(result["ours"]["times"]) < median(result["baseline"]["times"])
        chosen[column] = batches if faster else plain
    return chosen


def main(argv: Sequence[str] | None = None) -> int:
    """Write the data, run the pairs and print the figures with the goal."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--meters", type=int, default=1_000, help="meters (default 1,000)")
    parser.add_argument("--hours", type=int, default=1_000, help="readings per meter (1,000)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    common_arguments(parser)
    args = parser.parse_args(argv)
    report = Report("dask", args, argv)
    meters, hours = (40, 100) if args.quick else (args.meters, args.hours)
    rounds = args.rounds or (2 if args.quick else 5)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp)
        rows = write_readings(path, meters, hours, per_file=10 if args.quick else 250)
        files = sorted(path.glob("*.parquet"))
        print(f"{rows:,} readings in {len(files)} Parquet files (one partition each)")
        single = bench_single(report, files, rows, rounds)
        if args.workers > 1 and not args.quick:
            bench_cluster(report, 1, path, rows, rounds, single)
        bench_cluster(report, args.workers, path, rows, rounds, single)
        bench_ceiling(report, args.workers, rows // args.workers, rounds)
        bench_parquet_ceiling(report, args.workers, files, rows, rounds)
    by_key = {r["key"]: r for r in report.results}
    graded = by_key.get(f"dask_{args.workers}_reading_id")
    ceilings = (("ceiling", "tokenising in memory"), ("ceiling_parquet", "doing its Parquet work"))
    for key, what in ceilings:
        if graded and key in by_key:
            report.value(
                key.replace("ceiling", "dask_efficiency"),
                f"Dask's speed-up over what {args.workers} plain processes {what} at once give",
                graded["ratio"] / by_key[key]["ratio"],
                "x",
            )
    return report.finish()


if __name__ == "__main__":
    sys.exit(main())
