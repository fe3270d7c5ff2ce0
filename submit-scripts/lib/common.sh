#!/usr/bin/env bash
# Shared helpers of the hessinv launchers; source it, do not run it.
#
#   source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
#
# After sourcing: HESSINV_ROOT (repository root), OPENBLAS_NUM_THREADS=1, SPARK_LOCAL_IP (default
# 127.0.0.1) and SPARK_SCALA_VERSION=2.13 exported; the modules' jars HESSINV_SPARK_JOB_JAR (the
# product), HESSINV_DATAGEN_JAR and HESSINV_BENCH_JAR (the benchmarks); and these functions:
#   hessinv_ensure_built       build the jars (mvn -q -B -DskipTests package) when missing or older
#                              than any pom.xml or main source, and (re)write the cached runtime
#                              classpath target/runtime-classpath.txt (Spark's provided-scope jars
#                              included, the project's own modules excluded)
#   hessinv_classpath          print the cached runtime classpath (builds first if needed)
#   hessinv_jvm_options        print the JVM options of Spark on Java 17: the spark.jvm.options
#                              property of the top-level pom.xml, the one place they are kept
#   hessinv_spark_home         prepare target/spark-home (jars/ = links to the classpath jars,
#                              conf/log4j2.properties) and print its path
#   hessinv_driver_memory      -Xmx of a launcher JVM: $HESSINV_DRIVER_MEMORY, else spark.driver.memory
#                              of conf/spark-defaults.conf, else 4g
#   hessinv_die MESSAGE        print "<script>: error: MESSAGE" to stderr and exit 2
#   hessinv_standalone_dir     the state folder of submit-scripts/standalone-cluster:
#                              $HESSINV_STANDALONE_DIR, default target/standalone
#   hessinv_cluster_secret_file MASTER
#                              for MASTER = the local standalone cluster (the URL `standalone-cluster
#                              start` wrote to <state>/master-url, or spark://127.0.0.1|localhost:
#                              $HESSINV_MASTER_PORT (7077) before that), print its secret file
#                              <state>/cluster-secret.properties; exit 2 (one line) when that is
#                              missing or unreadable; print nothing for any other master
#
# --help of this file: bash submit-scripts/lib/common.sh --help

set -euo pipefail

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    sed -n '2,/^$/{s/^# \{0,1\}//;p}' "$0"
    exit 0
fi

HESSINV_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HESSINV_VERSION="0.1.0-SNAPSHOT"
HESSINV_SPARK_JOB_JAR="$HESSINV_ROOT/spark-job/target/hessinv-spark-job-$HESSINV_VERSION.jar"
HESSINV_DATAGEN_JAR="$HESSINV_ROOT/data-generators/target/hessinv-data-generators-$HESSINV_VERSION.jar"
HESSINV_BENCH_JAR="$HESSINV_ROOT/benchmarks/target/hessinv-benchmarks-$HESSINV_VERSION.jar"
# The project's modules, each with a jar above and its own pom.xml and src/main.
HESSINV_MODULES=(spark-job data-generators benchmarks)
HESSINV_CLASSPATH_FILE="$HESSINV_ROOT/target/runtime-classpath.txt"
HESSINV_CONF="$HESSINV_ROOT/conf"
HESSINV_LOG4J="$HESSINV_CONF/log4j2.properties"
export HESSINV_ROOT

export OPENBLAS_NUM_THREADS=1
export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"
export SPARK_SCALA_VERSION=2.13

hessinv_script_name="$(basename "$0")"

hessinv_die() {
    echo "$hessinv_script_name: error: $*" >&2
    exit 2
}

hessinv_log() {
    echo "$hessinv_script_name: $*" >&2
}

for _tool in java mvn; do
    command -v "$_tool" >/dev/null 2>&1 || hessinv_die "'$_tool' is not on the PATH; install a JDK 17 and Maven"
done
unset _tool

hessinv_jvm_options() {
    local opts
    opts="$(sed -n 's:.*<spark\.jvm\.options>\(.*\)</spark\.jvm\.options>.*:\1:p' "$HESSINV_ROOT/pom.xml" | head -n 1)"
    [[ -n "$opts" ]] || hessinv_die "no <spark.jvm.options> property on one line in $HESSINV_ROOT/pom.xml"
    printf '%s\n' "$opts"
}

# What hessinv_ensure_built makes: the modules' jars and the classpath cache.
hessinv_built_files=("$HESSINV_SPARK_JOB_JAR" "$HESSINV_DATAGEN_JAR" "$HESSINV_BENCH_JAR" "$HESSINV_CLASSPATH_FILE")

