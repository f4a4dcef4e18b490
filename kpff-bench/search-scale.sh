#!/usr/bin/env bash
# The search at scale: runs kpff-bench/search-scale.conf (an ASHA search of tiny AlexNet/KPFF cells on a generated
# dataset, so that training is short and the driver's own cost shows) for several numbers of cells, on the embedded
# local master and/or a standalone cluster on loopback (a Master and one Worker started from the spark-home module's
# Spark home, as StandaloneClusterIT does, the job submitted through submit/standalone.sh), and prints how the
# driver's cost grows with the number of cells.
#
#   kpff-bench/search-scale.sh [--cells 50,100,250,500] [--master local,standalone] [--slots 2] [--jfr]
#                              [--out kpff-bench/target/search-scale]
#
# Columns: cells trained; wall seconds of the attempt; per-cell driver overhead (what the driver waited for a cell
# beyond its task's wall time on the executor: job submission, task launch, result transfer, commit) and the commit
# alone; the cell source's decision time (a search's scheduler and decisions.json) in total and per cell, and its
# longest single call; the driver's live heap from class histograms taken every 10 s, each after a full collection
# (the last one, at the end of the run, and the largest: in local mode the executors' training shares that JVM, and
# a histogram taken while a cell trains counts its arrays) and its other full collections (count and pause seconds,
# from its GC log); files written (all, and without checkpoints/); summary seconds (aggregation,
# plots, the search's trials/search.md). All but heap and files come from run.json's attempts[].driver.
# --jfr also records a Java Flight Recording of the driver (driver.jfr in each run's folder); e.g.
#   jfr print --events jdk.ExecutionSample RUN/driver.jfr | grep -A3 'stackTrace = \[' | grep -v stackTrace | sort | uniq -c | sort -rn | head
# Needs the application jar (mvn -DskipTests package, or KPFF_JAR) and, for standalone, spark-home/target/spark-home (same build).
# The rows go to OUT/rows.jsonl, the table to OUT/table.md. Timings depend on the machine's load: compare the growth
# from the smallest to the largest search, measured back to back.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
cells_list="50,100,250,500" masters="local" slots=2 jfr=0
out="$root/kpff-bench/target/search-scale"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --cells) cells_list="$2"; shift 2 ;;
    --master) masters="$2"; shift 2 ;;
    --slots) slots="$2"; shift 2 ;;
    --jfr) jfr=1; shift ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | grep '^#'; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
