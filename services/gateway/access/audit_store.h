// The audit log in the gateway's database: one line per write, per read of personal data, and
// for refused calls one line per refusal or per run of refusals (access/refusal_audit.h), read
// back by admins.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/db/pool.h"
#include "common/service/periodic_jobs.h"
#include "google/protobuf/message.h"
#include "maillage/gateway/v1/audit_entry.pb.h"
#include "maillage/gateway/v1/gateway_admin_service.pb.h"

namespace maillage::gateway {

// One finished call, as the audit needs it.
struct CallRecord {
  int64_t key_id = 0;            // 0 when the key was not authenticated
  int64_t staff_account_id = 0;  // a person of the staff console; 0 otherwise
  std::string key_prefix;
  v1::Role role = v1::ROLE_UNSPECIFIED;
  std::string method;  // "/maillage.directory.v1.DirectoryService/GetActor"
  v1::Transport transport = v1::TRANSPORT_HTTP;
  std::string http_method, http_path;  // HTTP only
  std::string resource;                // the resource name the call was about, when known
  std::string request_id;
  absl::StatusCode outcome = absl::StatusCode::kOk;
  int http_status = 0;  // HTTP only
  absl::Duration duration;
  std::string client_address;  // the caller's IP address, when known
  int call_count = 1;          // refused calls aggregated into one line (refusal_audit.h)
};

// The resource a call was about, for the audit: the request's `name`, else its `parent`, else
// the `name` of `answer` (a creation; may be null).
std::string ResourceOf(const google::protobuf::Message& request,
                       const google::protobuf::Message* answer);

class AuditStore;

// The periodic job (common/service/periodic_jobs.h) that keeps the audit log `retention` long
// (MAILLAGE_AUDIT_RETENTION_DAYS) at the jobs' clock, every `interval`.
service::PeriodicJob AuditRetentionJob(AuditStore& audit, absl::Duration retention,
                                       absl::Duration interval);

class AuditStore {
 public:
  explicit AuditStore(db::Pool& pool) : pool_(pool) {}

  // Appends a line for `record` with `reason`.
  absl::Status Record(db::Deadline deadline, const CallRecord& record, v1::AuditReason reason);

  // NOT_FOUND (AUDIT_ENTRY_NOT_FOUND) for an unknown entry.
  absl::StatusOr<v1::AuditEntry> Get(db::Deadline deadline, const std::string& name);

  // Deletes the lines written before `cutoff`, oldest first, 10,000 per transaction; returns
  // how many.
  absl::StatusOr<int64_t> Purge(absl::Time cutoff);

  // Newest first by default; filter and order as the proto documents.
  absl::StatusOr<v1::ListAuditEntriesResponse> List(db::Deadline deadline,
                                                    const v1::ListAuditEntriesRequest& request);

 private:
  db::Pool& pool_;
};

}  // namespace maillage::gateway
