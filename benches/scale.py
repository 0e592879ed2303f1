#!/usr/bin/env python3
"""Index build, start-up, resident memory and HTTP throughput at scale.

    cargo build --release
    python3 benches/corpus.py --entries 10000 --out /tmp/doumi-10k
    python3 benches/scale.py /tmp/doumi-10k [--runs 3] [--load-seconds 10]

For the help center in DIR/content, on a release build:
- `doumi index --json` RUNS times into a fresh folder: median build time and
  entries per second;
- `doumi serve` on that index: start-up time to /healthz 200, resident memory
  (VmRSS) when ready, after the load and after --soak-seconds more of it;
- HTTP load with wrk (Debian's package), concurrency 32, loopback only, RUNS
  times on a fresh server: /api/search with the 314 labelled queries of
  tests/eval (every kind: exact, colloquial, typo, initials, half-typed,
  keyboard layout, spacing, mixed, unanswerable) in turn, and /healthz, in the
  same run; then, on a server with search_cache_entries=0 where every search
  is worked out anew, 3,000 distinct realistic queries (benches/
  distinct_queries.py, seed 16: as typed, long sentences, typos, initials,
  half-typed, wrong keyboard layout, mixed) sent as the widget sends
  keystrokes (typing=true), or those of --uncached-queries FILE. Requests
  per second, latency percentiles, and the median ratio to /healthz;
- with --soak-seconds, resident memory every 30 s of that much more load.
Prints a Markdown table row set for BENCHMARKS.md.
"""

import argparse
import json
import os
import pathlib
import re
import shutil
import statistics
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent
DOUMI = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / "release" / "doumi"
# The labelled queries of every kind (exact, colloquial, typo, initials,
# half-typed, keyboard layout, spacing, mixed, unanswerable): 314 of them.
QUERIES = [json.loads(line)["query"] for line in (ROOT / "tests" / "eval" / "queries.jsonl").read_text().splitlines() if line.strip()]

WRK_SCRIPT = """
local queries = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/api/search?%sq=" .. queries[(i %% #queries) + 1])
end
"""


def write_wrk_script(path, queries, params=""):
    """A wrk script cycling through `queries` on /api/search, with `params`
    (e.g. "typing=true&") before the query."""
    quoted = ",".join('"%s"' % urllib.parse.quote(q) for q in queries)
    pathlib.Path(path).write_text(WRK_SCRIPT % (quoted, params), encoding="utf-8")


def distinct_queries(count=3000, seed=16):
    """The distinct realistic query mix of benches/distinct_queries.py."""
    import distinct_queries as generator
    return [line for _, line in generator.generate(count, seed)]


def rss_kib(pid):
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def wrk(url, seconds, script=None):
    cmd = ["wrk", "-t2", "-c32", f"-d{seconds}s", "--latency"]
    if script:
        cmd += ["-s", script]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    pct = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", out, re.M))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    return rps, pct.get("50"), pct.get("99"), int(errors.group(1)) if errors else 0, requests


