# Shared by every command of bin/: sourced, not run.
# shellcheck shell=bash

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
# Every command runs in the repository's own environment, made by bin/setup.
VENV="$REPO/.venv"
MODULES="${CONSTRUCTION_MODULES:-construction_sync,construction_field_evidence,construction_estimate_bridge,construction_companycam,construction_samsara,construction_procore,construction_raken,construction_assist,construction_billing,construction_subcontract,construction_procore_subcontract,construction_object_storage,construction_demo}"
TEST_DB="${CONSTRUCTION_TEST_DB:-construction_test}"
DEMO_DB="${CONSTRUCTION_DEMO_DB:-construction_demo}"
mkdir -p var/log

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

# The Odoo series an interpreter imports, or nothing.
odoo_series() {
    "$1" -c 'import odoo.release as r; print(r.series)' 2>/dev/null || true
}

require_odoo() {
    PYTHON="$VENV/bin/python"
    [ -x "$PYTHON" ] || die "the suite's environment .venv/ is missing: run bin/setup first."
    local version
    version="$(odoo_series "$PYTHON")"
    [ -n "$version" ] || die "$PYTHON cannot import Odoo: run bin/setup again."
    [ "$version" = "18.0" ] || die "Odoo $version is importable by $PYTHON, but the suite needs Odoo 18.0."
    ODOO_ADDONS="$("$PYTHON" -c 'import os, odoo; print(os.path.join(os.path.dirname(os.path.dirname(odoo.__file__)), "addons"))')"
    [ -d "$ODOO_ADDONS/mail" ] || die "Odoo's addons folder was not found at $ODOO_ADDONS (expected beside the odoo package of a source install)."
    ADDONS_PATH="$REPO/addons,$ODOO_ADDONS"
    # The server must start from a script file, not "python -m odoo": in
    # multi-worker mode it re-runs its own script for the websocket process.
    ODOO_BIN="$(dirname "$ODOO_ADDONS")/odoo-bin"
    [ -f "$ODOO_BIN" ] || die "Odoo's server script odoo-bin was not found beside $ODOO_ADDONS (a source install has it)."
}

odoo_cmd() {
    "$PYTHON" "$ODOO_BIN" -c "$REPO/odoo.conf" --addons-path="$ADDONS_PATH" "$@"
}

# Odoo's master password (it guards the database manager) is made once per
# machine into var/admin-passwd (mode 600), never kept in the repository.
# Servers read var/odoo-server.conf: odoo.conf, the one place of every other
# option, plus that password; it is written again from them at each start.
# Sets SERVER_CONF.
server_config() {
    local secret="$REPO/var/admin-passwd"
    SERVER_CONF="$REPO/var/odoo-server.conf"
    grep -q '^\[options\]' "$REPO/odoo.conf" || die "odoo.conf has no [options] section"
    (
        umask 077
        if [ ! -s "$secret" ]; then
            "$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(24))' >"$secret"
            say "Made this machine's Odoo master password: $secret" >&2
        fi
        chmod 600 "$secret"
        sed "/^\[options\]/a admin_passwd = $(cat "$secret")" "$REPO/odoo.conf" >"$SERVER_CONF"
        chmod 600 "$SERVER_CONF"
    )
}

db_exists() {
    psql -d postgres -tAc "select 1 from pg_database where datname = '$1'" 2>/dev/null | grep -q 1
}

modules_installed() {
    local wanted="'${MODULES//,/\',\'}'" count
    count="$(tr ',' '\n' <<<"$MODULES" | wc -l)"
    db_exists "$1" && [ "$(psql -d "$1" -tAc "select count(*) from ir_module_module where state = 'installed' and name in ($wanted)" 2>/dev/null)" = "$count" ]
}

# Install the three modules, with demo data, into a new database; the log
# goes to var/log/<database>-install.log and the command fails on failure.
install_database() {
    local db="$1" log="var/log/$1-install.log"
    dropdb --if-exists "$db"
    rm -f "$log"
    rm -rf "var/data/filestore/$db"
    say "Installing $MODULES into a new database '$db' (log: $log)"
    if ! odoo_cmd -d "$db" -i "$MODULES" --stop-after-init --workers=0 --max-cron-threads=0 \
        --logfile="$log" --log-level=info; then
        tail -n 40 "$log" >&2
        die "installing the modules into '$db' failed; see $log"
    fi
    modules_installed "$db" || { tail -n 40 "$log" >&2; die "the modules are not installed in '$db'; see $log"; }
}

