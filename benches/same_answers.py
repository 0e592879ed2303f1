#!/usr/bin/env python3
"""Whether two builds of doumi give the same answers: the proof that a speed-up
changed no ranking.

    python3 benches/same_answers.py OLD_BINARY NEW_BINARY [--content DIR] [--queries FILE ...]

Starts `doumi serve` from each binary on the same content (each with its own
scratch index, the answer cache and the dense stage off), asks every query of
every FILE (plain lines, or JSON lines with a "query") of both, as the widget
does while typing (`typing=true`) and as a settled question, and compares the
answers: hit ids in order, snippets, confidence, total and suggestion exactly,
and scores to a millionth of their value (a sum taken in another order may
differ in its last bit; the order of the hits may not, except among hits of
equal scores, which tie: two identical generated entries, say). Prints the first differences and a count; exits 1 if any differ.
The default queries are tests/eval/queries.jsonl and the holdout's. Standard
library only.
"""

import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent


def read_queries(path):
    queries = []
    for line in pathlib.Path(path).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line:
            continue
        queries.append(json.loads(line)["query"] if line.startswith("{") else line)
    return queries


def start(binary, content, scratch):
    env = dict(os.environ, DOUMI_SEARCH_CACHE_ENTRIES="0", DOUMI_SEMANTIC="false", DOUMI_RATE_LIMIT_PER_MINUTE="0")
    server = subprocess.Popen([binary, "--content", str(content), "--index", str(scratch), "serve", "--addr", "127.0.0.1:0"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True)
    base = server.stdout.readline().strip().removeprefix("doumi listening on ")
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(base + "/healthz").status == 200:
                return server, base
        except Exception:
            time.sleep(0.05)
    server.kill()
    sys.exit(f"{binary} did not become healthy")


def answer(base, query, typing):
    url = f"{base}/api/search?q={urllib.parse.quote(query)}&limit={SHOWN + 10}" + ("&typing=true" if typing else "")
    try:
        body = json.loads(urllib.request.urlopen(url).read())
    except urllib.error.HTTPError as e:
        return {"status": e.code}
    # Since issue 16 doumi counts matches up to TOTAL_CAP and then says there
    # are more; an older build's exact count is compared the same way.
    return {
        "total": (min(body["total"], TOTAL_CAP), body.get("total_is_lower_bound", body["total"] > TOTAL_CAP)),
        "confidence": round(body["confidence"], 4),
        "suggestion": body.get("suggestion"),
        "hits": [(h["id"], h["snippet"]) for h in body["hits"]],
        "scores": [h["score"] for h in body["hits"]],
    }


# Hits compared: a page. Ten more are asked for, to see ties past its end.
SHOWN = 10
# How far doumi counts matching entries (search::TOTAL_CAP).
TOTAL_CAP = 1000


def close(x, y):
    return abs(x - y) <= 1e-6 * max(abs(x), abs(y), 1.0)


def same(a, b):
    """Same answer on the first SHOWN hits, up to the order of ties: a hit
    may stand elsewhere only among hits of the same score."""
    if a.keys() != b.keys() or any(a[k] != b[k] for k in a if k not in ("scores", "hits")):
        return False
    if "hits" not in a:
        return True
    if not all(close(x, y) for x, y in zip(a["scores"][:SHOWN], b["scores"][:SHOWN])):
        return False
    old = {hit: i for i, hit in enumerate(a["hits"])}
    for i, hit in enumerate(b["hits"][:SHOWN]):
        if i < len(a["hits"]) and a["hits"][i] == hit:
            continue
        k = old.get(hit)
        # Moved within a tie, or came from past the end of the list, where
        # it tied with the last hit asked for.
        tied = close(a["scores"][k], a["scores"][i]) if k is not None else close(b["scores"][i], a["scores"][-1])
        if not tied:
            return False
    return True


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("old", type=pathlib.Path)
    parser.add_argument("new", type=pathlib.Path)
    parser.add_argument("--content", type=pathlib.Path, default=ROOT / "content")
    parser.add_argument("--queries", type=pathlib.Path, action="append")
    args = parser.parse_args()
    files = args.queries or [ROOT / "tests/eval/queries.jsonl", ROOT / "tests/eval/holdout/queries.jsonl"]
    queries = [q for f in files for q in read_queries(f)]
    with tempfile.TemporaryDirectory() as old_dir, tempfile.TemporaryDirectory() as new_dir:
        old, old_base = start(args.old, args.content, old_dir)
        new, new_base = start(args.new, args.content, new_dir)
        differ = 0
        try:
            for query in queries:
                for typing in (True, False):
                    a, b = answer(old_base, query, typing), answer(new_base, query, typing)
                    if not same(a, b):
                        differ += 1
                        if differ <= 10:
                            print(f"differs ({'typing' if typing else 'settled'}): {query}\n  old: {a}\n  new: {b}")
        finally:
            for server in (old, new):
                server.terminate()
                server.wait()
    print(f"{len(queries)} queries x 2 ways, {differ} answers differ ({args.content})")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
