#!/bin/sh
# System calls per request of the pipeline scenario's server, counted by
# strace -c -f over a fixed number of requests (connection set-up included,
# amortised over them).
#   sh bench/pipeline-syscalls.sh <runtime binary> <net|cnet> [requests per conn] [conns]
# Prints the strace summary and "<impl> syscalls/request: N".
set -e
RUNTIME=$1
IMPL=$2
PER_CONN=${3:-4000}
CONNS=${4:-10}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$(mktemp -d)
mkfifo "$OUT/in"
"$RUNTIME" "$ROOT/bench/scenarios/server-main.js" "$IMPL" pipeline < "$OUT/in" > "$OUT/server" &
exec 3> "$OUT/in"
while ! grep -q port "$OUT/server" 2>/dev/null; do sleep 0.1; done
PORT=$(sed 's/.*"port":\([0-9]*\).*/\1/' "$OUT/server")
PID=$(sed 's/.*"pid":\([0-9]*\).*/\1/' "$OUT/server")
strace -c -f -p "$PID" -o "$OUT/strace" &
STRACE=$!
sleep 1
"$ROOT/bench/build/loadgen" echo --conns "$CONNS" --inflight 16 --size 32 --messages $((PER_CONN * CONNS)) --port "$PORT" --timeout 120
sleep 0.5
kill -INT "$STRACE"
wait "$STRACE" || true
exec 3>&-
wait || true
cat "$OUT/strace"
awk -v impl="$IMPL" -v n=$((PER_CONN * CONNS)) '
  $NF == "total" { printf "%s syscalls/request: %.3f\n", impl, $4 / n }
  $NF ~ /^(write|writev|read|sendto|sendmsg|recvfrom|recvmsg|epoll_wait|epoll_pwait|poll)$/ { io += $4 }
  END { printf "%s socket+poll syscalls/request: %.3f\n", impl, io / n }' "$OUT/strace"
rm -rf "$OUT"
