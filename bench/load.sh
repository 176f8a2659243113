#!/usr/bin/env bash
# The load test: gunicorn with 4 workers on the benchmark database, 50 simulated users for 60 s on loopback
# (locust, headless). The users log in while they are spawned (5 a second); the locustfile resets the statistics
# when the last of them has logged in and stops the run 60 s later (-t only bounds a run that never gets there).
# Needs a generated dataset; PostgreSQL through BENCH_DATABASE_URL. Writes bench/results/load.md, which
# bench/run.py includes in RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
PORT=${BENCH_PORT:-8765}
USERS=${BENCH_USERS:-50}
SPAWN_RATE=${BENCH_SPAWN_RATE:-5}
MEASURED=${BENCH_SECONDS:-60}
BOUND=$((MEASURED + 180))s
OUT=var/bench/load
export BENCH_USERS="$USERS" BENCH_SECONDS="$MEASURED" BENCH_LOGINS="$OUT/logins.json"
rm -f "$BENCH_LOGINS"
mkdir -p "$OUT" bench/results
export DJANGO_SETTINGS_MODULE=bench.settings
# Static files are not requested by the simulated users; the pages link them through the finders' storage.
"$BIN/gunicorn" archive_site.wsgi -w 4 -b "127.0.0.1:$PORT" \
    --access-logfile /dev/null --error-logfile "$OUT/gunicorn.log" &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do
    curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break
    sleep 0.5
done
"$BIN/locust" -f bench/locustfile.py --headless -u "$USERS" -r "$SPAWN_RATE" -t "$BOUND" \
    --host "http://127.0.0.1:$PORT" --csv "$OUT/locust" --only-summary --stop-timeout 5 || true
"$BIN/python" - "$OUT/locust_stats.csv" "$BENCH_LOGINS" <<'PY'
import csv, datetime, json, os, statistics, sys
from pathlib import Path

rows = list(csv.DictReader(open(sys.argv[1])))
logins = sorted(json.load(open(sys.argv[2]))) if os.path.exists(sys.argv[2]) else []
database = os.environ.get("DATABASE_URL", "SQLite").split("@")[-1]
lines = [
    "### Load test",
    "",
    f"gunicorn, 4 workers, {os.environ.get('BENCH_USERS', '50')} simulated users (locust, headless), "
    f"{os.environ.get('BENCH_SECONDS', '60')} s measured from the moment the last one had logged in, on loopback; "
    f"database {database}; "
    f"{datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}. Target: 0 errors, p95 ≤ 300 ms.",
    "",
    "| request | count | errors | requests/s | p50 (ms) | p95 (ms) | p99 (ms) |",
    "| --- | --- | --- | --- | --- | --- | --- |",
]
for row in rows:
    if row["Request Count"] == "0":
        continue  # the login pages, asked only before the window
    lines.append(
        f"| {row['Name']} | {row['Request Count']} | {row['Failure Count']} | {float(row['Requests/s']):.1f} | "
        f"{row['50%']} | {row['95%']} | {row['99%']} |"
    )
if logins:
    q = statistics.quantiles(logins, n=100, method="inclusive") if len(logins) > 1 else [logins[0]] * 99
    lines += [
        "",
        f"The {len(logins)} logins before the window (password hashed with Django's PBKDF2 on purpose, the users "
        f"started 5 a second): p50 {q[49]:.0f} ms, p95 {q[94]:.0f} ms, slowest {logins[-1]:.0f} ms.",
    ]
Path("bench/results/load.md").write_text("\n".join(lines) + "\n")
print("\n".join(lines))
PY
