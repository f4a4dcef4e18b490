#!/usr/bin/env bash
# Submits the job to Kubernetes with NVIDIA GPUs (nvidia.com/gpu via the device plugin).
#   KPFF_K8S_MASTER=k8s://https://api:6443 KPFF_IMAGE=registry/kpff:0.1 submit/k8s.sh [--dry-run] [--conf k=v ...] \
#       run --config local:///opt/kpff/conf/paper.conf --data hdfs://nn/data/ucm --out hdfs://nn/runs/paper
# The image holds Spark 3.5 (Java 17), the jar at /opt/kpff/kpff-spark-job.jar, conf/ and submit/gpu-discovery.sh.
# Environment: KPFF_K8S_MASTER, KPFF_IMAGE (required), KPFF_NAMESPACE (default), KPFF_NUM_EXECUTORS (4).
set -euo pipefail
source "$(dirname "$0")/common.sh"
kpff_parse_args "$@"
: "${KPFF_K8S_MASTER:?set KPFF_K8S_MASTER, e.g. k8s://https://api.cluster:6443}"
: "${KPFF_IMAGE:?set KPFF_IMAGE to an image with Spark 3.5 and the kpff jar}"
KPFF_JAR="${KPFF_IMAGE_JAR:-local:///opt/kpff/kpff-spark-job.jar}"
mapfile -t common < <(kpff_common_confs "/opt/kpff/submit/gpu-discovery.sh")
KPFF_DRY_RUN="${KPFF_DRY_RUN:-0}" kpff_submit --master "$KPFF_K8S_MASTER" --deploy-mode cluster \
  --conf spark.kubernetes.container.image="$KPFF_IMAGE" \
  --conf spark.kubernetes.namespace="${KPFF_NAMESPACE:-default}" \
  --conf spark.executor.instances="${KPFF_NUM_EXECUTORS:-4}" \
  --conf spark.executor.resource.gpu.vendor=nvidia.com \
  "${common[@]}" "${KPFF_SPARK_ARGS[@]}" "$KPFF_JAR" "${KPFF_JOB_ARGS[@]}"