# Export i18n/<addon>.pot of every addon under addons/ from the test database,
# where they must be installed; with --check, write nothing and fail when one
# is stale (see bin/lib/pot.py).
export_pot() {
    local manifests=("$REPO"/addons/*/__manifest__.py)
    "$PYTHON" "$REPO/bin/lib/pot.py" "$REPO/odoo.conf" "$ADDONS_PATH" "$TEST_DB" "$@" \
        "${manifests[@]%/__manifest__.py}"
}

# Print "<api key> <demo site id>" of a service user of the demo BidMaster
# system in database $1 (login $2), for commands that call a running server.
service_api_key() {
    "$PYTHON" "$REPO/bin/lib/service_key.py" "$REPO/odoo.conf" "$ADDONS_PATH" "$1" "$2"
}

# Start a server on database $1 and port $2 (gevent on $2 + 1) with two
# workers and queue_job's runner; SERVER_PID names it, the log goes to
# var/log/<$3, else the database>-server.log. Returns once the API answers.
# CONSTRUCTION_SERVER_LOAD=base,web starts a node without the job runner.
# The node serves its one database by name (-d, no --db-filter): Odoo then
# takes that name as the list of databases instead of asking PostgreSQL for
# it on every request that carries no session, over a new connection.
start_server() {
    local db="$1" port="$2" log="$REPO/var/log/${3:-$1}-server.log"
    local load="${CONSTRUCTION_SERVER_LOAD:-base,web,queue_job}"
    server_config
    say "Starting a server with 2 workers ($load) on port $port (master password in var/admin-passwd)"
    ODOO_QUEUE_JOB_CHANNELS="${ODOO_QUEUE_JOB_CHANNELS:-root:2,root.construction_inbound:2,root.construction_outbound:1,root.construction_batch:1,root.construction_pull:1}" \
        "$PYTHON" "$ODOO_BIN" -c "$SERVER_CONF" --addons-path="$ADDONS_PATH" \
        -d "$db" --http-port="$port" --gevent-port="$((port + 1))" \
        --workers=2 --max-cron-threads="${CONSTRUCTION_CRON_THREADS:-0}" \
        --load="$load" --logfile="$log" &
    SERVER_PID=$!
    for _ in $(seq 60); do
        curl -sf "http://127.0.0.1:$port/construction/api/v1/health" >/dev/null && return 0
        kill -0 "$SERVER_PID" 2>/dev/null || die "the server on '$db' stopped; see $log"
        sleep 1
    done
    stop_server
    die "the server on '$db' did not answer on port $port within 60 s; see $log"
}

stop_server() {
    [ -n "${SERVER_PID:-}" ] || return 0
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
}

# Start the S3-compatible server of var/s3-server (moto, bin/setup) on
# 127.0.0.1:$1 with the bucket construction-photos, and export the
# CONSTRUCTION_S3_* environment that servers started afterwards read
# (construction_object_storage). S3_PID names it.
start_s3() {
    local port="$1" url="http://127.0.0.1:$1"
    [ -x var/s3-server/bin/moto_server ] || die "var/s3-server/bin/moto_server is missing: run bin/setup"
    say "Starting an S3-compatible server (moto) on port $port"
    var/s3-server/bin/moto_server -H 127.0.0.1 -p "$port" >"$REPO/var/log/s3-$port.log" 2>&1 &
    S3_PID=$!
    for _ in $(seq 60); do
        curl -sf "$url/moto-api/" >/dev/null && break
        sleep 0.5
    done
    curl -sf -X PUT "$url/construction-photos" >/dev/null || die "the S3 server on port $port did not start; see var/log/s3-$port.log"
    export CONSTRUCTION_S3_ENDPOINT_URL="$url" CONSTRUCTION_S3_KEY=local CONSTRUCTION_S3_SECRET=local
}

stop_s3() {
    [ -n "${S3_PID:-}" ] || return 0
    kill "$S3_PID" 2>/dev/null || true
    wait "$S3_PID" 2>/dev/null || true
}
