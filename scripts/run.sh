#!/usr/bin/env bash
# `make run`: a local platform with embedded defaults. SQLite under var/, Redis from
# REDIS_URL, else a private redis-server under var/ when one is installed, else grading
# inside the web process (with a warning). Ctrl-C stops everything this script started.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export DEBUG="${DEBUG:-true}"
PORT="${PORT:-8000}"
mkdir -p var
pids=()
cleanup() {
	trap - INT TERM EXIT
	for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
	wait 2>/dev/null || true
	[ -f var/redis.pid ] && kill "$(cat var/redis.pid)" 2>/dev/null && rm -f var/redis.pid
	echo "Stopped."
	exit 0
}
trap cleanup INT TERM EXIT

if [ -z "${REDIS_URL:-}" ] && command -v redis-server >/dev/null; then
	redis-server --port 0 --unixsocket "$PWD/var/redis.sock" --unixsocketperm 700 --save "" \
		--appendonly no --daemonize yes --pidfile "$PWD/var/redis.pid" --logfile "$PWD/var/redis.log" --dir "$PWD/var"
	for _ in $(seq 50); do [ -S var/redis.sock ] && break; sleep 0.1; done
	export REDIS_URL="redis+socket://$PWD/var/redis.sock"
fi

$BIN/python manage.py migrate --verbosity 0
$BIN/python manage.py load_course --prepare
echo "Demo accounts:"
$BIN/python manage.py create_demo_users

if [ -n "${REDIS_URL:-}" ]; then
	# One worker per lane (ARCHITECTURE.md): first pending code, the backlog (one core at
	# most), and typed and chosen answers (with beat).
	$BIN/celery -A mlcourse worker -Q grading --loglevel warning -n code@%h &
	pids+=($!)
	GRADING_CPU_SLOTS=1 GRADING_RUNS_IN_FLIGHT=4 $BIN/celery -A mlcourse worker -Q grading-backlog \
		--loglevel warning -n backlog@%h &
	pids+=($!)
	$BIN/celery -A mlcourse worker -Q grading-answers --concurrency 4 --beat --loglevel warning \
		--schedule var/celerybeat-schedule -n answers@%h &
	pids+=($!)
	grading="Celery workers (broker $REDIS_URL)"
else
	export GRADE_IN_PROCESS=true
	echo "WARNING: no Redis found, so answers are graded inside the web process."
	echo "         Install redis-server (apt-get install redis-server) or set REDIS_URL to get a worker."
	grading="the web process"
fi

echo
echo "  Mathematics for Machine Learning is running at http://127.0.0.1:$PORT/"
echo "  Grading: $grading.   Stop with Ctrl-C."
echo
$BIN/python manage.py runserver "127.0.0.1:$PORT" &
pids+=($!)
wait -n "${pids[@]}"
