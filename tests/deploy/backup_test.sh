#!/usr/bin/env bash
# Backup and restore with the local runner (deploy/maillage backup / restore), on a private
# throwaway cluster: its own state folder (MAILLAGE_STATE_DIR) and a free port
# (MAILLAGE_PG_PORT), never the `up` cluster; PostgreSQL only (`up --db-only`), no binary.
#
#   backup_test.sh [REPOSITORY_ROOT]   (run by ctest as deploy_backup)
#
# Writes data of many kinds into the four service databases as their owner roles, backs up,
# checks the manifest, checks that a damaged backup is refused before anything is touched,
# wipes the databases (dropped, emptied, altered), restores, and compares a full plain pg_dump
# (schema, owners, rights, data, sequences) of every database before and after: equal.
set -euo pipefail

ROOT=$(cd "${1:-$(dirname "${BASH_SOURCE[0]}")/../..}" && pwd)
RUNNER="$ROOT/deploy/maillage"
PG_BINDIR=/usr/lib/postgresql/15/bin
DATABASES=(ess_directory ess_meetings ess_budget ess_gateway)

fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }

[[ -x $PG_BINDIR/initdb ]] || fail "PostgreSQL 15 is not installed ($PG_BINDIR/initdb)"

WORK=$(mktemp -d /tmp/maillage-backup-test.XXXXXX)
chmod 711 "$WORK"   # the postgres user (when run as root) reaches the cluster inside
export MAILLAGE_STATE_DIR="$WORK/state"
port=""
for ((i = 0; i < 200; i++)); do
  candidate=$((56000 + RANDOM % 8000))
  if [[ -z $(ss -Htln "sport = :$candidate" 2>/dev/null) ]]; then port=$candidate; break; fi
done
[[ -n $port ]] || fail "no free TCP port"
export MAILLAGE_PG_PORT=$port

