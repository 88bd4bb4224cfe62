// The console's accounts as GatewayAdminService serves them (the StaffAccountRegistry of
// access/staff_account_registry.h): the contract's messages over the StaffAccounts store, the
// same store `maillage-gateway users` uses.
//
//   StaffAccounts accounts(pool);
//   StaffAccountAdmin registry(accounts);
//   GatewayAdminServiceImpl admin(keys, audit, access, registry, OwnDoor::kPublic);
#pragma once

#include "services/gateway/access/staff_account_registry.h"
#include "services/gateway/console/staff_accounts.h"

namespace maillage::gateway {

class StaffAccountAdmin final : public StaffAccountRegistry {
 public:
  // `accounts` must outlive this object.
  explicit StaffAccountAdmin(StaffAccounts& accounts) : accounts_(accounts) {}

  absl::StatusOr<v1::CreateStaffAccountResponse> Create(
      const v1::CreateStaffAccountRequest& request, db::Deadline deadline) override;
  absl::StatusOr<v1::ListStaffAccountsResponse> List(const v1::ListStaffAccountsRequest& request,
                                                     db::Deadline deadline) override;
  absl::StatusOr<v1::StaffAccount> Update(const v1::UpdateStaffAccountRequest& request,
                                          db::Deadline deadline) override;
  absl::StatusOr<v1::StaffAccount> SetDisabled(absl::string_view name, bool disabled,
                                               db::Deadline deadline) override;

 private:
  StaffAccounts& accounts_;
};

// The contract's form of an account.
v1::StaffAccount StaffAccountMessage(const StaffAccount& account);

}  // namespace maillage::gateway
