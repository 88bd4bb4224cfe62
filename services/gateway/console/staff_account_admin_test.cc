// The console's accounts as the admin API serves them, on a real PostgreSQL: a generated first
// password shown once that logs in, pages by e-mail, role changes (a funder's id goes with its
// role), the last admin kept, disable/enable with the sessions ended.
#include "services/gateway/console/staff_account_admin.h"

#include <set>
#include <string>

#include "common/status/errors.h"
#include "common/testing/status_matchers.h"
#include "gtest/gtest.h"
#include "services/gateway/access/test_database.h"
#include "services/gateway/console/staff_sessions.h"

using maillage::testing::IsOk;
using maillage::testing::StatusIs;

namespace maillage::gateway {

namespace {

std::string ReasonOf(const absl::Status& status) {
  std::optional<google::rpc::ErrorInfo> info = GetErrorInfo(status);
  return info.has_value() ? info->reason() : "";
}

class StaffAccountAdminTest : public ::testing::Test {
 protected:
  StaffAccountAdminTest() : accounts_(pool_), admin_(accounts_) {}
  // A new account; its generated password in `password` when asked.
  v1::StaffAccount Make(const std::string& email, v1::Role role, std::string* password = nullptr,
                        const std::string& funder_id = "") {
    v1::CreateStaffAccountRequest request;
    request.mutable_staff_account()->set_email(email);
    request.mutable_staff_account()->set_role(role);
    request.mutable_staff_account()->set_funder_id(funder_id);
    if (password == nullptr) request.set_password("correct horse battery staple");
    absl::StatusOr<v1::CreateStaffAccountResponse> made =
        admin_.Create(request, db::Deadline::max());
    EXPECT_THAT(made, IsOk());
    if (!made.ok()) return {};
    if (password != nullptr) *password = made->generated_password();
    return made->staff_account();
  }
  absl::StatusOr<v1::StaffAccount> SetRole(const v1::StaffAccount& account, v1::Role role) {
    v1::UpdateStaffAccountRequest request;
    request.mutable_staff_account()->set_name(account.name());
    request.mutable_staff_account()->set_role(role);
    request.mutable_update_mask()->add_paths("role");
    return admin_.Update(request, db::Deadline::max());
  }

