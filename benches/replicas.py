#!/usr/bin/env python3
"""Replicas and PostgreSQL, measured: what the query log sustains into
PostgreSQL beside SQLite, and two replicas behind nginx beside one replica.

    python3 benches/replicas.py [--runs 3] [--seconds 10] [--binary PATH]

Starts its own PostgreSQL cluster (initdb + pg_ctl, as `nobody` when run as
root, in a temp dir; fsync on, as in production) and nginx with
deploy/nginx.conf, on loopback, from Debian's packages. Load: wrk, 2 threads,
concurrency 32, /api/search cycling through the 314 labelled queries of
tests/eval (answers remembered, as shipped), the ranking by meaning off, no
rate limit.

1. Log sink: one replica logging to SQLite, then one logging to PostgreSQL,
   alternating, RUNS times each. After each run the script waits until the
   log has written every search wrk was answered for, and reports searches/s
   and the records dropped (doumi_query_log_dropped_total).
2. Replicas: one replica served directly, then two replicas behind nginx
   (both logging to PostgreSQL), alternating.

Prints every run and the medians.
"""

import argparse
import os
import pathlib
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from scale import DOUMI, QUERIES, ROOT, start, stop, wrk, write_wrk_script  # noqa: E402


def is_root():
    return os.geteuid() == 0


def as_postgres(args):
    """Runs a PostgreSQL program as the user that owns the cluster."""
    bin_dir = sorted(pathlib.Path("/usr/lib/postgresql").glob("*/bin"))[-1]
    cmd = [str(bin_dir / args[0])] + args[1:]
    return (["runuser", "-u", "nobody", "--"] if is_root() else []) + cmd


