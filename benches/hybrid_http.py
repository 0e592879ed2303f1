#!/usr/bin/env python3
"""Uncached hybrid search over HTTP: searches nobody asked before, ranked by
meaning too, beside /healthz and beside the same searches by words alone.

    cargo build --release
    python3 benches/distinct_queries.py --count 3000 --out /tmp/doumi-queries.txt
    python3 benches/hybrid_http.py [CONTENT_DIR] [--queries /tmp/doumi-queries.txt]
                                   [--seconds 20] [--runs 3]

CONTENT_DIR defaults to the bundled content/. The server runs with the answer
cache and the query-embedding cache off (search_cache_entries=0,
query_embedding_cache=0), so every search is worked out and embedded anew; its
index folder is kept in /tmp/doumi-hybrid-index/<name> so entries are embedded
once across runs. wrk (Debian's package) sends each query of the distinct mix
in turn, concurrency 32 on 2 threads, loopback only. For each run, in one
process: /api/search (hybrid), /api/search?typing=true (the same queries by
words alone), /healthz. Prints requests per second, latency percentiles,
non-2xx answers, the share of searches the dense stage ran for (from
/metrics), the ratios to /healthz, and resident memory when ready and after
the load. Medians over the runs; figures go to BENCHMARKS.md ("Meaning").
"""

import argparse
import json
import os
import pathlib
import re
import statistics
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import scale  # noqa: E402
from scale import ROOT, rss_kib, stop, wrk, write_wrk_script  # noqa: E402


def counter(base, name):
    text = urllib.request.urlopen(base + "/metrics").read().decode()
    found = re.search(rf"^{name} (\S+)", text, re.M)
    return int(float(found.group(1))) if found else 0


def searches(base):
    text = urllib.request.urlopen(base + "/metrics").read().decode()
    return sum(int(float(v)) for v in re.findall(r'^doumi_http_requests_total\{[^}]*route="/api/search"[^}]*\} (\S+)', text, re.M))


def start(content, index, env):
    """`doumi serve` (scale.py's start), once every entry is embedded: the
    first run embeds them all."""
    server, base, _ = scale.start(content, index, env)
    while True:
        health = json.loads(urllib.request.urlopen(base + "/healthz").read())
        if health["semantic"]["status"] == "ready" and health["semantic"]["entries"] == health["entries"]:
            return server, base
        if health["semantic"]["status"] == "unavailable":
            sys.exit("the embedding model is unavailable: " + health["semantic"].get("message", ""))
        time.sleep(0.2)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("content", nargs="?", default=str(ROOT / "content"))
    parser.add_argument("--queries", default="/tmp/doumi-queries.txt")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    queries = [q for q in pathlib.Path(args.queries).read_text().splitlines() if q.strip()]
    content = pathlib.Path(args.content).resolve()
    index = pathlib.Path("/tmp/doumi-hybrid-index") / (content.parent.name if content.name == "content" else content.name)
    index.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, DOUMI_LOG="warn", DOUMI_RATE_LIMIT_PER_MINUTE="0", DOUMI_SEMANTIC="true",
               DOUMI_SEARCH_CACHE_ENTRIES="0", DOUMI_QUERY_EMBEDDING_CACHE="0",
               DOUMI_QUERY_LOG=str(index / "queries.sqlite3"))
    rows = {"hybrid": [], "lexical": [], "healthz": []}
    shares, rss = [], []
    with tempfile.TemporaryDirectory() as scratch:
        scripts = {}
        for name, extra in [("hybrid", ""), ("lexical", "typing=true&")]:
            path = pathlib.Path(scratch) / f"{name}.lua"
            write_wrk_script(path, queries, extra)
            scripts[name] = str(path)
        for run in range(args.runs):
            server, base = start(str(content), str(index), env)
            ready_rss = rss_kib(server.pid)
            before_searches, before_meaning = searches(base), counter(base, "doumi_searches_ranked_by_meaning_total")
            rows["hybrid"].append(wrk(base + "/api/search", args.seconds, scripts["hybrid"]))
            ran = counter(base, "doumi_searches_ranked_by_meaning_total") - before_meaning
            asked = searches(base) - before_searches
            shares.append(ran / asked if asked else 0.0)
            rows["lexical"].append(wrk(base + "/api/search", args.seconds, scripts["lexical"]))
            rows["healthz"].append(wrk(base + "/healthz", args.seconds))
            rss.append((ready_rss, rss_kib(server.pid)))
            stop(server)
            print(f"run {run + 1}: hybrid {rows['hybrid'][-1][0]:.0f}/s, lexical {rows['lexical'][-1][0]:.0f}/s, "
                  f"healthz {rows['healthz'][-1][0]:.0f}/s, dense stage {100 * shares[-1]:.0f} %", file=sys.stderr)
    median = statistics.median
    print(f"{len(queries)} distinct queries, {args.runs} runs of {args.seconds} s, content {content}")
    print("| load | req/s (median) | p50 | p99 | non-2xx | share of /healthz |")
    print("| --- | ---: | --- | --- | ---: | ---: |")
    for name in ["hybrid", "lexical", "healthz"]:
        r = rows[name]
        mid = sorted(r, key=lambda x: x[0])[len(r) // 2]
        ratio = median([a[0] / b[0] for a, b in zip(r, rows["healthz"])])
        print(f"| {name} | {median([x[0] for x in r]):.0f} | {mid[1]} | {mid[2]} | {sum(x[3] for x in r)} | {100 * ratio:.1f} % |")
    print(f"dense stage ran for {100 * median(shares):.0f} % of hybrid searches (median over runs)")
    print(f"resident memory: {median([a for a, _ in rss]) / 1024:.0f} MiB ready, {median([b for _, b in rss]) / 1024:.0f} MiB after the load")


if __name__ == "__main__":
    main()