cleanup() {
  "$RUNNER" down >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

runner() { "$RUNNER" "$@"; }
# sql DB SQL: runs SQL as the owner role of DB (as the binaries do), printing rows unaligned.
sql() { runner psql -At -d "$1" -c "SET ROLE $1; $2"; }

superuser_password() {
  sed -n 's/^MAILLAGE_PG_SUPERUSER_PASSWORD=//p' "$MAILLAGE_STATE_DIR/secrets.env"
}

# snapshot FOLDER: a full plain dump of every database (minus psql's random \restrict keys).
snapshot() {
  mkdir -p "$1"
  local db
  for db in "${DATABASES[@]}"; do
    PGPASSWORD="$(superuser_password)" "$PG_BINDIR/pg_dump" -h 127.0.0.1 -p "$port" -U postgres \
      --dbname="$db" | grep -Ev '^\\(un)?restrict ' >"$1/$db.sql"
  done
}

same_as_before() { # FOLDER
  local db
  for db in "${DATABASES[@]}"; do
    diff -u "$WORK/before/$db.sql" "$1/$db.sql" >"$WORK/diff-$db.txt" ||
      { head -n 40 "$WORK/diff-$db.txt" >&2; fail "$db differs from before the backup ($2)"; }
  done
}

echo "== cluster on 127.0.0.1:$port in $MAILLAGE_STATE_DIR"
runner up --db-only

echo "== writing data"
for db in "${DATABASES[@]}"; do
  sql "$db" "
    CREATE TABLE schema_migrations (version int PRIMARY KEY, name text NOT NULL,
      checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(),
      dirty bool NOT NULL DEFAULT false);
    INSERT INTO schema_migrations (version, name, checksum)
      VALUES (1, 'initial', repeat('a', 64)), (2, 'more', repeat('b', 64));
    CREATE TABLE owners (id bigserial PRIMARY KEY, label text NOT NULL UNIQUE);
    CREATE TABLE records (
      id bigserial PRIMARY KEY,
      owner_id bigint REFERENCES owners (id) ON DELETE CASCADE,
      title text NOT NULL CHECK (title <> ''),
      amount numeric(14, 2),
      tags text[],
      payload jsonb,
      raw bytea,
      happened_at timestamptz,
      note text);
    CREATE INDEX records_owner ON records (owner_id, happened_at DESC);
    INSERT INTO owners (label) SELECT 'owner ' || g FROM generate_series(1, 50) g;
    INSERT INTO records (owner_id, title, amount, tags, payload, raw, happened_at, note)
      SELECT 1 + g % 50, 'Économie sociale et solidaire nº' || g || ' — ñ ✓ 😀',
             round((g * 12.34)::numeric, 2), ARRAY['a' || g, 'b\"q', NULL],
             jsonb_build_object('g', g, 'nested', jsonb_build_array(g, 'x', NULL)),
             decode(md5(g::text), 'hex'), timestamptz '2024-01-01 00:00:00+00' + g * interval '1 h',
             CASE WHEN g % 7 = 0 THEN NULL ELSE E'line\\none\\ttab' END
      FROM generate_series(1, 2000) g;
    SELECT setval('records_id_seq', 5000);
    CREATE VIEW totals AS SELECT owner_id, sum(amount) AS total FROM records GROUP BY owner_id;
    CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS
      \$\$BEGIN NEW.note := coalesce(NEW.note, 'touched'); RETURN NEW; END\$\$;
    CREATE TRIGGER records_touch BEFORE INSERT ON records FOR EACH ROW EXECUTE FUNCTION touch();
    COMMENT ON TABLE records IS 'rows of $db';" >/dev/null
done
# The directory's own use of the extensions created by init.sh.
sql ess_directory "
  CREATE INDEX records_title_trgm ON records USING gin (title gin_trgm_ops);
  CREATE TABLE spellings AS SELECT unaccent(title) AS plain, soundex(title) AS sound
    FROM records WHERE id <= 100;" >/dev/null
snapshot "$WORK/before"

echo "== backup"
runner backup "$WORK/backup"
manifest="$WORK/backup/manifest.json"
[[ -f $manifest ]] || fail "no manifest.json"
python3 - "$manifest" "$WORK/backup" "${DATABASES[@]}" <<'PY' || fail "manifest.json is wrong"
import hashlib, json, os, sys
manifest_path, folder, expected = sys.argv[1], sys.argv[2], sys.argv[3:]
m = json.load(open(manifest_path))
assert m["format"] == "maillage-backup/1", m["format"]
assert m["postgresql_version"].startswith("15"), m["postgresql_version"]
assert m["maillage_commit"] and m["created_at"].endswith("Z")
names = [d["name"] for d in m["databases"]]
assert sorted(names) == sorted(expected), names
for d in m["databases"]:
    path = os.path.join(folder, d["file"])
    assert d["owner"] == d["name"]
    assert os.path.getsize(path) == d["bytes"] > 0, (path, d["bytes"])
    assert hashlib.sha256(open(path, "rb").read()).hexdigest() == d["sha256"], path
PY

echo "== a damaged backup is refused before anything is touched"
cp -r "$WORK/backup" "$WORK/damaged"
printf 'X' | dd of="$WORK/damaged/ess_budget.dump" bs=1 seek=200 conv=notrunc status=none
if runner restore --yes --no-start "$WORK/damaged" >"$WORK/damaged.log" 2>&1; then
  fail "restore accepted a dump whose sha256 does not match"
fi
grep -q sha256 "$WORK/damaged.log" ||
  { cat "$WORK/damaged.log" >&2; fail "no word of the checksum"; }
snapshot "$WORK/after-damaged"
same_as_before "$WORK/after-damaged" "after refusing a damaged backup"

echo "== wiping the databases"
runner psql -d postgres -c "DROP DATABASE ess_directory WITH (FORCE)" \
  -c "DROP DATABASE ess_meetings WITH (FORCE)"
sql ess_budget "DELETE FROM records; DROP VIEW totals; DROP TABLE records;" >/dev/null
sql ess_gateway "INSERT INTO owners (label) VALUES ('intruder'); UPDATE records SET amount = 0;" \
  >/dev/null

echo "== restore"
runner restore --yes --no-start "$WORK/backup"
snapshot "$WORK/after"
same_as_before "$WORK/after" "after the restore"
for db in "${DATABASES[@]}"; do
  [[ $(sql "$db" "SELECT count(*) FROM records") == 2000 ]] || fail "$db: not 2000 records"
  [[ $(sql "$db" "SELECT tableowner FROM pg_tables WHERE tablename = 'records'") == "$db" ]] ||
    fail "$db: records is not owned by $db"
done
# The restored sequence goes on from where it was.
[[ $(sql ess_meetings "INSERT INTO records (title) VALUES ('next') RETURNING id") == 5001* ]] ||
  fail "ess_meetings: the sequence did not continue at 5001"
echo "== restoring over intact databases keeps a pre-restore copy of them"
sql ess_gateway "UPDATE records SET title = 'changed after the backup' WHERE id = 1" >/dev/null
runner restore --yes --no-start "$WORK/backup"
pre=("$MAILLAGE_STATE_DIR"/backups/pre-restore-*)
[[ -f ${pre[0]}/manifest.json ]] ||
  fail "no pre-restore copy with a manifest in $MAILLAGE_STATE_DIR/backups"
[[ $(sql ess_gateway "SELECT title FROM records WHERE id = 1") != 'changed after the backup' ]] ||
  fail "the second restore did not replace ess_gateway"
echo "PASS: backup, wipe, restore: all four databases equal to before"
