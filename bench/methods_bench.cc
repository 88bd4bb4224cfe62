// maillage-bench-methods: every unary method of the directory, meetings and budget services,
// each under load for a short while on a fixture of its own, with its rate and p99 beside the
// raw SQL ceiling of the same run and the ratio:
//   - a Get (one row by its name) beside a primary-key SELECT through db::Pool (goal >= 0.5);
//   - a single-row write (Create*, Update*, Delete*, and the one-row state changes) beside a
//     one-row INSERT (creates) or UPDATE (the others) transaction through db::Pool (goal >= 0.3);
//   - each also beside the same SQL run by the handler of a bare grpc::Server (no interceptor)
//     in the same run ("gRPC+SQL"): the ceiling a method doing that one statement or transaction
//     can reach on this machine, where an empty gRPC call may cost more than the SQL; for a
//     single-row write, measured again just before the method (a shared machine's load drifts
//     within a run, and the ratio should compare the two under the same load);
//   - the other methods (lists, searches, batches, imports, exports, reports) beside the SELECT,
//     for information (no goal: they read or write many rows).
// The three services run in this process on real gRPC servers (server::Server, every
// interceptor) over one private PostgreSQL cluster, a database each; meetings calls the real
// directory and budget services. Writes that consume what they act on (deletes, state changes)
// stop when their supply, made by the create benchmarked before them, runs out.
//
//   maillage-bench-methods [--seconds=S] [--in-flight=N] [--only=SUBSTRING]
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "bench/ceilings.h"
#include "bench/load.h"
#include "common/db/migrations.h"
#include "common/log/log.h"
#include "common/server/client.h"
#include "common/server/interceptors.h"
#include "common/server/server.h"
#include "common/testing/postgres.h"
#include "common/testing/principal.h"
#include "maillage/budget/v1/budget_service.grpc.pb.h"
#include "maillage/directory/v1/directory_service.grpc.pb.h"
#include "maillage/meetings/v1/meetings_service.grpc.pb.h"
#include "services/budget/budget_service.h"
#include "services/budget/seed_fixture.h"
#include "services/directory/directory_service.h"
#include "services/directory/reference_data.h"
#include "services/meetings/meetings_service.h"

namespace maillage::budget {
const std::vector<db::Migration>& Migrations();
}  // namespace maillage::budget
namespace maillage::directory {
const std::vector<db::Migration>& Migrations();
}  // namespace maillage::directory
namespace maillage::meetings {
const std::vector<db::Migration>& Migrations();
}  // namespace maillage::meetings

namespace {

using namespace maillage;
namespace dv1 = maillage::directory::v1;
namespace bv1 = maillage::budget::v1;
namespace mv1 = maillage::meetings::v1;

std::chrono::system_clock::time_point Soon() {
  return std::chrono::system_clock::now() + std::chrono::seconds(30);
}

void Check(bool ok, const std::string& what) {
  if (ok) return;
  std::fprintf(stderr, "setup failed: %s\n", what.c_str());
  std::exit(1);
}

// The first error of each method, printed once.
void ReportError(const std::string& method, const grpc::Status& status) {
  static std::mutex mu;
  static std::map<std::string, int>* const seen = new std::map<std::string, int>;
  std::lock_guard<std::mutex> lock(mu);
  if ((*seen)[method]++ == 0) {
    std::fprintf(stderr, "  %s: first error %d %s\n", method.c_str(), status.error_code(),
                 status.error_message().c_str());
  }
}

// One call of `method` on `stub`; false (and the first error reported) when it fails.
template <typename Stub, typename Request, typename Response>
bool Rpc(Stub& stub, grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
         const Request& request, Response* response, const std::string& label) {
  grpc::ClientContext context;
  server::PrepareClientContext(context, Soon());
  grpc::Status status = (stub.*method)(&context, request, response);
  if (!status.ok()) ReportError(label, status);
  return status.ok();
}

// One call whose answer is dropped.
template <typename Stub, typename Request, typename Response>
bool Call(Stub& stub, grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
          const Request& request, const std::string& label) {
  Response response;
  return Rpc(stub, method, request, &response, label);
}

// Names made by one benchmark for the next ones, shared by the workers.
class Supply {
 public:
  void Add(std::string name) {
    std::lock_guard<std::mutex> lock(mu_);
    names_.push_back(std::move(name));
  }
  // The i-th name, cycling; "" when empty.
  std::string At(int64_t i) const {
    std::lock_guard<std::mutex> lock(mu_);
    return names_.empty() ? "" : names_[static_cast<size_t>(i) % names_.size()];
  }
  // The next name not taken yet, "" when none is left.
  std::string Take() {
    std::lock_guard<std::mutex> lock(mu_);
    return next_ < names_.size() ? names_[next_++] : "";
  }
  int64_t left() const {
    std::lock_guard<std::mutex> lock(mu_);
    return static_cast<int64_t>(names_.size() - next_);
  }
  // Moves the names not taken yet into a new supply of `count` names (fewer when short).
  Supply Split(int64_t count) {
    std::lock_guard<std::mutex> lock(mu_);
    Supply out;
    while (count-- > 0 && next_ < names_.size()) out.names_.push_back(names_[next_++]);
    return out;
  }
  Supply() = default;
  Supply(Supply&& other) noexcept : names_(std::move(other.names_)), next_(other.next_) {}
  Supply& operator=(Supply&& other) noexcept {
    names_ = std::move(other.names_);
    next_ = other.next_;
    return *this;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> names_;
  size_t next_ = 0;
};

enum class Kind { kGet, kCreate, kWrite, kOther };

struct Method {
  std::string name;  // "directory.GetActor"
  Kind kind;
  // One call; `i` counts the calls of this method from 0. True on success.
  std::function<bool(int worker, int64_t i)> call;
  // How many calls at most, for a method that consumes a supply of names (null: no limit).
  std::function<int64_t()> max_calls;
};

struct Ceilings {
  bench::LoadResult select, insert, update;
  // The same SQL inside the handler of a bare gRPC server: what a method doing that one
  // statement or transaction can reach at best (gRPC and PostgreSQL share this machine).
  bench::LoadResult grpc_select, grpc_insert, grpc_update;
};

struct Row {
  std::string name;
  Kind kind;
  bench::LoadResult result;
  // For a single-row write: its gRPC+SQL ceiling measured just before it (the machine's load
  // drifts during a run; the ratio compares the two under the same load).
  bench::LoadResult adjacent;
};

}  // namespace

int main(int argc, char** argv) {
  int seconds = 2;
  int in_flight = 4;
  std::string only;
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (absl::ConsumePrefix(&arg, "--seconds=") && absl::SimpleAtoi(arg, &seconds)) continue;
    if (absl::ConsumePrefix(&arg, "--in-flight=") && absl::SimpleAtoi(arg, &in_flight)) continue;
    if (absl::ConsumePrefix(&arg, "--only=")) {
      only = std::string(arg);
      continue;
    }
    std::fprintf(stderr,
                 "usage: maillage-bench-methods [--seconds=S] [--in-flight=N] [--only=TEXT]\n");
    return 2;
  }
  // The bench calls the services directly, in the gateway's place: its calls are signed.
  maillage::testing::TrustTestCalls();
  log::Init("bench", "warn");
  const std::chrono::milliseconds duration(seconds * 1000);

