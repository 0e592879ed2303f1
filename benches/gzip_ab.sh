#!/bin/bash
# Uncached search with and without Accept-Encoding: gzip, two binaries
# alternating on fresh servers (bundled content, answer cache off).
#   python3 benches/distinct_queries.py --count 3000 --seed 16 --out /tmp/distinct.txt
#   benches/gzip_ab.sh BEFORE_BINARY AFTER_BINARY
set -u
cd "$(dirname "$0")/.."
lua=$(mktemp --suffix .lua)
python3 -c "import sys; sys.path.insert(0, 'benches'); import scale; scale.write_wrk_script('$lua', [q for q in open('/tmp/distinct.txt', encoding='utf-8').read().splitlines() if q.strip()], 'typing=true&')"
declare -A binary=([before]="$1" [after]="$2")
for run in 1 2 3; do
for b in before after; do
  rm -rf /tmp/gz-$b; port=$((18600 + RANDOM % 300))
  (DOUMI_LOG=warn DOUMI_RATE_LIMIT_PER_MINUTE=0 DOUMI_SEMANTIC=false DOUMI_SEARCH_CACHE_ENTRIES=0 DOUMI_QUERY_LOG=/tmp/gz-$b/q.sqlite3 timeout 30 "${binary[$b]}" --content content --index /tmp/gz-$b serve --addr 127.0.0.1:$port > /dev/null 2>&1 &)
  for i in $(seq 50); do curl -sf http://127.0.0.1:$port/healthz >/dev/null && break; sleep 0.2; done
  g=$(wrk -t2 -c32 -d6s -H "Accept-Encoding: gzip" -s "$lua" http://127.0.0.1:$port/api/search | awk '/Requests/ {print $2}')
  p=$(wrk -t2 -c32 -d6s -s "$lua" http://127.0.0.1:$port/api/search | awk '/Requests/ {print $2}')
  size=$(curl -s -H "Accept-Encoding: gzip" "http://127.0.0.1:$port/api/search?q=%EB%B0%B0%EC%86%A1%20%EC%A1%B0%ED%9A%8C&typing=true" | wc -c)
  small=$(curl -s -D - -o /dev/null -H "Accept-Encoding: gzip" "http://127.0.0.1:$port/api/search?q=zzqqxx&typing=true" | grep -ci content-encoding)
  echo "run $run $b gzip $g plain $p gzipped-body $size small-compressed $small"
  pkill -f -- "--index /tmp/gz-$b serve"; sleep 1
done; done
