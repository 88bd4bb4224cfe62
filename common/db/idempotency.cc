#include "common/db/idempotency.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
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

uint64_t Fnv1a(absl::string_view data) {
  uint64_t hash = 1469598103934665603ULL;
  for (unsigned char c : data) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  return hash;
}

}  // namespace

std::string RequestFingerprint(const google::protobuf::Message& request) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    request.SerializeToCodedStream(&coded);
  }
  return absl::StrCat(request.GetDescriptor()->full_name(), ":",
                      absl::Hex(Fnv1a(bytes), absl::kZeroPad16), ":", bytes.size());
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
  txn.exec_params("SELECT pg_advisory_xact_lock(hashtextextended($1, 7))", id);
  pqxx::result rows = txn.exec_params(
      "SELECT method, fingerprint, response FROM request_ids WHERE request_id = $1::uuid", id);
  if (rows.empty()) return absl::optional<std::string>();
  if (rows[0][0].as<std::string>() != method || rows[0][1].as<std::string>() != fingerprint) {
    return InvalidField(domain, "request_id",
                        "this request_id was already used for a different request");
  }
  pqxx::binarystring response(rows[0][2]);
  return absl::optional<std::string>(response.str());
}

void RecordRequest(pqxx::work& txn, absl::string_view request_id, absl::string_view method,
                   absl::string_view fingerprint, const std::string& response) {
  pqxx::binarystring bytes(response.data(), response.size());
  txn.exec_params(
      "INSERT INTO request_ids (request_id, method, fingerprint, response) "
      "VALUES ($1::uuid, $2, $3, $4)",
      absl::AsciiStrToLower(request_id), std::string(method), std::string(fingerprint), bytes);
}

}  // namespace maillage::db