  // --- the three services ------------------------------------------------------------------
  auto make_pool = [&](testing::TestDatabase& database, const char* domain) {
    db::PoolOptions options;
    options.url = database.url();
    options.size = in_flight + 4;
    options.error_domain = domain;
    return std::make_unique<db::Pool>(options);
  };
  auto start = [&](const char* name, const char* domain, grpc::Service* service) {
    server::ServerOptions options;
    options.service_name = name;
    options.error_domain = domain;
    options.host = "127.0.0.1";
    options.threads = in_flight + 8;
    options.reflection = false;
    auto server = std::make_unique<server::Server>(options, std::vector<grpc::Service*>{service});
    Check(server->Start().ok(), name);
    server->SetServing(true);
    return server;
  };
  testing::TestDatabase directory_db("bench_directory"), budget_db("bench_budget"),
      meetings_db("bench_meetings"), ceiling_db("bench_ceilings");
  auto directory_pool = make_pool(directory_db, "directory.maillage");
  Check(db::Migrate(*directory_pool, "directory", directory::Migrations()).ok(), "migrate");
  Check(directory::SyncReferenceData(*directory_pool, "").ok(), "reference data");
  directory::DirectoryServiceImpl directory_service(*directory_pool);
  auto directory_server = start("directory", "directory.maillage", &directory_service);

  auto budget_pool = make_pool(budget_db, "budget.maillage");
  Check(db::Migrate(*budget_pool, "budget", budget::Migrations()).ok(), "migrate");
  budget::BudgetServiceImpl budget_service(*budget_pool);
  Check(budget_service.SyncAccounts(Soon()).ok(), "accounts");
  auto budget_server = start("budget", "budget.maillage", &budget_service);

  auto meetings_pool = make_pool(meetings_db, "meetings.maillage");
  Check(db::Migrate(*meetings_pool, "meetings", meetings::Migrations()).ok(), "migrate");
  meetings::DirectoryClient directory_client(
      server::MakeChannel(absl::StrCat("127.0.0.1:", directory_server->port())));
  meetings::BudgetActionRegistry action_registry(
      server::MakeChannel(absl::StrCat("127.0.0.1:", budget_server->port())));
  meetings::MeetingPlanner planner(*meetings_pool, action_registry, directory_client);
  meetings::ParticipantRoster roster(*meetings_pool, directory_client);
  meetings::OutputCatalog outputs(*meetings_pool, directory_client);
  meetings::Roadmap roadmap(*meetings_pool, action_registry);
  meetings::IndicatorReport indicators(*meetings_pool, directory_client, action_registry);
  meetings::MeetingsServiceImpl meetings_service(planner, roster, outputs, roadmap, indicators);
  auto meetings_server = start("meetings", "meetings.maillage", &meetings_service);

  auto d = dv1::DirectoryService::NewStub(
      server::MakeChannel(absl::StrCat("127.0.0.1:", directory_server->port()), 64 << 20));
  auto b = bv1::BudgetService::NewStub(
      server::MakeChannel(absl::StrCat("127.0.0.1:", budget_server->port()), 64 << 20));
  auto m = mv1::MeetingsService::NewStub(
      server::MakeChannel(absl::StrCat("127.0.0.1:", meetings_server->port()), 64 << 20));

  // --- fixtures made before measuring ---------------------------------------------------------
  constexpr int kActors = 200;
  std::vector<std::string> actors, contacts, relationships;
  for (int i = 0; i < kActors; ++i) {
    dv1::CreateActorRequest request;
    request.mutable_actor()->set_display_name(absl::StrCat("Acteur ", i));
    request.mutable_actor()->mutable_address()->set_commune_insee_code("21231");
    dv1::Actor actor;
    Check(Rpc(*d, &dv1::DirectoryService::Stub::CreateActor, request, &actor, "setup"), "actor");
    actors.push_back(actor.name());
  }
  for (int i = 0; i < kActors; ++i) {
    dv1::CreateContactRequest request;
    request.set_parent(actors[i]);
    request.mutable_contact()->set_given_name("Camille");
    request.mutable_contact()->set_family_name(absl::StrCat("Martin ", i));
    request.mutable_contact()->set_legal_basis(dv1::LEGAL_BASIS_LEGITIMATE_INTEREST);
    dv1::Contact contact;
    Check(Rpc(*d, &dv1::DirectoryService::Stub::CreateContact, request, &contact, "setup"),
          "contact");
    contacts.push_back(contact.name());
    dv1::CreateRelationshipRequest link;
    link.set_parent(actors[i]);
    link.mutable_relationship()->set_type(dv1::RELATIONSHIP_TYPE_MEMBER_OF);
    link.mutable_relationship()->set_other_actor(actors[(i + 1) % kActors]);
    dv1::Relationship relationship;
    Check(Rpc(*d, &dv1::DirectoryService::Stub::CreateRelationship, link, &relationship, "setup"),
          "relationship");
    relationships.push_back(relationship.name());
  }

  // Budget: the seed action, a draft with lines, one draft per worker for line writes, an
  // approved version and its revision (for the diff), actions for new budgets.
  auto create_action = [&](const std::string& key, const std::string& code) {
    bv1::CreateActionRequest request;
    *request.mutable_action() = budget::testing::SeedAction();
    request.mutable_action()->set_code(code);
    request.set_action_id(key);
    bv1::Action action;
    Check(Rpc(*b, &bv1::BudgetService::Stub::CreateAction, request, &action, "setup"), key);
    return action.name();
  };
  create_action("fa3", "FA3");
  auto create_budget = [&](const std::string& action, int year,
                           bv1::BudgetKind kind = bv1::BUDGET_KIND_FORECAST) {
    bv1::CreateBudgetRequest request;
    request.set_parent(action);
    request.mutable_budget()->set_year(year);
    request.mutable_budget()->set_kind(kind);
    bv1::Budget budget;
    Check(Rpc(*b, &bv1::BudgetService::Stub::CreateBudget, request, &budget, "setup"), "budget");
    return budget.name();
  };
  auto add_line = [&](const std::string& budget, bool income, const std::string& code,
                      int64_t cents, const std::string& chapter, const std::string& label) {
    bv1::CreateBudgetLineRequest request;
    request.set_parent(budget);
    bv1::BudgetLine* line = request.mutable_budget_line();
    line->set_side(income ? bv1::SIDE_INCOME : bv1::SIDE_CHARGE);
    line->set_account_code(code);
    line->set_is_chapter(chapter.empty() && code.size() == 2);
    line->set_chapter_line(chapter);
    line->set_label(label);
    line->set_amount_cents(cents);
    if (code == "74") line->set_funder_id("dijon-metropole");
    bv1::BudgetLine created;
    Check(Rpc(*b, &bv1::BudgetService::Stub::CreateBudgetLine, request, &created, "setup"), "line");
    return created.name();
  };
  const std::string main_budget = create_budget("actions/fa3", 2026);
  std::vector<std::string> lines;
  {
    std::string charges = add_line(main_budget, false, "62", 1000000, "", "Services extérieurs");
    std::string income = add_line(main_budget, true, "74", 1000000, "", "Subventions");
    lines = {charges, income};
    for (int i = 0; i < 24; ++i) {
      lines.push_back(add_line(main_budget, false, "", 1000, charges, absl::StrCat("Prest. ", i)));
      lines.push_back(add_line(main_budget, true, "", 1000, income, absl::StrCat("Subv. ", i)));
    }
  }
  std::vector<std::string> worker_budgets;
  for (int w = 0; w < in_flight; ++w) {
    worker_budgets.push_back(
        create_budget(create_action(absl::StrCat("lines-", w), absl::StrCat("L", w)), 2026));
  }
  // v1 approved and v2 its revision, for DiffBudgetVersions.
  std::string approved, revised;
  {
    std::string action = create_action("diff", "DIFF");
    approved = create_budget(action, 2026);
    add_line(approved, false, "62", 5000, "", "Services");
    add_line(approved, true, "74", 5000, "", "Subventions");
    bv1::SubmitBudgetRequest submit;
    submit.set_name(approved);
    bv1::Budget out;
    Check(Rpc(*b, &bv1::BudgetService::Stub::SubmitBudget, submit, &out, "setup"), "submit");
    bv1::ApproveBudgetRequest approve;
    approve.set_name(approved);
    Check(Rpc(*b, &bv1::BudgetService::Stub::ApproveBudget, approve, &out, "setup"), "approve");
    bv1::ReviseBudgetRequest revise;
    revise.set_name(approved);
    Check(Rpc(*b, &bv1::BudgetService::Stub::ReviseBudget, revise, &out, "setup"), "revise");
    revised = out.name();
  }
  // Balanced drafts that SubmitBudget accepts (an empty budget has an error finding).
  Supply submittable;
  for (int a = 0; a < 3; ++a) {
    std::string action = create_action(absl::StrCat("submit-", a), absl::StrCat("S", a));
    for (int k = 0; k < 100; ++k) {
      std::string budget = create_budget(action, 2000 + k);
      add_line(budget, false, "62", 5000, "", "Services");
      add_line(budget, true, "74", 5000, "", "Subventions");
      submittable.Add(budget);
    }
  }
  std::vector<std::string> budget_actions;  // for CreateBudget: 202 (year, kind) pairs each
  for (int a = 0; a < 40; ++a) {
    budget_actions.push_back(create_action(absl::StrCat("budgets-", a), absl::StrCat("B", a)));
  }
  std::vector<std::string> grants;
  auto grant_request = [&](int i) {
    bv1::CreateGrantRequest request;
    request.set_parent("actions/fa3");
    bv1::Grant* grant = request.mutable_grant();
    grant->set_funder_id("dijon-metropole");
    grant->set_year(2024 + i % 2);
    grant->set_state(bv1::GRANT_STATE_REQUESTED);
    grant->set_requested_amount_cents(100000 + i);
    grant->mutable_request_date()->set_year(2024);
    grant->mutable_request_date()->set_month(1);
    grant->mutable_request_date()->set_day(15);
    return request;
  };
  for (int i = 0; i < 50; ++i) {
    bv1::Grant grant;
    Check(Rpc(*b, &bv1::BudgetService::Stub::CreateGrant, grant_request(i), &grant, "setup"),
          "grant");
    grants.push_back(grant.name());
  }

