// directory_bench: the directory service (the real maillage-directory binary, as a child
// process, on a throwaway PostgreSQL database) with N generated actors, beside the raw ceilings
// measured in the same run at the same concurrency:
//   - import: ImportActors (CSV, batches of `batch` rows, one call after the other) in rows/s,
//     and its ratio to a raw COPY of the same rows into a scratch table shaped like `actors`
//     (same generated search column, same indexes);
//   - GetActor QPS at `in_flight`, and its ratio to the lower of the two ceilings: a primary-key
//     SELECT through libpqxx on db::Pool, and an echo call on maillage's gRPC server bootstrap;
//   - SearchActors p50/p99 at 1 and at `in_flight` calls in flight (typos, accents, filters);
//   - the service's peak resident set size (VmHWM of the child process).
// Actors beyond the first `import_rows` are loaded with COPY straight into `actors` (fast), so
// that the import is measured on its own rows and the reads run on N actors.
//
//   directory_bench [actors=100000] [seconds=5] [in_flight=16] [import_rows=20000] [batch=5000]
//
// MAILLAGE_BENCH_DIRECTORY_BINARY runs another build of the service (before/after figures).
#include <libpq-fe.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "bench/ceilings.h"
#include "bench/load.h"
#include "common/db/pool.h"
#include "common/log/log.h"
#include "common/server/client.h"
#include "common/testing/postgres.h"
#include "common/testing/principal.h"
#include "maillage/directory/v1/directory_service.grpc.pb.h"
#include "tests/e2e/suite.h"
#include "tests/support/child_process.h"