def start(content, index, env, binary=DOUMI):
    """Starts `doumi serve`; returns the process, its base URL and the start-up time."""
    started = time.monotonic()
    server = subprocess.Popen([binary, "--content", content, "--index", index, "serve", "--addr", "127.0.0.1:0"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True)
    base = server.stdout.readline().strip().removeprefix("doumi listening on ")
    while True:
        try:
            if urllib.request.urlopen(base + "/healthz").status == 200:
                break
        except Exception:
            time.sleep(0.005)
    return server, base, (time.monotonic() - started) * 1000


def logged(base):
    """(searches written to the query log, records dropped) so far."""
    text = urllib.request.urlopen(base + "/metrics").read().decode()
    value = lambda name: int(float(re.search(rf"^{name} (\S+)", text, re.M).group(1)))
    return value("doumi_query_log_searches_total"), value("doumi_query_log_dropped_total")


def stop(server):
    server.terminate()
    server.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dir", type=pathlib.Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--load-seconds", type=int, default=10)
    parser.add_argument("--soak-seconds", type=int, default=0, help="more load before a last memory reading (e.g. 300)")
    parser.add_argument("--skip-build", action="store_true", help="index once, without timing builds")
    parser.add_argument("--uncached-queries", type=pathlib.Path, help="one query per line for the uncached load (default: 3,000 distinct, seed 16)")
    args = parser.parse_args()
    content = args.dir / "content"
    env = dict(os.environ, DOUMI_RATE_LIMIT_PER_MINUTE="0", DOUMI_LOG="warn", DOUMI_SEMANTIC="false")
    uncached_env = dict(env, DOUMI_SEARCH_CACHE_ENTRIES="0")

    builds = []
    if args.uncached_queries:
        uncached_queries = [q for q in args.uncached_queries.read_text(encoding="utf-8").splitlines() if q.strip()]
    else:
        uncached_queries = distinct_queries()
    with tempfile.TemporaryDirectory() as scratch:
        lua = pathlib.Path(scratch) / "labelled.lua"
        write_wrk_script(lua, QUERIES)
        distinct_lua = pathlib.Path(scratch) / "distinct.lua"
        write_wrk_script(distinct_lua, uncached_queries, "typing=true&")
        for run in range(1 if args.skip_build else args.runs):
            index = pathlib.Path(scratch) / f"index-{run}"
            out = subprocess.run([DOUMI, "--content", content, "--index", index, "index", "--json"], capture_output=True, text=True, env=env)
            report = json.loads(out.stdout)
            builds.append(report["took_ms"])
            entries = report["entries"]
        index = pathlib.Path(scratch) / "index-0"
        startups, rows, rss = [], [], {}
        for run in range(args.runs):
            # Each run: a fresh server; search as shipped (answers remembered),
            # healthz, then a server that works out every search anew.
            server, base, startup_ms = start(content, index, env)
            startups.append(startup_ms)
            try:
                if run == 0:
                    rss["ready"] = rss_kib(server.pid)
                cached = wrk(base + "/api/search", args.load_seconds, str(lua))
                health = wrk(base + "/healthz", args.load_seconds)
                time.sleep(0.5)  # the log writer's last batch
                log = logged(base)
                if run == 0:
                    rss["loaded"] = rss_kib(server.pid)
                    if args.soak_seconds:
                        readings = []
                        for _ in range(max(1, args.soak_seconds // 30)):
                            wrk(base + "/api/search", min(30, args.soak_seconds), str(lua))
                            readings.append(rss_kib(server.pid))
                        rss["soak"] = readings
            finally:
                stop(server)
            server, base, _ = start(content, index, uncached_env)
            try:
                uncached = wrk(base + "/api/search", args.load_seconds, str(distinct_lua))
            finally:
                stop(server)
            rows.append((cached, health, uncached, log))

    print(f"entries: {entries}; as shipped: the {len(QUERIES)} labelled queries; uncached: {len(uncached_queries)} distinct queries as keystrokes")
    if not args.skip_build:
        build = statistics.median(builds)
        print(f"| index build, median of {len(builds)} | {build/1000:.2f} s ({entries / (build / 1000):.0f} entries/s; runs {', '.join(f'{b/1000:.2f}' for b in builds)}) |")
    print(f"| start-up with that index, median of {args.runs} | {statistics.median(startups):.0f} ms (runs {', '.join(f'{s:.0f}' for s in startups)}) |")
    print(f"| RSS ready / after load | {rss['ready']/1024:.0f} MiB / {rss['loaded']/1024:.0f} MiB |")
    if "soak" in rss:
        print(f"| RSS every 30 s of {args.soak_seconds} s more load | {', '.join(f'{r/1024:.0f}' for r in rss['soak'])} MiB |")
    for run, (cached, health, uncached, log) in enumerate(rows):
        print(f"| run {run + 1}: /api/search (as shipped) | {cached[0]:.0f} req/s, p50 {cached[1]}, p99 {cached[2]}, non-2xx {cached[3]}; {cached[4]} searches answered, {log[0]} written to the query log, {log[1]} dropped |")
        print(f"| run {run + 1}: /api/search (search_cache_entries=0, distinct queries) | {uncached[0]:.0f} req/s, p50 {uncached[1]}, p99 {uncached[2]}, non-2xx {uncached[3]} |")
        print(f"| run {run + 1}: /healthz | {health[0]:.0f} req/s, p50 {health[1]}, p99 {health[2]} |")
    ratio = statistics.median(c[0] / h[0] for c, h, _, _ in rows)
    ratio_uncached = statistics.median(u[0] / h[0] for _, h, u, _ in rows)
    print(f"| search / healthz, median of {args.runs} runs | {ratio:.1%} as shipped, {ratio_uncached:.1%} with every search worked out |")


if __name__ == "__main__":
    main()