  // Meetings: one meeting today (check-ins open) with invited people, one per worker for
  // participant writes, and outputs and roadmap items to read.
  auto meeting_at = [&](int64_t offset_seconds, const std::string& title) {
    mv1::Meeting meeting;
    meeting.set_title(title);
    meeting.set_kind(mv1::MEETING_KIND_ACTORS_WORKSHOP);
    meeting.set_format(mv1::MEETING_FORMAT_IN_PERSON);
    meeting.set_action("actions/fa3");
    int64_t start = std::chrono::duration_cast<std::chrono::seconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count() +
                    offset_seconds;
    meeting.mutable_start_time()->set_seconds(start);
    meeting.mutable_end_time()->set_seconds(start + 7200);
    meeting.mutable_place()->set_venue("Locaux du PES 21");
    meeting.mutable_place()->set_commune_insee_code("21231");
    return meeting;
  };
  auto create_meeting = [&](int64_t offset_seconds, const std::string& title) {
    mv1::CreateMeetingRequest request;
    *request.mutable_meeting() = meeting_at(offset_seconds, title);
    mv1::Meeting out;
    Check(Rpc(*m, &mv1::MeetingsService::Stub::CreateMeeting, request, &out, "setup"), title);
    return out.name();
  };
  auto person = [](int64_t i) {
    mv1::Participant p;
    p.mutable_person()->set_display_name(absl::StrCat("Habitant ", i));
    p.mutable_person()->set_email(absl::StrCat("habitant", i, "@example.org"));
    p.set_role(mv1::PARTICIPANT_ROLE_INHABITANT);
    p.set_status(mv1::PARTICIPANT_STATUS_INVITED);
    return p;
  };
  // Starts a minute ago: today in Paris (unless run in the minute after midnight).
  const std::string today = create_meeting(-60, "Atelier du jour");
  std::vector<std::string> worker_meetings;
  for (int w = 0; w < in_flight; ++w) {
    worker_meetings.push_back(create_meeting(-60, absl::StrCat("Atelier ", w)));
  }
  std::vector<std::string> people;
  for (int i = 0; i < 100; ++i) {
    mv1::CreateParticipantRequest request;
    request.set_parent(today);
    *request.mutable_participant() = person(i);
    mv1::Participant out;
    Check(Rpc(*m, &mv1::MeetingsService::Stub::CreateParticipant, request, &out, "setup"),
          "participant");
    people.push_back(out.name());
  }
  std::vector<std::string> documents, items;
  for (int i = 0; i < 20; ++i) {
    mv1::CreateOutputRequest request;
    request.set_parent(today);
    request.mutable_output()->mutable_proposal()->set_title(absl::StrCat("Proposition ", i));
    request.mutable_output()->mutable_proposal()->set_text("Créer un tiers-lieu de l'ESS");
    request.mutable_output()->mutable_proposal()->add_authors(actors[i]);
    mv1::Output out;
    Check(Rpc(*m, &mv1::MeetingsService::Stub::CreateOutput, request, &out, "setup"), "output");
    documents.push_back(out.name());
    mv1::CreateRoadmapItemRequest item;
    item.mutable_roadmap_item()->set_action("actions/fa3");
    item.mutable_roadmap_item()->set_title(absl::StrCat("Chantier ", i));
    mv1::RoadmapItem made;
    Check(Rpc(*m, &mv1::MeetingsService::Stub::CreateRoadmapItem, item, &made, "setup"), "item");
    items.push_back(made.name());
  }

  // --- the methods, in an order where each write finds what it needs ------------------------
  std::vector<Method> methods;
  auto add = [&](std::string name, Kind kind, std::function<bool(int, int64_t)> call,
                 std::function<int64_t()> max_calls = nullptr) {
    Method method{std::move(name), kind, std::move(call)};
    if (max_calls) method.max_calls = std::move(max_calls);
    methods.push_back(std::move(method));
  };
  using DS = dv1::DirectoryService::Stub;
  using BS = bv1::BudgetService::Stub;
  using MS = mv1::MeetingsService::Stub;

