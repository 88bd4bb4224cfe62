// What GatewayAdminService needs of the staff console's accounts, in the contract's terms
// (staff_account.proto). The console's room implements it over its store (console/
// staff_account_admin.h); the access room only sees this interface, so the rooms keep depending
// on each other without a cycle (access <- console).
#pragma once

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/db/pool.h"
#include "maillage/gateway/v1/gateway_admin_service.pb.h"

namespace maillage::gateway {

class StaffAccountRegistry {
 public:
  virtual ~StaffAccountRegistry() = default;

  // Each returns what the RPC of the same name returns, errors included
  // (gateway_admin_service.proto).
  virtual absl::StatusOr<v1::CreateStaffAccountResponse> Create(
      const v1::CreateStaffAccountRequest& request, db::Deadline deadline) = 0;
  virtual absl::StatusOr<v1::ListStaffAccountsResponse> List(
      const v1::ListStaffAccountsRequest& request, db::Deadline deadline) = 0;
  virtual absl::StatusOr<v1::StaffAccount> Update(const v1::UpdateStaffAccountRequest& request,
                                                  db::Deadline deadline) = 0;
  // DisableStaffAccount (`disabled`) or EnableStaffAccount.
  virtual absl::StatusOr<v1::StaffAccount> SetDisabled(absl::string_view name, bool disabled,
                                                       db::Deadline deadline) = 0;
};

}  // namespace maillage::gateway
