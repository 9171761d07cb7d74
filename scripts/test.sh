#!/usr/bin/env bash
# The whole test suite: lint, type check, tests on SQLite, then the PostgreSQL-only tests
# (concurrency, locking) when PostgreSQL is reachable. Browser tests need Debian's Chromium.
set -uo pipefail
cd "$(dirname "$0")/.."

# Compiled bytecode is kept (see the Makefile): without it each process the tests start
# compiles every module again.
unset PYTHONDONTWRITEBYTECODE

PG_URL="${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
status=0

echo "== lint, types and the arrows between apps"
ruff check src tests bench && ruff format --check src tests bench && mypy && lint-imports \
  || status=1

echo "== every model change has its migration"
dinghuo makemigrations --check --dry-run || status=1

# Debian's Chromium drives the browser tests; a CJK font lets the Chinese pages' screenshots
# show characters instead of boxes (the tests themselves read the text, not the pixels).
if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "wqy\|noto.*cjk"; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "== installing Debian's chromium and a CJK font for the browser tests"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      chromium fonts-wqy-microhei >/dev/null) \
      || echo "!! could not install chromium / fonts-wqy-microhei"
  else
    echo "!! /usr/bin/chromium or a CJK font is missing and cannot be installed here"
  fi
fi
if [ -x /usr/bin/chromium ]; then
  echo "== browser tests (marker e2e) drive $(/usr/bin/chromium --version 2>/dev/null | head -1); screenshots in var/screenshots/"
else
  echo "!!!!!! BROWSER TESTS SKIPPED: /usr/bin/chromium is missing (apt-get install chromium) !!!!!!"
fi

echo "== message catalogs (the pages in Chinese need the compiled .mo)"
dinghuo compile_translations || status=1

if ! python -c "import redis; redis.Redis(socket_connect_timeout=1).ping()" 2>/dev/null; then
  echo "!! SKIPPED: the Redis tests (marker redis, shared rate limits): no Redis at 127.0.0.1:6379"
fi
echo "== tests on SQLite"
pytest -n 2 -m "not postgres" "$@"
rc=$?
[ $rc -ne 0 ] && status=1

if python - "$PG_URL" <<'PY'
import sys, psycopg
try:
    psycopg.connect(sys.argv[1].replace("postgres://", "postgresql://"), connect_timeout=3).close()
except Exception as exc:
    print(f"!! PostgreSQL not reachable at {sys.argv[1]} ({exc.__class__.__name__})")
    sys.exit(1)
PY
then
  echo "== PostgreSQL-only tests (concurrency, locking) on $PG_URL"
  # The fault tests bound how fast the app answers and recovers while the database goes away:
  # they run alone. The others (races, the bench's smoke run) on two workers, each with its
  # own test database.
  DATABASE_URL="$PG_URL" pytest -m postgres tests/faults "$@"
  rc=$?
  [ $rc -ne 0 ] && [ $rc -ne 5 ] && status=1
  DATABASE_URL="$PG_URL" pytest -m postgres -n 2 --ignore=tests/faults "$@"
  rc=$?
  [ $rc -ne 0 ] && [ $rc -ne 5 ] && status=1
else
  echo "!! SKIPPED: PostgreSQL-only tests (concurrency, locking): PostgreSQL is not reachable"
fi
exit $status
