#!/usr/bin/env bash
# Cold start and idle memory of the desktop app on an existing ledger (the ledger section of
# run-benchmarks.sh calls it on its 10M-record ledger). Prints figures, asserts nothing. Usage:
#   tests/bench/startup-figures.sh BUILD_DIR LEDGER_DB [RUNS]
# Every run uses fresh settings (XDG_CONFIG_HOME in a temp folder: dashboard range 30 d, system theme).
set -uo pipefail
BUILD=${1:?usage: startup-figures.sh BUILD_DIR LEDGER_DB [RUNS]}
DB=${2:?usage: startup-figures.sh BUILD_DIR LEDGER_DB [RUNS]}
RUNS=${3:-5}
APP="$BUILD/app/tokenledger"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export XDG_CONFIG_HOME="$TMP/config"

median() { sort -n | awk '{v[NR]=$1} END {if (NR) print (NR % 2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }

echo "  load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

# 1. The real GUI path: `tokenledger --db DB` (offscreen) with TOKENLEDGER_STARTUP_TRACE=1. The app logs
# the wall time of the end of the first frame painted after the dashboard applied the results of all
# its queries; the figure is that minus the time noted here just before the launch (so it includes
# exec, the dynamic loader and everything before main()).
echo "cold start, GUI path (tokenledger --db, offscreen): launch to the end of the first frame painted with the dashboard's data, $RUNS runs:"
: >"$TMP/gui-ms"
for i in $(seq "$RUNS"); do
  LOG="$TMP/trace-$i.txt"
  t0=$(date +%s%6N)
  TOKENLEDGER_STARTUP_TRACE=1 QT_QPA_PLATFORM=offscreen "$APP" --db "$DB" >"$LOG" 2>&1 &
  PID=$!
  for _ in $(seq 1200); do grep -q "first frame painted" "$LOG" && break; kill -0 $PID 2>/dev/null || break; sleep 0.05; done
  kill $PID 2>/dev/null; wait $PID 2>/dev/null
  line=$(grep "first frame painted" "$LOG")
  if [ -z "$line" ]; then
    echo "  run $i: no data frame within 60 s (log: $(tr '\n' ' ' <"$LOG" | cut -c1-300))"
    continue
  fi
  t1=$(sed -E 's/.*\(wall ([0-9]+) us\).*/\1/' <<<"$line")
  ms=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", (b - a) / 1000}')
  echo "$ms" >>"$TMP/gui-ms"
  echo "  run $i: $ms ms"
done
echo "  median: $(median <"$TMP/gui-ms") ms; milestones of the last run (ms since main(); main() itself starts after the loader):"
grep "tokenledger.startup" "$TMP/trace-$RUNS.txt" | sed -E 's/^tokenledger.startup: */    /; s/  \(wall [0-9]+ us\)//'

# 2. The screenshot command: start, open, query, paint, grab and write the PNG, then exit.
echo "cold start, screenshot path (tokenledger screenshot --page dashboard --range 30d: start, open, query, paint, write PNG, exit), $RUNS runs:"
: >"$TMP/shot-s"
for i in $(seq "$RUNS"); do
  /usr/bin/time -f "%e %M" -o "$TMP/time.txt" "$APP" screenshot --db "$DB" --page dashboard --range 30d \
    --out "$TMP/shot.png" >/dev/null 2>&1
  read -r s kib <"$TMP/time.txt"
  echo "$s" >>"$TMP/shot-s"
  echo "  run $i: $s s wall, $kib KiB max RSS"
done
echo "  median: $(median <"$TMP/shot-s") s"

# 3. Idle memory with the dashboard open: VmRSS 10 s after the start, and what it is made of.
echo "idle memory with the dashboard open (tokenledger --db, offscreen, 10 s after start), $RUNS runs:"
: >"$TMP/rss"
for i in $(seq "$RUNS"); do
  QT_QPA_PLATFORM=offscreen "$APP" --db "$DB" >/dev/null 2>&1 &
  PID=$!
  sleep 10
  rss=$(awk '/^VmRSS/ {print $2}' /proc/$PID/status)
  echo $((rss / 1024)) >>"$TMP/rss"
  echo "  run $i: $(grep -E '^(VmRSS|VmHWM|RssAnon|RssFile)' /proc/$PID/status | awk '{printf "%s %d MiB  ", $1, $2 / 1024}')"
  kill $PID; wait $PID 2>/dev/null
done
echo "  median VmRSS: $(median <"$TMP/rss") MiB"
echo "  load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
