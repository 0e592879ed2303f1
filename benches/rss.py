#!/usr/bin/env python3
"""Resident memory of doumi binaries, ready and after uncached search load.

    python3 benches/rss.py CONTENT_DIR BINARY [BINARY ...] [--rounds 2] [--seconds 10]
                           [--queries FILE]

For each round, each binary in turn: a fresh `doumi serve` on CONTENT_DIR
(answer cache and ranking by meaning off, no rate limit), its VmRSS read from
/proc when /healthz answers, then wrk on /api/search for SECONDS with the
queries of FILE sent as keystrokes (default: 3,000 distinct, seed 16, from
benches/distinct_queries.py), and VmRSS again. Prints one line per binary and
round. Standard library and wrk (Debian's package).
"""

import argparse
import os
import pathlib
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from scale import distinct_queries, rss_kib, start, stop, wrk, write_wrk_script  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("content")
    parser.add_argument("binaries", nargs="+")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--queries", type=pathlib.Path, help="one query per line (default: 3,000 distinct, seed 16)")
    args = parser.parse_args()
    queries = [q for q in args.queries.read_text(encoding="utf-8").splitlines() if q.strip()] if args.queries else distinct_queries()
    env = dict(os.environ, DOUMI_LOG="warn", DOUMI_RATE_LIMIT_PER_MINUTE="0", DOUMI_SEMANTIC="false", DOUMI_SEARCH_CACHE_ENTRIES="0")
    with tempfile.TemporaryDirectory() as scratch:
        lua = pathlib.Path(scratch) / "queries.lua"
        write_wrk_script(lua, queries, "typing=true&")
        for _ in range(args.rounds):
            for n, binary in enumerate(args.binaries):
                index = pathlib.Path(scratch) / f"index-{n}"
                server, base, _ = start(args.content, str(index), dict(env, DOUMI_QUERY_LOG=str(index / "queries.sqlite3")), binary=binary)
                ready = rss_kib(server.pid) // 1024
                wrk(base + "/api/search", args.seconds, str(lua))
                loaded = rss_kib(server.pid) // 1024
                stop(server)
                print(f"{binary}: VmRSS ready {ready} MiB, after {args.seconds} s of uncached search {loaded} MiB", flush=True)


if __name__ == "__main__":
    main()
