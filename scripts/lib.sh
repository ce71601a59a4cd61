# Shared helpers for scripts/run and scripts/test. Sourced, not executed.
# shellcheck shell=bash

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf '\033[31mERROR: %s\033[0m\n' "$*" >&2; exit 1; }

# Python keeps each module's compiled form (__pycache__/, ignored by git) even where the environment says not to
# (PYTHONDONTWRITEBYTECODE=1 on this kind of machine). Without it every process compiles the project again: each
# pytest worker (and pytest rewrites every test module's asserts again, ~13 s of CPU per worker), each Celery worker,
# beat and manage.py the tests start (about ninety; ~2 s of CPU each), every start of scripts/run's processes.
unset PYTHONDONTWRITEBYTECODE

# Debian packages: WeasyPrint's Pango and HarfBuzz subsetting (without libharfbuzz-subset0 a Chinese PDF
# takes ~40x longer), the CJK fonts documents name, Chromium for the browser tests, gettext for the
# translation catalogue check, poppler-utils to turn PDFs into text and images in tests.
RUN_DEB_PACKAGES="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk gettext"
TEST_DEB_PACKAGES="$RUN_DEB_PACKAGES chromium poppler-utils"

ensure_deb_packages() {
  local missing=() pkg
  command -v dpkg >/dev/null 2>&1 || { say "not a Debian system: make sure these are installed: $*"; return 0; }
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "正在安装 Debian 软件包：${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    die "missing Debian packages: ${missing[*]}. Install them with: sudo apt-get install ${missing[*]}"
  fi
}

find_python() {
  local candidate
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && \
       "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  die "Python 3.11 is required (python3.11 not found)"
}

# ensure_venv [dev]: .venv with the pinned dependencies, reinstalled only when pyproject.toml changes.
ensure_venv() {
  local extra="${1:-}" spec="." stamp
  [ "$extra" = dev ] && spec=".[dev]"
  [ -x .venv/bin/python ] || { say "正在创建 .venv"; "$(find_python)" -m venv .venv; }
  stamp=".venv/.crowdsafe-$(sha256sum pyproject.toml | cut -c1-16)-${extra:-run}"
  if [ ! -f "$stamp" ]; then
    say "正在安装 Python 依赖（$spec）"
    # pip's and setuptools' notices (deprecations, locations) go to var/pip-install.log, shown only on failure.
    mkdir -p var
    {
      .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip &&
      .venv/bin/python -m pip install -q --no-compile --disable-pip-version-check -e "$spec"
    } >var/pip-install.log 2>&1 || { cat var/pip-install.log >&2; die "Python install failed (var/pip-install.log)"; }
    .venv/bin/python -W ignore -c 'import django, rest_framework, celery, guardian, weasyprint' || die "Python install failed"
    touch "$stamp"
  fi
  export PATH="$PWD/.venv/bin:$PATH"
}

pg_answers() { .venv/bin/python - <<'PY' >/dev/null 2>&1
import psycopg2
psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres", connect_timeout=3).close()
PY
}

ensure_postgres() {
  pg_answers && { ensure_database; return 0; }
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ] && [ "$(id -u)" = 0 ]; then
    say "starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
    for _ in $(seq 1 20); do pg_answers && { ensure_database; return 0; }; sleep 0.5; done
  fi
  die "PostgreSQL does not answer on 127.0.0.1:5432 (user postgres, trust auth). Start it, e.g.:
  pg_ctlcluster --skip-systemctl-redirect \$(ls /etc/postgresql) main start"
}

# The database that manage.py commands of the test settings use (tests make their own test_… databases).
ensure_database() { .venv/bin/python - <<'PY'
import psycopg2
conn = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres")
conn.autocommit = True
with conn.cursor() as cursor:
    cursor.execute("SELECT 1 FROM pg_database WHERE datname = 'crowdsafe'")
    if cursor.fetchone() is None:
        cursor.execute("CREATE DATABASE crowdsafe")
conn.close()
PY
}

replica_answers() { .venv/bin/python - <<'PY' >/dev/null 2>&1
import psycopg2
psycopg2.connect(host="127.0.0.1", port=5433, user="postgres", dbname="postgres", connect_timeout=3).close()
PY
}

