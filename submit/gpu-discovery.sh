#!/usr/bin/env bash
# Spark 3 GPU discovery script (spark.executor.resource.gpu.discoveryScript): prints this node's GPUs as
#   {"name":"gpu","addresses":["0","1",...]}
# using nvidia-smi indices. Executors must run with CUDA_DEVICE_ORDER=PCI_BUS_ID so that CUDA numbers GPUs the
# same way (the submit scripts set it).
set -euo pipefail
if ! command -v nvidia-smi >/dev/null 2>&1; then
  echo "gpu-discovery.sh: nvidia-smi not found on $(hostname): this node has no NVIDIA driver; run GPU executors on GPU nodes" >&2
  exit 1
fi
indices=$(nvidia-smi --query-gpu=index --format=csv,noheader) || {
  echo "gpu-discovery.sh: nvidia-smi failed on $(hostname)" >&2
  exit 1
}
addresses=""
while read -r idx; do
  idx="${idx//[[:space:]]/}"
  [[ -z "$idx" ]] && continue
  if ! [[ "$idx" =~ ^[0-9]+$ ]]; then
    echo "gpu-discovery.sh: unexpected nvidia-smi index '$idx'" >&2
    exit 1
  fi
  addresses+="${addresses:+,}\"$idx\""
done <<< "$indices"
printf '{"name":"gpu","addresses":[%s]}\n' "$addresses"
