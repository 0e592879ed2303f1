#!/usr/bin/env python3
"""Instructions per uncached search, counted by callgrind: an A/B that the
machine's noise does not move.

    python3 benches/instructions.py BEFORE_BINARY AFTER_BINARY [CONTENT_DIR]
                                    [--queries FILE] [--count 300] [--healthz] [--warm] [--top 25] [--keep DIR]

For each binary: index CONTENT_DIR (default content/) with a plain `doumi
serve`, then serve that index again under `valgrind --tool=callgrind` with
counting off, switch counting on once /healthz answers, send the first COUNT
queries of FILE (default: 3,000 distinct, benches/distinct_queries.py seed
16) one at a time as the widget does while typing (answer cache off, ranking
by meaning off), and stop the server (with --warm, the requests are asked once before counting
too). Counting covers every thread of the
server (HTTP, search, query log writer) but not the kernel. Prints
instructions per search for each binary, after/before, and each binary's
functions with the most instructions of their own to see where they go.
Needs valgrind (Debian's package). Standard library otherwise.
"""

import argparse
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from scale import ROOT, distinct_queries, start, stop  # noqa: E402


def wait_for(base, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(base + "/healthz", timeout=5).status == 200:
                return
        except Exception:
            time.sleep(0.2)
    raise SystemExit(f"no answer from {base}/healthz within {seconds} s")


def ask(base, urls):
    for path in urls:
        url = base + path
        with urllib.request.urlopen(url, timeout=120) as response:
            if response.status != 200:
                raise SystemExit(f"{url}: HTTP {response.status}")
            response.read()


def count(binary, content, index, urls, env, scratch, name, warm):
    """Callgrind's output files while `urls` (paths) were asked one at a time."""
    # Index once natively: under valgrind a build would take many minutes.
    server, _, _ = start(content, index, env, binary=binary)
    stop(server)
    out = pathlib.Path(scratch) / f"callgrind-{name}.out"
    command = ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}",
               binary, "--content", content, "--index", index, "serve", "--addr", "127.0.0.1:0"]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True)
    base = server.stdout.readline().strip().removeprefix("doumi listening on ")
    if not base.startswith("http"):
        server.kill()
        raise SystemExit(f"{binary} under valgrind did not start")
    wait_for(base, 600)
    if warm:
        ask(base, urls)
    subprocess.run(["callgrind_control", "--instr=on", str(server.pid)], check=True, capture_output=True)
    ask(base, urls)
    subprocess.run(["callgrind_control", "--instr=off", str(server.pid)], check=True, capture_output=True)
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=600)
    files = sorted(pathlib.Path(scratch).glob(f"callgrind-{name}.out*"))
    return files


def annotate(files, inclusive):
    return subprocess.run(["callgrind_annotate", f"--inclusive={'yes' if inclusive else 'no'}", "--threshold=100", *map(str, files)],
                          capture_output=True, text=True).stdout


def total(files):
    """Instructions counted, as callgrind_annotate adds them up."""
    for line in annotate(files, False).splitlines():
        if "PROGRAM TOTALS" in line:
            return int(line.split()[0].replace(",", ""))
    raise SystemExit(f"no totals in {files}")


def top(files, n):
    """The functions with the most instructions of their own."""
    rows = [line for line in annotate(files, False).splitlines() if ":" in line and line.strip()[:1].isdigit() and "PROGRAM TOTALS" not in line]
    return rows[:n]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("content", nargs="?", default=str(ROOT / "content"))
    parser.add_argument("--queries", type=pathlib.Path, help="one query per line (default: 3,000 distinct, seed 16)")
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--healthz", action="store_true", help="ask /healthz COUNT times instead: what a request costs without a search")
    parser.add_argument("--warm", action="store_true",
                        help="ask every request once before counting, as a long load does: what the server remembers (words read, postings, stored blocks) is then remembered")
    parser.add_argument("--keep", type=pathlib.Path, help="copy callgrind's files here, to read with callgrind_annotate")
    args = parser.parse_args()
    queries = [q for q in args.queries.read_text(encoding="utf-8").splitlines() if q.strip()] if args.queries else distinct_queries()
    queries = queries[:args.count]
    urls = ["/healthz"] * args.count if args.healthz else ["/api/search?typing=true&q=" + urllib.parse.quote(q) for q in queries]
    env = dict(os.environ, DOUMI_LOG="warn", DOUMI_RATE_LIMIT_PER_MINUTE="0", DOUMI_SEMANTIC="false", DOUMI_SEARCH_CACHE_ENTRIES="0")
    per_search = {}
    with tempfile.TemporaryDirectory() as scratch:
        for name in ["before", "after"]:
            index = str(pathlib.Path(scratch) / f"index-{name}")
            run_env = dict(env, DOUMI_QUERY_LOG=str(pathlib.Path(index) / "queries.sqlite3"))
            files = count(getattr(args, name), args.content, index, urls, run_env, scratch, name, args.warm)
            instructions = total(files)
            if args.keep:
                args.keep.mkdir(parents=True, exist_ok=True)
                for f in files:
                    shutil.copy(f, args.keep / f.name)
            per_search[name] = instructions / len(urls)
            print(f"{name}: {instructions:,} instructions over {len(urls)} requests: {per_search[name]:,.0f} per request")
            for row in top(files, args.top):
                print("   ", row)
    print(f"after / before, instructions per request: {per_search['after'] / per_search['before']:.3f}")


if __name__ == "__main__":
    main()
