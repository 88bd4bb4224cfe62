// Integration tests of a grant's whole life on the real service: REQUESTED → NOTIFIED → PAID
// (an advance, then the balance) → JUSTIFIED with its dates and the justification due date;
// the refusals with their reasons and field violations; and what the budget's validation of an
// actual budget makes of the grant in each state.
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/status/errors.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "services/budget/budget_test_server.h"

using maillage::testing::IsOk;
using maillage::testing::StatusIs;

namespace maillage::budget::testing {
namespace {

using Stub = v1::BudgetService::Stub;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

google::type::Date Day(int year, int month, int day) {
  google::type::Date date;
  date.set_year(year);
  date.set_month(month);
  date.set_day(day);
  return date;
}

std::string Iso(const google::type::Date& d) {
  return absl::StrFormat("%04d-%02d-%02d", d.year(), d.month(), d.day());
}

// field → description of the BadRequest of `status`.
std::map<std::string, std::string> Violations(const absl::Status& status) {
  std::map<std::string, std::string> out;
  if (auto bad = GetBadRequest(status)) {
    for (const auto& v : bad->field_violations()) out[v.field()] = v.description();
  }
  return out;
}

class GrantLifeTest : public BudgetServiceTest {
 protected:
  void SetUp() override {
    BudgetServiceTest::SetUp();
    CreateSeedAction();
    forecast_ = ImportSeedTable(2024).budget().name();
  }

  // Dijon Métropole's 2024 grant as the association asks for it: 6 000 € on the 2024 forecast.
  v1::Grant Request() {
    v1::CreateGrantRequest create;
    create.set_parent("actions/fa3");
    v1::Grant* grant = create.mutable_grant();
    grant->set_funder_id("dijon-metropole");
    grant->set_year(2024);
    grant->set_state(v1::GRANT_STATE_REQUESTED);
    grant->set_requested_amount_cents(600000);
    *grant->mutable_request_date() = Day(2023, 11, 15);
    grant->set_budget(forecast_);
    v1::Grant created;
    EXPECT_THAT(Call(&Stub::CreateGrant, create, &created), IsOk());
    return created;
  }

  // UpdateGrant of `grant` with the mask `paths`.
  absl::Status Update(const v1::Grant& grant, std::vector<std::string> paths, v1::Grant* out) {
    v1::UpdateGrantRequest update;
    *update.mutable_grant() = grant;
    for (const std::string& path : paths) update.mutable_update_mask()->add_paths(path);
    return Call(&Stub::UpdateGrant, update, out);
  }

  v1::Grant Notify(const v1::Grant& requested) {
    v1::Grant notified = requested;
    notified.set_state(v1::GRANT_STATE_NOTIFIED);
    *notified.mutable_notify_date() = Day(2024, 3, 12);
    notified.set_notified_amount_cents(550000);  // the funder grants less than asked
    notified.set_reference("Arrêté 2024-ESS-017");
    v1::Grant out;
    EXPECT_THAT(
        Update(notified, {"state", "notify_date", "notified_amount_cents", "reference"}, &out),
        IsOk());
    return out;
  }

  v1::Grant Pay(const v1::Grant& grant, const google::type::Date& date, int64_t cents,
                const std::string& note) {
    v1::Grant paid = grant;
    paid.set_state(v1::GRANT_STATE_PAID);
    v1::Instalment* instalment = paid.add_instalments();
    *instalment->mutable_paid_date() = date;
    instalment->set_amount_cents(cents);
    instalment->set_note(note);
    v1::Grant out;
    EXPECT_THAT(Update(paid, {"state", "instalments"}, &out), IsOk());
    return out;
  }

  // The GRANT_MISMATCH findings of `budget`: expected (notified) → actual (the lines) cents.
  std::vector<std::pair<int64_t, int64_t>> GrantMismatches(const std::string& budget) {
    v1::ValidateBudgetRequest validate;
    validate.set_name(budget);
    v1::ValidateBudgetResponse response;
    EXPECT_THAT(Call(&Stub::ValidateBudget, validate, &response), IsOk());
    std::vector<std::pair<int64_t, int64_t>> found;
    for (const v1::Finding& f : response.findings()) {
      if (f.rule() != v1::FINDING_RULE_GRANT_MISMATCH) continue;
      EXPECT_EQ(f.funder_id(), "dijon-metropole");
      found.emplace_back(f.expected_cents(), f.actual_cents());
    }
    return found;
  }

