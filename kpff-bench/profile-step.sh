#!/usr/bin/env bash
# Where one training step's time goes: runs TrainStepBenchmark under JFR (2 ms sampling of Java and native frames)
# and prints the training thread's samples per layer kind and per activity (kpff-bench/profile-table.py).
#
#   kpff-bench/profile-step.sh [--threads 1] [--delay 8] [--out kpff-bench/target/profile] -- <TrainStepBenchmark args>
#   e.g. kpff-bench/profile-step.sh --threads 1 -- --backbone alexnet --size 32 --width 0.125 --r 64 --seconds 20
#
# Uses kpff-bench/target/benchmarks.jar as built (mvn -q -B -Pbench -pl kpff-bench -am package -DskipTests). The
# recording starts after --delay seconds, past the JIT's and DL4J's workspaces' warm-up. JAVA_OPTS passes more JVM
# options (e.g. -Dkpff.onednn.own=false for DL4J's helpers). Writes NAME.jfr, NAME.json and NAME.md under --out.
set -euo pipefail
cd "$(dirname "$0")/.."
threads=1 delay=8 out="kpff-bench/target/profile"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --threads) threads="$2"; shift 2 ;;
    --delay) delay="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --) shift; break ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
mkdir -p "$out"
name="$out/step-$(echo "$*" | tr -c 'a-zA-Z0-9.\n' '_' | tr -s '_')t$threads"
jfc="$(mktemp --suffix .jfc)"
trap 'rm -f "$jfc"' EXIT
sed -e 's/method-sampling-java-interval">[0-9]* ms</method-sampling-java-interval">2 ms</' \
    -e 's/method-sampling-native-interval">[0-9]* ms</method-sampling-native-interval">2 ms</' \
    "$(dirname "$(readlink -f "$(command -v java)")")/../lib/jfr/profile.jfc" > "$jfc"
# shellcheck disable=SC2086
OMP_NUM_THREADS="$threads" java -Xmx8g -Dorg.bytedeco.javacpp.maxphysicalbytes=0 \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints \
  -XX:StartFlightRecording=filename="$name.jfr",settings="$jfc",delay="${delay}s" ${JAVA_OPTS:-} \
  -cp kpff-bench/target/benchmarks.jar org.kpff.bench.TrainStepBenchmark "$@" 2>"$name.log" | grep '^{'
jfr print --json --stack-depth 96 --events jdk.ExecutionSample,jdk.NativeMethodSample "$name.jfr" > "$name.json"
python3 kpff-bench/profile-table.py "$name.json" | tee "$name.md"
