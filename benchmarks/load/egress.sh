#!/usr/bin/env bash
# What an egress call costs: wrk straight at a local HTTPS server over TLS, versus wrk calling plain HTTP on the
# sidecar's egress listener, which originates TLS to the same server (and, in the other runs, mTLS with a workload
# certificate and an OAuth2 Bearer token from a local token endpoint).
#
# The remote is nginx answering 16 bytes from memory on three TLS ports (server TLS only; mTLS required; the token
# endpoint is plain HTTP on loopback, allowed for token-uri there). Certificates are made here with openssl.
# wrk and nginx share CPU 0; the sidecar runs on CPU 1 with sidecar/jvm.options. Keep-alive everywhere, so the runs
# measure per-request cost, not handshakes. The c1 runs keep that pinning, so every hop between the cores (wrk ->
# sidecar -> nginx -> sidecar -> wrk: four) pays the VM's idle-vCPU wake-up, which dominates their latency; the c1same
# runs move the sidecar (all its threads) onto CPU 0 for those runs only, so the chain is serial on one core and the
# added latency is the sidecar's own path (as `c1same` in ../shared/bench/run.sh).
#
# Needs: JDK 17, Maven, nginx, wrk, openssl, taskset, setsid. Run from the repository root:
#   benchmarks/load/egress.sh [duration-seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/../.."
duration=${1:-10}
connections=${2:-50}
warmup=${WARMUP:-15}
work=$(mktemp -d /tmp/egress-bench.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM -- "-$p" 2>/dev/null || kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
for tool in nginx wrk openssl taskset setsid curl; do command -v "$tool" >/dev/null || { echo "needs $tool" >&2; exit 1; }; done
jar=sidecar/target/gatehouse-sidecar.jar
[ -f "$jar" ] || { echo "build the jar first: mvn -q -pl sidecar -am -DskipTests package" >&2; exit 1; }
jar=$(pwd)/$jar

TLS_PORT=18443 MTLS_PORT=18444 TOKEN_PORT=18445 INGRESS_PORT=18446 EGRESS_PORT=18447

# --- certificates: a partner CA for the remote, a workload CA for the sidecar's client certificate
cd "$work"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=partner-ca -keyout ca.key -out ca.pem 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=orders -keyout remote.key -out remote.csr 2>/dev/null
printf 'subjectAltName=DNS:orders.partner.example,URI:spiffe://partner.example/ns/orders/sa/api\nextendedKeyUsage=serverAuth\n' > remote.ext
openssl x509 -req -in remote.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile remote.ext -out remote.pem 2>/dev/null
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=workload-ca -keyout wca.key -out wca.pem 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=shop -keyout tls.key -out tls.csr 2>/dev/null
printf 'subjectAltName=URI:spiffe://cluster.local/ns/shop/sa/app\nextendedKeyUsage=clientAuth\n' > tls.ext
openssl x509 -req -in tls.csr -CA wca.pem -CAkey wca.key -CAcreateserial -days 2 -extfile tls.ext -out tls.crt 2>/dev/null
openssl pkcs8 -topk8 -nocrypt -in tls.key -out tls.pk8 && mv tls.pk8 tls.key
chmod 644 ./*
echo -n client-secret > client-secret
echo 'bench:{SHA}5cicUp3MubQnFvTZEY1hB5yIPZ4=' > htpasswd
cd - >/dev/null

# --- the remote
cat > "$work/nginx.conf" <<CONF
worker_processes 1;
daemon off;
error_log $work/error.log warn;
pid $work/nginx.pid;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  ssl_certificate $work/remote.pem;
  ssl_certificate_key $work/remote.key;
  ssl_protocols TLSv1.3;
  server { listen 127.0.0.1:$TLS_PORT ssl; location / { return 200 "remote answered\n"; } }
  server { listen 127.0.0.1:$MTLS_PORT ssl; ssl_client_certificate $work/wca.pem; ssl_verify_client on;
           location / { return 200 "remote answered\n"; } }
  server { listen 127.0.0.1:$TOKEN_PORT;
           location /token { default_type application/json; return 200 '{"access_token":"bench-token","token_type":"Bearer","expires_in":3600}'; } }
}
CONF
setsid taskset -c 0 nginx -c "$work/nginx.conf" & pids+=($!)

# --- the sidecar: egress routes to each port
cat > "$work/gatehouse.yaml" <<YAML
listen: 127.0.0.1:$INGRESS_PORT
upstream: http://127.0.0.1:9
authentication: {basic: {htpasswd: $work/htpasswd}}
egress:
  listen: 127.0.0.1:$EGRESS_PORT
  routes:
    - name: tls
      prefix: /tls/
      upstream: https://127.0.0.1:$TLS_PORT/
      tls: {ca: $work/ca.pem, server-name: orders.partner.example}
    - name: mtls
      prefix: /mtls/
      upstream: https://127.0.0.1:$MTLS_PORT/
      tls: {ca: $work/ca.pem, server-name: orders.partner.example, peer-spiffe-ids: [spiffe://partner.example/ns/orders/sa/api],
            client-certificate: $work/tls.crt, client-key: $work/tls.key}
    - name: mtls-oauth2
      prefix: /mtls-oauth2/
      upstream: https://127.0.0.1:$MTLS_PORT/
      tls: {ca: $work/ca.pem, server-name: orders.partner.example, peer-spiffe-ids: [spiffe://partner.example/ns/orders/sa/api],
            client-certificate: $work/tls.crt, client-key: $work/tls.key}
      oauth2: {token-uri: http://127.0.0.1:$TOKEN_PORT/token, client-id: shop, client-secret-file: $work/client-secret, scopes: [orders.read]}
YAML
# shellcheck disable=SC2046
setsid taskset -c 1 java $(grep -v '^#' sidecar/jvm.options | sed 's/#.*//') -jar "$jar" --config "$work/gatehouse.yaml" > "$work/sidecar.log" 2>&1 & pids+=($!)
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$EGRESS_PORT/tls/" && break; sleep 0.2; done
for path in tls mtls mtls-oauth2; do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$EGRESS_PORT/$path/")" = 200 ] || { echo "egress /$path/ is not 200" >&2; cat "$work/sidecar.log" >&2; exit 1; }
done

