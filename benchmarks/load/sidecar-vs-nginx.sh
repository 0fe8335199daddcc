#!/usr/bin/env bash
# Sidecar versus nginx doing the same job: HTTP Basic in front of a local upstream, measured with wrk.
#
# Both proxies run pinned to CPU 0 with one worker; wrk and the upstream share CPU 1, so the proxies compete on equal
# terms. The upstream is nginx answering "Hello World!" from memory, so it is never the bottleneck. Each proxy is run
# with a bcrypt htpasswd (what htpasswd -B writes; nginx pays bcrypt on every request, the sidecar caches successes)
# and with a {SHA} one (cheap for both, so it measures the proxying itself).
#
# Needs: JDK 17, Maven, and Debian's nginx and wrk (apt-get install nginx-light wrk). Run from the repository root:
#   benchmarks/load/sidecar-vs-nginx.sh [duration-seconds] [connections]
# Results are printed and appended to benchmarks/results/load-<date>.txt.
set -euo pipefail
cd "$(dirname "$0")/../.."
duration=${1:-15}
connections=${2:-50}
work=$(mktemp -d)
# nginx's worker drops to an unprivileged user when started as root; it must be able to read the htpasswd files.
chmod 755 "$work"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

command -v nginx >/dev/null && command -v wrk >/dev/null || { echo "needs nginx and wrk: apt-get install nginx-light wrk" >&2; exit 1; }
[ -f sidecar/target/gatehouse-sidecar.jar ] || mvn -q -DskipTests -pl sidecar -am package

# Same user and password in both files: bench / bench.
echo 'bench:$2y$05$dJCs172bt9SpCKrTIzyvhuaGumj1W6oPpf8K.lV2EJcz2KgrDCBwC' > "$work/bcrypt.htpasswd"
echo 'bench:{SHA}5cicUp3MubQnFvTZEY1hB5yIPZ4=' > "$work/sha.htpasswd"
auth="Authorization: Basic $(printf 'bench:bench' | base64)"

nginx_conf() { # $1 = name, $2 = server block
  mkdir -p "$work/$1"
  cat > "$work/$1/nginx.conf" <<CONF
worker_processes 1;
daemon off;
error_log $work/$1/error.log warn;
pid $work/$1/nginx.pid;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/$1; proxy_temp_path $work/$1; fastcgi_temp_path $work/$1; uwsgi_temp_path $work/$1; scgi_temp_path $work/$1;
  upstream app { server 127.0.0.1:18080; keepalive 64; }
  $2
}
CONF
}

nginx_conf upstream 'server { listen 127.0.0.1:18080; location / { return 200 "Hello World!\n"; } }'
taskset -c 1 nginx -c "$work/upstream/nginx.conf" & pids+=($!)

wait_for() { for _ in $(seq 1 100); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done; echo "no answer from $1" >&2; exit 1; }
wait_for http://127.0.0.1:18080/

run() { # $1 = label, $2 = url
  if [ "$(curl -s -H "$auth" "$2")" != "Hello World!" ]; then
    echo "$1: proxy does not answer Hello World! with credentials; it answered:" >&2
    curl -si -H "$auth" "$2" >&2
    exit 1
  fi
  taskset -c 1 wrk -t1 -c"$connections" -d"${duration}s" -H "$auth" "$2" > "$work/wrk.txt"
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")
  latency=$(awk '/^    Latency/ {print $2, "avg,", $3, "stdev,", $4, "max"}' "$work/wrk.txt")
  errors=$(grep -E 'Non-2xx|Socket errors' "$work/wrk.txt" || true)
  printf '%-36s %12s req/s   latency %s %s\n' "$1" "$rps" "$latency" "$errors" | tee -a "$results"
}

results="benchmarks/results/load-$(date +%Y-%m-%d).txt"; mkdir -p benchmarks/results
{
  echo "# $(date -u +%Y-%m-%dT%H:%MZ) wrk -t1 -c$connections -d${duration}s, proxy on CPU 0, wrk + upstream on CPU 1"
  echo "# $(nproc) CPUs: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $(java -version 2>&1 | head -1); $(nginx -v 2>&1)"
  # Other work on the machine skews both proxies; the load average says how quiet it was.
  echo "# load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee -a "$results"

for format in sha bcrypt; do
  nginx_conf "nginx-$format" "server { listen 127.0.0.1:18001; location / { auth_basic Restricted; auth_basic_user_file $work/$format.htpasswd; proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection \"\"; proxy_set_header X-Forwarded-User \$remote_user; } }"
  taskset -c 0 nginx -c "$work/nginx-$format/nginx.conf" & nginx_pid=$!
  wait_for http://127.0.0.1:18001/
  run "nginx auth_basic ($format)" http://127.0.0.1:18001/
  kill $nginx_pid; wait $nginx_pid 2>/dev/null || true

  taskset -c 0 java -XX:ActiveProcessorCount=1 -jar sidecar/target/gatehouse-sidecar.jar --listen 127.0.0.1:18000 \
    --upstream http://127.0.0.1:18080 --htpasswd "$work/$format.htpasswd" > "$work/sidecar-$format.log" 2>&1 & sidecar_pid=$!
  wait_for http://127.0.0.1:18000/
  echo "  sidecar RSS idle after start: $(awk '/VmRSS/ {print $2, $3}' /proc/$sidecar_pid/status)" | tee -a "$results"
  # Warm-up so the JIT has compiled the request path before measuring, as nginx needs no warm-up.
  taskset -c 1 wrk -t1 -c"$connections" -d10s -H "$auth" http://127.0.0.1:18000/ > /dev/null
  run "gatehouse sidecar ($format)" http://127.0.0.1:18000/
  rss=$(awk '/VmRSS/ {print $2, $3}' /proc/$sidecar_pid/status)
  echo "  sidecar RSS after the run: $rss" | tee -a "$results"
  kill $sidecar_pid; wait $sidecar_pid 2>/dev/null || true
done
