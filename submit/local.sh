#!/usr/bin/env bash
# Runs the job's CLI on an embedded local Spark: no cluster and no Spark installation needed, only Java 17 and Maven.
#   submit/local.sh run --config conf/smoke.conf --out runs/smoke        # generates a synthetic dataset first
#   submit/local.sh run --config conf/smoke.conf --data /path/to/UCMerced_LandUse/Images --out runs/ucm
#   submit/local.sh summarize --out runs/smoke
# Builds the application jar on first use. Environment: KPFF_MASTER (local[*]), KPFF_DRIVER_MEMORY (6g),
# KPFF_DATA_DIR (where the synthetic dataset goes, default data/synthetic), KPFF_DRY_RUN=1 (print the command).
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$KPFF_HOME"
classpath_file="$KPFF_HOME/spark-job/target/provided-classpath.txt"
excluded_classpath_file="$KPFF_HOME/spark-job/target/excluded-classpath.txt"
if [[ "${KPFF_DRY_RUN:-0}" != 1 && ( ! -f "$KPFF_JAR" || ! -f "$classpath_file" || ! -f "$excluded_classpath_file" ) ]]; then
  echo "Building the application jar (first run only) ..." >&2
  mvn -B -q -DskipTests package >&2
fi
if [[ $# -eq 0 ]]; then
  set -- --help
fi
args=("$@")
if [[ "$1" == run || "$1" == search ]]; then
  has_data=0
  for a in "$@"; do [[ "$a" == --data || "$a" == --data=* ]] && has_data=1; done
  if [[ $has_data == 0 ]]; then
    data_dir="${KPFF_DATA_DIR:-$KPFF_HOME/data/synthetic}"
    if [[ ! -d "$data_dir" && "${KPFF_DRY_RUN:-0}" != 1 ]]; then
      echo "No --data given: generating a synthetic scene dataset in $data_dir ..." >&2
      "$0" datagen --out "$data_dir" --classes 6 --per-class 40 --size 64 --seed 7 >&2
    fi
    args+=(--data "$data_dir")
  fi
fi
cmd=(java $KPFF_JAVA_OPTS "-Xmx${KPFF_DRIVER_MEMORY:-6g}" "-Dspark.master=${KPFF_MASTER:-local[*]}" "-Dlog4j2.configurationFile=$KPFF_HOME/conf/log4j2.properties"
  -cp "$KPFF_JAR:$(cat "$excluded_classpath_file" 2>/dev/null || true):$(cat "$classpath_file" 2>/dev/null || true)" "$KPFF_MAIN" "${args[@]}")
if [[ "${KPFF_DRY_RUN:-0}" == 1 ]]; then
  printf '%s\n' "${cmd[@]}"
  exit 0
fi
exec "${cmd[@]}"
