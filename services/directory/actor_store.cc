// SQL of the actors table (see actor_store.h).
#include "services/directory/actor_store.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "common/api/resource_name.h"
#include "common/db/values.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "services/directory/actor_fields.h"

namespace maillage::directory {
namespace {

using v1::Actor;

// The writable columns, in the order of WriteParams.
constexpr char kWritableColumns[] =
    "display_name, legal_name, description, kind, website, email, phone, address_lines, "
    "postal_code, city, insee_code, latitude, longitude, siren, siret, rna, "
    "legal_category_code, naf_code, ess_family, network_categories, themes, esus_start_date, "
    "esus_end_date, siae_types, source, last_verified_date";
constexpr char kWritableValues[] =
    "$1, $2, $3, $4, $5, $6, $7, $8::text[], $9, $10, $11, NULLIF($12, '')::float8, "
    "NULLIF($13, '')::float8, $14, $15, $16, $17, $18, $19, $20::text[], $21::text[], "
    "NULLIF($22, '')::date, NULLIF($23, '')::date, $24::text[], $25, NULLIF($26, '')::date";

// Deletes the actor $1 unless contacts, relationships or merged actors point to it.
constexpr char kDeleteUnreferenced[] =
    "DELETE FROM actors a WHERE a.id = $1::bigint "
    "AND NOT EXISTS (SELECT 1 FROM contacts WHERE actor_id = $1::bigint) "
    "AND NOT EXISTS (SELECT 1 FROM relationships "
    "WHERE actor_id = $1::bigint OR other_actor_id = $1::bigint) "
    "AND NOT EXISTS (SELECT 1 FROM actors m WHERE m.merged_into = $1::bigint) RETURNING a.id";
// One statement for every check of an actor against the directory: $1 the INSEE code, $2 and $3
// the network categories and themes, $4 to $8 SIRET, SIREN, RNA, display name and the actor's
// own id (0 for a new one). Columns: the current commune, the unknown categories and themes,
// and the id and rule of another actor holding an identifier. Written so that its generic plan
// is as good as a custom one (PostgreSQL then stops planning it on every call, which cost more
// than running it): the commune by its primary key first, and each identifier's condition
// repeats the predicate of its partial index (`siret <> ''`...).
constexpr char kFacts[] =
    "SELECT coalesce((SELECT insee_code FROM communes WHERE $1 <> '' AND insee_code = $1), "
    "(SELECT insee_code FROM communes WHERE $1 <> '' AND $1 = ANY(former_insee_codes) "
    "ORDER BY insee_code LIMIT 1)) AS commune, "
    "ARRAY(SELECT u.c FROM unnest($2::text[]) WITH ORDINALITY AS u(c, o) WHERE NOT EXISTS "
    "(SELECT 1 FROM network_categories t WHERE t.code = u.c) ORDER BY u.o) AS categories, "
    "ARRAY(SELECT u.c FROM unnest($3::text[]) WITH ORDINALITY AS u(c, o) WHERE NOT EXISTS "
    "(SELECT 1 FROM themes t WHERE t.code = u.c) ORDER BY u.o) AS themes, "
    "owner.id AS owner_id, owner.rule AS owner_rule "
    "FROM (SELECT 1) one LEFT JOIN LATERAL (SELECT id, rule FROM ("
    " SELECT id, 'siret' AS rule, 1 AS priority FROM actors"
    "  WHERE $4 <> '' AND siret = $4 AND siret <> ''"
    "  AND state <> 'ACTOR_STATE_MERGED' AND id <> $8::bigint"
    " UNION ALL SELECT id, 'siren_and_name', 2 FROM actors"
    "  WHERE $5 <> '' AND siren = $5 AND siren <> ''"
    "  AND directory_fold(display_name) = directory_fold($7)"
    "  AND state <> 'ACTOR_STATE_MERGED' AND id <> $8::bigint"
    " UNION ALL SELECT id, 'rna', 3 FROM actors"
    "  WHERE $6 <> '' AND rna = $6 AND rna <> ''"
    "  AND state <> 'ACTOR_STATE_MERGED' AND id <> $8::bigint"
    ") owners ORDER BY priority, id LIMIT 1) owner ON true";
// The number of columns of Columns().
constexpr int kActorColumns = 34;
// kFacts (alias f) and a write of the actor that happens only when it finds nothing against
// it, in one statement: `write` is an INSERT or UPDATE ... RETURNING Columns() that reads f
// (kCleanFacts), over the parameters of WriteParams ($1 to $26) and $27, the actor's own id.
// Columns: the written actor (NULLs when nothing was written), then the facts.
constexpr char kCleanFacts[] =
    "($11 = '' OR f.commune IS NOT NULL) AND cardinality(f.categories) = 0 AND "
    "cardinality(f.themes) = 0 AND f.owner_id IS NULL";
std::string CheckedWriteSql(absl::string_view write) {
  // kFacts's parameters as the write's: $1 the INSEE code, $2 and $3 the categories and themes,
  // $4 to $8 SIRET, SIREN, RNA, display name, own id.
  static constexpr const char* kFactParams[] = {"",    "$11", "$20", "$21", "$15",
                                                "$14", "$16", "$1",  "$27"};
  std::string facts;
  for (const char* p = kFacts; *p != '\0'; ++p) {
    if (*p == '$' && p[1] >= '1' && p[1] <= '8') {
      facts += kFactParams[*++p - '0'];
    } else {
      facts += *p;
    }
  }
  return absl::StrCat("WITH f AS (", facts, "), w AS (", write,
                      ") SELECT w.*, f.commune, f.categories, f.themes, f.owner_id, f.owner_rule "
                      "FROM f LEFT JOIN w ON true");
}
// kWritableValues with the INSEE code replaced by the current code of its commune (f.commune).
std::string CheckedValues() {
  return absl::StrReplaceAll(kWritableValues, {{" $11,", " coalesce(f.commune, $11),"}});
}

ActorFacts FactsFromRow(const pqxx::row& row, int first) {
  ActorFacts facts;
  if (!row[first].is_null()) facts.current_commune = row[first].as<std::string>();
  facts.unknown_categories = db::ReadTextArray(row[first + 1]);
  facts.unknown_themes = db::ReadTextArray(row[first + 2]);
  if (!row[first + 3].is_null()) {
    facts.owner = IdentifierOwner{row[first + 3].as<int64_t>(), row[first + 4].as<std::string>()};
  }
  return facts;
}

CheckedWrite CheckedWriteFromRow(const pqxx::row& row) {
  CheckedWrite result;
  result.facts = FactsFromRow(row, kActorColumns);
  if (!row[0].is_null()) result.stored = ActorStore::ActorFromRow(row);
  return result;
}

constexpr char kSetState[] =
    "UPDATE actors AS a SET state = $2, revision = a.revision + 1, update_time = now(), "
    "archive_time = CASE WHEN $2 = 'ACTOR_STATE_ACTIVE' THEN NULL ELSE now() END "
    "WHERE a.id = $1::bigint";
constexpr char kFold[] =
    "SELECT directory_fold(n) FROM unnest($1::text[]) WITH ORDINALITY AS t(n, o) ORDER BY o";
// directory_fold(display_name) is indexed (migration 0002) for the last term.
constexpr char kMatchCandidates[] =
    "SELECT a.id, a.siret, a.rna, a.siren, directory_fold(a.display_name), a.insee_code "
    "FROM actors a WHERE a.state <> 'ACTOR_STATE_MERGED' AND (a.siret = ANY($1::text[]) OR "
    "a.rna = ANY($2::text[]) OR a.siren = ANY($3::text[]) OR "
    "directory_fold(a.display_name) = ANY($4::text[]))";
constexpr char kSetExtractDate[] = "UPDATE actors SET sirene_extract_date = $2::date WHERE id = $1";
constexpr char kMatchSiret[] =
    "SELECT id FROM actors WHERE siret = $1 AND state <> 'ACTOR_STATE_MERGED' LIMIT 1";
constexpr char kMatchSiren[] =
    "SELECT id FROM actors WHERE siren = $1 AND siret = '' AND state <> 'ACTOR_STATE_MERGED' "
    "ORDER BY id LIMIT 1";
constexpr char kMatchRna[] =
    "SELECT id FROM actors WHERE rna = $1 AND state <> 'ACTOR_STATE_MERGED' LIMIT 1";
constexpr char kSearchQuery[] = "SELECT directory_search_query($1)::text";

int64_t FirstId(const pqxx::result& rows) { return rows.empty() ? 0 : rows[0][0].as<int64_t>(); }

std::vector<std::string> IdTexts(const std::vector<int64_t>& ids) {
  std::vector<std::string> texts;
  for (int64_t id : ids) texts.push_back(absl::StrCat(id));
  return texts;
}

std::vector<std::string> WriteParams(const Actor& a) {
  std::vector<std::string> siae;
  for (int t : a.labels().siae_types()) siae.push_back(v1::SiaeType_Name(t));
  auto number = [&](double v) { return absl::StrFormat("%.17g", v); };
  return {
      a.display_name(),
      a.legal_name(),
      a.description(),
      v1::ActorKind_Name(a.kind()),
      a.website(),
      a.email(),
      a.phone(),
      db::PgArray(a.address().lines()),
      a.address().postal_code(),
      a.address().city(),
      a.address().commune_insee_code(),
      a.has_coordinates() ? number(a.coordinates().latitude()) : "",
      a.has_coordinates() ? number(a.coordinates().longitude()) : "",
      a.siren(),
      a.siret(),
      a.rna(),
      a.legal_category_code(),
      a.naf_code(),
      v1::EssFamily_Name(a.ess_family()),
      db::PgArray(a.network_categories()),
      db::PgArray(a.themes()),
      db::DateParam(a.labels().has_esus_agrement() && a.labels().esus_agrement().has_start_date(),
                    a.labels().esus_agrement().start_date()),
      db::DateParam(a.labels().esus_agrement().has_end_date(),
                    a.labels().esus_agrement().end_date()),
      db::PgArray(siae),
      a.provenance().source(),
      db::DateParam(a.provenance().has_last_verified_date(), a.provenance().last_verified_date())};
}

}  // namespace

const api::FilterSchema& ActorStore::FilterSchema() {
  using Type = api::FilterField::Type;
  static const auto* const kSchema = new api::FilterSchema{
      {"network_category", {"a.network_categories", Type::kStringList}},
      {"theme", {"a.themes", Type::kStringList}},
      {"commune", {"a.insee_code", Type::kString}},
      {"ess_family",
       {"a.ess_family",
        Type::kEnum,
        "ESS_FAMILY_",
        {"UNSPECIFIED", "ASSOCIATION", "COOPERATIVE", "MUTUAL", "FOUNDATION",
         "ESS_COMMERCIAL_COMPANY", "OUTSIDE_ESS"}}},
      {"state", {"a.state", Type::kEnum, "ACTOR_STATE_", {"ACTIVE", "ARCHIVED", "MERGED"}}},
      {"kind", {"a.kind", Type::kEnum, "ACTOR_KIND_", {"ORGANISATION", "STRUCTURE_TYPE"}}},
      {"label",
       {"(CASE WHEN a.esus_start_date <= current_date AND (a.esus_end_date IS NULL OR "
        "a.esus_end_date >= current_date) THEN ARRAY['ESUS'] ELSE ARRAY[]::text[] END || "
        "CASE WHEN cardinality(a.siae_types) > 0 THEN ARRAY['SIAE'] ELSE ARRAY[]::text[] END || "
        "ARRAY(SELECT replace(t, 'SIAE_TYPE_', 'SIAE_') FROM unnest(a.siae_types) t))",
        Type::kStringList}},
      {"has_siret", {"(a.siret <> '')", Type::kBool}},
      {"has_siren", {"(a.siren <> '')", Type::kBool}},
      {"has_rna", {"(a.rna <> '')", Type::kBool}},
      {"has_coordinates", {"(a.latitude IS NOT NULL)", Type::kBool}},
      {"siret", {"a.siret", Type::kString}},
      {"siren", {"a.siren", Type::kString}},
      {"rna", {"a.rna", Type::kString}},
      {"legal_category_code", {"a.legal_category_code", Type::kString}},
      {"naf_code", {"a.naf_code", Type::kString}},
      {"member_of",
       {"ARRAY(SELECT 'actors/' || r.other_actor_id FROM relationships r WHERE r.actor_id = a.id "
        "AND r.type = 'RELATIONSHIP_TYPE_MEMBER_OF' AND (r.start_date IS NULL OR r.start_date <= "
        "current_date) AND (r.end_date IS NULL OR r.end_date >= current_date))",
        Type::kStringList}},
      {"name", {"('actors/' || a.id)", Type::kString}},
  };
  return *kSchema;
}

const api::SortSchema& ActorStore::SortSchema() {
  static const auto* const kSchema = new api::SortSchema{
      {"display_name", {"a.display_name COLLATE \"fr-FR-x-icu\"", "text"}},
      {"create_time", {"a.create_time", "timestamptz"}},
      {"update_time", {"a.update_time", "timestamptz"}},
  };
  return *kSchema;
}

const std::string& ActorStore::Columns() {
  static const auto* const kColumns = new std::string(absl::StrCat(
      "a.id, a.display_name, a.legal_name, a.description, a.kind, a.website, a.email, a.phone, "
      "a.address_lines, a.postal_code, a.city, a.insee_code, a.latitude, a.longitude, a.siren, "
      "a.siret, a.rna, a.legal_category_code, a.naf_code, a.ess_family, a.network_categories, "
      "a.themes, a.esus_start_date::text, a.esus_end_date::text, a.siae_types, a.state, "
      "a.merged_into, a.source, a.last_verified_date::text, a.sirene_extract_date::text, ",
      MAILLAGE_SQL_MICROS("a.create_time"), ", ", MAILLAGE_SQL_MICROS("a.update_time"), ", ",
      MAILLAGE_SQL_MICROS("a.archive_time"), ", a.revision"));
  return *kColumns;
}

Actor ActorStore::ActorFromRow(const pqxx::row& row) {
  Actor a;
  a.set_name(api::ResourceName("actors", row[0].as<int64_t>()));
  a.set_display_name(row[1].as<std::string>());
  a.set_legal_name(row[2].as<std::string>());
  a.set_description(row[3].as<std::string>());
  v1::ActorKind kind;
  if (v1::ActorKind_Parse(row[4].as<std::string>(), &kind)) a.set_kind(kind);
  a.set_website(row[5].as<std::string>());
  a.set_email(row[6].as<std::string>());
  a.set_phone(row[7].as<std::string>());
  std::vector<std::string> lines = db::ReadTextArray(row[8]);
  std::string postal_code = row[9].as<std::string>(), city = row[10].as<std::string>(),
              insee = row[11].as<std::string>();
  if (!lines.empty() || !postal_code.empty() || !city.empty() || !insee.empty()) {
    v1::PostalAddress* address = a.mutable_address();
    for (std::string& line : lines) address->add_lines(std::move(line));
    address->set_postal_code(postal_code);
    address->set_city(city);
    address->set_commune_insee_code(insee);
  }
  if (!row[12].is_null()) {
    a.mutable_coordinates()->set_latitude(row[12].as<double>());
    a.mutable_coordinates()->set_longitude(row[13].as<double>());
  }
  a.set_siren(row[14].as<std::string>());
  a.set_siret(row[15].as<std::string>());
  a.set_rna(row[16].as<std::string>());
  a.set_legal_category_code(row[17].as<std::string>());
  a.set_naf_code(row[18].as<std::string>());
  v1::EssFamily family;
  if (v1::EssFamily_Parse(row[19].as<std::string>(), &family)) a.set_ess_family(family);
  for (std::string& code : db::ReadTextArray(row[20])) a.add_network_categories(std::move(code));
  for (std::string& code : db::ReadTextArray(row[21])) a.add_themes(std::move(code));
  google::type::Date date;
  if (db::ReadDate(row[22], &date)) {
    v1::EsusAgrement* esus = a.mutable_labels()->mutable_esus_agrement();
    *esus->mutable_start_date() = date;
    if (db::ReadDate(row[23], &date)) *esus->mutable_end_date() = date;
  }
  for (const std::string& name : db::ReadTextArray(row[24])) {
    v1::SiaeType type;
    if (v1::SiaeType_Parse(name, &type)) a.mutable_labels()->add_siae_types(type);
  }
  v1::ActorState state;
  if (v1::ActorState_Parse(row[25].as<std::string>(), &state)) a.set_state(state);
  if (!row[26].is_null()) a.set_merged_into(api::ResourceName("actors", row[26].as<int64_t>()));
  std::string source = row[27].as<std::string>();
  if (!source.empty()) a.mutable_provenance()->set_source(source);
  if (db::ReadDate(row[28], &date)) *a.mutable_provenance()->mutable_last_verified_date() = date;
  if (db::ReadDate(row[29], &date)) *a.mutable_provenance()->mutable_sirene_extract_date() = date;
  db::ReadMicros(row[30], a.mutable_create_time());
  db::ReadMicros(row[31], a.mutable_update_time());
  if (!row[32].is_null()) db::ReadMicros(row[32], a.mutable_archive_time());
  a.set_etag(row[33].as<std::string>());
  return a;
}

namespace {

absl::Status ActorNotFound(int64_t id) {
  std::string name = api::ResourceName("actors", id);
  return NotFound(kDomain, "ACTOR_NOT_FOUND", absl::StrCat("actor ", name, " does not exist"),
                  {{"name", name}});
}

}  // namespace

absl::Status ActorStore::NotFoundError(int64_t id) { return ActorNotFound(id); }

absl::StatusOr<Actor> ActorStore::Get(pqxx::work& txn, int64_t id, bool for_update) {
  static const auto* const kRead = new db::Statement{
      "directory_get_actor", absl::StrCat("SELECT ", Columns(), " FROM actors a WHERE a.id = $1")};
  static const auto* const kLock = new db::Statement{
      "directory_lock_actor",
      absl::StrCat("SELECT ", Columns(), " FROM actors a WHERE a.id = $1 FOR UPDATE")};
  pqxx::result rows = db::ExecPrepared(txn, for_update ? *kLock : *kRead, {absl::StrCat(id)});
  if (rows.empty()) return ActorNotFound(id);
  return ActorFromRow(rows[0]);
}

absl::StatusOr<Actor> ActorStore::Read(db::Pool& pool, db::Deadline deadline, int64_t id) {
  static const auto* const kStatement = new db::Statement{
      "directory_read_actor", absl::StrCat("SELECT ", Columns(), " FROM actors a WHERE a.id = $1")};
  MAILLAGE_ASSIGN_OR_RETURN(pqxx::result rows,
                            pool.Query(deadline, *kStatement, {absl::StrCat(id)}));
  if (rows.empty()) return ActorNotFound(id);
  return ActorFromRow(rows[0]);
}

std::map<int64_t, Actor> ActorStore::GetMany(pqxx::work& txn, const std::vector<int64_t>& ids,
                                             bool for_update) {
  std::map<int64_t, Actor> found;
  if (ids.empty()) return found;
  static const auto* const kRead = new db::Statement{
      "directory_get_actors",
      absl::StrCat("SELECT ", Columns(), " FROM actors a WHERE a.id = ANY($1::bigint[])")};
  static const auto* const kLock = new db::Statement{
      "directory_lock_actors", absl::StrCat("SELECT ", Columns(),
                                            " FROM actors a WHERE a.id = ANY($1::bigint[]) "
                                            "ORDER BY a.id FOR UPDATE")};
  pqxx::result rows =
      db::ExecPrepared(txn, for_update ? *kLock : *kRead, {db::PgArray(IdTexts(ids))});
  for (const auto& row : rows) found[row[0].as<int64_t>()] = ActorFromRow(row);
  return found;
}

Actor ActorStore::Insert(pqxx::work& txn, const Actor& actor) {
  static const auto* const kInsert =
      new db::Statement{"directory_insert_actor",
                        absl::StrCat("INSERT INTO actors AS a (", kWritableColumns, ") VALUES (",
                                     kWritableValues, ") RETURNING ", Columns())};
  return ActorFromRow(db::ExecPrepared(txn, *kInsert, WriteParams(actor))[0]);
}

std::vector<Actor> ActorStore::InsertMany(pqxx::work& txn, const std::vector<Actor>& actors) {
  constexpr int kColumns = 26;
  static const auto* const kSql = [] {
    // kWritableValues over the columns of unnest: $n becomes t.cn.
    std::string values;
    for (const char* p = kWritableValues; *p != '\0'; ++p) {
      if (*p == '$') {
        values += "t.c";
      } else {
        values += *p;
      }
    }
    std::string names;
    for (int i = 1; i <= kColumns; ++i) absl::StrAppend(&names, "c", i, ", ");
    std::string arrays;
    for (int i = 1; i <= kColumns; ++i) {
      absl::StrAppend(&arrays, i > 1 ? ", " : "", "$", i, "::text[]");
    }
    return new std::string(absl::StrCat("INSERT INTO actors AS a (", kWritableColumns, ") SELECT ",
                                        values, " FROM unnest(", arrays, ") WITH ORDINALITY AS t(",
                                        names, "ord) ORDER BY t.ord RETURNING ", Columns()));
  }();
  std::vector<Actor> stored;
  if (actors.empty()) return stored;
  std::vector<std::vector<std::string>> columns(kColumns);
  for (const Actor& actor : actors) {
    std::vector<std::string> params = WriteParams(actor);
    for (int i = 0; i < kColumns; ++i) columns[i].push_back(std::move(params[i]));
  }
  std::vector<std::string> params;
  for (const auto& column : columns) params.push_back(db::PgArray(column));
  pqxx::result rows = txn.exec_params(*kSql, pqxx::prepare::make_dynamic_params(params));
  // Identities are drawn in insertion order, which follows t.ord.
  std::vector<std::pair<int64_t, Actor>> by_id;
  for (const auto& row : rows) by_id.emplace_back(row[0].as<int64_t>(), ActorFromRow(row));
  std::sort(by_id.begin(), by_id.end(),
            [](const auto& x, const auto& y) { return x.first < y.first; });
  for (auto& [id, actor] : by_id) stored.push_back(std::move(actor));
  return stored;
}

Actor ActorStore::Update(pqxx::work& txn, int64_t id, const Actor& actor) {
  static const auto* const kUpdate = new db::Statement{
      "directory_update_actor",
      absl::StrCat("UPDATE actors AS a SET (", kWritableColumns, ") = (", kWritableValues,
                   "), revision = a.revision + 1, update_time = now() WHERE a.id = $27 "
                   "RETURNING ",
                   Columns())};
  std::vector<std::string> params = WriteParams(actor);
  params.push_back(absl::StrCat(id));
  return ActorFromRow(db::ExecPrepared(txn, *kUpdate, params)[0]);
}

CheckedWrite ActorStore::InsertChecked(pqxx::work& txn, const Actor& actor) {
  static const auto* const kStatement =
      new db::Statement{"directory_insert_checked_actor",
                        CheckedWriteSql(absl::StrCat("INSERT INTO actors AS a (", kWritableColumns,
                                                     ") SELECT ", CheckedValues(), " FROM f WHERE ",
                                                     kCleanFacts, " RETURNING ", Columns()))};
  std::vector<std::string> params = WriteParams(actor);
  params.push_back("0");
  return CheckedWriteFromRow(db::ExecPrepared(txn, *kStatement, params)[0]);
}

CheckedWrite ActorStore::UpdateChecked(pqxx::work& txn, int64_t id, const Actor& actor) {
  static const auto* const kStatement =
      new db::Statement{"directory_update_checked_actor",
                        CheckedWriteSql(absl::StrCat(
                            "UPDATE actors AS a SET (", kWritableColumns, ") = (", CheckedValues(),
                            "), revision = a.revision + 1, update_time = now() FROM f "
                            "WHERE a.id = $27::bigint AND ",
                            kCleanFacts, " RETURNING ", Columns()))};
  std::vector<std::string> params = WriteParams(actor);
  params.push_back(absl::StrCat(id));
  return CheckedWriteFromRow(db::ExecPrepared(txn, *kStatement, params)[0]);
}

Actor ActorStore::SetState(pqxx::work& txn, int64_t id, v1::ActorState state) {
  static const auto* const kStatement = new db::Statement{
      "directory_set_actor_state", absl::StrCat(kSetState, " RETURNING ", Columns())};
  return ActorFromRow(
      db::ExecPrepared(txn, *kStatement, {absl::StrCat(id), v1::ActorState_Name(state)})[0]);
}

bool ActorStore::DeleteUnlessReferenced(pqxx::work& txn, int64_t id) {
  static const auto* const kStatement =
      new db::Statement{"directory_delete_unreferenced_actor", kDeleteUnreferenced};
  return !db::ExecPrepared(txn, *kStatement, {absl::StrCat(id)}).empty();
}

ActorFacts ActorStore::ReadFacts(pqxx::work& txn, const Actor& actor, int64_t self_id) {
  static const auto* const kStatement = new db::Statement{"directory_actor_facts", kFacts};
  pqxx::result rows = db::ExecPrepared(
      txn, *kStatement,
      {actor.address().commune_insee_code(), db::PgArray(actor.network_categories()),
       db::PgArray(actor.themes()), actor.siret(), actor.siren(), actor.rna(), actor.display_name(),
       absl::StrCat(self_id)});
  return FactsFromRow(rows[0], 0);
}

std::vector<std::string> ActorStore::FoldNames(pqxx::work& txn,
                                               const std::vector<std::string>& texts) {
  std::vector<std::string> folded;
  if (texts.empty()) return folded;
  for (const auto& row : txn.exec_params(kFold, db::PgArray(texts))) {
    folded.push_back(row[0].as<std::string>());
  }
  return folded;
}

std::vector<std::pair<int64_t, ActorKeys>> ActorStore::MatchCandidates(
    pqxx::work& txn, const std::vector<std::string>& sirets, const std::vector<std::string>& rnas,
    const std::vector<std::string>& sirens, const std::vector<std::string>& folded_names) {
  std::vector<std::pair<int64_t, ActorKeys>> candidates;
  for (const auto& row : txn.exec_params(kMatchCandidates, db::PgArray(sirets), db::PgArray(rnas),
                                         db::PgArray(sirens), db::PgArray(folded_names))) {
    candidates.emplace_back(
        row[0].as<int64_t>(),
        ActorKeys{row[1].as<std::string>(), row[2].as<std::string>(), row[3].as<std::string>(),
                  row[4].as<std::string>(), row[5].as<std::string>()});
  }
  return candidates;
}

int64_t ActorStore::MatchEstablishment(pqxx::work& txn, const std::string& siret,
                                       const std::string& siren, const std::string& rna) {
  int64_t id = FirstId(txn.exec_params(kMatchSiret, siret));
  if (id == 0) id = FirstId(txn.exec_params(kMatchSiren, siren));
  if (id == 0 && !rna.empty()) id = FirstId(txn.exec_params(kMatchRna, rna));
  return id;
}

void ActorStore::SetSireneExtractDate(pqxx::work& txn, int64_t id, const std::string& date) {
  txn.exec_params(kSetExtractDate, id, date);
}

std::string ActorStore::SearchQuery(pqxx::work& txn, const std::string& text) {
  return txn.exec_params1(kSearchQuery, text)[0].as<std::string>();
}

const std::vector<int>& ActorStore::SearchTiers() {
  static const auto* const kTiers = new std::vector<int>{2, 1};
  return *kTiers;
}

std::vector<Actor> ActorStore::ReadSearchTier(pqxx::work& txn, int score,
                                              const std::string& tsquery, const std::string& where,
                                              const std::vector<std::string>& params,
                                              int64_t before_id, int limit, int newest) {
  std::vector<std::string> all = params;
  all.push_back(tsquery);
  std::string q = absl::StrCat("$", all.size(), "::tsquery");
  std::string condition =
      score == 2 ? absl::StrCat("a.name_vector @@ ", q)
                 : absl::StrCat("a.search_vector @@ ", q, " AND NOT a.name_vector @@ ", q);
  std::string before = "TRUE";
  if (before_id != 0) {
    all.push_back(absl::StrCat(before_id));
    before = absl::StrCat("a.id < $", all.size(), "::bigint");
  }
  std::string actors = newest > 0 ? absl::StrCat("(SELECT * FROM actors a WHERE ", before,
                                                 " ORDER BY a.id DESC LIMIT ", newest, ")")
                                  : std::string("actors");
  pqxx::result rows = txn.exec_params(
      absl::StrCat("SELECT ", Columns(), " FROM ", actors, " a WHERE ", where, " AND ", condition,
                   " AND ", before, " ORDER BY a.id DESC LIMIT ", limit),
      pqxx::prepare::make_dynamic_params(all));
  std::vector<Actor> found;
  for (const auto& row : rows) found.push_back(ActorFromRow(row));
  return found;
}

ActorPage ActorStore::List(pqxx::work& txn, const std::string& where,
                           const std::string& keyset_where, const std::string& order_by,
                           const std::string& sort_key_sql, const std::vector<std::string>& params,
                           int limit) {
  pqxx::result rows = txn.exec_params(
      absl::StrCat("SELECT ", Columns(), ", (", sort_key_sql, ")::text FROM actors a WHERE ", where,
                   " AND ", keyset_where, " ORDER BY ", order_by, " LIMIT ", limit),
      pqxx::prepare::make_dynamic_params(params));
  ActorPage page;
  for (const auto& row : rows) {
    page.actors.push_back(ActorFromRow(row));
    page.sort_keys.push_back(row[kActorColumns].as<std::string>());
  }
  return page;
}

std::vector<Actor> ActorStore::ListAfterId(pqxx::work& txn, const std::string& where,
                                           const std::vector<std::string>& params, int64_t after_id,
                                           int limit, bool with_coordinates) {
  std::vector<std::string> all = params;
  all.push_back(absl::StrCat(after_id));
  pqxx::result rows = txn.exec_params(
      absl::StrCat("SELECT ", Columns(), " FROM actors a WHERE ", where, " AND a.id > $",
                   all.size(), "::bigint", with_coordinates ? " AND a.latitude IS NOT NULL" : "",
                   " ORDER BY a.id LIMIT ", limit),
      pqxx::prepare::make_dynamic_params(all));
  std::vector<Actor> actors;
  for (const auto& row : rows) actors.push_back(ActorFromRow(row));
  return actors;
}

std::vector<Actor> ActorStore::PointsAfterId(pqxx::work& txn, const std::string& where,
                                             const std::vector<std::string>& params,
                                             int64_t after_id, int limit) {
  std::vector<std::string> all = params;
  all.push_back(absl::StrCat(after_id));
  pqxx::result rows = txn.exec_params(
      absl::StrCat("SELECT a.id, a.display_name, a.latitude, a.longitude FROM actors a WHERE ",
                   where, " AND a.id > $", all.size(),
                   "::bigint AND a.latitude IS NOT NULL ORDER BY a.id LIMIT ", limit),
      pqxx::prepare::make_dynamic_params(all));
  std::vector<Actor> actors;
  actors.reserve(rows.size());
  for (const auto& row : rows) {
    Actor& a = actors.emplace_back();
    a.set_name(api::ResourceName("actors", row[0].as<int64_t>()));
    a.set_display_name(row[1].as<std::string>());
    a.mutable_coordinates()->set_latitude(row[2].as<double>());
    a.mutable_coordinates()->set_longitude(row[3].as<double>());
  }
  return actors;
}

int64_t ActorStore::Count(pqxx::work& txn, const std::string& where,
                          const std::vector<std::string>& params) {
  return txn
      .exec_params(absl::StrCat("SELECT count(*) FROM actors a WHERE ", where),
                   pqxx::prepare::make_dynamic_params(params))[0][0]
      .as<int64_t>();
}

}  // namespace maillage::directory