  std::string forecast_;
};

TEST_F(GrantLifeTest, RequestedNotifiedPaidInInstalmentsThenJustified) {
  v1::Grant requested = Request();
  EXPECT_EQ(requested.name(), "actions/fa3/grants/1");
  EXPECT_EQ(requested.state(), v1::GRANT_STATE_REQUESTED);
  EXPECT_EQ(requested.requested_amount_cents(), 600000);
  EXPECT_EQ(Iso(requested.request_date()), "2023-11-15");
  EXPECT_FALSE(requested.has_notified_amount_cents());
  EXPECT_EQ(requested.paid_amount_cents(), 0);
  EXPECT_FALSE(requested.has_justification_due_date()) << "nothing is due before a decision";
  EXPECT_EQ(requested.budget(), forecast_);

  v1::Grant notified = Notify(requested);
  EXPECT_EQ(notified.state(), v1::GRANT_STATE_NOTIFIED);
  EXPECT_EQ(notified.notified_amount_cents(), 550000);
  EXPECT_EQ(Iso(notified.notify_date()), "2024-03-12");
  EXPECT_EQ(notified.reference(), "Arrêté 2024-ESS-017");
  // Six months after the end of the year funded (loi 2000-321, art. 10).
  EXPECT_EQ(Iso(notified.justification_due_date()), "2025-06-30");
  EXPECT_EQ(notified.paid_amount_cents(), 0);
  EXPECT_EQ(Iso(notified.request_date()), "2023-11-15") << "earlier dates are kept";

  v1::Grant advance = Pay(notified, Day(2024, 4, 2), 275000, "avance 50 %");
  EXPECT_EQ(advance.state(), v1::GRANT_STATE_PAID);
  EXPECT_EQ(advance.paid_amount_cents(), 275000);
  v1::Grant balance = Pay(advance, Day(2024, 11, 20), 275000, "solde");
  EXPECT_EQ(balance.state(), v1::GRANT_STATE_PAID);
  EXPECT_EQ(balance.paid_amount_cents(), 550000);
  ASSERT_EQ(balance.instalments_size(), 2);
  EXPECT_EQ(balance.instalments(0).note(), "avance 50 %");
  EXPECT_EQ(Iso(balance.instalments(1).paid_date()), "2024-11-20");

  v1::Grant justify = balance;
  justify.set_state(v1::GRANT_STATE_JUSTIFIED);
  *justify.mutable_justify_date() = Day(2025, 5, 28);
  v1::Grant justified;
  ASSERT_THAT(Update(justify, {"state", "justify_date"}, &justified), IsOk());
  EXPECT_EQ(justified.state(), v1::GRANT_STATE_JUSTIFIED);
  EXPECT_EQ(Iso(justified.justify_date()), "2025-05-28");
  EXPECT_EQ(Iso(justified.justification_due_date()), "2025-06-30");
  EXPECT_EQ(justified.paid_amount_cents(), 550000);
  EXPECT_EQ(justified.notified_amount_cents(), 550000);
  EXPECT_EQ(justified.requested_amount_cents(), 600000);
  EXPECT_EQ(justified.etag(), "5") << "one revision per step";

  v1::GetGrantRequest get;
  get.set_name(justified.name());
  v1::Grant read;
  ASSERT_THAT(Call(&Stub::GetGrant, get, &read), IsOk());
  EXPECT_EQ(read.DebugString(), justified.DebugString());
}

TEST_F(GrantLifeTest, TheBalanceMayBePaidAfterTheJustification) {
  v1::Grant advance = Pay(Notify(Request()), Day(2024, 4, 2), 275000, "avance 50 %");
  v1::Grant justify = advance;
  justify.set_state(v1::GRANT_STATE_JUSTIFIED);
  *justify.mutable_justify_date() = Day(2025, 3, 1);
  v1::Grant justified;
  ASSERT_THAT(Update(justify, {"state", "justify_date"}, &justified), IsOk());
  v1::Grant balance = justified;
  v1::Instalment* solde = balance.add_instalments();
  *solde->mutable_paid_date() = Day(2025, 4, 10);
  solde->set_amount_cents(275000);
  solde->set_note("solde, après le compte rendu financier");
  v1::Grant out;
  ASSERT_THAT(Update(balance, {"instalments"}, &out), IsOk());
  EXPECT_EQ(out.state(), v1::GRANT_STATE_JUSTIFIED);
  EXPECT_EQ(out.paid_amount_cents(), 550000);
}

TEST_F(GrantLifeTest, AConventionsOwnDueDateIsKept) {
  v1::Grant notified = Request();
  notified.set_state(v1::GRANT_STATE_NOTIFIED);
  *notified.mutable_notify_date() = Day(2024, 3, 12);
  notified.set_notified_amount_cents(600000);
  *notified.mutable_justification_due_date() = Day(2025, 3, 31);
  v1::Grant out;
  ASSERT_THAT(
      Update(notified, {"state", "notify_date", "notified_amount_cents", "justification_due_date"},
             &out),
      IsOk());
  EXPECT_EQ(Iso(out.justification_due_date()), "2025-03-31");

  // Created NOTIFIED at once: the legal date too.
  v1::CreateGrantRequest create;
  create.set_parent("actions/fa3");
  *create.mutable_grant() = notified;
  create.mutable_grant()->clear_name();
  create.mutable_grant()->clear_justification_due_date();
  create.mutable_grant()->set_year(2025);
  *create.mutable_grant()->mutable_request_date() = Day(2024, 11, 15);
  *create.mutable_grant()->mutable_notify_date() = Day(2025, 2, 3);
  ASSERT_THAT(Call(&Stub::CreateGrant, create, &out), IsOk());
  EXPECT_EQ(Iso(out.justification_due_date()), "2026-06-30");
}

TEST_F(GrantLifeTest, JustifyingBeforeAnyPaymentIsRefused) {
  v1::Grant notified = Notify(Request());
  v1::Grant justify = notified;
  justify.set_state(v1::GRANT_STATE_JUSTIFIED);
  *justify.mutable_justify_date() = Day(2025, 5, 28);
  v1::Grant out;
  absl::Status refused = Update(justify, {"state", "justify_date"}, &out);
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(Reason(refused), "INVALID_ARGUMENT");
  auto violations = Violations(refused);
  ASSERT_EQ(violations.size(), 1u) << refused;
  EXPECT_THAT(violations["grant.instalments"], HasSubstr("justified once paid"));

  // The same at creation; and nothing was written.
  v1::CreateGrantRequest create;
  create.set_parent("actions/fa3");
  *create.mutable_grant() = justify;
  create.mutable_grant()->set_year(2025);
  refused = Call(&Stub::CreateGrant, create, &out);
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Violations(refused), ElementsAre(Pair("grant.instalments", HasSubstr("once paid"))));
  v1::GetGrantRequest get;
  get.set_name(notified.name());
  ASSERT_THAT(Call(&Stub::GetGrant, get, &out), IsOk());
  EXPECT_EQ(out.state(), v1::GRANT_STATE_NOTIFIED);
  v1::ListGrantsRequest list;
  list.set_parent("actions/fa3");
  v1::ListGrantsResponse grants;
  ASSERT_THAT(Call(&Stub::ListGrants, list, &grants), IsOk());
  EXPECT_EQ(grants.grants_size(), 1);
}

TEST_F(GrantLifeTest, PayingMoreThanNotifiedIsRefused) {
  v1::Grant advance = Pay(Notify(Request()), Day(2024, 4, 2), 275000, "avance 50 %");
  v1::Grant too_much = advance;
  v1::Instalment* balance = too_much.add_instalments();
  *balance->mutable_paid_date() = Day(2024, 11, 20);
  balance->set_amount_cents(325000);  // the requested amount's balance, not the notified one
  v1::Grant out;
  absl::Status refused = Update(too_much, {"instalments"}, &out);
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(Reason(refused), "INVALID_ARGUMENT");
  auto violations = Violations(refused);
  ASSERT_EQ(violations.size(), 1u) << refused;
  EXPECT_THAT(violations["grant.instalments"], HasSubstr("above the notified"));

  // Lowering the notified amount under what was paid is the same mistake.
  v1::Grant lowered = advance;
  lowered.set_notified_amount_cents(200000);
  refused = Update(lowered, {"notified_amount_cents"}, &out);
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Violations(refused),
              ElementsAre(Pair("grant.instalments", HasSubstr("above the notified"))));
}

