// Erasure end to end (issue 13, "Erasure"): the four binaries and PostgreSQL. A person created
// as a contact with a request_id, registered to a meeting, moved by a merge of actors, then
// erased (or deleted, or erased after a delete, or past its retain_until) leaves no trace of
// its name, e-mail address or phone number in any column of any table of the four databases
// (every text and bytea column, found through information_schema) nor in the change feed. The
// retention jobs run every second here (MAILLAGE_RETENTION_INTERVAL=1s); their clock is
// controlled by ageing the rows (create_time, retain_until, the audit's time) rather than by
// waiting days (the unit tests of each job drive a ManualClock).
#include <chrono>
#include <fstream>
#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/testing/text_search.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "nlohmann/json.hpp"
#include "tests/e2e/suite.h"
#include "tests/e2e/traffic.h"

namespace maillage::testing {
namespace {

using nlohmann::json;

constexpr char kGiven[] = "Camille";
constexpr char kFamily[] = "Quenouillard";
constexpr char kEmail[] = "camille.quenouillard@example.org";
constexpr char kPhone[] = "03 80 44 55 66";

class ErasureE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    SuiteOptions options;
    options.env["MAILLAGE_RETENTION_INTERVAL"] = "1s";
    options.env["MAILLAGE_AUDIT_RETENTION_DAYS"] = "30";
    suite_ = new Suite(options);
    json action = {{"code", "ER1"},
                   {"title", "Action des tests d'effacement"},
                   {"startYear", 2025},
                   {"endYear", 2030}};
    auto created = Post("/v1/actions?actionId=er1", action.dump());
    ASSERT_TRUE(created && created->status == 200) << (created ? created->body : "no response");
  }
  static void TearDownTestSuite() {
    delete suite_;
    suite_ = nullptr;
  }

  static httplib::Result Post(const std::string& path, const std::string& body) {
    httplib::Client client = GatewayClient(*suite_);
    return client.Post(path.c_str(), body, "application/json");
  }
  static httplib::Result Get(const std::string& path) {
    httplib::Client client = GatewayClient(*suite_);
    return client.Get(path.c_str());
  }
  static httplib::Result Delete(const std::string& path) {
    httplib::Client client = GatewayClient(*suite_);
    return client.Delete(path.c_str());
  }
  // POST answered 200: its JSON body (fails the test otherwise).
  static json Ok(const httplib::Result& result) {
    EXPECT_TRUE(result && result->status == 200) << (result ? result->body : "no response");
    if (!result || result->status != 200) return json::object();
    return json::parse(result->body);
  }

