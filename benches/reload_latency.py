#!/usr/bin/env python3
"""Save → searchable latency of `doumi serve`, and its start-up time.

Copies the bundled content to a scratch folder, starts the release binary on a
free loopback port, then saves an article N times, each time with a new word in
an answer, and measures how long until /api/search finds that word (polled every
5 ms). Also times a start with an existing index until /healthz answers 200.

    cargo build --release && python3 benches/reload_latency.py [--edits 60]
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")), "release", "doumi")


def start(workdir):
    env = dict(os.environ, DOUMI_LOG="warn", DOUMI_RATE_LIMIT_PER_MINUTE="0", DOUMI_SEMANTIC="false")
    started = time.perf_counter()
    proc = subprocess.Popen([BINARY, "serve", "--addr", "127.0.0.1:0"], cwd=workdir, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    base = proc.stdout.readline().strip().removeprefix("doumi listening on ")
    while True:
        try:
            with urllib.request.urlopen(base + "/healthz") as r:
                if r.status == 200:
                    return proc, base, time.perf_counter() - started
        except Exception:
            pass
        if time.perf_counter() - started > 30:
            sys.exit("server did not start")
        time.sleep(0.005)


def found(base, word):
    url = base + "/api/search?limit=1&q=" + urllib.parse.quote(word)
    with urllib.request.urlopen(url) as r:
        return json.load(r)["total"] > 0


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--edits", type=int, default=60)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="doumi-bench-")
    shutil.copytree(os.path.join(ROOT, "content"), os.path.join(work, "content"))
    # First start builds the index; later starts reuse it.
    proc, base, _ = start(work)
    proc.terminate(); proc.wait()
    startups = []
    for _ in range(3):
        proc, base, took = start(work)
        startups.append(took)
        proc.terminate(); proc.wait()

    proc, base, _ = start(work)
    article = os.path.join(work, "content", "returns", "refund.md")
    original = open(article, encoding="utf-8").read()
    latencies = []
    try:
        for i in range(args.edits):
            # A word no entry has until this save: Latin letters, unique per edit.
            word = "qzv" + "".join(chr(ord("a") + int(d)) for d in f"{i:03d}")
            with open(article, "w", encoding="utf-8") as f:
                f.write(original + f"\n## 테스트 질문 {i}\n\n{word} 안내입니다.\n")
            saved = time.perf_counter()
            while not found(base, word):
                if time.perf_counter() - saved > 10:
                    sys.exit(f"edit {i} not searchable after 10 s")
                time.sleep(0.005)
            latencies.append(time.perf_counter() - saved)
            time.sleep(0.05)
    finally:
        proc.terminate(); proc.wait()
        shutil.rmtree(work, ignore_errors=True)
    ms = [x * 1000 for x in latencies]
    print(json.dumps({
        "edits": len(ms),
        "save_to_searchable_ms": {"p50": round(statistics.median(ms), 1), "p95": round(percentile(ms, 95), 1), "max": round(max(ms), 1)},
        "startup_with_index_ms": {"runs": [round(s * 1000, 1) for s in startups], "median": round(statistics.median(startups) * 1000, 1)},
    }, indent=2))


if __name__ == "__main__":
    main()