def start_postgres(scratch):
    data, sockets = scratch / "pg", scratch / "pgsock"
    data.mkdir()
    sockets.mkdir()
    os.chmod(scratch, 0o755)
    if is_root():
        shutil.chown(data, "nobody", "nogroup")
        shutil.chown(sockets, "nobody", "nogroup")
    subprocess.run(as_postgres(["initdb", "-D", str(data), "-U", "doumi", "--auth=trust", "-E", "UTF8", "--locale=C"]), check=True, capture_output=True)
    port = free_port()
    options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1"
    subprocess.run(as_postgres(["pg_ctl", "-D", str(data), "-o", options, "-l", str(data / "log"), "-w", "start"]), check=True, capture_output=True)
    subprocess.run(as_postgres(["createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "doumi", "bench"]), check=True, capture_output=True)
    return data, f"postgres://doumi@127.0.0.1:{port}/bench"


def stop_postgres(data):
    subprocess.run(as_postgres(["pg_ctl", "-D", str(data), "-m", "fast", "-w", "stop"]), capture_output=True)


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_nginx(scratch, replicas):
    """deploy/nginx.conf with the replicas and a free port filled in, as tests/util/nginx.rs does."""
    port = free_port()
    site, listed = [], False
    for line in (ROOT / "deploy" / "nginx.conf").read_text().splitlines():
        if line.strip().startswith("server 127.0.0.1:"):
            if not listed:
                site += [f"    server {r.removeprefix('http://')} max_fails=2 fail_timeout=3s;" for r in replicas]
                listed = True
        elif line.strip() == "listen 80;":
            site.append(f"    listen 127.0.0.1:{port};")
        else:
            site.append(line)
    prefix = scratch / "nginx"
    prefix.mkdir()
    (prefix / "doumi.conf").write_text("\n".join(site) + "\n")
    user = "user root root;\n" if is_root() else ""
    (prefix / "nginx.conf").write_text(
        f"{user}worker_processes 2;\npid {prefix}/nginx.pid;\nerror_log {prefix}/error.log warn;\ndaemon off;\n"
        f"events {{ worker_connections 4096; }}\n"
        f"http {{ access_log off; client_body_temp_path {prefix}/b; proxy_temp_path {prefix}/p; fastcgi_temp_path {prefix}/f; "
        f"uwsgi_temp_path {prefix}/u; scgi_temp_path {prefix}/s; include {prefix}/doumi.conf; }}\n")
    nginx = subprocess.Popen(["/usr/sbin/nginx", "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-e", str(prefix / "error.log")],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(500):
        try:
            urllib.request.urlopen(base + "/healthz")
            return nginx, base
        except Exception:
            time.sleep(0.01)
    raise SystemExit("nginx did not start")


def metric(base, name):
    text = urllib.request.urlopen(base + "/metrics").read().decode()
    match = re.search(rf"^{name} (\S+)", text, re.M)
    return int(float(match.group(1))) if match else 0


def wait_logged(base, searches, timeout=120):
    """Waits until the replica has written `searches`; returns (written, dropped, seconds waited)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        written, dropped = metric(base, "doumi_query_log_searches_total"), metric(base, "doumi_query_log_dropped_total")
        if written + dropped >= searches:
            return written, dropped, time.monotonic() - started
        time.sleep(0.05)
    return metric(base, "doumi_query_log_searches_total"), metric(base, "doumi_query_log_dropped_total"), timeout


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--binary", default=str(DOUMI))
    args = parser.parse_args()
    base_env = dict(os.environ, DOUMI_LOG="warn", DOUMI_RATE_LIMIT_PER_MINUTE="0", DOUMI_SEMANTIC="false")
    with tempfile.TemporaryDirectory() as scratch:
        scratch = pathlib.Path(scratch)
        lua = scratch / "queries.lua"
        write_wrk_script(lua, QUERIES)
        data, url = start_postgres(scratch)
        try:
            sink = {"sqlite": [], "postgres": []}
            for run in range(args.runs):
                for name in sink:
                    index = scratch / f"index-{name}-{run}"
                    env = dict(base_env)
                    if name == "postgres":
                        env["DOUMI_QUERY_LOG"] = url
                    server, base, _ = start(str(ROOT / "content"), str(index), env, args.binary)
                    rps, _, _, errors, requests = wrk(base + "/api/search", args.seconds, str(lua))
                    written, dropped, waited = wait_logged(base, requests)
                    stop(server)
                    sink[name].append(rps)
                    print(f"run {run + 1} {name}: {rps:.0f} searches/s, non-2xx {errors}, {requests} answered, "
                          f"{written} logged, {dropped} dropped, log caught up {waited:.2f} s after the load", flush=True)
            balanced = {"one replica, direct": [], "two replicas behind nginx": []}
            for run in range(args.runs):
                env = dict(base_env, DOUMI_QUERY_LOG=url, DOUMI_TRUSTED_PROXIES='["127.0.0.1"]')
                one, one_base, _ = start(str(ROOT / "content"), str(scratch / f"one-{run}"), env, args.binary)
                rps, _, _, errors, _ = wrk(one_base + "/api/search", args.seconds, str(lua))
                stop(one)
                balanced["one replica, direct"].append(rps)
                print(f"run {run + 1} one replica direct: {rps:.0f} req/s, non-2xx {errors}", flush=True)
                a, a_base, _ = start(str(ROOT / "content"), str(scratch / f"a-{run}"), env, args.binary)
                b, b_base, _ = start(str(ROOT / "content"), str(scratch / f"b-{run}"), env, args.binary)
                run_dir = scratch / f"nginx-run-{run}"
                run_dir.mkdir()
                nginx, nginx_base = start_nginx(run_dir, [a_base, b_base])
                rps, _, _, errors, _ = wrk(nginx_base + "/api/search", args.seconds, str(lua))
                nginx.terminate()
                nginx.wait()
                stop(a)
                stop(b)
                balanced["two replicas behind nginx"].append(rps)
                print(f"run {run + 1} two replicas behind nginx: {rps:.0f} req/s, non-2xx {errors}", flush=True)
        finally:
            stop_postgres(data)
    print("| setup | median | runs |")
    print("| --- | ---: | --- |")
    for name, values in list(sink.items()) + list(balanced.items()):
        print(f"| {name} | {statistics.median(values):.0f} | {', '.join(f'{v:.0f}' for v in values)} |")
    print(f"postgres / sqlite: {statistics.median(sink['postgres']) / statistics.median(sink['sqlite']):.3f}")
    print(f"two behind nginx / one direct: {statistics.median(balanced['two replicas behind nginx']) / statistics.median(balanced['one replica, direct']):.3f}")


if __name__ == "__main__":
    main()