namespace {

using namespace maillage;
namespace v1 = maillage::directory::v1;
using Clock = std::chrono::steady_clock;

std::chrono::system_clock::time_point Soon(int seconds = 30) {
  return std::chrono::system_clock::now() + std::chrono::seconds(seconds);
}

// The one place that makes the service's stub (and its call context).
std::unique_ptr<v1::DirectoryService::Stub> DirectoryStub(int port) {
  return v1::DirectoryService::NewStub(server::MakeChannel(absl::StrCat("127.0.0.1:", port)));
}
void PrepareContext(grpc::ClientContext& context, int seconds = 30) {
  server::PrepareClientContext(context, Soon(seconds));
}

// ---------------------------------------------------------------------------------------------
// Generated actors.

struct Reference {
  std::vector<std::pair<std::string, std::string>> communes;  // insee code, display name
  std::vector<std::string> postal_codes;                      // per commune
  std::vector<std::string> categories, themes;
};

struct GeneratedActor {
  std::string display_name, legal_name, description, email, website, address_line, postal_code,
      insee_code, siren, siret;
  std::string ess_family;  // without prefix: ASSOCIATION...
  std::vector<std::string> categories, themes;
};

// A Luhn check digit for `digits`.
char LuhnDigit(const std::string& digits) {
  int sum = 0;
  bool twice = true;  // the check digit will be at an odd position from the right
  for (auto it = digits.rbegin(); it != digits.rend(); ++it, twice = !twice) {
    int d = *it - '0';
    if (twice) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return static_cast<char>('0' + (10 - sum % 10) % 10);
}

const char* const kKinds[] = {"Association",
                              "Coopérative",
                              "SCOP",
                              "SCIC",
                              "Ressourcerie",
                              "Recyclerie",
                              "Épicerie solidaire",
                              "Jardin partagé",
                              "AMAP",
                              "Atelier vélo",
                              "Café associatif",
                              "Régie de quartier",
                              "Chantier d'insertion",
                              "Mutuelle",
                              "Fondation",
                              "Tiers-lieu",
                              "Collectif",
                              "Entreprise d'insertion",
                              "Banque alimentaire",
                              "Habitat participatif"};
const char* const kQualifiers[] = {"des Lentillères",
                                   "du Grand Dijon",
                                   "Les Pousses",
                                   "La Bécane",
                                   "Le Pédalier",
                                   "Solidaire",
                                   "de l'Ouche",
                                   "des Tanneries",
                                   "Les Amis de la Terre",
                                   "L'Éclusier",
                                   "Les Potagers",
                                   "Énergie citoyenne",
                                   "La Fabrique",
                                   "Le Chaudron",
                                   "Les Glaneurs",
                                   "Côte-d'Or Partage",
                                   "Les Écluses",
                                   "La Navette",
                                   "Vélocité",
                                   "Trait d'union",
                                   "Les Compagnons",
                                   "L'Épi",
                                   "Sésame",
                                   "La Cordée",
                                   "Le Relais",
                                   "Les Tisserands",
                                   "Bourgogne Entraide",
                                   "La Ruche",
                                   "Le Fil",
                                   "Les Semeurs"};
const char* const kActivities[] = {"réemploi et réparation d'objets du quotidien",
                                   "insertion par l'activité économique",
                                   "alimentation durable et circuits courts",
                                   "mobilité douce et ateliers d'autoréparation",
                                   "économie sociale et solidaire sur le territoire",
                                   "rénovation énergétique des logements",
                                   "accompagnement des personnes éloignées de l'emploi",
                                   "culture et éducation populaire",
                                   "finance solidaire et épargne citoyenne",
                                   "agriculture biologique et maraîchage",
                                   "habitat partagé et intergénérationnel",
                                   "numérique responsable et médiation"};
const char* const kFamilies[] = {"ASSOCIATION", "COOPERATIVE", "MUTUAL", "FOUNDATION",
                                 "ESS_COMMERCIAL_COMPANY"};
const char* const kStreets[] = {
    "rue de la Liberté", "avenue Jean Jaurès", "boulevard de Strasbourg",
    "rue Chabot-Charny", "quai Nicolas Rolin", "rue des Godrans",
    "place du Théâtre",  "rue de Mirande",     "allée du Parc"};

std::vector<GeneratedActor> Generate(const Reference& ref, int count) {
  std::mt19937 random(42);
  auto pick = [&](auto& list) -> const auto& { return list[random() % std::size(list)]; };
  std::vector<GeneratedActor> actors;
  actors.reserve(count);
  std::map<std::string, int> seen;  // name + commune → count, to keep (name, commune) unique
  for (int i = 0; i < count; ++i) {
    GeneratedActor a;
    size_t c = random() % ref.communes.size();
    const auto& [insee, commune] = ref.communes[c];
    std::string base = absl::StrCat(pick(kKinds), " ", pick(kQualifiers));
    if (random() % 3 == 0) absl::StrAppend(&base, " ", commune);
    int n = seen[absl::StrCat(base, "|", insee)]++;
    a.display_name = n == 0 ? base : absl::StrCat(base, " ", n + 1);
    a.legal_name = random() % 2 ? absl::StrCat(a.display_name, " (", commune, ")") : "";
    const char* activity = pick(kActivities);
    a.description = absl::StrCat("Structure de ", commune, " engagée dans ", activity,
                                 ". Ouverte à toutes et à tous, elle ", pick(kActivities),
                                 " avec ses bénévoles et ses salariés.");
    a.email = absl::StrCat("contact", i, "@exemple-ess.fr");
    if (random() % 2) a.website = absl::StrCat("https://www.exemple-ess.fr/", i);
    a.address_line = absl::StrCat(1 + random() % 120, " ", pick(kStreets));
    a.postal_code = ref.postal_codes[c];
    a.insee_code = insee;
    if (i % 2 == 0) {
      // A SIREN outside every real range (9xxxxxxxx), unique per actor, and a SIRET under it.
      std::string siren8 = absl::StrCat(90000000 + i);
      a.siren = siren8 + LuhnDigit(siren8);
      std::string nic4 = absl::StrCat(1000 + random() % 9000);
      a.siret = a.siren + nic4 + LuhnDigit(a.siren + nic4);
    }
    a.ess_family = pick(kFamilies);
    a.categories.push_back(ref.categories[random() % ref.categories.size()]);
    if (random() % 3 == 0) {
      const std::string& other = ref.categories[random() % ref.categories.size()];
      if (other != a.categories[0]) a.categories.push_back(other);
    }
    int theme_count = 1 + random() % 3;
    for (int t = 0; t < theme_count; ++t) {
      const std::string& theme = ref.themes[random() % ref.themes.size()];
      if (std::find(a.themes.begin(), a.themes.end(), theme) == a.themes.end()) {
        a.themes.push_back(theme);
      }
    }
    actors.push_back(std::move(a));
  }
  return actors;
}

std::string CsvCell(const std::string& value) {
  if (value.find_first_of(",\"\n") == std::string::npos) return value;
  std::string quoted = "\"";
  for (char ch : value) {
    if (ch == '"') quoted += '"';
    quoted += ch;
  }
  return quoted + "\"";
}

// The ImportActors file of actors [begin, end): the columns of ExportActors.
std::string ImportCsv(const std::vector<GeneratedActor>& actors, size_t begin, size_t end) {
  std::string csv =
      "display_name,legal_name,description,email,website,address.lines,address.postal_code,"
      "address.commune_insee_code,siren,siret,ess_family,network_categories,themes\n";
  for (size_t i = begin; i < end; ++i) {
    const GeneratedActor& a = actors[i];
    absl::StrAppend(&csv, CsvCell(a.display_name), ",", CsvCell(a.legal_name), ",",
                    CsvCell(a.description), ",", a.email, ",", a.website, ",",
                    CsvCell(a.address_line), ",", a.postal_code, ",", a.insee_code, ",", a.siren,
                    ",", a.siret, ",", a.ess_family, ",", absl::StrJoin(a.categories, "|"), ",",
                    absl::StrJoin(a.themes, "|"), "\n");
  }
  return csv;
}

// The same rows for COPY ... (FORMAT csv) into the columns of kCopyColumns.
constexpr char kCopyColumns[] =
    "display_name, legal_name, description, email, website, address_lines, postal_code, "
    "insee_code, siren, siret, ess_family, network_categories, themes, source";
std::string CopyCsv(const std::vector<GeneratedActor>& actors, size_t begin, size_t end) {
  std::string csv;
  auto array = [](const std::vector<std::string>& values) {
    return CsvCell(absl::StrCat("{", absl::StrJoin(values, ","), "}"));
  };
  for (size_t i = begin; i < end; ++i) {
    const GeneratedActor& a = actors[i];
    absl::StrAppend(&csv, CsvCell(a.display_name), ",", CsvCell(a.legal_name), ",",
                    CsvCell(a.description), ",", a.email, ",", a.website, ",",
                    array({"\"" + a.address_line + "\""}), ",", a.postal_code, ",", a.insee_code,
                    ",", a.siren, ",", a.siret, ",ESS_FAMILY_", a.ess_family, ",",
                    array(a.categories), ",", array(a.themes), ",bench\n");
  }
  return csv;
}

// COPY of `csv` into `table` in one transaction, through libpq.
void Copy(PGconn* connection, const std::string& table, const std::string& csv) {
  auto check = [&](PGresult* result, ExecStatusType want, const char* what) {
    bool ok = PQresultStatus(result) == want;
    std::string error = ok ? "" : PQresultErrorMessage(result);
    PQclear(result);
    if (!ok) throw std::runtime_error(absl::StrCat(what, ": ", error));
  };
  check(PQexec(connection,
               absl::StrCat("COPY ", table, " (", kCopyColumns,
                            ") FROM STDIN (FORMAT csv, FORCE_NOT_NULL (", kCopyColumns, "))")
                   .c_str()),
        PGRES_COPY_IN, "COPY");
  if (PQputCopyData(connection, csv.data(), static_cast<int>(csv.size())) != 1 ||
      PQputCopyEnd(connection, nullptr) != 1) {
    throw std::runtime_error(PQerrorMessage(connection));
  }
  check(PQgetResult(connection), PGRES_COMMAND_OK, "COPY end");
  while (PGresult* rest = PQgetResult(connection)) PQclear(rest);
}

void Exec(PGconn* connection, const std::string& sql) {
  PGresult* result = PQexec(connection, sql.c_str());
  bool ok = PQresultStatus(result) == PGRES_COMMAND_OK || PQresultStatus(result) == PGRES_TUPLES_OK;
  std::string error = ok ? "" : PQresultErrorMessage(result);
  PQclear(result);
  if (!ok) throw std::runtime_error(absl::StrCat(sql, ": ", error));
}

std::string Scalar(PGconn* connection, const std::string& sql) {
  PGresult* result = PQexec(connection, sql.c_str());
  std::string value = PQresultStatus(result) == PGRES_TUPLES_OK && PQntuples(result) == 1
                          ? PQgetvalue(result, 0, 0)
                          : "";
  PQclear(result);
  return value;
}

Reference ReadReference(v1::DirectoryService::Stub& stub) {
  Reference ref;
  grpc::ClientContext c1, c2, c3;
  PrepareContext(c1);
  PrepareContext(c2);
  PrepareContext(c3);
  v1::ListCommunesRequest communes_request;
  communes_request.set_page_size(1000);
  v1::ListCommunesResponse communes;
  v1::ListNetworkCategoriesRequest categories_request;
  categories_request.set_page_size(1000);
  v1::ListNetworkCategoriesResponse categories;
  v1::ListThemesRequest themes_request;
  themes_request.set_page_size(1000);
  v1::ListThemesResponse themes;
  if (!stub.ListCommunes(&c1, communes_request, &communes).ok() ||
      !stub.ListNetworkCategories(&c2, categories_request, &categories).ok() ||
      !stub.ListThemes(&c3, themes_request, &themes).ok()) {
    throw std::runtime_error("reference lists");
  }
  for (const auto& c : communes.communes()) {
    ref.communes.emplace_back(c.insee_code(), c.display_name());
    ref.postal_codes.push_back(c.postal_codes().empty() ? "" : c.postal_codes(0));
  }
  for (const auto& c : categories.network_categories()) ref.categories.push_back(c.code());
  for (const auto& t : themes.themes()) ref.themes.push_back(t.code());
  return ref;
}

}  // namespace

int main(int argc, char** argv) {
  // The bench calls the service directly, in the gateway's place: its calls are signed.
  maillage::testing::TrustTestCalls(maillage::gateway::v1::ROLE_STAFF);
  int count = argc > 1 ? std::atoi(argv[1]) : 100000;
  auto duration = std::chrono::seconds(argc > 2 ? std::atoi(argv[2]) : 5);
  int in_flight = argc > 3 ? std::atoi(argv[3]) : 16;
  int import_rows = std::min(count, argc > 4 ? std::atoi(argv[4]) : 20000);
  int batch = argc > 5 ? std::atoi(argv[5]) : 5000;

  // The in-process ceilings log nothing per call (the service runs at warn too).
  log::Init("directory_bench", "warn");
  try {
    testing::TestDatabase database("directory_bench");
    std::string log_path = absl::StrCat("/tmp/directory_bench_", getpid(), ".log");
    int port = testing::FreePort();
    const char* binary = std::getenv("MAILLAGE_BENCH_DIRECTORY_BINARY");
    testing::ChildProcess service(
        binary != nullptr ? binary : testing::BinaryPath("maillage-directory"),
        {{"MAILLAGE_DATABASE_URL", database.url()},
         {"MAILLAGE_GRPC_PORT", absl::StrCat(port)},
         {"MAILLAGE_METRICS_PORT", absl::StrCat(testing::FreePort())},
         {"MAILLAGE_DB_POOL_SIZE", absl::StrCat(in_flight + 4)},
         {"MAILLAGE_GRPC_THREADS", absl::StrCat(in_flight + 16)},
         {"MAILLAGE_LOG_LEVEL", "warn"},
         {"MAILLAGE_PRINCIPAL_SECRET", testing::kTestPrincipalSecret}},
        log_path);
    std::string address = absl::StrCat("127.0.0.1:", port);
    auto deadline = Clock::now() + std::chrono::seconds(60);
    while (testing::HealthOf(address) != "SERVING") {
      if (!service.running() || Clock::now() > deadline) {
        std::fprintf(stderr, "maillage-directory did not start:\n%s\n", service.Log().c_str());
        return 1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    auto stub = DirectoryStub(port);
    Reference ref = ReadReference(*stub);
    std::vector<GeneratedActor> actors = Generate(ref, count);
    std::printf(
        "directory_bench: %d actors over %zu communes, %zu categories, %zu themes; "
        "import measured on %d rows in batches of %d; service log %s\n",
        count, ref.communes.size(), ref.categories.size(), ref.themes.size(), import_rows, batch,
        log_path.c_str());

    PGconn* connection = PQconnectdb(database.url().c_str());
    if (PQstatus(connection) != CONNECTION_OK) {
      std::fprintf(stderr, "%s\n", PQerrorMessage(connection));
      return 1;
    }
    // 1. Import: the raw COPY ceiling, then the service's ImportActors, on the same rows.
    Exec(connection, "CREATE TABLE scratch_actors (LIKE actors INCLUDING ALL)");
    auto start = Clock::now();
    for (int begin = 0; begin < import_rows; begin += batch) {
      Copy(connection, "scratch_actors",
           CopyCsv(actors, begin, std::min(import_rows, begin + batch)));
    }
    double copy_seconds = std::chrono::duration<double>(Clock::now() - start).count();
    double copy_rate = import_rows / copy_seconds;
    std::printf(
        "ceiling: raw COPY into a table shaped like actors   %8.0f rows/s (%d rows, %.2f s)\n",
        copy_rate, import_rows, copy_seconds);
    std::fflush(stdout);
    start = Clock::now();
    int created = 0;
    for (int begin = 0; begin < import_rows; begin += batch) {
      v1::ImportActorsRequest request;
      request.set_csv_data(ImportCsv(actors, begin, std::min(import_rows, begin + batch)));
      request.set_source("bench");
      v1::ImportActorsResponse response;
      grpc::ClientContext context;
      PrepareContext(context, 600);
      grpc::Status status = stub->ImportActors(&context, request, &response);
      if (!status.ok()) {
        std::fprintf(stderr, "ImportActors: %s\n", status.error_message().c_str());
        return 1;
      }
      created += response.created_count();
    }
    double import_seconds = std::chrono::duration<double>(Clock::now() - start).count();
    double import_rate = import_rows / import_seconds;
    std::printf(
        "ImportActors (CSV through the service)             %8.0f rows/s (%d created, "
        "%.2f s)  ratio %.2f of raw COPY (goal >= 0.3)\n",
        import_rate, created, import_seconds, import_rate / copy_rate);
    std::fflush(stdout);
    // The other actors straight into the table.
    for (int begin = import_rows; begin < count; begin += 20000) {
      Copy(connection, "actors", CopyCsv(actors, begin, std::min(count, begin + 20000)));
    }
    Exec(connection, "DROP TABLE scratch_actors");
    Exec(connection, "VACUUM ANALYZE actors");
    int64_t min_id = std::atoll(Scalar(connection, "SELECT min(id) FROM actors").c_str());
    int64_t max_id = std::atoll(Scalar(connection, "SELECT max(id) FROM actors").c_str());
    std::printf("actors in the table: %s\n",
                Scalar(connection, "SELECT count(*) FROM actors").c_str());
    PQfinish(connection);

    // 2. Ceilings at the same concurrency, then GetActor.
    bench::LoadResult pg = bench::MeasurePgSelect(database.url(), in_flight, duration);
    bench::PrintResult("ceiling: PK SELECT through libpqxx", pg);
    bench::LoadResult echo = bench::MeasureGrpcEcho(in_flight, duration);
    bench::PrintResult("ceiling: gRPC echo", echo);
    const bench::LoadResult& lower = pg.qps() < echo.qps() ? pg : echo;
    std::string lower_name = &lower == &pg ? "PK SELECT" : "gRPC echo";
    bench::LoadResult get = bench::RunClosedLoop(in_flight, duration, [&](int worker) {
      thread_local std::minstd_rand random(worker + 1);
      v1::GetActorRequest request;
      request.set_name(
          absl::StrCat("actors/", min_id + static_cast<int64_t>(random() % (max_id - min_id + 1))));
      v1::Actor actor;
      grpc::ClientContext context;
      PrepareContext(context);
      return stub->GetActor(&context, request, &actor).ok();
    });
    bench::PrintResult("GetActor", get, &lower, lower_name + " (goal >= 0.6)");

    // 3. Search: typos, accents, several words, with and without filters.
    const std::vector<std::pair<std::string, std::string>> searches = {
        {"economie solidare", ""},
        {"ressourcerie", ""},
        {"jardin partage", ""},
        {"atelier velo", ""},
        {"Épicerie solidaire", "commune = \"21231\""},
        {"insertion", "network_category:" + ref.categories[0]},
        {"cooperative energie", ""},
        {"reemploi reparation", "theme:" + ref.themes[0]},
        {"lentilleres", ""},
        {"chantier dinsertion", ""}};
    for (int flight : {1, in_flight}) {
      bench::LoadResult search = bench::RunClosedLoop(flight, duration, [&](int worker) {
        thread_local size_t next = static_cast<size_t>(worker);
        const auto& [query, filter] = searches[next++ % searches.size()];
        v1::SearchActorsRequest request;
        request.set_query(query);
        request.set_filter(filter);
        request.set_page_size(20);
        v1::SearchActorsResponse response;
        grpc::ClientContext context;
        PrepareContext(context);
        return stub->SearchActors(&context, request, &response).ok();
      });
      bench::PrintResult(flight == 1 ? "SearchActors (goal p99 <= 20 ms)" : "SearchActors", search);
    }
    std::printf("maillage-directory peak RSS: %.1f MiB\n", bench::PeakRssMib(service.pid()));
    // MAILLAGE_BENCH_HOLD=<seconds>: keep the database (printed) for EXPLAIN ANALYZE by hand.
    if (const char* hold = std::getenv("MAILLAGE_BENCH_HOLD")) {
      std::printf("holding %s for %s s\n", database.url().c_str(), hold);
      std::fflush(stdout);
      std::this_thread::sleep_for(std::chrono::seconds(std::atoi(hold)));
    }
    service.Signal(SIGTERM);
    service.Wait(std::chrono::seconds(15));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "directory_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
