// SQL of the actors table and of the lookups that validate an actor (communes, categories,
// themes, identifiers already taken). Every method runs in the caller's transaction; libpqxx
// exceptions propagate to db::Pool, which maps them to statuses.
#pragma once

#include <cstdint>
#include <map>
#include <pqxx/pqxx>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/optional.h"
#include "common/api/filter.h"
#include "common/db/pool.h"
#include "maillage/directory/v1/actor.pb.h"

namespace maillage::directory {

// An actor already holding an identifier, and the rule that found it.
struct IdentifierOwner {
  int64_t actor_id = 0;
  std::string matched_by;  // "siret", "siren_and_name" or "rna"
};

// What the directory says of an actor's references and identifiers (ActorStore::ReadFacts).
struct ActorFacts {
  // The current INSEE code of the actor's commune (itself, or the commune a former code merged
  // into); nullopt when it is not a commune of the territory, or the actor has none.
  absl::optional<std::string> current_commune;
  // Its network categories and themes absent from the reference lists, in order.
  std::vector<std::string> unknown_categories;
  std::vector<std::string> unknown_themes;
  // Another actor (not merged, other than the one written) with the same SIRET, the same SIREN
  // and display name (ignoring case and accents), or the same RNA, in that order of rules.
  absl::optional<IdentifierOwner> owner;
};

// A write checked against the directory in the same statement (ActorStore::InsertChecked,
// UpdateChecked): the actor as stored, or nullopt when the facts stopped it.
struct CheckedWrite {
  ActorFacts facts;
  absl::optional<v1::Actor> stored;
};

// A page of rows of a keyset query: the actors and the sort key of the last one (as text).
struct ActorPage {
  std::vector<v1::Actor> actors;
  std::vector<std::string> sort_keys;  // one per actor
};

// What the import's match and duplicate rules read of an actor (ActorIndex): the display name
// folded (directory_fold), the commune as its current INSEE code.
struct ActorKeys {
  std::string siret, rna, siren, folded_name, commune;
};

class ActorStore {
 public:
  // The filter fields of ListActors, SearchActors, FindDuplicates and ExportActors
  // (documented in directory_service.proto), as SQL over the alias `a`.
  static const api::FilterSchema& FilterSchema();
  // The order_by keys of ListActors, as SQL over the alias `a`.
  static const api::SortSchema& SortSchema();

  // The SELECT list that ActorFromRow reads, over the alias `a`.
  static const std::string& Columns();
  // An actor from a row whose first columns are Columns().
  static v1::Actor ActorFromRow(const pqxx::row& row);

  // The actor `id`; NOT_FOUND (ACTOR_NOT_FOUND) when there is none. `for_update` locks the row.
  static absl::StatusOr<v1::Actor> Get(pqxx::work& txn, int64_t id, bool for_update = false);
  // The NOT_FOUND (ACTOR_NOT_FOUND) of Get, for an actor `id` found missing otherwise.
  static absl::Status NotFoundError(int64_t id);

  // The same read as Get outside any transaction, in one round trip (db::Pool::Query): for the
  // GetActor calls, the hottest read of the suite.
  static absl::StatusOr<v1::Actor> Read(db::Pool& pool, db::Deadline deadline, int64_t id);

  // The actors of `ids` that exist, by id. `for_update` locks their rows.
  static std::map<int64_t, v1::Actor> GetMany(pqxx::work& txn, const std::vector<int64_t>& ids,
                                              bool for_update = false);

  // Inserts a validated, normalised actor (state ACTIVE) and returns it as stored.
  static v1::Actor Insert(pqxx::work& txn, const v1::Actor& actor);
  // Inserts validated, normalised actors with one statement; returns them as stored, in order.
  static std::vector<v1::Actor> InsertMany(pqxx::work& txn, const std::vector<v1::Actor>& actors);
  // Writes every writable field of a validated actor, bumps its revision; returns it as stored.
  static v1::Actor Update(pqxx::work& txn, int64_t id, const v1::Actor& actor);
  // Sets the state (ACTIVE or ARCHIVED), bumps the revision; returns the actor as stored.
  static v1::Actor SetState(pqxx::work& txn, int64_t id, v1::ActorState state);
  // Removes the actor for good unless contacts, relationships or merged actors point to it, in
  // one statement; true when it was removed.
  static bool DeleteUnlessReferenced(pqxx::work& txn, int64_t id);

