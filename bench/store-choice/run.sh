#!/usr/bin/env bash
# How the data directory's store was chosen (docs/performance/2026-12-02-store-choice.md): RocksDB and
# H2's MVStore under the journal's workload, interleaved, 3 repetitions. bash bench/store-choice/run.sh
# from anywhere; about 20 minutes; needs root to drop the page cache before the recovery runs. Its own
# Maven project, outside the build: nothing of it ships.
set -euo pipefail
B=$(cd "$(dirname "$0")" && pwd)
cd "$B"
"$B/../../mvnw" -q -B -ntp -f "$B/pom.xml" package
CP="$B/target/storebench-1.0.jar:$(ls "$B"/target/lib/*.jar | tr '\n' :)"
J="java -Xms2g -Xmx4g -cp $CP bench.StoreBench"
STORES=${STORES:-"rocks mvstore mvstore-4k"}
LOADS=${LOADS:-"5000 20000 50000 max"}
REPS=${REPS:-3}
OUT="$B/results"; mkdir -p "$OUT"; : > "$OUT/load.jsonl"; : > "$OUT/recovery.jsonl"; : > "$OUT/fsync.jsonl"
D="$B/data"
rm -rf "$D"; mkdir -p "$D"
$J fsync "$D/fsync" | tee -a "$OUT/fsync.jsonl"
for rep in $(seq 1 "$REPS"); do
  for load in $LOADS; do
    for s in $STORES; do            # interleaved: rocks, mvstore, ..., rocks, mvstore, ...
      rm -rf "$D/db"; sync
      line=$($J load "$s" "$D/db" "$load" 5 20)
      alloc=$(du -sk "$D/db" | cut -f1)
      echo "${line%\}},\"rep\":$rep,\"allocKiB\":$alloc}" | tee -a "$OUT/load.jsonl" | cut -c1-200
    done
  done
done
for rep in $(seq 1 "$REPS"); do
  for s in $STORES; do
    rm -rf "$D/db" "$D/db-warm"; sync
    l1=$($J recload "$s" "$D/db")
    sync; echo 1 > /proc/sys/vm/drop_caches || echo "WARN: could not drop caches" >&2
    l2=$($J recopen "$s" "$D/db")
    echo "{\"rep\":$rep,\"load\":$l1,\"open\":$l2}" | tee -a "$OUT/recovery.jsonl" | cut -c1-200
  done
done
rm -rf "$D"
python3 "$B/report.py" > "$OUT/tables.md"
cat "$OUT/tables.md"