for m in ${masters//,/ }; do
  [[ "$m" == local || "$m" == standalone ]] || { echo "--master: '$m' is not local or standalone" >&2; exit 2; }
done
for n in ${cells_list//,/ }; do
  [[ "$n" =~ ^[0-9]+$ && "$n" -ge 8 ]] || { echo "--cells: '$n' is not a whole number >= 8" >&2; exit 2; }
done
jar="${KPFF_JAR:-$root/spark-job/target/kpff-spark-job.jar}"
export KPFF_JAR="$jar"
[[ -f "$jar" ]] || { echo "$jar is missing: build it with 'mvn -DskipTests package'" >&2; exit 2; }
mkdir -p "$out"
data="$out/scenes"
if [[ ! -d "$data" ]]; then
  java -cp "$jar:$(cat spark-job/target/excluded-classpath.txt):$(cat spark-job/target/provided-classpath.txt)" \
    org.kpff.job.cli.Main datagen --out "$data" --classes 3 --per-class 6 --size 16 --seed 5 >/dev/null
fi

# The trials whose ASHA search (2 folds, eta 3, two rungs) trains closest to n cells: 2 T + 2 floor(T / 3).
trials_for() {
  local n=$1 t=1 best=1 bestd=1000000000
  while (( 2 * t <= n )); do
    local c=$(( 2 * t + 2 * (t / 3) )) d
    d=$(( c > n ? c - n : n - c ))
    if (( d < bestd )); then best=$t bestd=$d; fi
    t=$(( t + 1 ))
  done
  echo "$best"
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

cluster_pids=()
stop_cluster() {
  for p in "${cluster_pids[@]+"${cluster_pids[@]}"}"; do
    pkill -TERM -P "$p" 2>/dev/null || true
    kill "$p" 2>/dev/null || true
  done
  cluster_pids=()
}
trap stop_cluster EXIT

await_log() {
  local file=$1 text=$2 i
  for i in $(seq 1 240); do
    grep -q "$text" "$file" 2>/dev/null && return 0
    sleep 0.5
  done
  echo "timed out waiting for '$text' in $file" >&2
  exit 1
}

spark_home="$root/spark-home/target/spark-home"
start_cluster() {
  [[ -d "$spark_home/jars" ]] || { echo "$spark_home is missing: build with 'mvn -DskipTests package'" >&2; exit 2; }
  chmod +x "$spark_home/bin/spark-class" "$spark_home/bin/spark-submit"
  local dir="$out/cluster" port
  rm -rf "$dir"; mkdir -p "$dir"
  port=$(free_port)
  master_url="spark://127.0.0.1:$port"
  local addresses
  addresses=$(seq -s, 0 $(( slots - 1 )) | sed 's/\([0-9]*\)/"\1"/g')
  printf '#!/usr/bin/env bash\necho '"'"'{"name":"gpu","addresses":[%s]}'"'"'\n' "$addresses" > "$dir/gpus.sh"
  chmod +x "$dir/gpus.sh"
  export SPARK_HOME="$spark_home" SPARK_LOCAL_IP=127.0.0.1 SPARK_LOCAL_HOSTNAME=localhost SPARK_SCALA_VERSION=2.12
  SPARK_DAEMON_MEMORY=256m "$spark_home/bin/spark-class" org.apache.spark.deploy.master.Master --host 127.0.0.1 \
    --port "$port" --webui-port 0 > "$dir/master.log" 2>&1 &
  cluster_pids+=($!)
  await_log "$dir/master.log" "I have been elected leader"
  SPARK_DAEMON_MEMORY=256m SPARK_WORKER_OPTS="-Dspark.worker.resource.gpu.amount=$slots -Dspark.worker.resource.gpu.discoveryScript=$dir/gpus.sh" \
    "$spark_home/bin/spark-class" org.apache.spark.deploy.worker.Worker --host 127.0.0.1 --webui-port 0 \
    --cores "$slots" --memory 3g --work-dir "$dir/work" "$master_url" > "$dir/worker.log" 2>&1 &
  cluster_pids+=($!)
  await_log "$dir/worker.log" "Successfully registered with master"
  gpu_script="$dir/gpus.sh"
}

rows="$out/rows.jsonl"
for m in ${masters//,/ }; do
  if [[ "$m" == standalone ]]; then start_cluster; fi
  for n in ${cells_list//,/ }; do
    trials=$(trials_for "$n")
    run="$out/$m-$n"
    rm -rf "$run"; mkdir -p "$run"
    jvm_opts="-Xlog:gc:file=$run/gc-%p.log"
    if [[ $jfr == 1 ]]; then jvm_opts="$jvm_opts -XX:StartFlightRecording=filename=$run/driver-%p.jfr,settings=profile"; fi
    args=(search --config "$root/kpff-bench/search-scale.conf" --data "$data" --out "$run/out"
      --set "search.trials=$trials" --set "run.max-concurrent-cells=$slots")
    echo "== $m, $trials trials (about $n cells) -> $run" >&2
    start=$SECONDS
    if [[ "$m" == local ]]; then
      JAVA_TOOL_OPTIONS="$jvm_opts" KPFF_MASTER="local[$slots]" KPFF_DRIVER_MEMORY=3g \
        submit/local.sh "${args[@]}" > "$run/driver.log" 2>&1 &
    else
      JAVA_TOOL_OPTIONS="$jvm_opts" SPARK_MASTER="$master_url" KPFF_GPUS_PER_EXECUTOR="$slots" \
        KPFF_EXECUTOR_CORES="$slots" KPFF_EXECUTOR_MEMORY=1g KPFF_EXECUTOR_OVERHEAD=1g KPFF_GPU_DISCOVERY="$gpu_script" \
        submit/standalone.sh --conf spark.driver.host=127.0.0.1 --conf spark.driver.bindAddress=127.0.0.1 \
        --conf spark.driver.memory=3g --conf spark.task.cpus=1 "${args[@]}" > "$run/driver.log" 2>&1 &
    fi
    # The driver's live heap: every 10 s a class histogram (a full collection, then the bytes of what is live);
    # both launch scripts exec the driver's JVM, so it keeps the background job's pid.
    driver_pid=$!
    while kill -0 "$driver_pid" 2>/dev/null; do
      sleep 10
      jcmd "$driver_pid" GC.class_histogram 2>/dev/null | awk '$1 == "Total" {print $3}' >> "$run/live-heap.txt" || true
    done
    wait "$driver_pid" || { echo "the search failed: $run/driver.log" >&2; exit 1; }
    echo "   done in $(( SECONDS - start )) s" >&2
    (cd "$run" && mv driver-*.jfr driver.jfr 2>/dev/null || true)
    python3 - "$m" "$run" >> "$rows" <<'EOF'
import glob, json, os, re, sys
master, run = sys.argv[1], sys.argv[2]
out = os.path.join(run, "out")
attempt = json.load(open(os.path.join(out, "run.json")))["attempts"][-1]
d = attempt["driver"]
# The driver's GC log: the largest one (spark-submit's launcher JVM writes a short one too); its full collections.
logs = sorted(glob.glob(os.path.join(run, "gc-*.log")), key=os.path.getsize)
full_gcs, full_gc_s = 0, 0.0
for line in open(logs[-1]) if logs else []:
    g = None if "Heap Inspection" in line else re.search(r"Pause Full .* ([0-9.]+)ms$", line.strip())
    if g:
        full_gcs += 1
        full_gc_s += float(g.group(1)) / 1000
live = [int(x) for x in open(os.path.join(run, "live-heap.txt")).read().split()] if os.path.exists(
    os.path.join(run, "live-heap.txt")) else []
heap_max = max(live) / 2**20 if live else float("nan")
heap_end = live[-1] / 2**20 if live else float("nan")
files = sum(len(f) for _, _, f in os.walk(out))
ckpt = sum(len(f) for _, _, f in os.walk(os.path.join(out, "checkpoints")))
cells = d["cells"]
print(json.dumps({"master": master, "cells": cells, "wall_s": round(attempt["wall_seconds"], 1),
    "overhead_s_per_cell": round(d["cell_overhead_seconds"] / cells, 3),
    "commit_s_per_cell": round(d["commit_seconds"] / cells, 3),
    "decision_s": round(d["decision_seconds"], 3), "decision_ms_per_cell": round(1000 * d["decision_seconds"] / cells, 3),
    "decision_max_ms": round(d["decision_max_ms"], 1), "live_heap_end_mib": round(heap_end),
    "live_heap_max_mib": round(heap_max),
    "full_gcs": full_gcs, "full_gc_s": round(full_gc_s, 1),
    "files": files, "files_no_checkpoints": files - ckpt, "summary_s": round(d.get("summary_seconds", float("nan")), 1)}))
EOF
    tail -1 "$rows" >&2
  done
  if [[ "$m" == standalone ]]; then stop_cluster; fi
done
python3 - "$rows" > "$out/table.md" <<'EOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
cols = ["master", "cells", "wall_s", "overhead_s_per_cell", "commit_s_per_cell", "decision_s", "decision_ms_per_cell",
        "decision_max_ms", "live_heap_end_mib", "live_heap_max_mib", "full_gcs", "full_gc_s", "files", "files_no_checkpoints", "summary_s"]
print("| " + " | ".join(cols) + " |")
print("|" + "---|" * len(cols))
for r in rows:
    print("| " + " | ".join(str(r[c]) for c in cols) + " |")
EOF
cat "$out/table.md"