  // Directory.
  Supply new_actors, archived, new_contacts, new_relationships;
  add("directory.GetActor", Kind::kGet, [&](int, int64_t i) {
    dv1::GetActorRequest r;
    r.set_name(actors[i % kActors]);
    return Call(*d, &DS::GetActor, r, "GetActor");
  });
  add("directory.BatchGetActors", Kind::kOther, [&](int, int64_t i) {
    dv1::BatchGetActorsRequest r;
    for (int k = 0; k < 10; ++k) r.add_names(actors[(i + k) % kActors]);
    return Call(*d, &DS::BatchGetActors, r, "BatchGetActors");
  });
  add("directory.ListActors", Kind::kOther, [&](int, int64_t) {
    dv1::ListActorsRequest r;
    r.set_page_size(20);
    return Call(*d, &DS::ListActors, r, "ListActors");
  });
  add("directory.SearchActors", Kind::kOther, [&](int, int64_t i) {
    dv1::SearchActorsRequest r;
    r.set_query(absl::StrCat("acteur ", i % kActors));
    r.set_page_size(10);
    return Call(*d, &DS::SearchActors, r, "SearchActors");
  });
  add("directory.FindDuplicates", Kind::kOther, [&](int, int64_t) {
    dv1::FindDuplicatesRequest r;
    r.set_page_size(10);
    return Call(*d, &DS::FindDuplicates, r, "FindDuplicates");
  });
  add("directory.GetContact", Kind::kGet, [&](int, int64_t i) {
    dv1::GetContactRequest r;
    r.set_name(contacts[i % kActors]);
    return Call(*d, &DS::GetContact, r, "GetContact");
  });
  add("directory.ListContacts", Kind::kOther, [&](int, int64_t i) {
    dv1::ListContactsRequest r;
    r.set_parent(actors[i % kActors]);
    return Call(*d, &DS::ListContacts, r, "ListContacts");
  });
  add("directory.ExportPersonData", Kind::kOther, [&](int, int64_t i) {
    dv1::ExportPersonDataRequest r;
    r.set_name(contacts[i % kActors]);
    return Call(*d, &DS::ExportPersonData, r, "ExportPersonData");
  });
  add("directory.GetRelationship", Kind::kGet, [&](int, int64_t i) {
    dv1::GetRelationshipRequest r;
    r.set_name(relationships[i % kActors]);
    return Call(*d, &DS::GetRelationship, r, "GetRelationship");
  });
  add("directory.ListRelationships", Kind::kOther, [&](int, int64_t i) {
    dv1::ListRelationshipsRequest r;
    r.set_parent(actors[i % kActors]);
    return Call(*d, &DS::ListRelationships, r, "ListRelationships");
  });
  add("directory.ListChanges", Kind::kOther, [&](int, int64_t) {
    dv1::ListChangesRequest r;
    r.set_page_size(50);
    return Call(*d, &DS::ListChanges, r, "ListChanges");
  });
  add("directory.ListNetworkCategories", Kind::kOther, [&](int, int64_t) {
    dv1::ListNetworkCategoriesRequest r;
    return Call(*d, &DS::ListNetworkCategories, r, "ListNetworkCategories");
  });
  add("directory.ListThemes", Kind::kOther, [&](int, int64_t) {
    dv1::ListThemesRequest r;
    return Call(*d, &DS::ListThemes, r, "ListThemes");
  });
  add("directory.ListEssFamilies", Kind::kOther, [&](int, int64_t) {
    dv1::ListEssFamiliesRequest r;
    return Call(*d, &DS::ListEssFamilies, r, "ListEssFamilies");
  });
  add("directory.ListCommunes", Kind::kOther, [&](int, int64_t) {
    dv1::ListCommunesRequest r;
    r.set_page_size(50);
    return Call(*d, &DS::ListCommunes, r, "ListCommunes");
  });
  add("directory.CreateActor", Kind::kCreate, [&](int, int64_t i) {
    dv1::CreateActorRequest r;
    r.mutable_actor()->set_display_name(absl::StrCat("Nouvel acteur ", i));
    dv1::Actor out;
    bool ok = Rpc(*d, &DS::CreateActor, r, &out, "CreateActor");
    if (ok) new_actors.Add(out.name());
    return ok;
  });
  add("directory.UpdateActor", Kind::kWrite, [&](int, int64_t i) {
    dv1::UpdateActorRequest r;
    r.mutable_actor()->set_name(actors[i % kActors]);
    r.mutable_actor()->set_description(absl::StrCat("Description ", i));
    r.mutable_update_mask()->add_paths("description");
    return Call(*d, &DS::UpdateActor, r, "UpdateActor");
  });
  Supply to_archive, to_merge, to_delete;
  add(
      "directory.ArchiveActor", Kind::kWrite,
      [&](int, int64_t) {
        if (to_archive.left() == 0 && new_actors.left() > 0) {
          static std::once_flag split;
          std::call_once(split, [&] {
            int64_t third = new_actors.left() / 3;
            to_archive = new_actors.Split(third);
            to_merge = new_actors.Split(third);
            to_delete = new_actors.Split(third);
          });
        }
        dv1::ArchiveActorRequest r;
        r.set_name(to_archive.Take());
        dv1::Actor out;
        bool ok = Rpc(*d, &DS::ArchiveActor, r, &out, "ArchiveActor");
        if (ok) archived.Add(out.name());
        return ok;
      },
      [&] { return new_actors.left() / 3; });
  add(
      "directory.UnarchiveActor", Kind::kWrite,
      [&](int, int64_t) {
        dv1::UnarchiveActorRequest r;
        r.set_name(archived.Take());
        return Call(*d, &DS::UnarchiveActor, r, "UnarchiveActor");
      },
      [&] { return archived.left(); });
  // Many rows by nature, so no single-row goal: two actors, every contact and relationship of
  // the merged one moved, a change appended for each (10 round trips for two bare actors).
  add(
      "directory.MergeActors", Kind::kOther,
      [&](int, int64_t) {
        dv1::MergeActorsRequest r;
        r.set_name(to_merge.Take());
        r.set_other_actor(to_merge.Take());
        return Call(*d, &DS::MergeActors, r, "MergeActors");
      },
      [&] { return to_merge.left() / 2; });
  add(
      "directory.DeleteActor", Kind::kWrite,
      [&](int, int64_t) {
        dv1::DeleteActorRequest r;
        r.set_name(to_delete.Take());
        return Call(*d, &DS::DeleteActor, r, "DeleteActor");
      },
      [&] { return to_delete.left(); });
  add("directory.ImportActors", Kind::kOther, [&](int, int64_t i) {
    dv1::ImportActorsRequest r;
    r.set_csv_data(absl::StrCat("display_name,description,address.commune_insee_code\n", "Importé ",
                                i, " A,premier,21231\nImporté ", i, " B,second,21231\n"));
    r.set_source("bench");
    return Call(*d, &DS::ImportActors, r, "ImportActors");
  });
  add("directory.CreateContact", Kind::kCreate, [&](int, int64_t i) {
    dv1::CreateContactRequest r;
    r.set_parent(actors[i % kActors]);
    r.mutable_contact()->set_given_name("Alex");
    r.mutable_contact()->set_family_name(absl::StrCat("Durand ", i));
    r.mutable_contact()->set_legal_basis(dv1::LEGAL_BASIS_LEGITIMATE_INTEREST);
    dv1::Contact out;
    bool ok = Rpc(*d, &DS::CreateContact, r, &out, "CreateContact");
    if (ok) new_contacts.Add(out.name());
    return ok;
  });
  add("directory.UpdateContact", Kind::kWrite, [&](int, int64_t i) {
    dv1::UpdateContactRequest r;
    r.mutable_contact()->set_name(contacts[i % kActors]);
    r.mutable_contact()->set_job_title(absl::StrCat("Fonction ", i));
    r.mutable_update_mask()->add_paths("job_title");
    return Call(*d, &DS::UpdateContact, r, "UpdateContact");
  });
  Supply to_erase;
  add(
      "directory.DeleteContact", Kind::kWrite,
      [&](int, int64_t) {
        static std::once_flag split;
        std::call_once(split, [&] { to_erase = new_contacts.Split(new_contacts.left() / 2); });
        dv1::DeleteContactRequest r;
        r.set_name(new_contacts.Take());
        return Call(*d, &DS::DeleteContact, r, "DeleteContact");
      },
      [&] { return new_contacts.left() / 2; });
  add(
      "directory.ErasePerson", Kind::kWrite,
      [&](int, int64_t) {
        dv1::ErasePersonRequest r;
        r.set_name(to_erase.Take());
        r.set_reason("demande reçue");
        r.set_request_id(server::NewRequestId());
        return Call(*d, &DS::ErasePerson, r, "ErasePerson");
      },
      [&] { return to_erase.left(); });
  add("directory.CreateRelationship", Kind::kCreate, [&](int, int64_t i) {
    dv1::CreateRelationshipRequest r;
    int64_t from = i % kActors;
    int64_t to = (from + 2 + i / kActors) % kActors;
    if (to == from) to = (to + 1) % kActors;
    r.set_parent(actors[from]);
    r.mutable_relationship()->set_type(dv1::RELATIONSHIP_TYPE_PARTNER_OF);
    r.mutable_relationship()->set_other_actor(actors[to]);
    dv1::Relationship out;
    bool ok = Rpc(*d, &DS::CreateRelationship, r, &out, "CreateRelationship");
    if (ok) new_relationships.Add(out.name());
    return ok;
  });
  add("directory.UpdateRelationship", Kind::kWrite, [&](int, int64_t i) {
    dv1::UpdateRelationshipRequest r;
    r.mutable_relationship()->set_name(relationships[i % kActors]);
    r.mutable_relationship()->set_description(absl::StrCat("Adhérent ", i));
    r.mutable_update_mask()->add_paths("description");
    return Call(*d, &DS::UpdateRelationship, r, "UpdateRelationship");
  });
  add(
      "directory.DeleteRelationship", Kind::kWrite,
      [&](int, int64_t) {
        dv1::DeleteRelationshipRequest r;
        r.set_name(new_relationships.Take());
        return Call(*d, &DS::DeleteRelationship, r, "DeleteRelationship");
      },
      [&] { return new_relationships.left(); });

