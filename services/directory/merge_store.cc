// SQL of duplicates and merges (see merge_store.h).
#include "services/directory/merge_store.h"

#include "absl/strings/str_cat.h"

namespace maillage::directory {
namespace {

// Candidate pairs (first_id < second_id) with their strongest rule and score. Each rule finds
// its pairs through an index (migrations/0006_duplicate_keys.sql): the same SIREN, names whose
// keys are similar (`%`, with pg_trgm.similarity_threshold set by the caller), the same web
// site key, the same e-mail key. $1 is the minimum score; the filter's parameters follow; the
// keyset's come last.
constexpr char kPairs[] =
    "WITH candidates AS ("
    " SELECT x.id AS first_id, y.id AS second_id FROM actors x JOIN actors y"
    "  ON y.siren = x.siren AND x.id < y.id"
    "  WHERE x.siren <> '' AND x.state <> 'ACTOR_STATE_MERGED'"
    "   AND y.state <> 'ACTOR_STATE_MERGED'"
    " UNION SELECT x.id, y.id FROM actors x JOIN actors y"
    "  ON y.name_key % x.name_key AND x.id < y.id"
    "  WHERE x.state <> 'ACTOR_STATE_MERGED' AND y.state <> 'ACTOR_STATE_MERGED'"
    " UNION SELECT x.id, y.id FROM actors x JOIN actors y"
    "  ON y.website_key = x.website_key AND x.id < y.id"
    "  WHERE x.website_key <> '' AND x.state <> 'ACTOR_STATE_MERGED'"
    "   AND y.website_key <> '' AND y.state <> 'ACTOR_STATE_MERGED'"
    " UNION SELECT x.id, y.id FROM actors x JOIN actors y"
    "  ON y.email_key = x.email_key AND x.id < y.id"
    "  WHERE x.email_key <> '' AND x.state <> 'ACTOR_STATE_MERGED'"
    "   AND y.email_key <> '' AND y.state <> 'ACTOR_STATE_MERGED'"
    "), pairs AS ("
    " SELECT c.first_id, c.second_id,"
    "  similarity(x.name_key, y.name_key)::float8 AS name_score,"
    "  (x.siren <> '' AND x.siren = y.siren) AS same_siren,"
    "  (x.website_key <> '' AND x.website_key = y.website_key) AS same_website,"
    "  (x.email_key <> '' AND x.email_key = y.email_key) AS same_email,"
    "  (x.insee_code <> '' AND x.insee_code = y.insee_code) AS same_commune,"
    "  (x.insee_code = '' OR y.insee_code = '') AS missing_commune,"
    "  x.insee_code AS commune,"
    "  coalesce((SELECT m.display_name FROM communes m WHERE m.insee_code = x.insee_code), '')"
    "   AS commune_name,"
    "  x.siren AS siren, x.website AS website, y.website AS other_website,"
    "  x.website_key AS website_key, x.email AS email, y.email AS other_email,"
    "  x.email_key AS email_key"
    " FROM candidates c JOIN actors x ON x.id = c.first_id JOIN actors y ON y.id = c.second_id"
    "), scored AS ("
    " SELECT p.*, r.rule, r.score FROM pairs p CROSS JOIN LATERAL ("
    "  SELECT rule, score FROM (VALUES"
    "   ('DUPLICATE_RULE_SAME_SIREN', CASE WHEN p.same_siren THEN 0.95::float8 END),"
    "   ('DUPLICATE_RULE_SIMILAR_NAME_SAME_COMMUNE',"
    "    CASE WHEN p.same_commune THEN p.name_score END),"
    "   ('DUPLICATE_RULE_SIMILAR_NAME',"
    "    CASE WHEN p.missing_commune THEN p.name_score * 0.9 END),"
    "   ('DUPLICATE_RULE_SAME_WEBSITE', CASE WHEN p.same_website THEN 0.85::float8 END),"
    "   ('DUPLICATE_RULE_SAME_EMAIL', CASE WHEN p.same_email THEN 0.8::float8 END)"
    "  ) v(rule, score) WHERE score IS NOT NULL ORDER BY score DESC LIMIT 1) r"
    ") SELECT first_id, second_id, rule, score, score::text, name_score, commune, commune_name,"
    " siren, website, other_website, website_key, email, other_email, email_key"
    " FROM scored s WHERE s.score >= $1::float8 AND EXISTS (SELECT 1 FROM actors "
    "a WHERE a.id IN (s.first_id, s.second_id) AND ";

// The similarity above which `%` proposes two names, for this transaction only.
constexpr char kNameThreshold[] = "SELECT set_config('pg_trgm.similarity_threshold', $1, true)";

constexpr char kMergeOther[] =
    "UPDATE actors SET state = 'ACTOR_STATE_MERGED', merged_into = $2, archive_time = now(), "
    "update_time = now(), revision = revision + 1 WHERE id = $1";
constexpr char kContactsOf[] = "SELECT id FROM contacts WHERE actor_id = $1 ORDER BY id";
constexpr char kMoveContact[] =
    "UPDATE contacts SET actor_id = $2, update_time = now(), revision = revision + 1 "
    "WHERE id = $1";
constexpr char kRelationshipsOf[] =
    "SELECT id, actor_id, other_actor_id, type, start_date::text, end_date::text "
    "FROM relationships WHERE actor_id = $1 OR other_actor_id = $1 ORDER BY id";
constexpr char kSameRelationship[] =
    "SELECT id, actor_id FROM relationships WHERE actor_id = $1 AND other_actor_id = $2 AND "
    "type = $3 AND start_date IS NOT DISTINCT FROM NULLIF($4, '')::date AND "
    "end_date IS NOT DISTINCT FROM NULLIF($5, '')::date AND id <> $6 LIMIT 1";
constexpr char kMoveRelationship[] =
    "UPDATE relationships SET actor_id = $2, other_actor_id = $3, update_time = now(), "
    "revision = revision + 1 WHERE id = $1";
constexpr char kLockPair[] = "SELECT id FROM actors WHERE id IN ($1, $2) ORDER BY id FOR UPDATE";
constexpr char kDeleteRelationship[] = "DELETE FROM relationships WHERE id = $1";

std::string OptionalText(const pqxx::field& field) {
  return field.is_null() ? std::string() : field.as<std::string>();
}

}  // namespace

std::vector<DuplicatePair> MergeStore::FindPairs(pqxx::work& txn, const std::string& filter_sql,
                                                 const std::vector<std::string>& params,
                                                 bool after_cursor, int limit) {
  std::string keyset = "TRUE";
  if (after_cursor) {
    int n = static_cast<int>(params.size());
    keyset = absl::StrCat("(s.score < $", n - 2, "::float8 OR (s.score = $", n - 2,
                          "::float8 AND (s.first_id, s.second_id) > ($", n - 1, "::bigint, $", n,
                          "::bigint)))");
  }
  // A pair of names is a candidate from the minimum score on (SIMILAR_NAME_SAME_COMMUNE scores
  // their similarity itself); pg_trgm's default threshold, 0.3, would hide the pairs between
  // a lower minimum and 0.3, and compare many pairs below a higher one for nothing.
  txn.exec_params(kNameThreshold, params.front());
  pqxx::result rows =
      txn.exec_params(absl::StrCat(kPairs, filter_sql, ") AND ", keyset,
                                   " ORDER BY s.score DESC, s.first_id, s.second_id LIMIT ", limit),
                      pqxx::prepare::make_dynamic_params(params));
  std::vector<DuplicatePair> pairs;
  for (const auto& row : rows) {
    DuplicatePair& pair = pairs.emplace_back();
    pair.first_id = row[0].as<int64_t>();
    pair.second_id = row[1].as<int64_t>();
    pair.rule = row[2].as<std::string>();
    pair.score = row[3].as<double>();
    pair.score_text = row[4].as<std::string>();
    pair.name_score = row[5].as<double>();
    pair.commune = row[6].as<std::string>();
    pair.commune_name = row[7].as<std::string>();
    pair.siren = row[8].as<std::string>();
    pair.website = row[9].as<std::string>();
    pair.other_website = row[10].as<std::string>();
    pair.website_key = row[11].as<std::string>();
    pair.email = row[12].as<std::string>();
    pair.other_email = row[13].as<std::string>();
    pair.email_key = row[14].as<std::string>();
  }
  return pairs;
}

void MergeStore::LockPair(pqxx::work& txn, int64_t first_id, int64_t second_id) {
  txn.exec_params(kLockPair, first_id, second_id);
}

void MergeStore::MarkMerged(pqxx::work& txn, int64_t other_id, int64_t survivor_id) {
  txn.exec_params(kMergeOther, other_id, survivor_id);
}

std::vector<int64_t> MergeStore::ContactIdsOf(pqxx::work& txn, int64_t actor_id) {
  std::vector<int64_t> ids;
  for (const auto& row : txn.exec_params(kContactsOf, actor_id))
    ids.push_back(row[0].as<int64_t>());
  return ids;
}

void MergeStore::MoveContact(pqxx::work& txn, int64_t contact_id, int64_t actor_id) {
  txn.exec_params(kMoveContact, contact_id, actor_id);
}

std::vector<MergedRelationship> MergeStore::RelationshipsOf(pqxx::work& txn, int64_t actor_id) {
  std::vector<MergedRelationship> relationships;
  for (const auto& row : txn.exec_params(kRelationshipsOf, actor_id)) {
    relationships.push_back({row[0].as<int64_t>(), row[1].as<int64_t>(), row[2].as<int64_t>(),
                             row[3].as<std::string>(), OptionalText(row[4]), OptionalText(row[5])});
  }
  return relationships;
}

absl::optional<std::pair<int64_t, int64_t>> MergeStore::SameRelationship(
    pqxx::work& txn, const MergedRelationship& r, int64_t actor_id, int64_t other_actor_id) {
  pqxx::result same = txn.exec_params(kSameRelationship, actor_id, other_actor_id, r.type,
                                      r.start_date, r.end_date, r.id);
  if (same.empty()) return absl::nullopt;
  return std::make_pair(same[0][0].as<int64_t>(), same[0][1].as<int64_t>());
}

void MergeStore::MoveRelationship(pqxx::work& txn, int64_t id, int64_t actor_id,
                                  int64_t other_actor_id) {
  txn.exec_params(kMoveRelationship, id, actor_id, other_actor_id);
}

void MergeStore::DeleteRelationship(pqxx::work& txn, int64_t id) {
  txn.exec_params(kDeleteRelationship, id);
}

}  // namespace maillage::directory
