"""``python -m bench``: run the benchmarks, print the tables, write ``bench/results.md``.

``--smoke`` runs each at a tiny size in seconds (what ``tests/test_bench_smoke.py`` does);
``--only 1,3`` picks benchmarks. The full run takes several minutes: benchmark 1 at
N = 1,000 and the two fan-outs of 2,000 reminders at 28 messages/s dominate.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from bench import conversation, engines, fanout, ministry, retries, startup, views, year
from bench.report import Table, write_results

RESULTS = Path(__file__).resolve().parent / "results.md"


def run_all(*, smoke: bool, only: set[int], out: Path | None) -> list[Table]:
    """Run the chosen benchmarks; print each table as it is ready."""
    tables: list[Table] = []
    scale = "tiny" if smoke else "ministry"

    def show(table: Table) -> None:
        tables.append(table)
        print(table.markdown(), flush=True)

    busy_peak: tuple[int, float] | None = None
    if 1 in only:
        sizes = (3,) if smoke else (50, 200, 1000)
        pairs = conversation.run(sizes, scale=scale, shipped=() if smoke else (50,),
                                 rounds=1 if smoke else 3)
        show(conversation.table(pairs, () if smoke else conversation.same_transport(sizes)))
        largest = max((bot for _, bot in pairs if "shipped" not in bot.bot),
                      key=lambda run: run.people)
        busy_peak = (largest.people, largest.peak_rss_mb)
    if 2 in only:
        show(fanout.table(fanout.run(20 if smoke else 2000, scale=scale)))
    if 3 in only or 5 in only:
        scales = (("tiny",) if smoke else ("tenth", "third", "ministry")) if 5 in only else (
            (scale,))
        results = views.run(scales, rounds=2 if smoke else 30, file_rounds=1 if smoke else 5)
        show(views.views_table(results[-1]))
        if 5 in only:
            show(views.growth_table(results))
        plans = Table("EXPLAIN QUERY PLAN of the status views' queries", [])
        plans.notes = []
        tables.append(plans)
        plans_text = views.plans_text(results[-1])
        plans.markdown = lambda: plans_text  # type: ignore[method-assign]
    if 4 in only:
        result = startup.run(1 if smoke else 3, scale=scale, settle=0.5 if smoke else 2.0)
        if busy_peak is not None:
            result.busy_people, result.busy_peak_mb = busy_peak
        show(startup.table(result))
    if 6 in only:
        show(retries.table(retries.run()))
    if 7 in only:
        show(year.table(year.run(("tiny",) if smoke else ("tenth", "third", "ministry"),
                                 rounds=2 if smoke else 30, file_rounds=1 if smoke else 5)))
    if 8 in only:
        show(ministry.table(ministry.run(smoke=smoke)))
    if (9 in only or 10 in only) and not engines.available():
        print(engines.postgres_note(), flush=True)
    elif 9 in only or 10 in only:
        if 9 in only:
            show(engines.engines_table(engines.run_engines(smoke=smoke)))
        if 10 in only:
            show(engines.instances_table(engines.run_instances(smoke=smoke)))
    if out is not None:
        write_results(out, tables, command=" ".join(["python -m bench", *sys.argv[1:]]))
    return tables


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, seconds")
    parser.add_argument("--only", default="1,2,3,4,5,6,7,8,9,10",
                        help="benchmarks to run, e.g. 1,3")
    parser.add_argument("--out", type=Path, default=None,
                        help=f"results file (default {RESULTS.name} for a full run, none "
                        "for --smoke)")
    args = parser.parse_args(argv)
    only = {int(part) for part in args.only.split(",") if part.strip()}
    out = args.out if args.out is not None else (None if args.smoke else RESULTS)
    started = time.monotonic()
    run_all(smoke=args.smoke, only=only, out=out)
    print(f"done in {time.monotonic() - started:.0f} s" + (f"; written to {out}" if out else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