  // Budget.
  Supply new_actions, new_budgets, submitted, approved_budgets, new_lines, new_grants;
  add("budget.GetAction", Kind::kGet, [&](int, int64_t) {
    bv1::GetActionRequest r;
    r.set_name("actions/fa3");
    return Call(*b, &BS::GetAction, r, "GetAction");
  });
  add("budget.ListActions", Kind::kOther, [&](int, int64_t) {
    bv1::ListActionsRequest r;
    r.set_page_size(20);
    return Call(*b, &BS::ListActions, r, "ListActions");
  });
  add("budget.GetBudget", Kind::kGet, [&](int, int64_t) {
    bv1::GetBudgetRequest r;
    r.set_name(main_budget);
    return Call(*b, &BS::GetBudget, r, "GetBudget");
  });
  add("budget.ListBudgets", Kind::kOther, [&](int, int64_t) {
    bv1::ListBudgetsRequest r;
    r.set_parent("actions/fa3");
    return Call(*b, &BS::ListBudgets, r, "ListBudgets");
  });
  add("budget.GetBudgetLine", Kind::kGet, [&](int, int64_t i) {
    bv1::GetBudgetLineRequest r;
    r.set_name(lines[i % lines.size()]);
    return Call(*b, &BS::GetBudgetLine, r, "GetBudgetLine");
  });
  add("budget.ListBudgetLines", Kind::kOther, [&](int, int64_t) {
    bv1::ListBudgetLinesRequest r;
    r.set_parent(main_budget);
    return Call(*b, &BS::ListBudgetLines, r, "ListBudgetLines");
  });
  add("budget.GetGrant", Kind::kGet, [&](int, int64_t i) {
    bv1::GetGrantRequest r;
    r.set_name(grants[i % grants.size()]);
    return Call(*b, &BS::GetGrant, r, "GetGrant");
  });
  add("budget.ListGrants", Kind::kOther, [&](int, int64_t) {
    bv1::ListGrantsRequest r;
    r.set_parent("actions/fa3");
    return Call(*b, &BS::ListGrants, r, "ListGrants");
  });
  add("budget.GetAccount", Kind::kGet, [&](int, int64_t i) {
    bv1::GetAccountRequest r;
    r.set_name(i % 2 ? "accounts/641" : "accounts/74");
    return Call(*b, &BS::GetAccount, r, "GetAccount");
  });
  add("budget.ListAccounts", Kind::kOther, [&](int, int64_t) {
    bv1::ListAccountsRequest r;
    r.set_page_size(50);
    return Call(*b, &BS::ListAccounts, r, "ListAccounts");
  });
  add("budget.ValidateBudget", Kind::kOther, [&](int, int64_t) {
    bv1::ValidateBudgetRequest r;
    r.set_name(main_budget);
    return Call(*b, &BS::ValidateBudget, r, "ValidateBudget");
  });
  add("budget.DiffBudgetVersions", Kind::kOther, [&](int, int64_t) {
    bv1::DiffBudgetVersionsRequest r;
    r.set_base_budget(approved);
    r.set_target_budget(revised);
    return Call(*b, &BS::DiffBudgetVersions, r, "DiffBudgetVersions");
  });
  add("budget.ExportBudget", Kind::kOther, [&](int, int64_t) {
    bv1::ExportBudgetRequest r;
    r.set_name(main_budget);
    r.set_format(bv1::EXPORT_FORMAT_CSV);
    r.set_layout(bv1::EXPORT_LAYOUT_CERFA_12156);
    return Call(*b, &BS::ExportBudget, r, "ExportBudget");
  });
  add("budget.GetFinancialReport", Kind::kOther, [&](int, int64_t) {
    bv1::GetFinancialReportRequest r;
    r.set_action("actions/fa3");
    r.set_year(2026);
    return Call(*b, &BS::GetFinancialReport, r, "GetFinancialReport");
  });
  add("budget.ImportBudgetTable", Kind::kOther, [&](int, int64_t) {
    bv1::ImportBudgetTableRequest r;
    r.set_parent("actions/fa3");
    r.set_table(
        "DÉPENSES;;RECETTES;\n60 - Achats;1000;74 - Subventions;1500\nFournitures;1000;"
        "Dijon Métropole;1500\n62 - Services extérieurs;500;;\nLocation;500;;\n");
    r.set_year(2027);
    r.set_kind(bv1::BUDGET_KIND_FORECAST);
    r.set_validate_only(true);
    return Call(*b, &BS::ImportBudgetTable, r, "ImportBudgetTable");
  });
  add("budget.CreateAction", Kind::kCreate, [&](int, int64_t i) {
    bv1::CreateActionRequest r;
    *r.mutable_action() = budget::testing::SeedAction();
    r.mutable_action()->set_code(absl::StrCat("N", i));
    r.set_action_id(absl::StrCat("new-", i));
    bv1::Action out;
    bool ok = Rpc(*b, &BS::CreateAction, r, &out, "CreateAction");
    if (ok) new_actions.Add(out.name());
    return ok;
  });
  add("budget.UpdateAction", Kind::kWrite, [&](int, int64_t i) {
    bv1::UpdateActionRequest r;
    r.mutable_action()->set_name(new_actions.At(i));
    r.mutable_action()->set_title(absl::StrCat("Action ", i));
    r.mutable_update_mask()->add_paths("title");
    return Call(*b, &BS::UpdateAction, r, "UpdateAction");
  });
  add(
      "budget.DeleteAction", Kind::kWrite,
      [&](int, int64_t) {
        bv1::DeleteActionRequest r;
        r.set_name(new_actions.Take());
        return Call(*b, &BS::DeleteAction, r, "DeleteAction");
      },
      [&] { return new_actions.left(); });
  add("budget.CreateBudget", Kind::kCreate, [&](int, int64_t i) {
    if (i >= static_cast<int64_t>(budget_actions.size()) * 202) return false;
    bv1::CreateBudgetRequest r;
    r.set_parent(budget_actions[i / 202]);
    r.mutable_budget()->set_year(2000 + static_cast<int>(i % 202) / 2);
    r.mutable_budget()->set_kind(i % 2 ? bv1::BUDGET_KIND_ACTUAL : bv1::BUDGET_KIND_FORECAST);
    bv1::Budget out;
    bool ok = Rpc(*b, &BS::CreateBudget, r, &out, "CreateBudget");
    if (ok) new_budgets.Add(out.name());
    return ok;
  });
  add("budget.UpdateBudget", Kind::kWrite, [&](int, int64_t i) {
    bv1::UpdateBudgetRequest r;
    r.mutable_budget()->set_name(new_budgets.At(i));
    r.mutable_budget()->set_title(absl::StrCat("Budget ", i));
    r.mutable_update_mask()->add_paths("title");
    return Call(*b, &BS::UpdateBudget, r, "UpdateBudget");
  });
  add(
      "budget.SubmitBudget", Kind::kWrite,
      [&](int, int64_t) {
        bv1::SubmitBudgetRequest r;
        r.set_name(submittable.Take());
        bv1::Budget out;
        bool ok = Rpc(*b, &BS::SubmitBudget, r, &out, "SubmitBudget");
        if (ok) submitted.Add(out.name());
        return ok;
      },
      [&] { return submittable.left(); });
  add(
      "budget.ApproveBudget", Kind::kWrite,
      [&](int, int64_t) {
        bv1::ApproveBudgetRequest r;
        r.set_name(submitted.Take());
        bv1::Budget out;
        bool ok = Rpc(*b, &BS::ApproveBudget, r, &out, "ApproveBudget");
        if (ok) approved_budgets.Add(out.name());
        return ok;
      },
      [&] { return submitted.left(); });
  add(
      "budget.ReviseBudget", Kind::kOther,
      [&](int, int64_t) {
        bv1::ReviseBudgetRequest r;
        r.set_name(approved_budgets.Take());
        return Call(*b, &BS::ReviseBudget, r, "ReviseBudget");
      },
      [&] { return approved_budgets.left(); });
  add(
      "budget.DeleteBudget", Kind::kWrite,
      [&](int, int64_t) {
        bv1::DeleteBudgetRequest r;
        r.set_name(new_budgets.Take());
        return Call(*b, &BS::DeleteBudget, r, "DeleteBudget");
      },
      [&] { return new_budgets.left(); });
  add("budget.CreateBudgetLine", Kind::kCreate, [&](int worker, int64_t i) {
    bv1::CreateBudgetLineRequest r;
    r.set_parent(worker_budgets[worker]);
    bv1::BudgetLine* line = r.mutable_budget_line();
    line->set_side(i % 2 ? bv1::SIDE_INCOME : bv1::SIDE_CHARGE);
    line->set_account_code(i % 2 ? "74" : "62");
    line->set_is_chapter(true);
    line->set_label(absl::StrCat("Ligne ", i));
    line->set_amount_cents(100 + i);
    bv1::BudgetLine out;
    bool ok = Rpc(*b, &BS::CreateBudgetLine, r, &out, "CreateBudgetLine");
    if (ok) new_lines.Add(out.name());
    return ok;
  });
  add("budget.UpdateBudgetLine", Kind::kWrite, [&](int, int64_t i) {
    bv1::UpdateBudgetLineRequest r;
    r.mutable_budget_line()->set_name(new_lines.At(i));
    r.mutable_budget_line()->set_amount_cents(200 + i);
    r.mutable_update_mask()->add_paths("amount_cents");
    return Call(*b, &BS::UpdateBudgetLine, r, "UpdateBudgetLine");
  });
  add(
      "budget.DeleteBudgetLine", Kind::kWrite,
      [&](int, int64_t) {
        bv1::DeleteBudgetLineRequest r;
        r.set_name(new_lines.Take());
        return Call(*b, &BS::DeleteBudgetLine, r, "DeleteBudgetLine");
      },
      [&] { return new_lines.left(); });
  add("budget.CreateGrant", Kind::kCreate, [&](int, int64_t i) {
    bv1::Grant out;
    bool ok = Rpc(*b, &BS::CreateGrant, grant_request(static_cast<int>(i)), &out, "CreateGrant");
    if (ok) new_grants.Add(out.name());
    return ok;
  });
  add("budget.UpdateGrant", Kind::kWrite, [&](int, int64_t i) {
    bv1::UpdateGrantRequest r;
    r.mutable_grant()->set_name(new_grants.At(i));
    r.mutable_grant()->set_note(absl::StrCat("Relance ", i));
    r.mutable_update_mask()->add_paths("note");
    return Call(*b, &BS::UpdateGrant, r, "UpdateGrant");
  });
  add(
      "budget.DeleteGrant", Kind::kWrite,
      [&](int, int64_t) {
        bv1::DeleteGrantRequest r;
        r.set_name(new_grants.Take());
        return Call(*b, &BS::DeleteGrant, r, "DeleteGrant");
      },
      [&] { return new_grants.left(); });

