#!/usr/bin/env bash
# Container entrypoint of every maillage binary: turns secret files into the variables the
# binaries read, then runs the command (e.g. maillage-directory).
#
#   MAILLAGE_<NAME>_FILE=/run/secrets/x  ->  MAILLAGE_<NAME>=<content of the file>
#     (only values under /run/secrets/: other *_FILE variables, e.g. MAILLAGE_TERRITORY_FILE,
#     are ordinary settings the binaries read themselves)
#   MAILLAGE_DATABASE_PASSWORD (from MAILLAGE_DATABASE_PASSWORD_FILE)  ->  PGPASSWORD, which
#     libpq uses because MAILLAGE_DATABASE_URL carries no password in docker-compose.yml.
#
# The binaries themselves read no files: the local runner (deploy/maillage) passes the same
# values as plain variables. Exits 1 naming the variable when a file cannot be read.
set -euo pipefail

while IFS= read -r var; do
  [[ $var == MAILLAGE_*_FILE ]] || continue
  file=${!var}
  [[ $file == /run/secrets/* ]] || continue
  [[ -r $file ]] || { echo "maillage-entrypoint: $var=$file: cannot read the file" >&2; exit 1; }
  value=$(tr -d '\r\n' <"$file")
  export "${var%_FILE}=$value"
  unset "$var"
done < <(compgen -e)

if [[ -n ${MAILLAGE_DATABASE_PASSWORD:-} ]]; then
  export PGPASSWORD="$MAILLAGE_DATABASE_PASSWORD"
  unset MAILLAGE_DATABASE_PASSWORD
fi

exec "$@"
