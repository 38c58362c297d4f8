#!/usr/bin/env bash
# Run N LSTM Lens replicas behind nginx on loopback; Ctrl-C stops everything.
#
#   deploy/run_replicas.sh N PORT      e.g.  deploy/run_replicas.sh 2 8080
#
# nginx listens on 127.0.0.1:PORT; replica i (1…N) on 127.0.0.1:PORT+i, each started with the
# hardened flags of deploy/streamlit-production.toml and a shared cookie secret. Everything lives
# in a fresh temp prefix (config, pids, logs); no root-owned path is changed. The replicas' pids
# are written to PREFIX/replicas.pids for `bench/load_test.py --replicas-pids @PREFIX/replicas.pids`.
# nginx is installed with apt-get when missing (needs root). Active health checks are nginx Plus
# only, so this script polls each replica's /_stcore/health every 5 s and restarts a dead one.
set -euo pipefail

usage() { echo "usage: $0 N PORT   (1 ≤ N ≤ 8, 1024 ≤ PORT ≤ 65000)" >&2; exit 2; }
[[ $# -eq 2 ]] || usage
N=$1; PORT=$2
[[ $N =~ ^[0-9]+$ && $PORT =~ ^[0-9]+$ ]] || usage
(( N >= 1 && N <= 8 && PORT >= 1024 && PORT <= 65000 )) || usage

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PYTHON=${PYTHON:-python}
HOST=127.0.0.1

NGINX=$(command -v nginx || true)
[[ -z $NGINX && -x /usr/sbin/nginx ]] && NGINX=/usr/sbin/nginx
if [[ -z $NGINX ]]; then
    if [[ $(id -u) -ne 0 ]]; then
        echo "nginx is missing; install it with: sudo apt-get install -y nginx-light" >&2
        exit 1
    fi
    echo "installing nginx (Debian's nginx-light)…"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null
    NGINX=$(command -v nginx || echo /usr/sbin/nginx)
fi

port_free() {
    "$PYTHON" -c 'import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try: s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError: sys.exit(1)' "$1"
}
for (( i = 0; i <= N; i++ )); do
    port_free $((PORT + i)) || { echo "port $((PORT + i)) is in use" >&2; exit 1; }
done

PREFIX=$(mktemp -d /tmp/lstm-lens-replicas.XXXXXX)
chmod 755 "$PREFIX"   # nginx workers (not root) must reach the temp dirs
mapfile -t FLAGS < <("$PYTHON" "$ROOT/deploy/streamlit_flags.py" "$ROOT/deploy/streamlit-production.toml")
# One cookie secret for all replicas (signed cookies stay valid whichever replica a student hits);
# passed through the environment so it does not show in `ps`.
STREAMLIT_SERVER_COOKIE_SECRET=$("$PYTHON" -c 'import secrets; print(secrets.token_hex(32))')
export STREAMLIT_SERVER_COOKIE_SECRET
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1

declare -a PIDS=()
NGINX_PID=""
STOPPING=0

cleanup() {
    STOPPING=1
    trap - INT TERM EXIT
    echo; echo "stopping…"
    [[ -n $NGINX_PID ]] && kill "$NGINX_PID" 2>/dev/null || true
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    if [[ ${KEEP_PREFIX:-0} == 1 ]]; then echo "logs kept in $PREFIX"; else rm -rf "$PREFIX"; fi
}
trap cleanup INT TERM EXIT

start_replica() {  # $1 = index 1…N
    local port=$((PORT + $1))
    (cd "$ROOT" && exec "$PYTHON" -m streamlit run app.py "${FLAGS[@]}" \
        --server.address="$HOST" --server.port="$port") >"$PREFIX/replica-$1.log" 2>&1 &
    PIDS[$1]=$!
}

healthy() { curl -fsS --max-time 2 "http://$HOST:$1/_stcore/health" >/dev/null 2>&1; }

wait_healthy() {  # $1 = index
    local port=$((PORT + $1))
    for _ in $(seq 1 240); do
        healthy "$port" && return 0
        kill -0 "${PIDS[$1]}" 2>/dev/null || { echo "replica $1 exited; see $PREFIX/replica-$1.log" >&2; tail -5 "$PREFIX/replica-$1.log" >&2; return 1; }
        sleep 0.25
    done
    echo "replica $1 not healthy after 60 s" >&2; return 1
}

write_pids() { printf '%s\n' "${PIDS[@]}" >"$PREFIX/replicas.pids"; }

command -v curl >/dev/null || { echo "curl is needed for health checks (apt-get install -y curl)" >&2; exit 1; }

REPLICA_PORTS=()
for (( i = 1; i <= N; i++ )); do start_replica "$i"; REPLICA_PORTS+=($((PORT + i))); done
for (( i = 1; i <= N; i++ )); do wait_healthy "$i"; done
write_pids

"$PYTHON" "$ROOT/deploy/nginx_conf.py" --listen "$PORT" --replicas "${REPLICA_PORTS[@]}" \
    --prefix "$PREFIX" >"$PREFIX/nginx.conf"
"$NGINX" -t -q -p "$PREFIX" -c "$PREFIX/nginx.conf" -e "$PREFIX/error.log"
"$NGINX" -p "$PREFIX" -c "$PREFIX/nginx.conf" -e "$PREFIX/error.log" -g 'daemon off;' &
NGINX_PID=$!
for _ in $(seq 1 40); do
    curl -fsS --max-time 2 "http://$HOST:$PORT/_stcore/health" >/dev/null 2>&1 && break
    sleep 0.25
done

cat <<EOF
LSTM Lens: $N replica(s) behind nginx at http://$HOST:$PORT/
  replicas:  ${REPLICA_PORTS[*]}   pids: ${PIDS[*]}   nginx pid: $NGINX_PID
  prefix:    $PREFIX  (nginx.conf, logs, replicas.pids)
  load test: python bench/load_test.py --replicas-only --replicas-url http://$HOST:$PORT --replicas-pids @$PREFIX/replicas.pids
Ctrl-C stops everything.
EOF

while (( ! STOPPING )); do
    sleep 5 & wait $! || true
    (( STOPPING )) && break
    kill -0 "$NGINX_PID" 2>/dev/null || { echo "nginx exited; see $PREFIX/error.log" >&2; exit 1; }
    for (( i = 1; i <= N; i++ )); do
        if ! kill -0 "${PIDS[$i]}" 2>/dev/null; then
            echo "$(date +%T) replica $i (port $((PORT + i))) died; restarting" >&2
            start_replica "$i"; wait_healthy "$i" || true; write_pids
        elif ! healthy $((PORT + i)); then
            echo "$(date +%T) replica $i (port $((PORT + i))) fails /_stcore/health" >&2
        fi
    done
done