  GatewayTestDatabase database_;
  db::Pool& pool_ = database_.pool();
  StaffAccounts accounts_;
  StaffAccountAdmin admin_;
};

TEST_F(StaffAccountAdminTest, AGeneratedPasswordIsShownOnceAndLogsIn) {
  std::string password;
  v1::StaffAccount made = Make(" Anne@PES21.fr", v1::ROLE_STAFF, &password);
  EXPECT_EQ(made.email(), "anne@pes21.fr");
  EXPECT_EQ(made.state(), v1::STAFF_ACCOUNT_STATE_ACTIVE);
  EXPECT_EQ(password.size(), 24u);
  EXPECT_THAT(accounts_.Verify("anne@pes21.fr", password, db::Deadline::max()), IsOk());

  // A password given is not echoed; a second account for the e-mail is refused.
  v1::CreateStaffAccountRequest again;
  again.mutable_staff_account()->set_email("anne@pes21.fr");
  again.mutable_staff_account()->set_role(v1::ROLE_STAFF);
  again.set_password("another long password");
  EXPECT_THAT(admin_.Create(again, db::Deadline::max()),
              StatusIs(absl::StatusCode::kAlreadyExists));
  again.mutable_staff_account()->set_email("paul@pes21.fr");
  absl::StatusOr<v1::CreateStaffAccountResponse> given = admin_.Create(again, db::Deadline::max());
  ASSERT_THAT(given, IsOk());
  EXPECT_EQ(given->generated_password(), "");

  // A partner is a machine, not a person; a short password is refused.
  v1::CreateStaffAccountRequest bad;
  bad.mutable_staff_account()->set_email("zoe@pes21.fr");
  bad.mutable_staff_account()->set_role(v1::ROLE_PARTNER);
  bad.set_password("short");
  absl::StatusOr<v1::CreateStaffAccountResponse> refused = admin_.Create(bad, db::Deadline::max());
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_NE(refused.status().message().find("role"), absl::string_view::npos);
  EXPECT_NE(refused.status().message().find("password"), absl::string_view::npos);
}

TEST_F(StaffAccountAdminTest, ListsPageByEmail) {
  for (const char* email : {"c@pes21.fr", "a@pes21.fr", "d@pes21.fr", "b@pes21.fr", "e@pes21.fr"}) {
    Make(email, v1::ROLE_STAFF);
  }
  std::vector<std::string> seen;
  v1::ListStaffAccountsRequest request;
  request.set_page_size(2);
  int pages = 0;
  do {
    absl::StatusOr<v1::ListStaffAccountsResponse> page = admin_.List(request, db::Deadline::max());
    ASSERT_THAT(page, IsOk());
    for (const v1::StaffAccount& account : page->staff_accounts()) seen.push_back(account.email());
    request.set_page_token(page->next_page_token());
    ASSERT_LT(++pages, 10);
  } while (!request.page_token().empty());
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen, (std::vector<std::string>{"a@pes21.fr", "b@pes21.fr", "c@pes21.fr", "d@pes21.fr",
                                            "e@pes21.fr"}));
  request.set_page_size(-1);
  EXPECT_THAT(admin_.List(request, db::Deadline::max()),
              StatusIs(absl::StatusCode::kInvalidArgument));
  request.set_page_size(2);
  request.set_page_token("forged");
  EXPECT_THAT(admin_.List(request, db::Deadline::max()),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(StaffAccountAdminTest, ARoleChangesAndAFundersIdGoesWithItsRole) {
  Make("admin@pes21.fr", v1::ROLE_ADMIN);
  v1::StaffAccount paul = Make("paul@pes21.fr", v1::ROLE_FUNDER, nullptr, "dijon-metropole");
  absl::StatusOr<v1::StaffAccount> staff = SetRole(paul, v1::ROLE_STAFF);
  ASSERT_THAT(staff, IsOk());
  EXPECT_EQ(staff->role(), v1::ROLE_STAFF);
  EXPECT_EQ(staff->funder_id(), "");
  // Back to funder without saying which funder: refused naming the field.
  absl::StatusOr<v1::StaffAccount> funder = SetRole(*staff, v1::ROLE_FUNDER);
  EXPECT_THAT(funder, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_NE(funder.status().message().find("funder_id"), absl::string_view::npos);
  // The display name alone, from the fields set (an empty mask).
  v1::UpdateStaffAccountRequest named;
  named.mutable_staff_account()->set_name(paul.name());
  named.mutable_staff_account()->set_display_name("Paul Girard");
  absl::StatusOr<v1::StaffAccount> renamed = admin_.Update(named, db::Deadline::max());
  ASSERT_THAT(renamed, IsOk());
  EXPECT_EQ(renamed->display_name(), "Paul Girard");
  EXPECT_EQ(renamed->role(), v1::ROLE_STAFF);
  // The e-mail is the login: not changed by an update.
  named.mutable_update_mask()->add_paths("email");
  EXPECT_THAT(admin_.Update(named, db::Deadline::max()),
              StatusIs(absl::StatusCode::kInvalidArgument));
  named.mutable_staff_account()->set_name("staffAccounts/999999");
  named.clear_update_mask();
  absl::StatusOr<v1::StaffAccount> missing = admin_.Update(named, db::Deadline::max());
  EXPECT_THAT(missing, StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(ReasonOf(missing.status()), "STAFF_ACCOUNT_NOT_FOUND");
}

TEST_F(StaffAccountAdminTest, TheLastActiveAdminIsNeitherDemotedNorDisabled) {
  v1::StaffAccount first = Make("admin@pes21.fr", v1::ROLE_ADMIN);
  absl::StatusOr<v1::StaffAccount> demoted = SetRole(first, v1::ROLE_STAFF);
  EXPECT_THAT(demoted, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(ReasonOf(demoted.status()), "LAST_ADMIN_ACCOUNT");
  absl::StatusOr<v1::StaffAccount> disabled =
      admin_.SetDisabled(first.name(), true, db::Deadline::max());
  EXPECT_EQ(ReasonOf(disabled.status()), "LAST_ADMIN_ACCOUNT");
  // With a second admin, the first may go.
  Make("second@pes21.fr", v1::ROLE_ADMIN);
  EXPECT_THAT(SetRole(first, v1::ROLE_STAFF), IsOk());
}

TEST_F(StaffAccountAdminTest, DisablingEndsTheSessionsAndEnablingLetsThePersonLogInAgain) {
  Make("admin@pes21.fr", v1::ROLE_ADMIN);
  std::string password;
  v1::StaffAccount anne = Make("anne@pes21.fr", v1::ROLE_STAFF, &password);
  StaffSessions sessions(pool_, accounts_, SessionOptions{});
  absl::StatusOr<Session> session =
      sessions.Login("anne@pes21.fr", password, "10.0.0.1", db::Deadline::max());
  ASSERT_THAT(session, IsOk());

  absl::StatusOr<v1::StaffAccount> disabled =
      admin_.SetDisabled(anne.name(), true, db::Deadline::max());
  ASSERT_THAT(disabled, IsOk());
  EXPECT_EQ(disabled->state(), v1::STAFF_ACCOUNT_STATE_DISABLED);
  EXPECT_TRUE(disabled->has_disable_time());
  EXPECT_THAT(sessions.Resume(session->token, db::Deadline::max()),
              StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(accounts_.Verify("anne@pes21.fr", password, db::Deadline::max()),
              StatusIs(absl::StatusCode::kUnauthenticated));
  // Twice is the same.
  absl::StatusOr<v1::StaffAccount> again =
      admin_.SetDisabled(anne.name(), true, db::Deadline::max());
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(again->disable_time().seconds(), disabled->disable_time().seconds());

  absl::StatusOr<v1::StaffAccount> enabled =
      admin_.SetDisabled(anne.name(), false, db::Deadline::max());
  ASSERT_THAT(enabled, IsOk());
  EXPECT_EQ(enabled->state(), v1::STAFF_ACCOUNT_STATE_ACTIVE);
  EXPECT_FALSE(enabled->has_disable_time());
  EXPECT_THAT(accounts_.Verify("anne@pes21.fr", password, db::Deadline::max()), IsOk());
  EXPECT_THAT(admin_.SetDisabled("apiKeys/1", true, db::Deadline::max()),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace maillage::gateway
