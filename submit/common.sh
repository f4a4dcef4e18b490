# Shared by the submit scripts (sourced, not run): the application jar, the JVM options the stack needs, the GPU
# scheduling confs, and a dry-run mode that prints the spark-submit command instead of running it.

KPFF_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KPFF_JAR="${KPFF_JAR:-$KPFF_HOME/spark-job/target/kpff-spark-job.jar}"
KPFF_MAIN=org.kpff.job.cli.Main

# Spark 3.5 on Java 17 needs these opens in the driver (executors started by Spark get them automatically).
KPFF_JAVA_OPTS="-XX:+IgnoreUnrecognizedVMOptions --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/sun.nio.cs=ALL-UNNAMED --add-opens=java.base/sun.security.action=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED -Djdk.reflect.useDirectMethodHandle=false"
# Training speed (README "Training speed"): the job switches DL4J's native layer helpers on itself where it builds
# networks. JavaCPP's physical-memory check on every allocation costs ~10 % of a small step: off.
KPFF_JAVA_OPTS="$KPFF_JAVA_OPTS -Dorg.bytedeco.javacpp.maxphysicalbytes=0"
# Memory (README "Training speed", Memory): on G1 with ExplicitGCInvokesConcurrent a finished cell calls System.gc()
# (HeapReturn), which then starts a concurrent cycle, not a stop-the-world full collection; at its Remark pause G1
# shrinks the heap to at most MaxHeapFreeRatio % free. GCTimeRatio=6 (G1's default 12) lets collection pauses take
# about 1/7 of the time (not 1/13) before G1 grows the heap, which it otherwise did mid-cell on a loaded machine.
# Without these a JVM keeps the heap training grew, towards -Xmx.
# KPFF_HEAP_OPTS replaces them (KPFF_HEAP_OPTS= for the JVM's defaults: no per-cell cycle, the heap is not returned).
KPFF_HEAP_OPTS="${KPFF_HEAP_OPTS--XX:+ExplicitGCInvokesConcurrent -XX:MinHeapFreeRatio=5 -XX:MaxHeapFreeRatio=20 -XX:GCTimeRatio=6}"
KPFF_JAVA_OPTS="$KPFF_JAVA_OPTS $KPFF_HEAP_OPTS"

# GPUs per executor (one cell per GPU); ND4J allocates off-heap, so executors need a large memory overhead.
KPFF_GPUS_PER_EXECUTOR="${KPFF_GPUS_PER_EXECUTOR:-1}"
KPFF_EXECUTOR_MEMORY="${KPFF_EXECUTOR_MEMORY:-8g}"
KPFF_EXECUTOR_OVERHEAD="${KPFF_EXECUTOR_OVERHEAD:-12g}"
KPFF_EXECUTOR_CORES="${KPFF_EXECUTOR_CORES:-4}"

kpff_common_confs() {
  local discovery="$1"
  printf '%s\n' \
    --class "$KPFF_MAIN" \
    --conf "spark.driver.extraJavaOptions=$KPFF_JAVA_OPTS" \
    --conf "spark.executor.extraJavaOptions=$KPFF_JAVA_OPTS" \
    --conf spark.serializer=org.apache.spark.serializer.KryoSerializer \
    --conf spark.kryo.registrator=org.nd4j.kryo.Nd4jRegistrator,org.kpff.job.exec.KryoRegistration \
    --conf "spark.executor.memory=$KPFF_EXECUTOR_MEMORY" \
    --conf "spark.executor.memoryOverhead=$KPFF_EXECUTOR_OVERHEAD" \
    --conf "spark.executor.cores=$KPFF_EXECUTOR_CORES" \
    --conf "spark.executor.resource.gpu.amount=$KPFF_GPUS_PER_EXECUTOR" \
    --conf spark.task.resource.gpu.amount=1 \
    --conf "spark.task.cpus=$(( KPFF_EXECUTOR_CORES / KPFF_GPUS_PER_EXECUTOR > 0 ? KPFF_EXECUTOR_CORES / KPFF_GPUS_PER_EXECUTOR : 1 ))" \
    --conf "spark.executor.resource.gpu.discoveryScript=$discovery" \
    --conf spark.executorEnv.CUDA_DEVICE_ORDER=PCI_BUS_ID \
    --conf spark.task.maxFailures=4 \
    --conf spark.locality.wait=0s
}

# Runs (or with KPFF_DRY_RUN=1 prints, one argument per line) a spark-submit command.
kpff_submit() {
  if [[ "$KPFF_JAR" != local://* && ! -f "$KPFF_JAR" && "${KPFF_DRY_RUN:-0}" != 1 ]]; then
    echo "Application jar $KPFF_JAR is missing: build it with 'mvn -B -Pcuda -DskipTests package' (GPU) or 'mvn -B -DskipTests package' (CPU)." >&2
    exit 2
  fi
  local submit="${SPARK_HOME:+$SPARK_HOME/bin/}spark-submit"
  if [[ "${KPFF_DRY_RUN:-0}" == 1 ]]; then
    printf '%s\n' "$submit" "$@"
    return 0
  fi
  exec "$submit" "$@"
}

# Splits script arguments into spark-submit options (--conf k=v, --dry-run) and the job's own arguments.
kpff_parse_args() {
  KPFF_SPARK_ARGS=()
  KPFF_JOB_ARGS=()
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --dry-run) KPFF_DRY_RUN=1; shift ;;
      --conf) KPFF_SPARK_ARGS+=(--conf "$2"); shift 2 ;;
      --conf=*) KPFF_SPARK_ARGS+=(--conf "${1#--conf=}"); shift ;;
      --jars) KPFF_SPARK_ARGS+=(--jars "$2"); shift 2 ;;
      --jars=*) KPFF_SPARK_ARGS+=(--jars "${1#--jars=}"); shift ;;
      --) shift; KPFF_JOB_ARGS+=("$@"); break ;;
      *) KPFF_JOB_ARGS+=("$1"); shift ;;
    esac
  done
  if [[ ${#KPFF_JOB_ARGS[@]} -eq 0 ]]; then
    echo "usage: $(basename "$0") [--dry-run] [--conf key=value ...] [--jars a.jar,b.jar] <run|search|summarize|equivalence|plan|inspect> [job options]" >&2
    exit 2
  fi
}
