#!/usr/bin/env bash
# Make sure the system services and tools the test suite needs are there, idempotently.
#
#   scripts/ensure-services.sh            # everything below
#   scripts/ensure-services.sh gettext    # only GNU gettext (msgfmt/xgettext for translations)
#   scripts/ensure-services.sh postgres   # only PostgreSQL + the taizhang_test database
#   scripts/ensure-services.sh office     # only LibreOffice Writer (soffice: the .docx → PDF checks)
#
# Nothing is installed or started when it is already there. Installing (apt-get) needs root,
# which CI and the build machines have; without root the script says what is missing and fails.
#
# PostgreSQL access: the suite connects as role `postgres` over TCP to 127.0.0.1:5432 with the
# password `postgres` (see TEST_DATABASE_URL in the Makefile). Where local TCP auth is `trust`
# (the build machines) the password is simply ignored. On a freshly installed Debian cluster,
# TCP auth is scram-sha-256, so the script sets that password on the postgres role through the
# Unix socket (peer auth) rather than loosening pg_hba.conf. It only does so when the login
# fails, never on a server that already accepts it.
set -euo pipefail

PGHOST_ADDR=127.0.0.1
PGPORT_NUM=5432
PG_TEST_DB=${PG_TEST_DB:-taizhang_test}
export PGPASSWORD=${PGPASSWORD:-postgres}

say() { printf '[ensure-services] %s\n' "$*"; }
is_root() { [ "$(id -u)" -eq 0 ]; }

APT_UPDATED=0
apt_install() {
  if ! is_root; then
    say "missing: $* — install it (sudo apt-get install -y $*) or run as root"
    return 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  if [ "$APT_UPDATED" -eq 0 ]; then
    say "apt-get update"
    apt-get update -qq </dev/null
    APT_UPDATED=1
  fi
  say "apt-get install -y $*"
  apt-get install -y -qq --no-install-recommends "$@" </dev/null >/dev/null
}

ensure_gettext() {
  if command -v msgfmt >/dev/null && command -v xgettext >/dev/null; then
    return 0
  fi
  apt_install gettext
}

pg_server_installed() {
  compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null
}

pg_version() {
  # Highest installed major version that has a cluster configuration.
  ls /etc/postgresql 2>/dev/null | sort -n | tail -1
}

pg_ready() {
  command -v pg_isready >/dev/null && pg_isready -q -h "$PGHOST_ADDR" -p "$PGPORT_NUM"
}

pg_login_ok() {
  psql -h "$PGHOST_ADDR" -p "$PGPORT_NUM" -U postgres -d postgres -tAc 'SELECT 1' \
    >/dev/null 2>&1 </dev/null
}

ensure_postgres() {
  if ! pg_ready; then
    if ! pg_server_installed; then
      apt_install postgresql
    fi
    local version
    version=$(pg_version)
    if [ -z "$version" ] || [ ! -d "/etc/postgresql/$version/main" ]; then
      version=$(ls /usr/lib/postgresql | sort -n | tail -1)
      say "creating cluster $version/main"
      pg_createcluster "$version" main </dev/null
    fi
    say "starting PostgreSQL $version/main"
    # A cluster that is already running (only not yet accepting) makes start fail: ignore.
    pg_ctlcluster --skip-systemctl-redirect "$version" main start </dev/null || true
    for _ in $(seq 1 60); do
      pg_ready && break
      sleep 0.5
    done
    if ! pg_ready; then
      say "PostgreSQL did not become ready on $PGHOST_ADDR:$PGPORT_NUM"
      return 1
    fi
  fi
  if ! pg_login_ok; then
    if is_root && id postgres >/dev/null 2>&1; then
      say "setting the password of role postgres (local TCP auth is not trust)"
      su postgres -c "psql -q -c \"ALTER USER postgres PASSWORD '$PGPASSWORD'\"" </dev/null
    fi
    if ! pg_login_ok; then
      say "cannot log in as postgres@$PGHOST_ADDR:$PGPORT_NUM (password '$PGPASSWORD')"
      return 1
    fi
  fi
  if [ "$(psql -h "$PGHOST_ADDR" -p "$PGPORT_NUM" -U postgres -d postgres -tAc \
      "SELECT 1 FROM pg_database WHERE datname = '$PG_TEST_DB'" </dev/null)" != "1" ]; then
    say "createdb $PG_TEST_DB"
    createdb -h "$PGHOST_ADDR" -p "$PGPORT_NUM" -U postgres "$PG_TEST_DB" </dev/null
  fi
  say "PostgreSQL ready: postgres@$PGHOST_ADDR:$PGPORT_NUM/$PG_TEST_DB"
}

# Browser tests drive Debian's Chromium through Playwright (its own browser download cannot
# work on these machines); fonts-noto-cjk makes Chinese pages render with real glyphs.
ensure_chromium() {
  local missing=()
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  fc-list :lang=zh 2>/dev/null | grep -q . || missing+=(fonts-noto-cjk)
  [ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"
}

# The Word paperwork is checked by converting it to PDF with LibreOffice (soffice --headless
# --convert-to pdf). Without root the check is skipped by the tests (they fail only when CI=true).
ensure_office() {
  command -v soffice >/dev/null && return 0
  if ! is_root; then
    say "missing: libreoffice-writer-nogui — the .docx → PDF checks skip (CI installs it)"
    return 0
  fi
  apt_install libreoffice-writer-nogui
}

# ---------------------------------------------------------------------------------------------
# Later issues add their system packages here, each as an ensure_* function called below:
#   - browser tests: chromium fonts-noto-cjk            (Playwright, executable /usr/bin/chromium)
#   - office checks: libreoffice-writer-nogui libreoffice-calc-nogui poppler-utils
# ---------------------------------------------------------------------------------------------

main() {
  local wanted=("$@")
  [ ${#wanted[@]} -eq 0 ] && wanted=(gettext postgres chromium office)
  for item in "${wanted[@]}"; do
    case "$item" in
      gettext) ensure_gettext ;;
      postgres) ensure_postgres ;;
      chromium) ensure_chromium ;;
      office) ensure_office ;;
      *) say "unknown service: $item"; return 2 ;;
    esac
  done
}

main "$@"