TEST_F(GrantLifeTest, MovingBackwardsIsRefused) {
  v1::Grant paid = Pay(Notify(Request()), Day(2024, 4, 2), 550000, "versement unique");
  v1::Grant justified = paid;
  justified.set_state(v1::GRANT_STATE_JUSTIFIED);
  *justified.mutable_justify_date() = Day(2025, 1, 20);
  ASSERT_THAT(Update(justified, {"state", "justify_date"}, &justified), IsOk());
  for (v1::GrantState back :
       {v1::GRANT_STATE_PAID, v1::GRANT_STATE_NOTIFIED, v1::GRANT_STATE_REQUESTED}) {
    v1::Grant request = justified;
    request.set_state(back);
    v1::Grant out;
    absl::Status refused = Update(request, {"state"}, &out);
    EXPECT_THAT(refused, StatusIs(absl::StatusCode::kFailedPrecondition))
        << v1::GrantState_Name(back);
    EXPECT_EQ(Reason(refused), "INVALID_STATE_TRANSITION");
    auto info = GetErrorInfo(refused);
    ASSERT_TRUE(info.has_value());
    EXPECT_EQ(info->metadata().at("state"), "GRANT_STATE_JUSTIFIED");
    EXPECT_EQ(info->metadata().at("requested_state"), v1::GrantState_Name(back));
    EXPECT_EQ(info->metadata().at("name"), justified.name());
  }
}

