#!/usr/bin/env bash
# Training-step throughput of DL4J (this build, optionally a baseline build of another commit) and PyTorch on the
# same networks, side by side in one run: images/s of ComputationGraph.fit vs a PyTorch train step, batch 50.
#
#   kpff-bench/side-by-side.sh [--baseline REV] [--shapes small,medium,large] [--backbones alexnet,vgg16,inception]
#                              [--threads 2] [--seconds 20] [--warmup-seconds 20] [--repeat 1]
#                              [--out kpff-bench/target/side-by-side.jsonl]
#
# --threads takes a list (e.g. 1,2): every network is measured at each thread count in each round, the thread counts
# back to back, and the table has a row per network and thread count plus a 1- vs 2-thread comparison. The build
# trains a small network on fewer threads than offered (CellThreads; the JSON's threads_used says how many):
# JAVA_OPTS=-Dkpff.threads=offered measures every network on all offered threads. JAVA_OPTS reaches the JVMs of
# this build and of the baseline.
#
# Shapes (input px / width multiplier / r): small 32/0.125/64, medium 64/0.5/128, large 224/1.0/256.
# --baseline REV builds REV (e.g. the commit before the fast path) in a temporary git worktree with this script's
# TrainStepBenchmark source and runs it first for every shape (--baseline-jar JAR uses such a build made earlier). Needs Maven; PyTorch from Debian's python3-torch
# (/usr/bin/python3); rows are skipped, with a note, where PyTorch is missing. Prints a Markdown table at the end
# (kpff-bench/side-by-side-table.py), also written beside the JSON lines as .md.
# --repeat N measures every network N times, the three builds interleaved in each round; the table gives medians.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
baseline="" baseline_prebuilt="" shapes="small,medium,large" backbones="alexnet,vgg16,inception" threads=2 seconds=20 repeat=1
warmup_seconds=20
out="$root/kpff-bench/target/side-by-side.jsonl"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --baseline) baseline="$2"; shift 2 ;;
    --baseline-jar) baseline_prebuilt="$2"; shift 2 ;;
    --shapes) shapes="$2"; shift 2 ;;
    --backbones) backbones="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --repeat) repeat="$2"; shift 2 ;;
    --warmup-seconds) warmup_seconds="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
mkdir -p "$(dirname "$out")"
: > "$out"

echo "Building this tree's benchmark jar ..." >&2
mvn -B -q -Pbench -pl kpff-bench -am package -DskipTests >&2
current_jar="$root/kpff-bench/target/benchmarks.jar"
baseline_jar="$baseline_prebuilt"
if [[ -n "$baseline" && -z "$baseline_jar" ]]; then
  wt="$(mktemp -d)/baseline"
  git worktree add -q --detach "$wt" "$baseline"
  trap 'git -C "$root" worktree remove --force "$wt" >/dev/null 2>&1 || true' EXIT
  cp "$root/kpff-bench/src/main/java/org/kpff/bench/TrainStepBenchmark.java" "$wt/kpff-bench/src/main/java/org/kpff/bench/"
  echo "Building the baseline $baseline ($(git rev-parse --short "$baseline")) ..." >&2
  (cd "$wt" && mvn -B -q -Pbench -pl kpff-bench -am package -DskipTests >&2)
  baseline_jar="$(dirname "$out")/baseline-benchmarks.jar"
  cp "$wt/kpff-bench/target/benchmarks.jar" "$baseline_jar"
fi

have_torch=0
/usr/bin/python3 -c 'import torch' 2>/dev/null && have_torch=1
[[ $have_torch == 1 ]] || echo "PyTorch not found (apt-get install --no-install-recommends python3-torch): DL4J only" >&2

shape_args() {
  case "$1" in
    small) echo "--size 32 --width 0.125 --r 64" ;;
    medium) echo "--size 64 --width 0.5 --r 128" ;;
    large) echo "--size 224 --width 1.0 --r 256" ;;
    *) echo "unknown shape $1 (small, medium, large)" >&2; exit 2 ;;
  esac
}

java_run() { # label jar threads args...
  local label="$1" jar="$2" t="$3"; shift 3
  # shellcheck disable=SC2086
  OMP_NUM_THREADS="$t" java -Xmx8g -Dorg.bytedeco.javacpp.maxphysicalbytes=0 ${JAVA_OPTS:-} \
    -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$jar" org.kpff.bench.TrainStepBenchmark \
    --label "$label" "$@" 2>>"${out%.jsonl}.log" | grep '^{' >> "$out" || echo "  $label failed (see ${out%.jsonl}.log)" >&2
}

IFS=, read -ra shape_list <<< "$shapes"
IFS=, read -ra backbone_list <<< "$backbones"
IFS=, read -ra thread_list <<< "$threads"
for ((round = 1; round <= repeat; round++)); do
for shape in "${shape_list[@]}"; do
  for b in "${backbone_list[@]}"; do
    args=(--backbone "$b" $(shape_args "$shape") --batch 50 --seconds "$seconds")
    # Untimed warm-up: DL4J's workspaces size themselves in a few steps, but the JVM's C2 compiler works for about
    # 20 s at small shapes and, while it does, takes a core (VGG-16 32 px on two threads after 10 warm-up steps: 1,058
    # img/s, after 400: 1,617). Both frameworks warm up for --warmup-seconds (default 20); a large step takes seconds
    # on two cores: fewer warm-up and timed steps there.
    if [[ $shape == large ]]; then args+=(--warmup 1 --min-steps 2); else args+=(--warmup 10 --warmup-seconds "$warmup_seconds" --min-steps 5); fi
    for t in "${thread_list[@]}"; do
    echo "== $b $shape, $t thread(s) (round $round of $repeat)" >&2
    if [[ -n "$baseline_jar" ]]; then java_run baseline "$baseline_jar" "$t" "${args[@]}"; fi
    java_run dl4j "$current_jar" "$t" "${args[@]}"
    if [[ $have_torch == 1 ]]; then
      /usr/bin/python3 "$root/kpff-bench/pytorch/train_step.py" "${args[@]}" --threads "$t" >> "$out" \
        2>>"${out%.jsonl}.log" || echo "  pytorch failed (see ${out%.jsonl}.log)" >&2
    fi
    done
  done
done
done
/usr/bin/python3 "$root/kpff-bench/side-by-side-table.py" "$out" | tee "${out%.jsonl}.md"
