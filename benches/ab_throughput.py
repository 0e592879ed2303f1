#!/usr/bin/env python3
"""Two doumi binaries under the same HTTP load, alternating in one run: what a
change costs in search throughput.

    python3 benches/ab_throughput.py BEFORE_BINARY AFTER_BINARY [CONTENT_DIR]
                                     [--runs 5] [--seconds 10]

For each run, each binary in turn: a fresh `doumi serve` (the ranking by
meaning off, no rate limit) on CONTENT_DIR (default content/), wrk with
concurrency 32 on /api/search cycling through the 314 labelled queries of
tests/eval (as benches/scale.py does) and then on /healthz. Prints requests per
second per run, the medians, and after/before as a ratio of medians.

    python3 benches/ab_throughput.py BEFORE AFTER --uncached --queries /tmp/distinct.txt

With --uncached the servers keep no answers (search_cache_entries=0) and the
searches are sent as the widget sends keystrokes (`typing=true`): every search
is worked out anew. --queries takes one query per line (e.g. from
benches/distinct_queries.py) instead of the labelled ones. Each binary's
search/healthz ratio is printed too: issue 16's target. Runs alternate which
binary goes first (the first measured up to 10 % faster here), so use an even
number of runs.

    python3 benches/ab_throughput.py BEFORE AFTER --uncached --widget --queries /tmp/distinct.txt

With --widget the searches are asked as web/widget.js asks them while the
customer types (`limit=6&source=widget&typing=true`, its default of six hits)
rather than with the API's default of ten hits.
"""

import argparse
import os
import pathlib
import statistics
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from scale import QUERIES, ROOT, start, stop, wrk, write_wrk_script  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("content", nargs="?", default=str(ROOT / "content"))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--uncached", action="store_true", help="no answer cache; searches sent as keystrokes (typing=true)")
    parser.add_argument("--queries", type=pathlib.Path, help="one query per line instead of the labelled queries")
    parser.add_argument("--widget", action="store_true", help="ask as the widget does while typing: six hits, source=widget, typing=true")
    args = parser.parse_args()
    env = dict(os.environ, DOUMI_LOG="warn", DOUMI_RATE_LIMIT_PER_MINUTE="0", DOUMI_SEMANTIC="false")
    if args.uncached:
        env["DOUMI_SEARCH_CACHE_ENTRIES"] = "0"
    queries = [q for q in args.queries.read_text(encoding="utf-8").splitlines() if q.strip()] if args.queries else QUERIES
    results = {"before": {"search": [], "healthz": []}, "after": {"search": [], "healthz": []}}
    with tempfile.TemporaryDirectory() as scratch:
        lua = pathlib.Path(scratch) / "queries.lua"
        params = "limit=6&source=widget&typing=true&" if args.widget else "typing=true&" if args.uncached else ""
        write_wrk_script(lua, queries, params)
        for run in range(args.runs):
            # Each run starts with the other binary: whichever went first
            # measured up to 10 % faster on this machine (issue 16, twelfth stop).
            for name in ["before", "after"] if run % 2 == 0 else ["after", "before"]:
                index = pathlib.Path(scratch) / f"index-{name}"
                run_env = dict(env, DOUMI_QUERY_LOG=str(index / "queries.sqlite3"))
                server, base, _ = start(args.content, str(index), run_env, binary=getattr(args, name))
                search = wrk(base + "/api/search", args.seconds, str(lua))
                health = wrk(base + "/healthz", args.seconds)
                stop(server)
                results[name]["search"].append(search[0])
                results[name]["healthz"].append(health[0])
                print(f"run {run + 1} {name}: search {search[0]:.0f}/s (non-2xx {search[3]}), healthz {health[0]:.0f}/s", file=sys.stderr)
                if search[3] or health[3]:
                    sys.exit(f"{name}: {search[3] + health[3]} answers were not 2xx")
    print("| binary | /api/search req/s (median) | /healthz req/s (median) | search / healthz | search runs |")
    print("| --- | ---: | ---: | ---: | --- |")
    for name in ["before", "after"]:
        r = results[name]
        search, health = statistics.median(r["search"]), statistics.median(r["healthz"])
        print(f"| {name} | {search:.0f} | {health:.0f} | {100 * search / health:.1f} % | "
              + ", ".join(f"{x:.0f}" for x in r["search"]) + " |")
    ratio = statistics.median(results["after"]["search"]) / statistics.median(results["before"]["search"])
    pairs = [a / b for a, b in zip(results["after"]["search"], results["before"]["search"])]
    print(f"after / before, /api/search: {ratio:.3f} (median of the runs' own ratios {statistics.median(pairs):.3f}: "
          + ", ".join(f"{x:.3f}" for x in pairs) + ")")


if __name__ == "__main__":
    main()