# True when a jar or the classpath cache is missing or older than a pom.xml or a main source file.
hessinv_build_is_stale() {
    local f
    for f in "${hessinv_built_files[@]}"; do
        [[ -s "$f" ]] || return 0
    done
    local oldest
    # shellcheck disable=SC2012  # our own fixed file names
    oldest="$(ls -t "${hessinv_built_files[@]}" | tail -n 1)"
    local sources=("$HESSINV_ROOT/pom.xml") m
    for m in "${HESSINV_MODULES[@]}"; do
        sources+=("$HESSINV_ROOT/$m/pom.xml" "$HESSINV_ROOT/$m/src/main")
    done
    [[ -n "$(find "${sources[@]}" -type f -newer "$oldest" -print -quit 2>/dev/null)" ]]
}

hessinv_ensure_built() {
    mkdir -p "$HESSINV_ROOT/target"
    # One build at a time: two launchers started together must not run Maven in one tree at once.
    exec 9>"$HESSINV_ROOT/target/.build.lock"
    flock 9
    if hessinv_build_is_stale; then
        hessinv_log "building the jars and resolving the runtime classpath (mvn -q -B -DskipTests package) ..."
        local started=$SECONDS
        # One Maven run: package the modules, then write each module's compile+provided classpath.
        # (dependency:build-classpath alone cannot resolve data-generators' and benchmarks' dependency
        # on the unpackaged spark-job module; after package in the same run it can.)
        (cd "$HESSINV_ROOT" && mvn -q -B -Dstyle.color=never -DskipTests package dependency:build-classpath \
            -DincludeScope=compile -Dmdep.outputFile=target/module-classpath.txt) 2>&1 \
            | sed -u 's/\x1b\[[0-9;]*m//g' >&2 \
            || { flock -u 9; hessinv_die "the Maven build failed (see above); fix it and run again"; }
        local tmp="$HESSINV_CLASSPATH_FILE.tmp.$$"
        # Merge the modules' classpaths; drop the project's own modules (given to Spark as jars).
        # (The files have no final newline: add one, so the last and first entries do not run together.)
        local m
        for m in "${HESSINV_MODULES[@]}"; do
            cat "$HESSINV_ROOT/$m/target/module-classpath.txt"
            echo
        done | tr ':' '\n' | grep -v '^$' | grep -v "^$HESSINV_ROOT/" | awk '!seen[$0]++' | paste -sd: - > "$tmp"
        [[ -s "$tmp" ]] || { rm -f "$tmp"; flock -u 9; hessinv_die "the resolved classpath is empty"; }
        mv "$tmp" "$HESSINV_CLASSPATH_FILE"
        # Maven leaves an up-to-date jar untouched; mark the jars and the classpath as built now.
        touch "${hessinv_built_files[@]}"
        hessinv_log "built in $((SECONDS - started)) s"
    fi
    flock -u 9
    exec 9>&-
}

hessinv_classpath() {
    hessinv_ensure_built
    cat "$HESSINV_CLASSPATH_FILE"
}

hessinv_spark_home() {
    hessinv_ensure_built
    local home="$HESSINV_ROOT/target/spark-home"
    if [[ ! -f "$home/.classpath" ]] || ! cmp -s "$home/.classpath" "$HESSINV_CLASSPATH_FILE"; then
        rm -rf "$home/jars"
        mkdir -p "$home/jars" "$home/conf"
        local jar
        while IFS= read -r jar; do
            [[ "$jar" == *.jar && -f "$jar" ]] && ln -sf "$jar" "$home/jars/$(basename "$jar")"
        done < <(tr ':' '\n' < "$HESSINV_CLASSPATH_FILE")
        cp "$HESSINV_CLASSPATH_FILE" "$home/.classpath"
    fi
    mkdir -p "$home/conf"
    ln -sf "$HESSINV_LOG4J" "$home/conf/log4j2.properties"
    printf '%s\n' "$home"
}

hessinv_driver_memory() {
    if [[ -n "${HESSINV_DRIVER_MEMORY:-}" ]]; then
        printf '%s\n' "$HESSINV_DRIVER_MEMORY"
        return
    fi
    local m
    m="$(awk '$1 == "spark.driver.memory" { print $2 }' "$HESSINV_CONF/spark-defaults.conf" 2>/dev/null | tail -n 1)"
    printf '%s\n' "${m:-4g}"
}

