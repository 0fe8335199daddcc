#!/usr/bin/env bash
# Builds Gatehouse and starts the demo: the hello app on 127.0.0.1:8080 (no authentication of its own) and the
# sidecar on 0.0.0.0:8000 guarding it with HTTP Basic (user admin, password admin). Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")"

mvn -q -DskipTests -pl sidecar,examples/hello-app -am package

java -jar examples/hello-app/target/hello-app.jar 127.0.0.1:8080 &
hello=$!
trap 'kill $hello 2>/dev/null || true' EXIT

cat <<'TXT'

Try, in another terminal:
  curl -i localhost:8000                  # 401 with WWW-Authenticate: Basic
  curl -u admin:admin localhost:8000      # Hello World!
  curl -u admin:admin localhost:8000/headers -H 'X-Forwarded-User: root'   # what the app received

TXT
java -jar sidecar/target/gatehouse-sidecar.jar \
  --listen 0.0.0.0:8000 --upstream http://127.0.0.1:8080 --htpasswd examples/demo/htpasswd