TEST_F(GrantLifeTest, DatesOutOfOrderAndAMissingAmountNameTheirFields) {
  v1::CreateGrantRequest create;
  create.set_parent("actions/fa3");
  v1::Grant* grant = create.mutable_grant();
  grant->set_funder_id("dijon-metropole");
  grant->set_year(2024);
  grant->set_state(v1::GRANT_STATE_JUSTIFIED);
  *grant->mutable_request_date() = Day(2024, 2, 1);
  *grant->mutable_notify_date() = Day(2024, 1, 10);  // before the request
  grant->set_notified_amount_cents(600000);
  v1::Instalment* early = grant->add_instalments();
  *early->mutable_paid_date() = Day(2024, 1, 5);  // before the notification
  early->set_amount_cents(300000);
  v1::Instalment* later = grant->add_instalments();
  *later->mutable_paid_date() = Day(2024, 6, 5);
  later->set_amount_cents(300000);
  *grant->mutable_justify_date() = Day(2024, 1, 2);  // before any payment
  v1::Grant out;
  absl::Status refused = Call(&Stub::CreateGrant, create, &out);
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Violations(refused),
              UnorderedElementsAre(
                  Pair("grant.requested_amount_cents", HasSubstr("required")),
                  Pair("grant.notify_date", "not before the request_date (2024-02-01)"),
                  Pair("grant.instalments[0].paid_date", "not before the notify_date (2024-01-10)"),
                  Pair("grant.justify_date", "not before the first instalment (2024-01-05)")));
}

TEST_F(GrantLifeTest, AnActualBudgetIsComparedWithTheNotifiedAmountOnly) {
  // The 2024 table recorded as the actual budget: Dijon Métropole's lines carry 6 000 €.
  v1::ImportBudgetTableRequest import;
  import.set_parent("actions/fa3");
  import.set_table(SeedTable(2024));
  import.set_year(2024);
  import.set_kind(v1::BUDGET_KIND_ACTUAL);
  import.set_title("Compte rendu financier 2024");
  v1::ImportBudgetTableResponse actual;
  ASSERT_THAT(Call(&Stub::ImportBudgetTable, import, &actual), IsOk());
  const std::string budget = actual.budget().name();

  v1::Grant requested = Request();
  EXPECT_TRUE(GrantMismatches(budget).empty()) << "a request is not money the action has";
  v1::Grant notified = Notify(requested);  // 5 500 € notified against 6 000 € in the lines
  EXPECT_THAT(GrantMismatches(budget), ElementsAre(Pair(550000, 600000)));
  v1::Grant paid = Pay(notified, Day(2024, 4, 2), 550000, "versement unique");
  EXPECT_THAT(GrantMismatches(budget), ElementsAre(Pair(550000, 600000)))
      << "the notified amount is compared, whatever was paid";
  v1::Grant raised = paid;
  raised.set_notified_amount_cents(600000);  // an amendment (avenant) brings it to 6 000 €
  ASSERT_THAT(Update(raised, {"notified_amount_cents"}, &raised), IsOk());
  EXPECT_TRUE(GrantMismatches(budget).empty());
}

}  // namespace
}  // namespace maillage::budget::testing