  static std::string CreateActor(const std::string& display_name) {
    return Ok(Post("/v1/actors", json{{"displayName", display_name}}.dump()))["name"];
  }
  // The person as a contact of `actor`, created with a request_id (as a retrying client does).
  static std::string CreateContact(const std::string& actor, json extra = json::object()) {
    json contact = {{"givenName", kGiven},
                    {"familyName", kFamily},
                    {"email", kEmail},
                    {"phone", kPhone},
                    {"legalBasis", "LEGAL_BASIS_LEGITIMATE_INTEREST"}};
    contact.update(extra);
    return Ok(Post(absl::StrCat("/v1/", actor, "/contacts?requestId=", NewUuid()),
                   contact.dump()))["name"];
  }
  // A meeting of action er1 next month with the contact registered; the participant's name.
  static std::string Register(const std::string& contact) {
    auto start = std::chrono::system_clock::now() + std::chrono::hours(24 * 30);
    auto rfc3339 = [](std::chrono::system_clock::time_point t) {
      return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromChrono(t), absl::UTCTimeZone());
    };
    json meeting = {{"title", "Atelier effacement"},
                    {"kind", "MEETING_KIND_ELECTED_TECHNICIANS_MEETING"},
                    {"format", "MEETING_FORMAT_ONLINE"},
                    {"place", {{"onlineUrl", "https://visio.example.org/atelier"}}},
                    {"action", "actions/er1"},
                    {"startTime", rfc3339(start)},
                    {"endTime", rfc3339(start + std::chrono::hours(2))}};
    std::string name = Ok(Post("/v1/meetings", meeting.dump()))["name"];
    json participant = {{"contact", contact},
                        {"role", "PARTICIPANT_ROLE_ESS_ACTOR"},
                        {"status", "PARTICIPANT_STATUS_REGISTERED"}};
    return Ok(Post(absl::StrCat("/v1/", name, "/participants?requestId=", NewUuid()),
                   participant.dump()))["name"];
  }
  static json Erase(const std::string& contact, int want_status = 200) {
    auto result = Post(absl::StrCat("/v1/", contact, ":erase"),
                       json{{"reason", "demande reçue le 3 mai 2024"}}.dump());
    EXPECT_TRUE(result && result->status == want_status)
        << contact << ": " << (result ? result->body : "no response");
    return result && result->status == 200 ? json::parse(result->body) : json::object();
  }

  // Every column of the four databases, and every change of the feed, still holding the
  // person's name, e-mail address or phone number.
  static std::vector<std::string> Traces() {
    std::vector<std::string> traces;
    for (const char* service : {"directory", "meetings", "budget", "gateway"}) {
      for (const char* needle : {kFamily, kEmail, kPhone}) {
        for (const std::string& column : ColumnsHolding(suite_->DatabaseUrl(service), needle)) {
          traces.push_back(absl::StrCat("ess_", service, ": ", column, " holds ", needle));
        }
      }
    }
    std::string cursor;
    for (int page = 0; page < 100; ++page) {
      json changes = Ok(Get(absl::StrCat("/v1/changes?pageSize=500&since=", cursor)));
      for (const char* needle : {kFamily, kEmail, kPhone}) {
        if (changes.dump().find(needle) != std::string::npos) {
          traces.push_back(absl::StrCat("the change feed holds ", needle));
        }
      }
      cursor = changes.value("nextCursor", "");
      if (changes.value("caughtUp", true)) break;
    }
    return traces;
  }
  // Polls `condition` for up to 30 s (the meetings follower reads the feed every 5 s).
  static bool Eventually(const std::function<bool()>& condition) {
    for (int i = 0; i < 300; ++i) {
      if (condition()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return condition();
  }
  static bool Anonymized(const std::string& participant) {
    auto read = Get(absl::StrCat("/v1/", participant));
    return read && read->status == 200 && json::parse(read->body).value("anonymized", false);
  }
  // One value of `query` against a service's database ("" for NULL or no row).
  static std::string Sql(const std::string& service, const std::string& query) {
    pqxx::connection connection(suite_->DatabaseUrl(service));
    pqxx::work txn(connection);
    pqxx::result rows = txn.exec(query);
    txn.commit();
    return rows.empty() || rows[0][0].is_null() ? "" : rows[0][0].as<std::string>();
  }

  static Suite* suite_;
};

Suite* ErasureE2eTest::suite_ = nullptr;

TEST_F(ErasureE2eTest, MergedThenErasedPersonLeavesNoTraceAnywhere) {
  std::string old_home = CreateActor("Tiers-lieu des Tanneries");
  std::string survivor = CreateActor("Pôle des Tanneries");
  std::string contact = CreateContact(old_home);
  std::string participant = Register(contact);
  ASSERT_FALSE(participant.empty());
  ASSERT_FALSE(Traces().empty());  // the search finds the person before the erasure

  json merged =
      Ok(Post(absl::StrCat("/v1/", survivor, ":merge"), json{{"otherActor", old_home}}.dump()));
  ASSERT_EQ(merged.value("name", ""), survivor);
  std::string moved = absl::StrCat(survivor, "/contacts/", contact.substr(contact.rfind('/') + 1));
  // Meetings follows the move.
  EXPECT_TRUE(Eventually([&] {
    auto read = Get(absl::StrCat("/v1/", participant));
    return read && read->status == 200 && json::parse(read->body).value("contact", "") == moved;
  }));

  json receipt = Erase(moved);
  EXPECT_EQ(receipt.value("contact", ""), moved);
  EXPECT_TRUE(Eventually([&] { return Anonymized(participant); }));
  EXPECT_EQ(Traces(), std::vector<std::string>{});
  // The journal names the person by its resource names only.
  EXPECT_EQ(Sql("directory", absl::StrCat("SELECT array_to_string(names, ' ') FROM erasures "
                                          "WHERE contact_name = '",
                                          moved, "'")),
            absl::StrCat(moved, " ", contact));
}

TEST_F(ErasureE2eTest, DeleteAloneEndsErasedAndErasePersonStillAnswersAfterIt) {
  std::string actor = CreateActor("Recyclerie du Lac");
  std::string contact = CreateContact(actor);
  std::string participant = Register(contact);
  auto deleted = Delete(absl::StrCat("/v1/", contact));
  ASSERT_TRUE(deleted && deleted->status == 200) << (deleted ? deleted->body : "no response");
  EXPECT_TRUE(Eventually([&] { return Anonymized(participant); }));
  EXPECT_EQ(Traces(), std::vector<std::string>{});

  json receipt = Erase(contact);
  EXPECT_EQ(receipt.value("contact", ""), contact);
  EXPECT_NE(receipt.value("receiptId", ""), "");
  Erase(contact, 404);
  EXPECT_EQ(Traces(), std::vector<std::string>{});
}

TEST_F(ErasureE2eTest, RetentionJobsEraseExpiredContactsAndPurgeRequestIdsAndAuditLines) {
  std::string actor = CreateActor("Jardin partagé des Grésilles");
  // A retention period that ended yesterday (the date is accepted: it is the staff's choice).
  std::string contact =
      CreateContact(actor, json{{"retainUntil", {{"year", 2020}, {"month", 1}, {"day", 31}}}});
  EXPECT_TRUE(Eventually([&] {
    auto read = Get(absl::StrCat("/v1/", contact));
    return read && read->status == 404;
  }));
  EXPECT_EQ(Sql("directory", absl::StrCat("SELECT cause || ' ' || reason FROM erasures WHERE "
                                          "contact_name = '",
                                          contact, "'")),
            "RETENTION_EXPIRED retain_until 2020-01-31 reached");
  EXPECT_EQ(Traces(), std::vector<std::string>{});

  // request_ids: a record 25 hours old goes at the next pass, a fresh one stays, in every
  // service and the gateway.
  std::string kept = CreateActor("Actrice récente");
  ASSERT_FALSE(kept.empty());
  for (const char* service : {"directory", "meetings", "budget", "gateway"}) {
    Sql(service,
        "INSERT INTO request_ids (caller, request_id, method, fingerprint, response, "
        "create_time) VALUES ('apiKeys/old', gen_random_uuid(), 'Old', '', '', "
        "now() - interval '25 hours'), ('apiKeys/new', gen_random_uuid(), 'New', '', '', now()) "
        "RETURNING 1");
  }
  for (const char* service : {"directory", "meetings", "budget", "gateway"}) {
    EXPECT_TRUE(Eventually([&] {
      return Sql(service, "SELECT count(*) FROM request_ids WHERE caller = 'apiKeys/old'") == "0";
    })) << service;
    EXPECT_EQ(Sql(service, "SELECT count(*) FROM request_ids WHERE caller = 'apiKeys/new'"), "1")
        << service;
  }

  // The audit log keeps MAILLAGE_AUDIT_RETENTION_DAYS (30 here): a line 31 days old goes at the
  // next pass, a recent one stays.
  ASSERT_FALSE(Sql("gateway",
                   "WITH aged AS (UPDATE audit_log SET time = now() - interval '31 days' WHERE "
                   "id = (SELECT min(id) FROM audit_log) RETURNING id) SELECT id FROM aged")
                   .empty());
  std::string recent = Sql("gateway",
                           "SELECT count(*) FROM audit_log WHERE time > now() - "
                           "interval '1 day'");
  EXPECT_TRUE(Eventually([&] {
    return Sql("gateway",
               "SELECT count(*) FROM audit_log WHERE time < now() - interval '30 "
               "days'") == "0";
  }));
  EXPECT_GE(std::stoi(Sql("gateway", "SELECT count(*) FROM audit_log")), std::stoi(recent));
}

TEST_F(ErasureE2eTest, ReplayAfterRestoringAnOlderBackupErasesThePersonAgain) {
  std::string actor = CreateActor("Ressourcerie des Bourroches");
  std::string contact = CreateContact(actor);
  std::string id = contact.substr(contact.rfind('/') + 1);
  // What a backup taken now holds: the row and the snapshot of its creation.
  std::string row =
      Sql("directory", "SELECT row_to_json(c)::text FROM contacts c WHERE id = " + id);
  std::string snapshot =
      Sql("directory", "SELECT encode(snapshot, 'hex') FROM changes WHERE resource_name = '" +
                           contact + "' AND kind = 'CHANGE_KIND_CREATED'");
  ASSERT_FALSE(row.empty());
  ASSERT_FALSE(snapshot.empty());
  Erase(contact);
  // The journal, as `deploy/maillage restore` exports it before dropping the database.
  std::string journal =
      Sql("directory",
          "SELECT string_agg((extract(epoch FROM erase_time) * 1000000)::bigint || E'\\t' || "
          "array_to_string(names, ' '), E'\\n' ORDER BY id) FROM erasures");
  std::string path = absl::StrCat(suite_->log_dir(), "/erasures.tsv");
  std::ofstream(path) << journal << "\n";
  // The restore of the older backup brings the person back...
  Sql("directory",
      "INSERT INTO contacts OVERRIDING SYSTEM VALUE SELECT * FROM "
      "json_populate_record(NULL::contacts, '" +
          row + "') RETURNING 1");
  Sql("directory", "UPDATE changes SET snapshot = decode('" + snapshot +
                       "', 'hex') WHERE resource_name = '" + contact +
                       "' AND kind = 'CHANGE_KIND_CREATED' RETURNING 1");
  ASSERT_FALSE(Traces().empty());
  // ... and the directory binary's replay erases it again.
  CommandResult replay = RunCommand(absl::StrCat(
      "env -i MAILLAGE_DATABASE_URL='", suite_->DatabaseUrl("directory"),
      "' MAILLAGE_PRINCIPAL_SECRET=replay-needs-no-principal-but-the-env-asks-for-one ",
      BinaryPath("maillage-directory"), " replay-erasures ", path, " 2>&1"));
  ASSERT_EQ(replay.exit_code, 0) << replay.output;
  EXPECT_NE(replay.output.find("contacts back from the backup forgotten again"), std::string::npos)
      << replay.output;
  EXPECT_EQ(Traces(), std::vector<std::string>{});
  auto read = Get(absl::StrCat("/v1/", contact));
  ASSERT_TRUE(read);
  EXPECT_EQ(read->status, 404) << read->body;
  EXPECT_EQ(Sql("directory", "SELECT cause FROM erasures ORDER BY id DESC LIMIT 1"),
            "RESTORE_REPLAY");
}

}  // namespace
}  // namespace maillage::testing