sidecar_ticks() { awk '{print $14 + $15}' "/proc/${pids[1]}/stat"; }
repin() { taskset -a -p -c "$1" "${pids[1]}" >/dev/null; }
run() { # $1 = label, $2 = connections, $3 = URL, $4 = what the connections column says (default c$2)
  local out before after requests cpu
  # Each target warmed with its own connection count first: the measured run then opens no new TLS connections.
  taskset -c 0 wrk -t 1 -c "$2" -d "${ROUTE_WARMUP:-5}s" "$3" >/dev/null
  before=$(sidecar_ticks)
  out=$(taskset -c 0 wrk -t "$([ "$2" = 1 ] && echo 1 || echo 2)" -c "$2" -d "${duration}s" --latency "$3")
  after=$(sidecar_ticks)
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  cpu=$(awk -v t=$((after - before)) -v n="$requests" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.1f", t / hz * 1e6 / n}')
  printf '%-22s %-6s %10s req/s   p50 %8s   p99 %8s   sidecar CPU %6s us/req\n' "$1" "${4:-c$2}" \
    "$(awk '/Requests\/sec/ {print $2}' <<<"$out")" "$(awk '$1=="50%" {print $2}' <<<"$out")" "$(awk '$1=="99%" {print $2}' <<<"$out")" "$cpu"
}
echo "warm-up ${warmup}s" >&2
taskset -c 0 wrk -t 2 -c "$connections" -d "${warmup}s" "http://127.0.0.1:$EGRESS_PORT/mtls-oauth2/" >/dev/null
taskset -c 0 wrk -t 2 -c "$connections" -d 5s "http://127.0.0.1:$EGRESS_PORT/tls/" >/dev/null
echo "# $(date -u +%FT%TZ) $(git rev-parse --short HEAD) duration=${duration}s load=$(cut -d' ' -f1-3 /proc/loadavg)"
for c in "$connections" 1; do
  run "direct TLS" "$c" "https://127.0.0.1:$TLS_PORT/"
  run "egress -> TLS" "$c" "http://127.0.0.1:$EGRESS_PORT/tls/"
  run "egress -> mTLS+SPIFFE" "$c" "http://127.0.0.1:$EGRESS_PORT/mtls/"
  run "egress -> mTLS+OAuth2" "$c" "http://127.0.0.1:$EGRESS_PORT/mtls-oauth2/"
done
repin 0
run "direct TLS" 1 "https://127.0.0.1:$TLS_PORT/" c1same
run "egress -> TLS" 1 "http://127.0.0.1:$EGRESS_PORT/tls/" c1same
run "egress -> mTLS+SPIFFE" 1 "http://127.0.0.1:$EGRESS_PORT/mtls/" c1same
run "egress -> mTLS+OAuth2" 1 "http://127.0.0.1:$EGRESS_PORT/mtls-oauth2/" c1same
repin 1
echo "# sidecar CPU: $(ps -o times= -p "${pids[1]}" | tr -d ' ') s over the runs; token requests: $(grep -c 'new access token' "$work/sidecar.log" || true) logged at debug"
