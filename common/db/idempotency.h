// Idempotent writes keyed by the client's `request_id` (API_CONVENTIONS, "Writes"): a replay
// returns the original result, the same id with a different request is INVALID_ARGUMENT. The
// record is written in the same transaction as the write it protects.
//
// Each service's migrations create the table (same shape everywhere):
//   CREATE TABLE request_ids (
//     request_id  uuid PRIMARY KEY,
//     method      text NOT NULL,
//     fingerprint text NOT NULL,
//     response    bytea NOT NULL,
//     create_time timestamptz NOT NULL DEFAULT now());
//
//   return pool.Transact<Actor>(deadline, [&](pqxx::work& txn) {
//     return RunIdempotent<Actor>(txn, req.request_id(), "CreateActor", req, kDomain,
//                                 [&]() -> absl::StatusOr<Actor> { return store.Insert(txn, a); });
//   });
#pragma once

#include <functional>
#include <pqxx/pqxx>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/optional.h"
#include "google/protobuf/message.h"

namespace maillage::db {

// A digest of the request's deterministic serialization.
std::string RequestFingerprint(const google::protobuf::Message& request);

// Looks up `request_id` after taking a transaction-level advisory lock on it (so concurrent
// replays wait for the first one). Returns the stored response bytes when the id was seen with
// the same method and fingerprint; nullopt when unseen; INVALID_ARGUMENT (field "request_id")
// when it is not a UUID or was used for another request.
absl::StatusOr<absl::optional<std::string>> LookupRequest(pqxx::work& txn,
                                                          absl::string_view request_id,
                                                          absl::string_view method,
                                                          absl::string_view fingerprint,
                                                          absl::string_view domain);

// Records the response of a first execution.
void RecordRequest(pqxx::work& txn, absl::string_view request_id, absl::string_view method,
                   absl::string_view fingerprint, const std::string& response);

// Runs `write` once per request id: without an id, just runs it; with a known id, returns the
// recorded response; otherwise runs it and records its response (only when it succeeded).
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
  if (response.ok())
    RecordRequest(txn, request_id, method, fingerprint, response->SerializeAsString());
  return response;
}

}  // namespace maillage::db