  // Meetings.
  Supply new_meetings, held, new_participants, new_outputs, new_items;
  add("meetings.GetMeeting", Kind::kGet, [&](int, int64_t) {
    mv1::GetMeetingRequest r;
    r.set_name(today);
    return Call(*m, &MS::GetMeeting, r, "GetMeeting");
  });
  add("meetings.ListMeetings", Kind::kOther, [&](int, int64_t) {
    mv1::ListMeetingsRequest r;
    r.set_page_size(20);
    return Call(*m, &MS::ListMeetings, r, "ListMeetings");
  });
  add("meetings.GetMeetingCalendar", Kind::kOther, [&](int, int64_t) {
    mv1::GetMeetingCalendarRequest r;
    r.set_name(today);
    return Call(*m, &MS::GetMeetingCalendar, r, "GetMeetingCalendar");
  });
  add("meetings.GetActionCalendar", Kind::kOther, [&](int, int64_t) {
    mv1::GetActionCalendarRequest r;
    r.set_action("actions/fa3");
    return Call(*m, &MS::GetActionCalendar, r, "GetActionCalendar");
  });
  add("meetings.GetParticipant", Kind::kGet, [&](int, int64_t i) {
    mv1::GetParticipantRequest r;
    r.set_name(people[i % people.size()]);
    return Call(*m, &MS::GetParticipant, r, "GetParticipant");
  });
  add("meetings.ListParticipants", Kind::kOther, [&](int, int64_t) {
    mv1::ListParticipantsRequest r;
    r.set_parent(today);
    r.set_page_size(20);
    return Call(*m, &MS::ListParticipants, r, "ListParticipants");
  });
  add("meetings.GetOutput", Kind::kGet, [&](int, int64_t i) {
    mv1::GetOutputRequest r;
    r.set_name(documents[i % documents.size()]);
    return Call(*m, &MS::GetOutput, r, "GetOutput");
  });
  add("meetings.ListOutputs", Kind::kOther, [&](int, int64_t) {
    mv1::ListOutputsRequest r;
    r.set_parent(today);
    return Call(*m, &MS::ListOutputs, r, "ListOutputs");
  });
  add("meetings.GetRoadmapItem", Kind::kGet, [&](int, int64_t i) {
    mv1::GetRoadmapItemRequest r;
    r.set_name(items[i % items.size()]);
    return Call(*m, &MS::GetRoadmapItem, r, "GetRoadmapItem");
  });
  add("meetings.ListRoadmapItems", Kind::kOther, [&](int, int64_t) {
    mv1::ListRoadmapItemsRequest r;
    r.set_page_size(20);
    return Call(*m, &MS::ListRoadmapItems, r, "ListRoadmapItems");
  });
  add("meetings.GetIndicators", Kind::kOther, [&](int, int64_t) {
    mv1::GetIndicatorsRequest r;
    r.set_action("actions/fa3");
    return Call(*m, &MS::GetIndicators, r, "GetIndicators");
  });
  add("meetings.CreateMeeting", Kind::kCreate, [&](int, int64_t i) {
    mv1::CreateMeetingRequest r;
    // Started an hour ago, so that MarkMeetingHeld and CloseMeeting apply to them.
    *r.mutable_meeting() = meeting_at(-3600, absl::StrCat("Réunion ", i));
    mv1::Meeting out;
    bool ok = Rpc(*m, &MS::CreateMeeting, r, &out, "CreateMeeting");
    if (ok) new_meetings.Add(out.name());
    return ok;
  });
  add("meetings.UpdateMeeting", Kind::kWrite, [&](int, int64_t i) {
    mv1::UpdateMeetingRequest r;
    r.mutable_meeting()->set_name(new_meetings.At(i));
    r.mutable_meeting()->set_agenda(absl::StrCat("Ordre du jour ", i));
    r.mutable_update_mask()->add_paths("agenda");
    return Call(*m, &MS::UpdateMeeting, r, "UpdateMeeting");
  });
  add("meetings.BatchInviteParticipants", Kind::kOther, [&](int, int64_t i) {
    mv1::BatchInviteParticipantsRequest r;
    r.set_parent(new_meetings.At(i));
    for (int k = 0; k < 5; ++k) r.mutable_actor_list()->add_actors(actors[(i * 5 + k) % kActors]);
    r.set_role(mv1::PARTICIPANT_ROLE_ESS_ACTOR);
    return Call(*m, &MS::BatchInviteParticipants, r, "BatchInviteParticipants");
  });
  Supply to_cancel, to_delete_meetings;
  add(
      "meetings.MarkMeetingHeld", Kind::kWrite,
      [&](int, int64_t) {
        static std::once_flag split;
        std::call_once(split, [&] {
          int64_t third = new_meetings.left() / 3;
          to_cancel = new_meetings.Split(third);
          to_delete_meetings = new_meetings.Split(third);
        });
        mv1::MarkMeetingHeldRequest r;
        r.set_name(new_meetings.Take());
        mv1::Meeting out;
        bool ok = Rpc(*m, &MS::MarkMeetingHeld, r, &out, "MarkMeetingHeld");
        if (ok) held.Add(out.name());
        return ok;
      },
      [&] { return new_meetings.left() / 3; });
  add(
      "meetings.CloseMeeting", Kind::kWrite,
      [&](int, int64_t) {
        mv1::CloseMeetingRequest r;
        r.set_name(held.Take());
        return Call(*m, &MS::CloseMeeting, r, "CloseMeeting");
      },
      [&] { return held.left(); });
  add(
      "meetings.CancelMeeting", Kind::kWrite,
      [&](int, int64_t) {
        mv1::CancelMeetingRequest r;
        r.set_name(to_cancel.Take());
        r.set_reason("Salle indisponible");
        return Call(*m, &MS::CancelMeeting, r, "CancelMeeting");
      },
      [&] { return to_cancel.left(); });
  add(
      "meetings.DeleteMeeting", Kind::kWrite,
      [&](int, int64_t) {
        mv1::DeleteMeetingRequest r;
        r.set_name(to_delete_meetings.Take());
        r.set_force(true);
        return Call(*m, &MS::DeleteMeeting, r, "DeleteMeeting");
      },
      [&] { return to_delete_meetings.left(); });
  add("meetings.CreateParticipant", Kind::kCreate, [&](int worker, int64_t i) {
    mv1::CreateParticipantRequest r;
    r.set_parent(worker_meetings[worker]);
    *r.mutable_participant() = person(1000 + i);
    mv1::Participant out;
    bool ok = Rpc(*m, &MS::CreateParticipant, r, &out, "CreateParticipant");
    if (ok) new_participants.Add(out.name());
    return ok;
  });
  add("meetings.UpdateParticipant", Kind::kWrite, [&](int, int64_t i) {
    mv1::UpdateParticipantRequest r;
    r.mutable_participant()->set_name(new_participants.At(i));
    r.mutable_participant()->set_role(i % 2 ? mv1::PARTICIPANT_ROLE_TECHNICIAN
                                            : mv1::PARTICIPANT_ROLE_INHABITANT);
    r.mutable_update_mask()->add_paths("role");
    return Call(*m, &MS::UpdateParticipant, r, "UpdateParticipant");
  });
  Supply to_check_in, to_register, to_anonymize;
  add(
      "meetings.CheckIn", Kind::kWrite,
      [&](int, int64_t) {
        static std::once_flag split;
        std::call_once(split, [&] {
          int64_t quarter = new_participants.left() / 4;
          to_check_in = new_participants.Split(quarter);
          to_register = new_participants.Split(quarter);
          to_anonymize = new_participants.Split(quarter);
        });
        mv1::CheckInRequest r;
        r.set_name(to_check_in.Take());
        return Call(*m, &MS::CheckIn, r, "CheckIn");
      },
      [&] { return new_participants.left() / 4; });
  add(
      "meetings.SetParticipantStatus", Kind::kWrite,
      [&](int, int64_t) {
        mv1::SetParticipantStatusRequest r;
        r.set_name(to_register.Take());
        r.set_status(mv1::PARTICIPANT_STATUS_REGISTERED);
        return Call(*m, &MS::SetParticipantStatus, r, "SetParticipantStatus");
      },
      [&] { return to_register.left(); });
  add(
      "meetings.AnonymizeParticipant", Kind::kWrite,
      [&](int, int64_t) {
        mv1::AnonymizeParticipantRequest r;
        r.set_name(to_anonymize.Take());
        return Call(*m, &MS::AnonymizeParticipant, r, "AnonymizeParticipant");
      },
      [&] { return to_anonymize.left(); });
  add(
      "meetings.DeleteParticipant", Kind::kWrite,
      [&](int, int64_t) {
        mv1::DeleteParticipantRequest r;
        r.set_name(new_participants.Take());
        return Call(*m, &MS::DeleteParticipant, r, "DeleteParticipant");
      },
      [&] { return new_participants.left(); });
  add("meetings.CreateOutput", Kind::kCreate, [&](int worker, int64_t i) {
    mv1::CreateOutputRequest r;
    r.set_parent(worker_meetings[worker]);
    r.mutable_output()->mutable_proposal()->set_title(absl::StrCat("Proposition ", i));
    r.mutable_output()->mutable_proposal()->set_text("Mutualiser un local");
    mv1::Output out;
    bool ok = Rpc(*m, &MS::CreateOutput, r, &out, "CreateOutput");
    if (ok) new_outputs.Add(out.name());
    return ok;
  });
  add("meetings.UpdateOutput", Kind::kWrite, [&](int, int64_t i) {
    mv1::UpdateOutputRequest r;
    r.mutable_output()->set_name(new_outputs.At(i));
    r.mutable_output()->mutable_proposal()->set_text(absl::StrCat("Texte ", i));
    r.mutable_update_mask()->add_paths("proposal.text");
    return Call(*m, &MS::UpdateOutput, r, "UpdateOutput");
  });
  Supply to_transition;
  add(
      "meetings.TransitionProposal", Kind::kWrite,
      [&](int, int64_t) {
        static std::once_flag split;
        std::call_once(split, [&] { to_transition = new_outputs.Split(new_outputs.left() / 2); });
        mv1::TransitionProposalRequest r;
        r.set_name(to_transition.Take());
        r.set_state(mv1::PROPOSAL_STATE_UNDER_STUDY);
        return Call(*m, &MS::TransitionProposal, r, "TransitionProposal");
      },
      [&] { return new_outputs.left() / 2; });
  add(
      "meetings.DeleteOutput", Kind::kWrite,
      [&](int, int64_t) {
        mv1::DeleteOutputRequest r;
        r.set_name(new_outputs.Take());
        return Call(*m, &MS::DeleteOutput, r, "DeleteOutput");
      },
      [&] { return new_outputs.left(); });
  add("meetings.CreateRoadmapItem", Kind::kCreate, [&](int, int64_t i) {
    mv1::CreateRoadmapItemRequest r;
    r.mutable_roadmap_item()->set_action("actions/fa3");
    r.mutable_roadmap_item()->set_title(absl::StrCat("Chantier ", i));
    mv1::RoadmapItem out;
    bool ok = Rpc(*m, &MS::CreateRoadmapItem, r, &out, "CreateRoadmapItem");
    if (ok) new_items.Add(out.name());
    return ok;
  });
  add("meetings.UpdateRoadmapItem", Kind::kWrite, [&](int, int64_t i) {
    mv1::UpdateRoadmapItemRequest r;
    r.mutable_roadmap_item()->set_name(new_items.At(i));
    r.mutable_roadmap_item()->set_axis(absl::StrCat("Axe ", i % 5));
    r.mutable_update_mask()->add_paths("axis");
    return Call(*m, &MS::UpdateRoadmapItem, r, "UpdateRoadmapItem");
  });
  add("meetings.RecordRoadmapProgress", Kind::kWrite, [&](int, int64_t i) {
    mv1::RecordRoadmapProgressRequest r;
    r.set_name(new_items.At(i));
    r.set_progress(static_cast<int>(5 + i % 90));
    r.set_state(mv1::ROADMAP_ITEM_STATE_IN_PROGRESS);
    return Call(*m, &MS::RecordRoadmapProgress, r, "RecordRoadmapProgress");
  });
  add(
      "meetings.DeleteRoadmapItem", Kind::kWrite,
      [&](int, int64_t) {
        mv1::DeleteRoadmapItemRequest r;
        r.set_name(new_items.Take());
        return Call(*m, &MS::DeleteRoadmapItem, r, "DeleteRoadmapItem");
      },
      [&] { return new_items.left(); });

