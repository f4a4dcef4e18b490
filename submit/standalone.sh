#!/usr/bin/env bash
# Submits the job to a Spark standalone cluster with GPU scheduling (one cell per GPU).
#   SPARK_MASTER=spark://host:7077 submit/standalone.sh [--dry-run] [--conf k=v ...] [--jars a.jar] run --config conf/paper.conf \
#       --data hdfs:///data/UCMerced_LandUse/Images --out hdfs:///runs/paper
# Environment: SPARK_MASTER (required), SPARK_HOME, KPFF_GPUS_PER_EXECUTOR (1), KPFF_EXECUTOR_CORES (4),
# KPFF_EXECUTOR_MEMORY (8g), KPFF_EXECUTOR_OVERHEAD (12g), KPFF_GPU_DISCOVERY (path of gpu-discovery.sh on workers).
set -euo pipefail
source "$(dirname "$0")/common.sh"
kpff_parse_args "$@"
: "${SPARK_MASTER:?set SPARK_MASTER, e.g. spark://master:7077}"
discovery="${KPFF_GPU_DISCOVERY:-$KPFF_HOME/submit/gpu-discovery.sh}"
mapfile -t common < <(kpff_common_confs "$discovery")
# Standalone workers also need spark.worker.resource.gpu.{amount,discoveryScript} in their own spark-defaults.
kpff_submit --master "$SPARK_MASTER" --deploy-mode client "${common[@]}" "${KPFF_SPARK_ARGS[@]}" \
  "$KPFF_JAR" "${KPFF_JOB_ARGS[@]}"
