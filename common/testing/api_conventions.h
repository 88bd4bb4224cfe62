// Checks of the API conventions shared by every service (API_CONVENTIONS.md), for the
// conformance test each service runs through its gRPC stub:
//
//   EXPECT_TRUE(IsStaleEtagError(Call(&Stub::UpdateBudget, stale, &out), "7", "8"));
//   EXPECT_TRUE(IsRefusedMaskPath(Call(&Stub::UpdateBudget, immutable, &out), "year"));
#pragma once

#include <grpcpp/support/status.h>
#include <gtest/gtest.h>

#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"

namespace maillage::testing {

// ABORTED ETAG_MISMATCH with ErrorInfo metadata requested_etag and current_etag.
inline ::testing::AssertionResult IsStaleEtagError(const absl::Status& status,
                                                   const std::string& requested,
                                                   const std::string& current) {
  if (status.code() != absl::StatusCode::kAborted) {
    return ::testing::AssertionFailure() << "not ABORTED: " << status;
  }
  std::optional<google::rpc::ErrorInfo> info = GetErrorInfo(status);
  if (!info || info->reason() != "ETAG_MISMATCH") {
    return ::testing::AssertionFailure() << "no ErrorInfo ETAG_MISMATCH: " << status;
  }
  auto at = [&](const char* key) -> std::string {
    auto it = info->metadata().find(key);
    return it == info->metadata().end() ? "<absent>" : it->second;
  };
  if (at("requested_etag") != requested || at("current_etag") != current) {
    return ::testing::AssertionFailure()
           << "requested_etag " << at("requested_etag") << " (want " << requested
           << "), current_etag " << at("current_etag") << " (want " << current << ")";
  }
  return ::testing::AssertionSuccess();
}
inline ::testing::AssertionResult IsStaleEtagError(const grpc::Status& status,
                                                   const std::string& requested,
                                                   const std::string& current) {
  return IsStaleEtagError(FromGrpcStatus(status), requested, current);
}

// INVALID_ARGUMENT with a field violation on "update_mask" whose description names `path`.
inline ::testing::AssertionResult IsRefusedMaskPath(const absl::Status& status,
                                                    const std::string& path) {
  if (status.code() != absl::StatusCode::kInvalidArgument) {
    return ::testing::AssertionFailure() << "not INVALID_ARGUMENT: " << status;
  }
  std::optional<google::rpc::BadRequest> bad = GetBadRequest(status);
  if (bad) {
    for (const auto& violation : bad->field_violations()) {
      if (violation.field() == "update_mask" &&
          absl::StrContains(violation.description(), absl::StrCat("\"", path, "\""))) {
        return ::testing::AssertionSuccess();
      }
    }
  }
  return ::testing::AssertionFailure()
         << "no update_mask violation naming \"" << path << "\": " << status;
}
inline ::testing::AssertionResult IsRefusedMaskPath(const grpc::Status& status,
                                                    const std::string& path) {
  return IsRefusedMaskPath(FromGrpcStatus(status), path);
}

}  // namespace maillage::testing
