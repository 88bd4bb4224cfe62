#include "common/db/idempotency.h"

#include <openssl/sha.h>

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/auth/caller.h"
#include "common/db/pool.h"
#include "common/db/values.h"
#include "common/status/errors.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

namespace maillage::db {
namespace {

bool IsUuid(absl::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !absl::ascii_isxdigit(static_cast<unsigned char>(s[i]))) {
      return false;
    }
  }
  return true;
}

// The caller the records of this thread's call belong to.
std::string CurrentCallerKey() {
  const auth::Principal* caller = auth::CurrentCaller();
  return caller == nullptr ? std::string() : caller->key_name;
}

void CollectNames(const google::protobuf::Message& message, int depth,
                  std::vector<std::string>& names) {
  if (depth > 8) return;
  const google::protobuf::Reflection* reflection = message.GetReflection();
  std::vector<const google::protobuf::FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);
  for (const google::protobuf::FieldDescriptor* field : fields) {
    if (field->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_STRING &&
        field->name() == "name" && !field->is_repeated()) {
      std::string value = reflection->GetString(message, field);
      if (!value.empty() && std::find(names.begin(), names.end(), value) == names.end()) {
        names.push_back(std::move(value));
      }
    } else if (field->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE) {
      if (field->is_repeated()) {
        for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
          CollectNames(reflection->GetRepeatedMessage(message, field, i), depth + 1, names);
        }
      } else {
        CollectNames(reflection->GetMessage(message, field), depth + 1, names);
      }
    }
  }
}

}  // namespace

std::string RequestFingerprint(const google::protobuf::Message& request) {
  std::string bytes = request.GetDescriptor()->full_name();
  bytes.push_back('\0');
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    request.SerializeToCodedStream(&coded);
  }
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  return absl::StrCat("sha256:", absl::BytesToHexString(absl::string_view(
                                     reinterpret_cast<const char*>(digest), sizeof(digest))));
}

std::vector<std::string> ResourceNames(const google::protobuf::Message& message) {
  std::vector<std::string> names;
  CollectNames(message, 0, names);
  return names;
}

absl::StatusOr<absl::optional<std::string>> LookupRequest(pqxx::work& txn,
                                                          absl::string_view request_id,
                                                          absl::string_view method,
                                                          absl::string_view fingerprint,
                                                          absl::string_view domain) {
  if (!IsUuid(request_id)) {
    return InvalidField(domain, "request_id",
                        "must be a UUID such as 123e4567-e89b-42d3-a456-426614174000");
  }
  std::string id = absl::AsciiStrToLower(request_id);
  const std::string caller = txn.quote(CurrentCallerKey());
  const std::string quoted_id = txn.quote(id);
  // The lock, then the record, in one round trip: two statements of one query string, so that
  // the SELECT (READ COMMITTED: a snapshot per statement) sees the record of a first execution
  // that committed while this one waited for the lock.
  pqxx::result rows = txn.exec(absl::StrCat(
      "SELECT pg_advisory_xact_lock(hashtextextended(", caller, " || ' ' || ", quoted_id,
      ", 7)); SELECT method, fingerprint, response FROM request_ids WHERE caller = ", caller,
      " AND request_id = ", quoted_id, "::uuid"));
  if (rows.empty()) return absl::optional<std::string>();
  if (rows[0][2].is_null()) {
    return FailedPrecondition(
        domain, "REQUEST_ID_ERASED",
        "this request_id was used for a request whose result held personal data since erased; "
        "use a new request_id to write again",
        {{"request_id", id}});
  }
  if (rows[0][0].as<std::string>() != method || rows[0][1].as<std::string>() != fingerprint) {
    return InvalidField(domain, "request_id",
                        "this request_id was already used for a different request");
  }
  pqxx::binarystring response(rows[0][2]);
  return absl::optional<std::string>(response.str());
}

void RecordRequest(pqxx::work& txn, absl::string_view request_id, absl::string_view method,
                   absl::string_view fingerprint, const google::protobuf::Message& response) {
  std::string serialized = response.SerializeAsString();
  // With the COMMIT (one round trip): the advisory lock of LookupRequest is held until then, so
  // a concurrent replay reads the record once this transaction has committed.
  ExecAtCommit(
      txn,
      absl::StrCat("INSERT INTO request_ids (caller, request_id, method, fingerprint, response, "
                   "resources) VALUES (",
                   txn.quote(CurrentCallerKey()), ", ",
                   txn.quote(absl::AsciiStrToLower(request_id)), "::uuid, ",
                   txn.quote(std::string(method)), ", ", txn.quote(std::string(fingerprint)), ", ",
                   txn.quote_raw(reinterpret_cast<const unsigned char*>(serialized.data()),
                                 serialized.size()),
                   ", ", txn.quote(PgArray(ResourceNames(response))), "::text[]);"));
}

constexpr char kForgetRequests[] =
    "UPDATE request_ids SET response = NULL, fingerprint = '', resources = '{}' "
    "WHERE resources && ";

int64_t ForgetRequestsAbout(pqxx::work& txn, const std::vector<std::string>& resource_names) {
  if (resource_names.empty()) return 0;
  return txn.exec_params(absl::StrCat(kForgetRequests, "$1::text[]"), PgArray(resource_names))
      .affected_rows();
}

std::string ForgetRequestsAboutSql(pqxx::work& txn,
                                   const std::vector<std::string>& resource_names) {
  if (resource_names.empty()) return "";
  return absl::StrCat(kForgetRequests, txn.quote(PgArray(resource_names)), "::text[];");
}

void ForgetRequestsAboutAtCommit(pqxx::work& txn, const std::vector<std::string>& resource_names) {
  if (resource_names.empty()) return;
  ExecAtCommit(txn, ForgetRequestsAboutSql(txn, resource_names));
}

int64_t PurgeRequestIds(pqxx::work& txn, absl::Time cutoff) {
  return txn
      .exec_params(
          "DELETE FROM request_ids "
          "WHERE create_time < 'epoch'::timestamptz + $1::bigint * interval '1 microsecond'",
          absl::ToUnixMicros(cutoff))
      .affected_rows();
}

}  // namespace maillage::db