# A second PostgreSQL instance on 127.0.0.1:5433 for the read-replica router's test (tests/db/test_replica_router.py;
# README "How it grows past one machine"): created and started here where we can, else that test is skipped.
ensure_replica_instance() {
  replica_answers && return 0
  local version
  if command -v pg_createcluster >/dev/null 2>&1 && [ -d /etc/postgresql ] && [ "$(id -u)" = 0 ]; then
    version=$(ls /etc/postgresql | head -n1)
    if [ ! -d "/etc/postgresql/$version/replica" ]; then
      say "正在创建第二个 PostgreSQL 实例（端口 5433，只读副本测试用）"
      pg_createcluster "$version" replica --port 5433 -- --auth=trust >/dev/null || true
    fi
    pg_ctlcluster --skip-systemctl-redirect "$version" replica start >/dev/null 2>&1 || true
    for _ in $(seq 1 20); do replica_answers && return 0; sleep 0.5; done
  fi
  say "no second PostgreSQL answers on 127.0.0.1:5433: the read-replica test is skipped. To run it:
  pg_createcluster \$(ls /etc/postgresql) replica --port 5433 -- --auth=trust && pg_ctlcluster \$(ls /etc/postgresql) replica start"
}

redis_answers() { .venv/bin/python - <<'PY' >/dev/null 2>&1
import redis
redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=3).ping()
PY
}

ensure_redis() {
  redis_answers && return 0
  if command -v redis-server >/dev/null 2>&1; then
    say "starting Redis"
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no >/dev/null || true
    for _ in $(seq 1 20); do redis_answers && return 0; sleep 0.5; done
  fi
  die "Redis does not answer on 127.0.0.1:6379. Start it, e.g.:
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save \"\" --appendonly no"
}

# The test database migrated once, as a template each pytest worker copies (CREATE DATABASE … TEMPLATE,
# tests/conftest.py) instead of migrating a database of its own, and kept between runs under a name that is a
# digest of everything a migration may read — the code outside tests/ and bench/, the pinned dependencies, the
# translations — as pytest-django's --reuse-db keeps its database, but never stale: any change to that code names
# another template, migrated afresh (~46 s of a core). test_template_name prints the name; ensure_test_template NAME
# migrates it unless it exists (under a temporary name renamed when complete, so a run never copies a half-migrated
# one) and keeps the three newest.
test_template_name() {
  local files
  if files=$(git ls-files --cached --others --exclude-standard -- '*.py' pyproject.toml 'locale/*.po' \
      ':!tests' ':!bench' 2>/dev/null) && [ -n "$files" ]; then :; else
    files=$(find . -path ./.venv -prune -o -path ./tests -prune -o -path ./bench -prune -o \
      \( -name '*.py' -o -name pyproject.toml -o -name '*.po' \) -print)
  fi
  echo "crowdsafe_test_tpl_$(printf '%s\n' "$files" | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-16)"
}

ensure_test_template() {
  local name="$1" building="$1_building_$$"
  template_db exists "$name" && { say "test database: the migrated template $name (kept from an earlier run)"; return 0; }
  say "test database (migrated once, copied by each pytest worker; kept as $name)"
  template_db create "$building"
  DATABASE_URL="postgres://postgres@127.0.0.1:5432/$building" python manage.py migrate --run-syncdb -v0 ||
    { template_db drop "$building"; return 1; }
  template_db publish "$building" "$name"
}

# template_db exists NAME | create NAME | drop NAME | publish BUILT NAME (rename, then keep the three newest)
template_db() { .venv/bin/python - "$@" <<'PY'
import sys
import psycopg2
action, name, *rest = sys.argv[1:]
conn = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres")
conn.autocommit = True
with conn.cursor() as cursor:
    if action == "exists":
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        sys.exit(0 if cursor.fetchone() else 1)
    if action == "create":
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    elif action == "drop":
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    elif action == "publish":
        (final,) = rest
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [final])
        if cursor.fetchone():  # another run made it meanwhile
            cursor.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        else:
            cursor.execute(f'ALTER DATABASE "{name}" RENAME TO "{final}"')
        cursor.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE 'crowdsafe\\_test\\_tpl\\_%%'"
            " AND datname NOT LIKE '%%\\_building\\_%%' ORDER BY oid DESC OFFSET 3"
        )
        for (old,) in cursor.fetchall():
            try:
                cursor.execute(f'DROP DATABASE "{old}"')  # not WITH (FORCE): a run copying it keeps it
            except psycopg2.Error:
                pass
conn.close()
PY
}

# in_background NAME FUNCTION: runs FUNCTION in the background, its output kept in var/NAME.log; finish NAME then
# waits for it, shows the output, and stops the script if it failed.
declare -A BACKGROUND=()
in_background() { "$2" >"var/$1.log" 2>&1 & BACKGROUND[$1]=$!; }
finish() {
  local status=0
  wait "${BACKGROUND[$1]}" || status=$?
  unset "BACKGROUND[$1]"
  cat "var/$1.log"
  [ "$status" -eq 0 ] || die "$1 failed (var/$1.log)"
}

# The zh_Hans catalogue is kept as .po in git; the .mo is built here (git-ignored).
compile_messages() {
  python manage.py compilemessages -v0 -l zh_Hans -i .venv -i node_modules
}
