// SQL of duplicates and merges (actor_merger.h): the candidate pairs of FindDuplicates, and the
// rows MergeActors moves — the merged actor, its contacts and its relationships. Every method
// runs in the caller's transaction; libpqxx exceptions propagate to db::Pool, which maps them to
// statuses.
#pragma once

#include <cstdint>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/types/optional.h"

namespace maillage::directory {

// A candidate pair of FindDuplicates (first_id < second_id) with its strongest rule.
struct DuplicatePair {
  int64_t first_id = 0, second_id = 0;
  std::string rule;        // DuplicateRule name
  double score = 0;        // of the rule
  std::string score_text;  // the score as PostgreSQL prints it (the page token's key)
  double name_score = 0;   // trigram similarity of the names' keys (directory_name_key)
  // For the explanation: the first actor's commune (code and name) and SIREN, both actors'
  // web sites and e-mail addresses as written, and the keys they were compared by.
  std::string commune, commune_name, siren;
  std::string website, other_website, website_key;
  std::string email, other_email, email_key;
};

// A relationship as a merge re-points it.
struct MergedRelationship {
  int64_t id = 0, actor_id = 0, other_actor_id = 0;
  std::string type, start_date, end_date;  // dates as YYYY-MM-DD, empty when open
};

class MergeStore {
 public:
  // Up to `limit` pairs of non-merged actors whose strongest rule scores at least $1, one of
  // which matches `filter_sql` (SQL over alias `a` with parameters from $2), strongest first,
  // then by ids. `params` are $1, the filter's, then with `after_cursor` the page cursor's
  // three keys (score text, first id, second id) last. Sets pg_trgm.similarity_threshold to
  // $1 for the rest of the transaction.
  static std::vector<DuplicatePair> FindPairs(pqxx::work& txn, const std::string& filter_sql,
                                              const std::vector<std::string>& params,
                                              bool after_cursor, int limit);

  // Locks the rows of both actors, in id order (two opposite merges cannot deadlock).
  static void LockPair(pqxx::work& txn, int64_t first_id, int64_t second_id);
  // Makes `other_id` a redirect (state MERGED, merged_into `survivor_id`).
  static void MarkMerged(pqxx::work& txn, int64_t other_id, int64_t survivor_id);

  // The contacts of an actor, by id.
  static std::vector<int64_t> ContactIdsOf(pqxx::work& txn, int64_t actor_id);
  // Moves a contact under `actor_id` (bumps its revision).
  static void MoveContact(pqxx::work& txn, int64_t contact_id, int64_t actor_id);

  // The relationships from or to an actor, by id.
  static std::vector<MergedRelationship> RelationshipsOf(pqxx::work& txn, int64_t actor_id);
  // Another relationship (not `except_id`) identical to `r` once re-pointed to `actor_id` →
  // `other_actor_id`: its id and actor; nullopt when none.
  static absl::optional<std::pair<int64_t, int64_t>> SameRelationship(pqxx::work& txn,
                                                                      const MergedRelationship& r,
                                                                      int64_t actor_id,
                                                                      int64_t other_actor_id);
  // Re-points a relationship (bumps its revision).
  static void MoveRelationship(pqxx::work& txn, int64_t id, int64_t actor_id,
                               int64_t other_actor_id);
  static void DeleteRelationship(pqxx::work& txn, int64_t id);
};

}  // namespace maillage::directory