  // --- ceilings of this run, then every method --------------------------------------------------
  std::printf("load average at start: %s", [] {
    static char text[128] = "?\n";
    if (FILE* f = std::fopen("/proc/loadavg", "r")) {
      if (std::fgets(text, sizeof text, f) == nullptr) text[0] = '\0';
      std::fclose(f);
    }
    return text;
  }());
  Ceilings ceilings;
  // Not a goal: what any call through gRPC (server::Server, MakeChannel) can reach here.
  bench::LoadResult echo = bench::MeasureGrpcEcho(in_flight, duration);
  bench::PrintResult("for reference: gRPC echo (server::Server)", echo);
  ceilings.select = bench::MeasurePgSelect(ceiling_db.url(), in_flight, duration);
  bench::PrintResult("ceiling: primary-key SELECT (db::Pool::Query)", ceilings.select);
  ceilings.insert = bench::MeasurePgInsert(ceiling_db.url(), in_flight, duration);
  bench::PrintResult("ceiling: one-row INSERT transaction", ceilings.insert);
  ceilings.update = bench::MeasurePgUpdate(ceiling_db.url(), in_flight, duration);
  bench::PrintResult("ceiling: one-row UPDATE transaction", ceilings.update);
  ceilings.grpc_select = bench::MeasureGrpcPgSelect(ceiling_db.url(), in_flight, duration);
  bench::PrintResult("ceiling: bare gRPC + primary-key SELECT", ceilings.grpc_select);
  ceilings.grpc_insert = bench::MeasureGrpcPgInsert(ceiling_db.url(), in_flight, duration);
  bench::PrintResult("ceiling: bare gRPC + one-row INSERT txn", ceilings.grpc_insert);
  ceilings.grpc_update = bench::MeasureGrpcPgUpdate(ceiling_db.url(), in_flight, duration);
  bench::PrintResult("ceiling: bare gRPC + one-row UPDATE txn", ceilings.grpc_update);

