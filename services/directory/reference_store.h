// SQL of the reference lists (communes of the territory, network categories, themes) as the
// actors' rules and the list methods read them. Every method runs in the caller's transaction;
// libpqxx exceptions propagate to db::Pool, which maps them to statuses. (Writing the lists
// from the reference files is reference_data.h's.)
#pragma once

#include <cstdint>
#include <map>
#include <pqxx/pqxx>
#include <set>
#include <string>
#include <vector>

#include "maillage/directory/v1/reference.pb.h"

namespace maillage::directory {

// The reference lists an actor is checked against, read once for a batch of checks (an import
// checks thousands of rows against the same lists).
struct ReferenceSnapshot {
  std::map<std::string, std::string> current_commune;  // current or former code → current code
  std::set<std::string> network_categories, themes;
};

// A page of a reference list: the entries and, per entry, its keyset key(s) as text.
template <typename Entry>
struct ReferencePage {
  std::vector<Entry> entries;
  std::vector<std::vector<std::string>> keys;
};

class ReferenceStore {
 public:
  // Every INSEE code of the territory, current or former, mapped to the current code (a code
  // that is current wins over a former code of another commune).
  static std::map<std::string, std::string> CurrentCommunes(pqxx::work& txn);
  // The three lists at once.
  static ReferenceSnapshot Snapshot(pqxx::work& txn);

  // Up to `limit` categories after `after_position`, in position order; key: the position.
  static ReferencePage<v1::NetworkCategory> NetworkCategories(pqxx::work& txn,
                                                              int64_t after_position, int limit);
  // Up to `limit` themes after (display_name, code) `after` (empty: from the start), in French
  // order of their names; keys: display name and code.
  static ReferencePage<v1::Theme> Themes(pqxx::work& txn, const std::vector<std::string>& after,
                                         int limit);
  // Up to `limit` communes after the INSEE code `after`, in code order; key: the code.
  static ReferencePage<v1::Commune> Communes(pqxx::work& txn, const std::string& after, int limit);
};

}  // namespace maillage::directory
