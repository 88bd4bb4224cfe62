// Idempotent writes keyed by the caller and the client's `request_id` (API_CONVENTIONS,
// "Writes"): a replay returns the original result, the same id with a different request is
// INVALID_ARGUMENT. The record is written in the same transaction as the write it protects.
//
// The caller is the signed principal the call is made for (auth::CurrentCaller()'s key_name,
// "" outside any CallerScope): two callers never see each other's records. Requests are
// fingerprinted with SHA-256 over their deterministic serialization.
//
// Personal data: a record keeps the response, and the names of the resources it holds (every
// string field `name`, nested messages included). An erasure calls ForgetRequestsAbout with the
// names of what it erased: the response and the fingerprint of every record naming one of them
// are cleared, and a replay of such a record answers FAILED_PRECONDITION (REQUEST_ID_ERASED)
// instead of writing again. Records are kept kRequestIdRetention (24 h, as the contracts
// promise): PurgeRequestIds, which common/service runs as a periodic job of every service.
//
// Each service's migrations create the table (same shape everywhere):
//   CREATE TABLE request_ids (
//     caller      text NOT NULL DEFAULT '',
//     request_id  uuid NOT NULL,
//     method      text NOT NULL,
//     fingerprint text NOT NULL,          -- '' once forgotten
//     response    bytea,                  -- NULL once forgotten
//     resources   text[] NOT NULL DEFAULT '{}',
//     create_time timestamptz NOT NULL DEFAULT now(),
//     PRIMARY KEY (caller, request_id));
//   CREATE INDEX request_ids_create_time ON request_ids (create_time);
//   CREATE INDEX request_ids_resources ON request_ids USING gin (resources);
//
//   return pool.Transact<Actor>(deadline, [&](pqxx::work& txn) {
//     return RunIdempotent<Actor>(txn, req.request_id(), "CreateActor", req, kDomain,
//                                 [&]() -> absl::StatusOr<Actor> { return store.Insert(txn, a); });
//   });
#pragma once

#include <cstdint>
#include <functional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/optional.h"
#include "google/protobuf/message.h"

namespace maillage::db {

// How long a request_id is remembered.
inline constexpr absl::Duration kRequestIdRetention = absl::Hours(24);

// "sha256:" and the hex SHA-256 of the request's type name and deterministic serialization.
std::string RequestFingerprint(const google::protobuf::Message& request);

// The values of every string field named `name` of `message` and of its sub-messages (the
// resources a response holds), without duplicates, in the order met.
std::vector<std::string> ResourceNames(const google::protobuf::Message& message);

// Looks up (current caller, `request_id`) after taking a transaction-level advisory lock on it
// (so concurrent replays wait for the first one), in one round trip. Returns the stored response
// bytes when the id was seen with the same method and fingerprint; nullopt when unseen;
// INVALID_ARGUMENT (field "request_id") when it is not a UUID or was used for another request;
// FAILED_PRECONDITION (REQUEST_ID_ERASED) when its record was forgotten by an erasure.
absl::StatusOr<absl::optional<std::string>> LookupRequest(pqxx::work& txn,
                                                          absl::string_view request_id,
                                                          absl::string_view method,
                                                          absl::string_view fingerprint,
                                                          absl::string_view domain);

// Records the response of a first execution, with the names of the resources it holds: sent
// with the transaction's COMMIT (db::ExecAtCommit), so a read later in the same transaction
// does not see it.
void RecordRequest(pqxx::work& txn, absl::string_view request_id, absl::string_view method,
                   absl::string_view fingerprint, const google::protobuf::Message& response);

// Clears the response and the fingerprint of every record whose response holds one of
// `resource_names` (an erasure, an anonymisation). Returns how many records were forgotten.
int64_t ForgetRequestsAbout(pqxx::work& txn, const std::vector<std::string>& resource_names);

// The same with the transaction's COMMIT (ExecAtCommit), for a write that needs no count.
void ForgetRequestsAboutAtCommit(pqxx::work& txn, const std::vector<std::string>& resource_names);
// The statement of ForgetRequestsAbout (ended by ';', empty for no name), to send with others.
std::string ForgetRequestsAboutSql(pqxx::work& txn, const std::vector<std::string>& resource_names);

// Deletes the records created before `cutoff` (now - kRequestIdRetention); returns how many.
int64_t PurgeRequestIds(pqxx::work& txn, absl::Time cutoff);

// Runs `write` once per (caller, request id): without an id, just runs it; with a known id,
// returns the recorded response; otherwise runs it and records its response (only when it
// succeeded).
template <typename Response>
absl::StatusOr<Response> RunIdempotent(pqxx::work& txn, absl::string_view request_id,
                                       absl::string_view method,
                                       const google::protobuf::Message& request,
                                       absl::string_view domain,
                                       const std::function<absl::StatusOr<Response>()>& write) {
  if (request_id.empty()) return write();
  std::string fingerprint = RequestFingerprint(request);
  absl::StatusOr<absl::optional<std::string>> seen =
      LookupRequest(txn, request_id, method, fingerprint, domain);
  if (!seen.ok()) return seen.status();
  if (seen->has_value()) {
    Response response;
    if (response.ParseFromString(**seen)) return response;
  }
  absl::StatusOr<Response> response = write();
  if (response.ok()) RecordRequest(txn, request_id, method, fingerprint, *response);
  return response;
}

}  // namespace maillage::db
