#!/usr/bin/env bash
# Submits the job to YARN (Hadoop 3.1+ with GPU isolation: yarn.io/gpu) with Spark 3 GPU scheduling.
#   KPFF_QUEUE=gpu submit/yarn.sh [--dry-run] [--conf k=v ...] run --config conf/paper.conf \
#       --data hdfs:///data/UCMerced_LandUse/Images --out hdfs:///runs/paper
# Environment: KPFF_QUEUE (default "default"), KPFF_DEPLOY_MODE (cluster), KPFF_NUM_EXECUTORS (4), and those of
# submit/common.sh. The discovery script ships with the job (--files) and runs from the container's work dir.
set -euo pipefail
source "$(dirname "$0")/common.sh"
kpff_parse_args "$@"
mapfile -t common < <(kpff_common_confs "./gpu-discovery.sh")
kpff_submit --master yarn --deploy-mode "${KPFF_DEPLOY_MODE:-cluster}" --queue "${KPFF_QUEUE:-default}" \
  --num-executors "${KPFF_NUM_EXECUTORS:-4}" --files "$KPFF_HOME/submit/gpu-discovery.sh" \
  --conf spark.yarn.executor.resource.yarn.io/gpu.amount="$KPFF_GPUS_PER_EXECUTOR" \
  "${common[@]}" "${KPFF_SPARK_ARGS[@]}" "$KPFF_JAR" "${KPFF_JOB_ARGS[@]}"
