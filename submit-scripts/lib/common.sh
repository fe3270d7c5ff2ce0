#!/usr/bin/env bash
# Shared helpers of the hessinv launchers; source it, do not run it.
#
#   source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
#
# After sourcing: HESSINV_ROOT (repository root), OPENBLAS_NUM_THREADS=1, SPARK_LOCAL_IP (default
# 127.0.0.1) and SPARK_SCALA_VERSION=2.13 exported, and these functions:
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

# True when a jar or the classpath cache is missing or older than a pom.xml or a main source file.
hessinv_build_is_stale() {
    local f
    for f in "$HESSINV_SPARK_JOB_JAR" "$HESSINV_DATAGEN_JAR" "$HESSINV_CLASSPATH_FILE"; do
        [[ -s "$f" ]] || return 0
    done
    local oldest
    # shellcheck disable=SC2012  # our own fixed file names
    oldest="$(ls -t "$HESSINV_SPARK_JOB_JAR" "$HESSINV_DATAGEN_JAR" "$HESSINV_CLASSPATH_FILE" | tail -n 1)"
    [[ -n "$(find "$HESSINV_ROOT/pom.xml" "$HESSINV_ROOT/spark-job/pom.xml" "$HESSINV_ROOT/data-generators/pom.xml" \
        "$HESSINV_ROOT/spark-job/src/main" "$HESSINV_ROOT/data-generators/src/main" \
        -type f -newer "$oldest" -print -quit 2>/dev/null)" ]]
}

hessinv_ensure_built() {
    mkdir -p "$HESSINV_ROOT/target"
    # One build at a time: two launchers started together must not run Maven in one tree at once.
    exec 9>"$HESSINV_ROOT/target/.build.lock"
    flock 9
    if hessinv_build_is_stale; then
        hessinv_log "building the jars and resolving the runtime classpath (mvn -q -B -DskipTests package) ..."
        local started=$SECONDS
        # One Maven run: package both modules, then write each module's compile+provided classpath.
        # (dependency:build-classpath alone cannot resolve data-generators' dependency on the
        # unpackaged spark-job module; after package in the same run it can.)
        (cd "$HESSINV_ROOT" && mvn -q -B -Dstyle.color=never -DskipTests package dependency:build-classpath \
            -DincludeScope=compile -Dmdep.outputFile=target/module-classpath.txt) 2>&1 \
            | sed -u 's/\x1b\[[0-9;]*m//g' >&2 \
            || { flock -u 9; hessinv_die "the Maven build failed (see above); fix it and run again"; }
        local tmp="$HESSINV_CLASSPATH_FILE.tmp.$$"
        # Merge the modules' classpaths; drop the project's own modules (given to Spark as jars).
        # (The files have no final newline: add one, so the last and first entries do not run together.)
        local m
        for m in spark-job data-generators; do
            cat "$HESSINV_ROOT/$m/target/module-classpath.txt"
            echo
        done | tr ':' '\n' | grep -v '^$' | grep -v "^$HESSINV_ROOT/" | awk '!seen[$0]++' | paste -sd: - > "$tmp"
        [[ -s "$tmp" ]] || { rm -f "$tmp"; flock -u 9; hessinv_die "the resolved classpath is empty"; }
        mv "$tmp" "$HESSINV_CLASSPATH_FILE"
        # Maven leaves an up-to-date jar untouched; mark all three as built now.
        touch "$HESSINV_SPARK_JOB_JAR" "$HESSINV_DATAGEN_JAR" "$HESSINV_CLASSPATH_FILE"
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
    local master
    master="$(hessinv_master_from_args 'local[*]' "$@")"
    # SparkSubmit answers a master of no known form with a stack trace: refuse it here, on one line
    # (the programs themselves check that a spark:// master answers)
    if [[ ! "$master" =~ ^(local(\[(\*|[1-9][0-9]*)(,[0-9]+)?\])?|local-cluster\[[1-9][0-9]*,[1-9][0-9]*,[1-9][0-9]*\]|yarn|spark://[^/]+:[0-9]+(,[^/]+:[0-9]+)*|k8s://.+)$ ]]; then
        hessinv_die "unknown --master \"$master\"; use local[*], local[N], spark://HOST:PORT, yarn or k8s://https://HOST:PORT"
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
        --properties-file "$HESSINV_CONF/spark-defaults.conf" \
        --conf "spark.driver.extraJavaOptions=$opts" \
        --conf "spark.executor.extraJavaOptions=$opts" \
        --conf "spark.executorEnv.OPENBLAS_NUM_THREADS=1" \
        "${extra[@]}" "${user_args[@]}" \
        "$app_jar" "$@"
}