  // In one statement, what the directory knows of `actor`'s references (see ActorFacts).
  static ActorFacts ReadFacts(pqxx::work& txn, const v1::Actor& actor, int64_t self_id);
  // Insert and Update in the statement of ReadFacts, done only when the facts find nothing
  // against the actor (its commune known, then written as its current code; its categories and
  // themes known; no other actor holding its identifiers): one round trip for the checks and
  // the write of an actor whose own fields are valid (CheckActorFields).
  static CheckedWrite InsertChecked(pqxx::work& txn, const v1::Actor& actor);
  static CheckedWrite UpdateChecked(pqxx::work& txn, int64_t id, const v1::Actor& actor);

  // directory_fold (case and accents folded, as the duplicate rules compare names) of each
  // text, in order.
  static std::vector<std::string> FoldNames(pqxx::work& txn, const std::vector<std::string>& texts);
  // The keys of the non-merged actors holding one of `sirets`, `rnas` or `sirens`, or whose
  // folded display name is one of `folded_names` (index actors_folded_name): every actor an
  // import of those rows may match or collide with.
  static std::vector<std::pair<int64_t, ActorKeys>> MatchCandidates(
      pqxx::work& txn, const std::vector<std::string>& sirets, const std::vector<std::string>& rnas,
      const std::vector<std::string>& sirens, const std::vector<std::string>& folded_names);

  // The non-merged actor a SIRENE establishment designates: same SIRET, else the lowest id with
  // the same SIREN and no SIRET, else the same RNA (when `rna` is set); 0 when none.
  static int64_t MatchEstablishment(pqxx::work& txn, const std::string& siret,
                                    const std::string& siren, const std::string& rna);
  // Records the day of the SIRENE extract (`date` as YYYY-MM-DD) that last changed the actor.
  static void SetSireneExtractDate(pqxx::work& txn, int64_t id, const std::string& date);

  // The tsquery of a search text (directory_search_query: words folded and stemmed, unknown
  // words replaced by the closest words the actors use), as text; empty for stop words only.
  static std::string SearchQuery(pqxx::work& txn, const std::string& text);
  // The search tiers, best first (actor_search.h): 2, every word in the display name
  // (name_vector); 1, the words in the names and description (search_vector), not all in the
  // display name.
  static const std::vector<int>& SearchTiers();
  // Up to `limit` actors of tier `score` for `tsquery` that match `where` (SQL over alias `a`
  // with parameters $1..$n in `params`), newest first, with an id below `before_id` when it is
  // not 0: among the `newest` newest such actors when `newest` > 0, else among all of them.
  static std::vector<v1::Actor> ReadSearchTier(pqxx::work& txn, int score,
                                               const std::string& tsquery, const std::string& where,
                                               const std::vector<std::string>& params,
                                               int64_t before_id, int limit, int newest);

  // Actors matching `where` (SQL over alias `a` with parameters $1..$n in `params`), ordered by
  // `order_by` after `keyset_where`, at most `limit` rows; `sort_key_sql` gives the cursor key.
  static ActorPage List(pqxx::work& txn, const std::string& where, const std::string& keyset_where,
                        const std::string& order_by, const std::string& sort_key_sql,
                        const std::vector<std::string>& params, int limit);
  // Up to `limit` actors matching `where` (parameters `params`) with an id above `after_id`, in
  // id order; with `with_coordinates`, only those that have coordinates.
  static std::vector<v1::Actor> ListAfterId(pqxx::work& txn, const std::string& where,
                                            const std::vector<std::string>& params,
                                            int64_t after_id, int limit, bool with_coordinates);
  // As ListAfterId with coordinates, reading only each actor's name, display name and
  // coordinates (a map's points).
  static std::vector<v1::Actor> PointsAfterId(pqxx::work& txn, const std::string& where,
                                              const std::vector<std::string>& params,
                                              int64_t after_id, int limit);
  // How many actors match `where`.
  static int64_t Count(pqxx::work& txn, const std::string& where,
                       const std::vector<std::string>& params);
};

}  // namespace maillage::directory
