// SQL of the erasure journal (see erasure_store.h).
#include "services/directory/erasure_store.h"

#include "absl/strings/str_cat.h"
#include "common/db/pool.h"
#include "common/db/values.h"
#include "services/directory/change_feed.h"

namespace maillage::directory {
namespace {

constexpr const char* kCauses[] = {"ERASE_PERSON", "DELETE_CONTACT", "RETENTION_EXPIRED",
                                   "RESTORE_REPLAY"};

v1::ErasePersonResponse ReceiptFromRow(const pqxx::row& row) {
  v1::ErasePersonResponse receipt;
  receipt.set_receipt_id(absl::StrCat("erasures/", row[0].as<int64_t>()));
  receipt.set_contact(row[1].as<std::string>());
  db::ReadMicros(row[2], receipt.mutable_erase_time());
  receipt.set_reason(row[3].as<std::string>());
  receipt.set_change_sequence(row[4].as<int64_t>());
  return receipt;
}

// The query string of Record: the feed's lock, then one statement that appends the change and
// inserts the journal line, returning the receipt's columns.
std::string RecordSql(pqxx::work& txn, const std::vector<std::string>& names,
                      const std::string& reason, ErasureCause cause, v1::ChangeKind kind) {
  return AppendChangeAndThenSql(
      txn, kind, v1::CHANGED_RESOURCE_TYPE_CONTACT, names.front(),
      absl::StrCat("INSERT INTO erasures (contact_name, names, reason, cause, change_sequence) "
                   "SELECT ",
                   txn.quote(names.front()), ", ", txn.quote(db::PgArray(names)), "::text[], ",
                   txn.quote(reason), ", ", txn.quote(kCauses[static_cast<int>(cause)]),
                   ", sequence FROM appended RETURNING id, contact_name, ",
                   MAILLAGE_SQL_MICROS("erase_time"), ", reason, change_sequence"));
}

}  // namespace

v1::ErasePersonResponse ErasureStore::Record(pqxx::work& txn, const std::vector<std::string>& names,
                                             const std::string& reason, ErasureCause cause,
                                             v1::ChangeKind kind, absl::string_view before) {
  pqxx::result rows = txn.exec(absl::StrCat(before, RecordSql(txn, names, reason, cause, kind)));
  return ReceiptFromRow(rows[0]);
}

void ErasureStore::RecordAtCommit(pqxx::work& txn, const std::vector<std::string>& names,
                                  const std::string& reason, ErasureCause cause,
                                  v1::ChangeKind kind) {
  db::ExecAtCommit(txn, RecordSql(txn, names, reason, cause, kind));
}

absl::optional<ErasureRecord> ErasureStore::Latest(pqxx::work& txn,
                                                   const std::vector<std::string>& names) {
  pqxx::result rows = txn.exec_params(
      "SELECT id, contact_name, " MAILLAGE_SQL_MICROS("erase_time") ", reason, change_sequence, "
      "cause FROM erasures WHERE names && $1::text[] OR contact_name = ANY($1::text[]) "
      "ORDER BY id DESC LIMIT 1",
      db::PgArray(names));
  if (rows.empty()) return absl::nullopt;
  ErasureRecord record;
  record.receipt = ReceiptFromRow(rows[0]);
  std::string cause = rows[0][5].as<std::string>();
  for (int i = 0; i < 4; ++i) {
    if (cause == kCauses[i]) record.cause = static_cast<ErasureCause>(i);
  }
  return record;
}

}  // namespace maillage::directory
