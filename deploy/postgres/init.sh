#!/usr/bin/env bash
# Creates the database and the login role of each maillage service, idempotently: role X owns
# database X, nobody else may connect to it, and ess_directory gets the search extensions.
#
# Run by the PostgreSQL container on its first start (mounted in /docker-entrypoint-initdb.d/)
# and by `deploy/maillage up` on every start. Connects as a superuser through libpq's
# environment (PGHOST, PGPORT, PGUSER, PGPASSWORD; the container's defaults otherwise). The
# password of role ess_x comes from ESS_X_PASSWORD, or from the file named by
# ESS_X_PASSWORD_FILE (docker secrets: /run/secrets/ess_x_password). Exits non-zero, naming the
# variable, when a password is missing.
set -euo pipefail

ROLES=(ess_directory ess_meetings ess_budget ess_gateway)

# password_of ROLE: prints the role's password.
password_of() {
  local var="${1^^}_PASSWORD"
  local file_var="${var}_FILE"
  if [[ -n ${!var:-} ]]; then
    printf '%s' "${!var}"
  elif [[ -n ${!file_var:-} ]]; then
    [[ -r ${!file_var} ]] || { echo "init.sh: cannot read $file_var=${!file_var}" >&2; return 1; }
    tr -d '\r\n' <"${!file_var}"
  else
    echo "init.sh: set $var or $file_var for role $1" >&2
    return 1
  fi
}

for role in "${ROLES[@]}"; do
  password="$(password_of "$role")"
  [[ -n $password ]] || { echo "init.sh: empty password for role $role" >&2; exit 1; }
  # The password travels in the environment of psql, not on its command line.
  MAILLAGE_ROLE_PASSWORD="$password" psql -X -q -v ON_ERROR_STOP=1 -d postgres \
    -v role="$role" <<'SQL'
\getenv password MAILLAGE_ROLE_PASSWORD
SELECT format('CREATE ROLE %I LOGIN', :'role')
  WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \gexec
ALTER ROLE :"role" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'password';
SELECT format('CREATE DATABASE %I OWNER %I ENCODING %L', :'role', :'role', 'UTF8')
  WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'role') \gexec
REVOKE ALL ON DATABASE :"role" FROM PUBLIC;
SQL
  echo "init.sh: database and role $role ready"
done

# Created by the superuser: the service role does not have the right to.
psql -X -q -v ON_ERROR_STOP=1 -d ess_directory <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS fuzzystrmatch;
SQL
echo "init.sh: extensions unaccent, pg_trgm, fuzzystrmatch ready in ess_directory"