  std::vector<Row> rows;
  for (Method& method : methods) {
    if (!only.empty() && !absl::StrContains(method.name, only)) continue;
    const int64_t max_calls = method.max_calls ? method.max_calls() : 0;
    if (method.max_calls && max_calls <= 0) {  // what it consumes was not made (see --only)
      std::fprintf(stderr, "  %s skipped: nothing to act on\n", method.name.c_str());
      continue;
    }
    bench::LoadResult adjacent;
    if (method.kind == Kind::kCreate) {
      adjacent = bench::MeasureGrpcPgInsert(ceiling_db.url(), in_flight, duration);
    } else if (method.kind == Kind::kWrite) {
      adjacent = bench::MeasureGrpcPgUpdate(ceiling_db.url(), in_flight, duration);
    }
    std::atomic<int64_t> next{0};
    bench::LoadResult r = bench::RunClosedLoop(
        in_flight, duration, [&](int worker) { return method.call(worker, next++); }, max_calls);
    rows.push_back({method.name, method.kind, r, adjacent});
    std::fprintf(stderr, "  %s done (%lld calls)\n", method.name.c_str(),
                 static_cast<long long>(r.calls));
  }

  // The table: one line per method, its ratio to the raw SQL ceiling and to the same SQL
  // behind a bare gRPC server ("gRPC+SQL"), each with the goal's verdict.
  std::printf(
      "\n%d in flight, %d s per method; ceilings above. goal: Get >= 0.50, single-row write "
      ">= 0.30 of INSERT (creates) or UPDATE (other writes), raw SQL and gRPC+SQL\n",
      in_flight, seconds);
  std::printf("%-36s %8s %7s %6s  %-6s %9s %5s %-5s %9s %5s %-5s %7s\n", "method", "calls/s",
              "p99 ms", "errors", "SQL", "SQL/s", "ratio", "goal", "gRPC+SQL", "ratio", "goal",
              "of echo");
  int below = 0, below_composed = 0;
  for (const Row& row : rows) {
    const bench::LoadResult* ceiling = &ceilings.select;
    const bench::LoadResult* composed = &ceilings.grpc_select;
    const char* ceiling_name = "SELECT";
    double goal = 0;
    if (row.kind == Kind::kGet) goal = 0.5;
    if (row.kind == Kind::kCreate) {
      ceiling = &ceilings.insert;
      composed = &ceilings.grpc_insert;
      ceiling_name = "INSERT";
      goal = 0.3;
    }
    if (row.kind == Kind::kWrite) {
      ceiling = &ceilings.update;
      composed = &ceilings.grpc_update;
      ceiling_name = "UPDATE";
      goal = 0.3;
    }
    if (row.adjacent.calls > 0) composed = &row.adjacent;
    double ratio = ceiling->qps() > 0 ? row.result.qps() / ceiling->qps() : 0;
    double composed_ratio = composed->qps() > 0 ? row.result.qps() / composed->qps() : 0;
    auto verdict = [&](double r) { return goal == 0 ? "-" : r >= goal ? "met" : "BELOW"; };
    if (goal > 0 && ratio < goal) ++below;
    if (goal > 0 && composed_ratio < goal) ++below_composed;
    std::printf("%-36s %8.0f %7.2f %6lld  %-6s %9.0f %5.2f %-5s %9.0f %5.2f %-5s %7.2f\n",
                row.name.c_str(), row.result.qps(), row.result.percentile_ms(0.99),
                static_cast<long long>(row.result.errors), ceiling_name, ceiling->qps(), ratio,
                verdict(ratio), composed->qps(), composed_ratio, verdict(composed_ratio),
                echo.qps() > 0 ? row.result.qps() / echo.qps() : 0);
  }
  std::printf("%d method(s) below their goal against gRPC+SQL\n", below_composed);
  std::printf("%d method(s) below their goal against raw SQL; peak RSS of this process %.0f MiB\n",
              below, bench::PeakRssMib(getpid()));
  std::printf("load average at end: %s", [] {
    static char text[128] = "?\n";
    if (FILE* f = std::fopen("/proc/loadavg", "r")) {
      if (std::fgets(text, sizeof text, f) == nullptr) text[0] = '\0';
      std::fclose(f);
    }
    return text;
  }());
  meetings_server->Shutdown();
  budget_server->Shutdown();
  directory_server->Shutdown();
  return 0;
}
