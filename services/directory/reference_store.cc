// SQL of the reference lists (see reference_store.h).
#include "services/directory/reference_store.h"

#include "absl/strings/str_cat.h"
#include "common/db/values.h"

namespace maillage::directory {
namespace {

constexpr char kFormerCodes[] = "SELECT f, insee_code FROM communes, unnest(former_insee_codes) f";
constexpr char kCurrentCodes[] = "SELECT insee_code FROM communes";
constexpr char kCategoryCodes[] = "SELECT code FROM network_categories";
constexpr char kThemeCodes[] = "SELECT code FROM themes";
constexpr char kCategoriesAfter[] =
    "SELECT code, display_name, description, position FROM network_categories "
    "WHERE position > $1 ORDER BY position LIMIT $2";
constexpr char kThemesFromStart[] =
    "SELECT code, display_name, description FROM themes "
    "ORDER BY display_name COLLATE \"fr-FR-x-icu\", code LIMIT $1";
constexpr char kThemesAfter[] =
    "SELECT code, display_name, description FROM themes "
    "WHERE (display_name COLLATE \"fr-FR-x-icu\", code) > ($2::text, $3::text) "
    "ORDER BY display_name COLLATE \"fr-FR-x-icu\", code LIMIT $1";
constexpr char kCommunesAfter[] =
    "SELECT insee_code, display_name, postal_codes, former_insee_codes FROM communes "
    "WHERE insee_code > $1 ORDER BY insee_code LIMIT $2";

}  // namespace

std::map<std::string, std::string> ReferenceStore::CurrentCommunes(pqxx::work& txn) {
  std::map<std::string, std::string> current;
  // Former codes first: a code that is current wins over a former code of another commune.
  for (const auto& row : txn.exec(kFormerCodes)) {
    current[row[0].as<std::string>()] = row[1].as<std::string>();
  }
  for (const auto& row : txn.exec(kCurrentCodes)) {
    current[row[0].as<std::string>()] = row[0].as<std::string>();
  }
  return current;
}

ReferenceSnapshot ReferenceStore::Snapshot(pqxx::work& txn) {
  ReferenceSnapshot snapshot;
  snapshot.current_commune = CurrentCommunes(txn);
  for (const auto& row : txn.exec(kCategoryCodes)) {
    snapshot.network_categories.insert(row[0].as<std::string>());
  }
  for (const auto& row : txn.exec(kThemeCodes)) snapshot.themes.insert(row[0].as<std::string>());
  return snapshot;
}

ReferencePage<v1::NetworkCategory> ReferenceStore::NetworkCategories(pqxx::work& txn,
                                                                     int64_t after_position,
                                                                     int limit) {
  ReferencePage<v1::NetworkCategory> page;
  for (const auto& row : txn.exec_params(kCategoriesAfter, after_position, limit)) {
    v1::NetworkCategory& c = page.entries.emplace_back();
    c.set_code(row[0].as<std::string>());
    c.set_name(absl::StrCat("networkCategories/", c.code()));
    c.set_display_name(row[1].as<std::string>());
    c.set_description(row[2].as<std::string>());
    page.keys.push_back({row[3].as<std::string>()});
  }
  return page;
}

ReferencePage<v1::Theme> ReferenceStore::Themes(pqxx::work& txn,
                                                const std::vector<std::string>& after, int limit) {
  ReferencePage<v1::Theme> page;
  pqxx::result rows = after.size() == 2 ? txn.exec_params(kThemesAfter, limit, after[0], after[1])
                                        : txn.exec_params(kThemesFromStart, limit);
  for (const auto& row : rows) {
    v1::Theme& t = page.entries.emplace_back();
    t.set_code(row[0].as<std::string>());
    t.set_name(absl::StrCat("themes/", t.code()));
    t.set_display_name(row[1].as<std::string>());
    t.set_description(row[2].as<std::string>());
    page.keys.push_back({t.display_name(), t.code()});
  }
  return page;
}

ReferencePage<v1::Commune> ReferenceStore::Communes(pqxx::work& txn, const std::string& after,
                                                    int limit) {
  ReferencePage<v1::Commune> page;
  for (const auto& row : txn.exec_params(kCommunesAfter, after, limit)) {
    v1::Commune& c = page.entries.emplace_back();
    c.set_insee_code(row[0].as<std::string>());
    c.set_name(absl::StrCat("communes/", c.insee_code()));
    c.set_display_name(row[1].as<std::string>());
    for (std::string& p : db::ReadTextArray(row[2])) c.add_postal_codes(std::move(p));
    for (std::string& f : db::ReadTextArray(row[3])) c.add_former_insee_codes(std::move(f));
    page.keys.push_back({c.insee_code()});
  }
  return page;
}

}  // namespace maillage::directory