# The value of --master in the given arguments ("--master X" or "--master=X"), or $1 when absent.
hessinv_master_from_args() {
    local dflt="$1"
    shift
    local master="$dflt"
    while [[ $# -gt 0 ]]; do
        case "$1" in
            --master) [[ $# -ge 2 ]] || hessinv_die "--master needs a value such as local[*] or spark://127.0.0.1:7077"
                      master="$2"; shift ;;
            --master=*) master="${1#--master=}" ;;
        esac
        shift
    done
    printf '%s\n' "$master"
}

hessinv_standalone_dir() {
    printf '%s\n' "${HESSINV_STANDALONE_DIR:-$HESSINV_ROOT/target/standalone}"
}

hessinv_cluster_secret_file() {
    local master="$1" state local_url
    [[ "$master" == spark://* ]] || return 0
    state="$(hessinv_standalone_dir)"
    master="${master%/}"
    master="${master/#spark:\/\/localhost:/spark://127.0.0.1:}"
    if [[ -s "$state/master-url" ]]; then
        local_url="$(head -n 1 "$state/master-url")"
    else
        local_url="spark://127.0.0.1:${HESSINV_MASTER_PORT:-7077}"
    fi
    [[ "$master" == "$local_url" ]] || return 0
    local file="$state/cluster-secret.properties"
    [[ -f "$file" ]] || hessinv_die "$master is the local standalone cluster, but its secret file $file is missing or its folder is not accessible to $(id -un): start the cluster with submit-scripts/standalone-cluster start"
    [[ -r "$file" ]] || hessinv_die "$master is the local standalone cluster, but its secret file $file is not readable by $(id -un) (only the cluster's owner can submit)"
    grep -q '^spark\.authenticate\.secret ' "$file" 2>/dev/null || hessinv_die "the secret file $file of $master holds no spark.authenticate.secret; restart the cluster (submit-scripts/standalone-cluster restart)"
    printf '%s\n' "$file"
}

# Runs SparkSubmit in this JVM-less shell's place: hessinv_submit MAIN_CLASS APP_JAR [--jars J] -- APP_ARGS...
hessinv_submit() {
    local main_class="$1" app_jar="$2"
    shift 2
    local extra=()
    while [[ $# -gt 0 && "$1" != "--" ]]; do
        extra+=("$1")
        shift
    done
    [[ $# -gt 0 ]] && shift
    local master secret_file props
    master="$(hessinv_master_from_args 'local[*]' "$@")"
    # SparkSubmit answers a master of no known form with a stack trace: refuse it here, on one line
    # (the programs themselves check that a spark:// master answers)
    if [[ ! "$master" =~ ^(local(\[(\*|[1-9][0-9]*)(,[0-9]+)?\])?|local-cluster\[[1-9][0-9]*,[1-9][0-9]*,[1-9][0-9]*\]|yarn|spark://[^/]+:[0-9]+(,[^/]+:[0-9]+)*|k8s://.+)$ ]]; then
        hessinv_die "unknown --master \"$master\"; use local[*], local[N], spark://HOST:PORT, yarn or k8s://https://HOST:PORT"
    fi
    secret_file="$(hessinv_cluster_secret_file "$master")" || exit 2
    # The local standalone cluster is authenticated: its secret and security settings come from its
    # mode-600 properties file (never the command line); --load-spark-defaults adds
    # conf/spark-defaults.conf (found through SPARK_CONF_DIR) under it.
    props=(--properties-file "$HESSINV_CONF/spark-defaults.conf")
    if [[ -n "$secret_file" ]]; then
        props=(--properties-file "$secret_file" --load-spark-defaults)
        export SPARK_CONF_DIR="$HESSINV_CONF"
    fi
    hessinv_ensure_built
    local cp opts mem
    cp="$(cat "$HESSINV_CLASSPATH_FILE")"
    opts="$(hessinv_jvm_options) -Dlog4j.configurationFile=$HESSINV_LOG4J"
    mem="$(hessinv_driver_memory)"
    local user_args=()
    if [[ -n "${HESSINV_SUBMIT_ARGS:-}" ]]; then
        read -r -a user_args <<< "$HESSINV_SUBMIT_ARGS"
    fi
    # shellcheck disable=SC2086  # the pom's options are whitespace-separated JVM flags
    exec java $opts "-Xmx$mem" -cp "$cp" org.apache.spark.deploy.SparkSubmit \
        --class "$main_class" \
        --master "$master" \
        "${props[@]}" \
        --conf "spark.driver.extraJavaOptions=$opts" \
        --conf "spark.executor.extraJavaOptions=$opts" \
        --conf "spark.executorEnv.OPENBLAS_NUM_THREADS=1" \
        "${extra[@]}" "${user_args[@]}" \
        "$app_jar" "$@"
}
