#!/usr/bin/env bash
# Run the checks that `make test` stands for, keep going past a failure, and end with a summary.
#
#   scripts/run-tests.sh [lint] [migrations] [sqlite] [pg]     (default: all four, in that order)
#
# Expects the venv from `make install` (.venv) and, for `pg`, a running PostgreSQL
# (scripts/ensure-services.sh postgres). Extra pytest arguments come from $PYTEST_ARGS;
# the PostgreSQL database from $TEST_DATABASE_URL. Exits non-zero when any step failed.
set -uo pipefail

cd "$(dirname "$0")/.."
BIN=${VENV:-.venv}/bin
TEST_DATABASE_URL=${TEST_DATABASE_URL:-postgresql://postgres:postgres@127.0.0.1:5432/taizhang_test}
PYTEST_ARGS=${PYTEST_ARGS:-}
# One process by default: on the two-core machines `-n 2` measured slower (65 s serial vs 86 s
# on SQLite, 64 s vs 72 s on PostgreSQL), since each worker migrates its own test database.
# PYTEST_WORKERS=2 (or auto) turns pytest-xdist on; both databases pass with it.
PYTEST_WORKERS=${PYTEST_WORKERS:-0}

steps=("$@")
[ ${#steps[@]} -eq 0 ] && steps=(lint migrations sqlite pg)

declare -a summary=()
failed=0
total_passed=0
total_failed=0
total_skipped=0
ran_pytest=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

banner() { printf '\n==== %s ====\n' "$*"; }

record() {  # record NAME STATUS
  if [ "$2" -eq 0 ]; then
    summary+=("ok      $1")
  else
    summary+=("FAILED  $1 (exit $2)")
    failed=1
  fi
}

count() {  # count WORD: the number before WORD on pytest's closing line, or 0
  local line
  line=$(grep -E '^(=+ )?[0-9a-z, ]*(passed|failed|error|skipped|no tests ran)[0-9a-z, ]* in [0-9.]+s' "$log" | tail -1)
  grep -oE "[0-9]+ $1" <<<"$line" | grep -oE '^[0-9]+' || echo 0
}

run_pytest() {  # run_pytest LABEL [env assignments...]
  local label=$1
  shift
  local xdist=()
  [ "$PYTEST_WORKERS" != "0" ] && xdist=(-n "$PYTEST_WORKERS")
  # shellcheck disable=SC2086  # PYTEST_ARGS is split on purpose
  # The settings come from pyproject.toml (config.settings.test), whatever the shell exported.
  env -u DJANGO_SETTINGS_MODULE "$@" "$BIN/pytest" -p no:cacheprovider "${xdist[@]}" $PYTEST_ARGS 2>&1 | tee "$log"
  local status=${PIPESTATUS[0]}
  ran_pytest=1
  total_passed=$((total_passed + $(count passed)))
  total_failed=$((total_failed + $(count failed) + $(count error)))
  total_skipped=$((total_skipped + $(count skipped)))
  if [ "$status" -eq 5 ]; then
    echo "pytest collected no tests on $label"
  fi
  record "pytest on $label" "$status"
}

for step in "${steps[@]}"; do
  case "$step" in
    lint)
      banner "ruff check"
      "$BIN/ruff" check --no-cache .
      record "ruff check" $?
      banner "ruff format --check"
      "$BIN/ruff" format --check --no-cache .
      record "ruff format --check" $?
      ;;
    migrations)
      banner "makemigrations --check --dry-run"
      # An in-memory database: the check must not create ./var/taizhang.sqlite3 as a side effect.
      env DJANGO_SETTINGS_MODULE=config.settings.test DATABASE_URL=sqlite://:memory: \
        "$BIN/taizhang" makemigrations --check --dry-run
      record "makemigrations --check" $?
      ;;
    sqlite)
      banner "pytest on SQLite (in-memory test database, config.settings.test)"
      run_pytest "SQLite" -u DATABASE_URL
      ;;
    pg)
      safe_url=$(sed -E 's#//([^:/@]+):[^@]*@#//\1:***@#' <<<"$TEST_DATABASE_URL")
      banner "pytest on PostgreSQL ($safe_url; pytest-django creates test_<name>)"
      run_pytest "PostgreSQL" DATABASE_URL="$TEST_DATABASE_URL"
      ;;
    *)
      echo "unknown step: $step (expected lint, migrations, sqlite or pg)" >&2
      exit 2
      ;;
  esac
done

banner "summary"
printf '%s\n' "${summary[@]}"
echo "time: $((SECONDS / 60)) min $((SECONDS % 60)) s"
if [ "$ran_pytest" -eq 1 ]; then
  # One plain closing line over every pytest run above (CI reads it).
  echo "total: $total_passed passed, $total_failed failed, $total_skipped skipped"
fi
exit "$failed"
