// A migrated throwaway database (see migrated_database.h).
#include "common/testing/migrated_database.h"

#include <stdexcept>

#include "absl/strings/str_cat.h"

namespace maillage::testing {

MigratedDatabase::MigratedDatabase(absl::string_view service,
                                   const std::vector<db::Migration>& migrations,
                                   db::PoolOptions options)
    : database_(service), pool_(WithUrl(std::move(options), database_.url())) {
  if (absl::Status migrated = db::Migrate(pool_, service, migrations); !migrated.ok()) {
    throw std::runtime_error(absl::StrCat("migrating ", service, ": ", migrated.ToString()));
  }
}

void MigratedDatabase::Exec(const std::string& sql) {
  absl::Status done = pool_.Transact(db::Deadline::max(), [&](pqxx::work& txn) {
    txn.exec(sql);
    return absl::OkStatus();
  });
  if (!done.ok()) throw std::runtime_error(absl::StrCat(sql, ": ", done.ToString()));
}

db::PoolOptions MigratedDatabase::WithUrl(db::PoolOptions options, const std::string& url) {
  options.url = url;
  return options;
}

}  // namespace maillage::testing
