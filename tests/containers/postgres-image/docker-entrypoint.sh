#!/usr/bin/env bash
# The subset of the official postgres image's entrypoint that docker-compose.yml uses (see the
# Dockerfile beside this file): runs as the postgres user (uid 999, compose's `user:`), so it
# never changes owners or users.
set -Eeuo pipefail

# file_env VAR: VAR from VAR_FILE when that is set (docker secrets).
file_env() {
  local var=$1 file_var="${1}_FILE"
  if [[ -n ${!var:-} && -n ${!file_var:-} ]]; then
    echo "error: both $var and $file_var are set" >&2
    exit 1
  fi
  if [[ -n ${!file_var:-} ]]; then
    export "$var=$(<"${!file_var}")"
    unset "$file_var"
  fi
}

if [[ ${1:-} == postgres ]]; then
  file_env POSTGRES_PASSWORD
  export POSTGRES_USER=${POSTGRES_USER:-postgres}
  export POSTGRES_DB=${POSTGRES_DB:-$POSTGRES_USER}
  if [[ ! -s $PGDATA/PG_VERSION ]]; then
    [[ -n ${POSTGRES_PASSWORD:-} ]] || { echo "error: POSTGRES_PASSWORD is not set" >&2; exit 1; }
    # An empty data folder (the named volume's first start): initdb, then the init scripts.
    pwfile=$(mktemp)
    printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
    # shellcheck disable=SC2086  # POSTGRES_INITDB_ARGS is a list of options, as upstream
    initdb --username="$POSTGRES_USER" --pwfile="$pwfile" ${POSTGRES_INITDB_ARGS:-}
    rm -f "$pwfile"
    printf '\nlisten_addresses = '"'"'*'"'"'\nunix_socket_directories = '"'"'/tmp'"'"'\n' \
      >>"$PGDATA/postgresql.auto.conf"
    printf 'host all all all scram-sha-256\n' >>"$PGDATA/pg_hba.conf"
    # Socket only while the scripts run: TCP clients (and pg_isready -h 127.0.0.1) wait.
    pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start
    export PGUSER=$POSTGRES_USER PGPASSWORD=$POSTGRES_PASSWORD PGHOST=/tmp
    if [[ $POSTGRES_DB != postgres ]]; then
      psql -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE \"$POSTGRES_DB\""
    fi
    for f in /docker-entrypoint-initdb.d/*; do
      case $f in
        *.sh)
          if [[ -x $f ]]; then
            echo "$0: running $f"
            "$f"
          else
            echo "$0: sourcing $f"
            # shellcheck disable=SC1090
            . "$f"
          fi
          ;;
        *.sql)
          echo "$0: running $f"
          psql -v ON_ERROR_STOP=1 -d "$POSTGRES_DB" -f "$f"
          ;;
        *) [[ -e $f ]] && echo "$0: ignoring $f" ;;
      esac
    done
    unset PGPASSWORD PGUSER
    pg_ctl -D "$PGDATA" -m fast -w stop
    echo "PostgreSQL init process complete; ready for start up."
  fi
fi
exec "$@"
