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
- HTTP load with wrk (Debian's package), concurrency 32, loopback only:
  /api/search with a mix of query kinds (exact, colloquial, typo, initials,
  half-typed, keyboard layout, spacing, mixed) and /healthz, in the same run;
  requests per second and latency percentiles, and their ratio.
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
DOUMI = ROOT / "target" / "release" / "doumi"
QUERIES = ["비밀번호를 잊어버렸어요", "환불 언제 돼요", "배숑 조회", "ㅂㅁㅂㅎ", "회원강", "qlalfqjsgh", "kakaopay 결제", "비밀번호변경",
           "배송지 변경", "적립금 사용", "쿠폰 적용 안돼요", "비회원 주문 조회"]

WRK_SCRIPT = """
local queries = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/api/search?q=" .. queries[(i %% #queries) + 1])
end
"""


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
    return rps, pct.get("50"), pct.get("99"), int(errors.group(1)) if errors else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dir", type=pathlib.Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--load-seconds", type=int, default=10)
    parser.add_argument("--soak-seconds", type=int, default=0, help="more load before a last memory reading (e.g. 300)")
    args = parser.parse_args()
    content = args.dir / "content"
    env = dict(os.environ, DOUMI_RATE_LIMIT_PER_MINUTE="0", DOUMI_LOG="warn")

    builds = []
    with tempfile.TemporaryDirectory() as scratch:
        for run in range(args.runs):
            index = pathlib.Path(scratch) / f"index-{run}"
            out = subprocess.run([DOUMI, "--content", content, "--index", index, "index", "--json"], capture_output=True, text=True, env=env)
            report = json.loads(out.stdout)
            builds.append(report["took_ms"])
            entries = report["entries"]
        index = pathlib.Path(scratch) / "index-0"
        started = time.monotonic()
        server = subprocess.Popen([DOUMI, "--content", content, "--index", index, "serve", "--addr", "127.0.0.1:0"],
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True)
        try:
            base = server.stdout.readline().strip().removeprefix("doumi listening on ")
            while True:
                try:
                    if urllib.request.urlopen(base + "/healthz").status == 200:
                        break
                except Exception:
                    time.sleep(0.005)
            startup_ms = (time.monotonic() - started) * 1000
            rss_ready = rss_kib(server.pid)
            with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
                lua.write(WRK_SCRIPT % ", ".join('"%s"' % urllib.parse.quote(q) for q in QUERIES))
            search = wrk(base + "/api/search", args.load_seconds, lua.name)
            health = wrk(base + "/healthz", args.load_seconds)
            rss_loaded = rss_kib(server.pid)
            rss_soaked = None
            if args.soak_seconds:
                wrk(base + "/api/search", args.soak_seconds, lua.name)
                rss_soaked = rss_kib(server.pid)
        finally:
            server.terminate()
            server.wait()

    build = statistics.median(builds)
    print(f"entries: {entries}")
    print(f"| index build, median of {args.runs} | {build/1000:.2f} s ({entries / (build / 1000):.0f} entries/s; runs {', '.join(f'{b/1000:.2f}' for b in builds)}) |")
    print(f"| start-up with that index | {startup_ms:.0f} ms |")
    print(f"| RSS ready / after load{' / after soak' if rss_soaked else ''} | {rss_ready/1024:.0f} MiB / {rss_loaded/1024:.0f} MiB{f' / {rss_soaked/1024:.0f} MiB' if rss_soaked else ''} |")
    print(f"| /api/search, c=32, {args.load_seconds} s | {search[0]:.0f} req/s, p50 {search[1]}, p99 {search[2]}, non-2xx {search[3]} |")
    print(f"| /healthz, c=32, {args.load_seconds} s | {health[0]:.0f} req/s, p50 {health[1]}, p99 {health[2]} |")
    print(f"| search / healthz throughput | {search[0] / health[0]:.1%} |")


if __name__ == "__main__":
    main()
