#!/usr/bin/env bash
# Runs the job's CLI on an embedded local Spark: no cluster and no Spark installation needed, only Java 17 and Maven.
#   submit/local.sh run --config conf/smoke.conf --out runs/smoke        # generates a synthetic dataset first
#   submit/local.sh run --config conf/smoke.conf --data /path/to/UCMerced_LandUse/Images --out runs/ucm
#   submit/local.sh summarize --out runs/smoke
#   submit/local.sh run --conf spark.hadoop.fs.s3a.endpoint=http://host:9000 --data s3a://b/scenes --out s3a://b/runs/x
# Builds the application jar on first use. Without --data, run and search use the config's data.uri, and with neither
# the synthetic dataset in KPFF_DATA_DIR (generated on first use); the job logs which. Relative --data, --out and
# --config are resolved against the caller's working directory. Environment: KPFF_MASTER (local[*]),
# KPFF_DRIVER_MEMORY (6g), KPFF_DATA_DIR (where the synthetic dataset goes, default data/synthetic), KPFF_DRY_RUN=1
# (print the command), SPARK_LOCAL_IP (127.0.0.1 for a local master), KPFF_NETWORK_TIMEOUT (3600s; spark.network.timeout
# for a local master, so that a paused run survives), KPFF_HEAP_OPTS (the collector options that return a finished
# cell's heap, submit/common.sh; empty for the JVM's defaults).
set -euo pipefail
source "$(dirname "$0")/common.sh"
# --data, --out and --config name paths relative to the caller's working directory, as for any command-line tool:
# make them absolute before changing to the repository root (URIs with a scheme, file:// or hdfs://, stay as given).
caller_dir="$PWD"
absolute() { if [[ "$1" == /* || "$1" =~ ^[A-Za-z][A-Za-z0-9+.-]*: || -z "$1" ]]; then printf '%s' "$1"; else printf '%s' "$caller_dir/$1"; fi; }
resolved=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --data|--out|--config)
      if [[ $# -ge 2 ]]; then resolved+=("$1" "$(absolute "$2")"); shift 2; else resolved+=("$1"); shift; fi ;;
    --data=*|--out=*|--config=*) resolved+=("${1%%=*}=$(absolute "${1#*=}")"); shift ;;
    *) resolved+=("$1"); shift ;;
  esac
done
set -- ${resolved[@]+"${resolved[@]}"}
cd "$KPFF_HOME"
classpath_file="$KPFF_HOME/spark-job/target/provided-classpath.txt"
excluded_classpath_file="$KPFF_HOME/spark-job/target/excluded-classpath.txt"
if [[ "${KPFF_DRY_RUN:-0}" != 1 && ( ! -f "$KPFF_JAR" || ! -f "$classpath_file" || ! -f "$excluded_classpath_file" ) ]]; then
  if [[ -d "${HOME}/.m2/repository/org/apache/spark/spark-core_2.12" ]]; then
    echo "Building the application jar (first run only; about a minute) ..." >&2
  else
    echo "Building the application jar (first run only): Maven first downloads about 860 MB of dependencies into" \
      "~/.m2 (Spark, DL4J/ND4J natives, Hadoop), which takes a few minutes on a fast connection and prints" \
      "nothing meanwhile; packaging then takes about a minute ..." >&2
  fi
  build_start=$SECONDS
  mvn -B -q -DskipTests package >&2
  echo "Built $KPFF_JAR in $((SECONDS - build_start)) s." >&2
fi
if [[ $# -eq 0 ]]; then
  set -- --help
fi
# --conf key=value (or --conf=key=value), as spark-submit takes it: a Spark setting (spark.*, including
# spark.hadoop.* for Hadoop, e.g. spark.hadoop.fs.s3a.endpoint) passed to the embedded Spark as a system property.
# Like spark-submit, a key that is not spark.* is ignored with a warning.
conf_opts=()
rest=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --conf|--conf=*)
      if [[ "$1" == --conf ]]; then
        [[ $# -ge 2 ]] || { echo "--conf needs key=value (e.g. --conf spark.hadoop.fs.s3a.endpoint=http://host:9000)" >&2; exit 2; }
        kv="$2"; shift 2
      else
        kv="${1#--conf=}"; shift
      fi
      if [[ "$kv" != *=* || "${kv%%=*}" == "" ]]; then
        echo "--conf '${kv%%=*}': expected key=value (e.g. --conf spark.hadoop.fs.s3a.endpoint=http://host:9000)" >&2
        exit 2
      fi
      if [[ "${kv%%=*}" == spark.* ]]; then conf_opts+=("-D$kv"); else
        echo "Warning: ignoring non-Spark config property: ${kv%%=*} (as spark-submit does; Hadoop settings are spark.hadoop.<key>)" >&2
      fi ;;
    *) rest+=("$1"); shift ;;
  esac
done
set -- "${rest[@]}"
if [[ $# -eq 0 ]]; then
  set -- --help
fi
args=("$@")
# Help and version print and exit: they must never generate data or start anything.
asks_help=0
for a in "$@"; do [[ "$a" == -h || "$a" == --help || "$a" == -V || "$a" == --version || "$a" == help ]] && asks_help=1; done
# Embedded (local) Spark binds to this host only: set its address so that Spark does not warn that the hostname
# resolves to a loopback address.
if [[ "${KPFF_MASTER:-local[*]}" == local* && -z "${SPARK_LOCAL_IP:-}" ]]; then
  export SPARK_LOCAL_IP=127.0.0.1
fi
if [[ $asks_help == 0 && ( "$1" == run || "$1" == search ) ]]; then
  # The job picks the dataset (--data, else the config's data.uri, else this synthetic one, generated on first use
  # after the config is validated) and logs which and why.
  args+=(--synthetic-data "$(absolute "${KPFF_DATA_DIR:-$KPFF_HOME/data/synthetic}")")
fi
master="${KPFF_MASTER:-local[*]}"
# In local mode driver and executor share this JVM, yet Spark still times their heartbeats: a pause longer than
# spark.network.timeout (120 s: a suspended laptop, a stopped process) makes it drop the executor, which exits after
# 60 failed heartbeats and stops the run. An hour keeps such a pause harmless; KPFF_NETWORK_TIMEOUT overrides it.
timeout_opt=()
if [[ "$master" == local* ]]; then timeout_opt=("-Dspark.network.timeout=${KPFF_NETWORK_TIMEOUT:-3600s}"); fi
cmd=(java $KPFF_JAVA_OPTS "-Xmx${KPFF_DRIVER_MEMORY:-6g}" "-Dkpff.launcher=$0" "-Dspark.master=$master" "${timeout_opt[@]}" "${conf_opts[@]}" "-Dlog4j2.configurationFile=$KPFF_HOME/conf/log4j2.properties"
  -cp "$KPFF_JAR:$(cat "$excluded_classpath_file" 2>/dev/null || true):$(cat "$classpath_file" 2>/dev/null || true)" "$KPFF_MAIN" "${args[@]}")
if [[ "${KPFF_DRY_RUN:-0}" == 1 ]]; then
  # Credentials never reach the console: values of keys matching Spark's default spark.redaction.regex are masked.
  for c in "${cmd[@]}"; do
    if [[ "$c" == -D*=* && "${c%%=*}" =~ [Ss][Ee][Cc][Rr][Ee][Tt]|[Pp][Aa][Ss][Ss][Ww][Oo][Rr][Dd]|[Tt][Oo][Kk][Ee][Nn]|[Aa][Cc][Cc][Ee][Ss][Ss]\.?[Kk][Ee][Yy] ]]; then
      c="${c%%=*}=*********(redacted)"
    fi
    printf '%s\n' "$c"
  done
  exit 0
fi
exec "${cmd[@]}"
