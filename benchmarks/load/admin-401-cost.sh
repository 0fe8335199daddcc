#!/usr/bin/env bash
# What the metrics (the admin listener) cost on the 401 path: the sidecar without and with GATEHOUSE_ADMIN, refusing
# requests without credentials, interleaved for [rounds] rounds.
#
# The sidecar runs on CPU 0 with wrk (`taskset`), so the chain is serial on one core: CPU per request is then not
# inflated by the VM's idle-vCPU wake-ups, which on split cores vary with how many requests each wake-up serves, hence
# with throughput and the machine's load (see benchmarks/results/egress-2026-12-01.md). The sidecar's CPU is the
# exact run time of all its threads (/proc/PID/task/*/schedstat), not clock ticks.
#
# Needs: JDK 17, wrk, curl, taskset, setsid. Run from the repository root after
#   mvn -q -pl sidecar -am -DskipTests package
#   benchmarks/load/admin-401-cost.sh [duration-seconds] [rounds]
set -euo pipefail
cd "$(dirname "$0")/../.."
duration=${1:-8}
rounds=${2:-2}
port=18190
admin=127.0.0.1:18191
jar=sidecar/target/gatehouse-sidecar.jar
[ -f "$jar" ] || { echo "build the jar first: mvn -q -pl sidecar -am -DskipTests package" >&2; exit 1; }
work=$(mktemp -d /tmp/admin-401.XXXXXX)
pid=
cleanup() {
  [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
echo 'bench:{SHA}5cicUp3MubQnFvTZEY1hB5yIPZ4=' > "$work/htpasswd"
cat > "$work/gatehouse.yaml" <<YAML
listen: 127.0.0.1:$port
upstream: http://127.0.0.1:9
authentication: {basic: {htpasswd: $work/htpasswd}}
YAML
runtime_us() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{s += $1} END {printf "%d", s / 1000}'; }
echo "# $(date -u +%FT%TZ) $(git rev-parse --short HEAD) duration=${duration}s load=$(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq 1 "$rounds"); do
  for mode in off on; do
    if [ "$mode" = on ]; then export GATEHOUSE_ADMIN=$admin; else unset GATEHOUSE_ADMIN; fi
    # shellcheck disable=SC2046
    setsid taskset -c 0 java $(grep -v '^#' sidecar/jvm.options | sed 's/#.*//') -jar "$jar" --config "$work/gatehouse.yaml" > "$work/sidecar.log" 2>&1 &
    pid=$!
    for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.2; done
    if [ "$mode" = on ]; then curl -sf -o /dev/null "http://$admin/metrics" || { echo "no /metrics with GATEHOUSE_ADMIN" >&2; exit 1; }; fi
    taskset -c 0 wrk -t 1 -c 50 -d 20s "http://127.0.0.1:$port/" >/dev/null
    for c in 50 1; do
      before=$(runtime_us "$pid")
      out=$(taskset -c 0 wrk -t 1 -c "$c" -d "${duration}s" --latency "http://127.0.0.1:$port/")
      after=$(runtime_us "$pid")
      n=$(awk '/requests in/ {print $1}' <<<"$out")
      printf 'round %s  admin %-3s  c%-2s %10s 401/s   p50 %8s   sidecar CPU %5s us/req   non-2xx %s   load %s\n' "$round" "$mode" "$c" \
        "$(awk '/Requests\/sec/ {print $2}' <<<"$out")" "$(awk '$1=="50%" {print $2}' <<<"$out")" \
        "$(awk -v d=$((after - before)) -v n="$n" 'BEGIN {printf "%.2f", d / n}')" "$(awk '/Non-2xx/ {print $5}' <<<"$out")" \
        "$(cut -d' ' -f1 /proc/loadavg)"
    done
    kill -TERM "$pid"; wait "$pid" 2>/dev/null || true; pid=
  done
done
