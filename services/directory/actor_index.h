// ActorIndex: the in-memory index that ImportActors matches rows and finds duplicates with,
// without a statement per row. It holds the actors a file's rows may match or collide with
// (read once, ActorStore::MatchCandidates) and is kept up to date as rows are applied, so a row
// sees what earlier rows did. Actors created by earlier rows and not inserted yet have negative
// ids (-1, -2...), which come after every stored actor in id order, as their ids will.
//
// Rules, as the single-actor SQL of the service: a row matches by SIRET, then RNA, then folded
// display name + commune (lowest id); a duplicate is another actor with the same SIRET, the
// same SIREN + folded display name, or the same RNA, in that order
// (ActorStore::FindIdentifierOwner). Merged actors are never added.
//
//   ActorIndex index;
//   index.Add(7, {"35600000000048", "", "356000000", "recyclerie", "21231"});
//   index.FindMatch({"35600000000048", "", "", "", ""});  // {7, IMPORT_MATCH_RULE_SIRET}
//   index.FindOwner({"", "", "356000000", "recyclerie", ""}, 0);  // {7, "siren_and_name"}
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/types/optional.h"
#include "maillage/directory/v1/directory_service.pb.h"
#include "services/directory/actor_store.h"

namespace maillage::directory {

// The actor a row designates (0: none), with the rule that found it.
struct ImportMatch {
  int64_t id = 0;
  v1::ImportMatchRule rule = v1::IMPORT_MATCH_RULE_UNSPECIFIED;
};

class ActorIndex {
 public:
  // Adds (or, after Remove, re-adds) actor `id` with `keys`.
  void Add(int64_t id, const ActorKeys& keys);
  // Forgets actor `id` (no-op when absent).
  void Remove(int64_t id);
  // The keys of actor `id`, or nullptr.
  const ActorKeys* KeysOf(int64_t id) const;
  // The actor a row with `keys` updates: same SIRET, else same RNA, else same folded name and
  // commune (a name is required); the lowest id of the rule; {} when none.
  ImportMatch FindMatch(const ActorKeys& keys) const;
  // Another actor than `self` already holding the identifiers of `keys` (same SIRET, else same
  // SIREN and folded name, else same RNA); nullopt when none.
  absl::optional<IdentifierOwner> FindOwner(const ActorKeys& keys, int64_t self) const;

 private:
  using Map = std::map<std::string, std::set<int64_t>>;  // key → ranks
  static constexpr int64_t kPendingBase = int64_t{1} << 62;
  static int64_t Rank(int64_t id) { return id > 0 ? id : kPendingBase - id; }
  static int64_t IdOf(int64_t rank) { return rank < kPendingBase ? rank : kPendingBase - rank; }
  std::vector<std::pair<Map*, std::string>> Entries(const ActorKeys& keys);
  // The lowest id under `key` other than `self`, or 0 (an empty key matches nothing).
  static int64_t First(const Map& map, const std::string& key, int64_t self);

  std::map<int64_t, ActorKeys> keys_;
  Map siret_, rna_, siren_name_, name_commune_;
};

}  // namespace maillage::directory
