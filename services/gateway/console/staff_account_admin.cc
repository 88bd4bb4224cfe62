#include "services/gateway/console/staff_account_admin.h"

#include <string>
#include <utility>
#include <vector>

#include "common/api/pagination.h"
#include "common/api/resource_name.h"
#include "common/api/update_mask.h"
#include "common/status/status_macros.h"
#include "google/protobuf/util/time_util.h"
#include "services/gateway/errors/http_errors.h"

namespace maillage::gateway {
namespace {

constexpr char kCollection[] = "staffAccounts";

google::protobuf::Timestamp TimestampOf(absl::Time time) {
  return google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(time));
}

}  // namespace

v1::StaffAccount StaffAccountMessage(const StaffAccount& account) {
  v1::StaffAccount message;
  message.set_name(account.name);
  message.set_email(account.email);
  message.set_display_name(account.display_name);
  message.set_role(account.role);
  message.set_funder_id(account.funder_id);
  message.set_state(account.disable_time.has_value() ? v1::STAFF_ACCOUNT_STATE_DISABLED
                                                     : v1::STAFF_ACCOUNT_STATE_ACTIVE);
  if (account.disable_time.has_value()) {
    *message.mutable_disable_time() = TimestampOf(*account.disable_time);
  }
  if (account.last_login_time.has_value()) {
    *message.mutable_last_login_time() = TimestampOf(*account.last_login_time);
  }
  return message;
}

absl::StatusOr<v1::CreateStaffAccountResponse> StaffAccountAdmin::Create(
    const v1::CreateStaffAccountRequest& request, db::Deadline deadline) {
  StaffAccount account;
  account.email = request.staff_account().email();
  account.display_name = request.staff_account().display_name();
  account.role = request.staff_account().role();
  account.funder_id = request.staff_account().funder_id();
  const bool generate = request.password().empty();
  const std::string password = generate ? GeneratePassword() : request.password();
  MAILLAGE_ASSIGN_OR_RETURN(StaffAccount made, accounts_.Create(account, password, deadline));
  v1::CreateStaffAccountResponse response;
  *response.mutable_staff_account() = StaffAccountMessage(made);
  if (generate) response.set_generated_password(password);
  return response;
}

absl::StatusOr<v1::ListStaffAccountsResponse> StaffAccountAdmin::List(
    const v1::ListStaffAccountsRequest& request, db::Deadline deadline) {
  MAILLAGE_ASSIGN_OR_RETURN(int size, api::EffectivePageSize(request.page_size(), kGatewayDomain));
  const std::string fingerprint = api::QueryFingerprint({kCollection});
  api::PageCursor cursor;
  if (!request.page_token().empty()) {
    MAILLAGE_ASSIGN_OR_RETURN(
        cursor, api::DecodePageToken(request.page_token(), fingerprint, kGatewayDomain));
  }
  MAILLAGE_ASSIGN_OR_RETURN(
      std::vector<StaffAccount> accounts,
      accounts_.ListAfter(cursor.empty() ? "" : cursor.keys[0], size + 1, deadline));
  v1::ListStaffAccountsResponse response;
  for (size_t i = 0; i < accounts.size() && i < static_cast<size_t>(size); ++i) {
    *response.add_staff_accounts() = StaffAccountMessage(accounts[i]);
  }
  if (accounts.size() > static_cast<size_t>(size)) {
    response.set_next_page_token(api::EncodePageToken(fingerprint, {{accounts[size - 1].email}}));
  }
  return response;
}

absl::StatusOr<v1::StaffAccount> StaffAccountAdmin::Update(
    const v1::UpdateStaffAccountRequest& request, db::Deadline deadline) {
  MAILLAGE_ASSIGN_OR_RETURN(int64_t id,
                            api::ParseResourceId(request.staff_account().name(), kCollection,
                                                 "staff_account.name", kGatewayDomain));
  MAILLAGE_ASSIGN_OR_RETURN(
      google::protobuf::FieldMask mask,
      api::EffectiveUpdateMask(request.update_mask(), request.staff_account(), kGatewayDomain));
  MAILLAGE_ASSIGN_OR_RETURN(
      StaffAccount updated,
      accounts_.Update(
          id,
          [&](const StaffAccount& current) -> absl::StatusOr<StaffAccount> {
            v1::StaffAccount merged = StaffAccountMessage(current);
            api::MergeUpdate(request.staff_account(), mask, &merged);
            StaffAccount changed = current;
            changed.display_name = merged.display_name();
            changed.role = merged.role();
            changed.funder_id = merged.funder_id();
            // A funder's id means nothing for another role: it goes with the role.
            if (changed.role != v1::ROLE_FUNDER && changed.role != current.role) {
              changed.funder_id.clear();
            }
            return changed;
          },
          deadline));
  return StaffAccountMessage(updated);
}

absl::StatusOr<v1::StaffAccount> StaffAccountAdmin::SetDisabled(absl::string_view name,
                                                                bool disabled,
                                                                db::Deadline deadline) {
  MAILLAGE_ASSIGN_OR_RETURN(int64_t id,
                            api::ParseResourceId(name, kCollection, "name", kGatewayDomain));
  MAILLAGE_ASSIGN_OR_RETURN(StaffAccount account, accounts_.SetDisabled(id, disabled, deadline));
  return StaffAccountMessage(account);
}

}  // namespace maillage::gateway
