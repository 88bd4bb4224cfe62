// ImportActors: CSV rows → actors, matched and upserted in one transaction (see
// actor_importer.h).
#include "services/directory/actor_importer.h"

#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/api/resource_name.h"
#include "common/csv/csv_reader.h"
#include "common/db/idempotency.h"
#include "common/db/values.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "services/directory/actor_csv.h"
#include "services/directory/actor_fields.h"
#include "services/directory/actor_registry.h"
#include "services/directory/actor_store.h"
#include "services/directory/change_feed.h"

namespace maillage::directory {
namespace {

using v1::Actor;

constexpr int kMaxIssuesInError = 100;

// Which file column (index) holds each actor column.
using ColumnIndex = std::map<std::string, size_t>;

struct ParsedRow {
  int line = 0;
  Actor actor;                       // values of the columns present
  google::protobuf::FieldMask mask;  // the writable paths present in the file
  std::string name;                  // the `name` cell
  std::vector<std::pair<std::string, std::string>> problems;  // (field, reason)
};

bool ParseDate(const std::string& text, google::type::Date* date) {
  return db::ParseIsoDate(text, date) && IsValidDate(*date);
}

std::vector<std::string> SplitCell(const std::string& cell) {
  std::vector<std::string> values;
  for (absl::string_view v : absl::StrSplit(cell, '|')) {
    v = absl::StripAsciiWhitespace(v);
    if (!v.empty()) values.emplace_back(v);
  }
  return values;
}

// Parses an enum cell written without (or with) its prefix; empty → `empty_value`.
template <typename Enum>
bool ParseEnumCell(const std::string& cell, absl::string_view prefix,
                   bool (*parse)(const std::string&, Enum*), Enum* out) {
  std::string name = absl::AsciiStrToUpper(absl::StripAsciiWhitespace(cell));
  if (!absl::StartsWith(name, prefix)) name = absl::StrCat(prefix, name);
  return parse(name, out);
}

// The mask path that a CSV column writes.
std::string MaskPath(const std::string& column) {
  if (column == "labels.esus_agrement.start_date" || column == "labels.esus_agrement.end_date") {
    return "labels.esus_agrement";
  }
  if (column == "coordinates.latitude" || column == "coordinates.longitude") {
    return "coordinates";
  }
  return column;
}

ParsedRow ParseRow(const csv::CsvRecord& record, const ColumnIndex& columns) {
  ParsedRow row;
  row.line = static_cast<int>(record.line);
  auto cell = [&](const std::string& column) -> std::string {
    auto it = columns.find(column);
    if (it == columns.end() || it->second >= record.fields.size()) return "";
    return std::string(absl::StripAsciiWhitespace(record.fields[it->second]));
  };
  auto bad = [&](const std::string& field, const std::string& reason) {
    row.problems.emplace_back(field, reason);
  };
  Actor& a = row.actor;
  row.name = cell("name");
  a.set_display_name(cell("display_name"));
  a.set_legal_name(cell("legal_name"));
  a.set_description(cell("description"));
  if (!cell("kind").empty()) {
    v1::ActorKind kind;
    if (ParseEnumCell(cell("kind"), "ACTOR_KIND_", &v1::ActorKind_Parse, &kind)) {
      a.set_kind(kind);
    } else {
      bad("kind", "ORGANISATION or STRUCTURE_TYPE");
    }
  }
  a.set_website(cell("website"));
  a.set_email(cell("email"));
  a.set_phone(cell("phone"));
  for (const std::string& line : SplitCell(cell("address.lines"))) {
    a.mutable_address()->add_lines(line);
  }
  if (!cell("address.postal_code").empty()) {
    a.mutable_address()->set_postal_code(cell("address.postal_code"));
  }
  if (!cell("address.city").empty()) a.mutable_address()->set_city(cell("address.city"));
  if (!cell("address.commune_insee_code").empty()) {
    a.mutable_address()->set_commune_insee_code(cell("address.commune_insee_code"));
  }
  std::string lat = cell("coordinates.latitude"), lon = cell("coordinates.longitude");
  if (!lat.empty() || !lon.empty()) {
    double latitude, longitude;
    std::replace(lat.begin(), lat.end(), ',', '.');
    std::replace(lon.begin(), lon.end(), ',', '.');
    if (!absl::SimpleAtod(lat, &latitude) || !absl::SimpleAtod(lon, &longitude)) {
      bad("coordinates", "latitude and longitude in decimal degrees, both or neither");
    } else {
      a.mutable_coordinates()->set_latitude(latitude);
      a.mutable_coordinates()->set_longitude(longitude);
    }
  }
  a.set_siren(cell("siren"));
  a.set_siret(cell("siret"));
  a.set_rna(cell("rna"));
  a.set_legal_category_code(cell("legal_category_code"));
  a.set_naf_code(cell("naf_code"));
  if (!cell("ess_family").empty()) {
    v1::EssFamily family;
    if (ParseEnumCell(cell("ess_family"), "ESS_FAMILY_", &v1::EssFamily_Parse, &family)) {
      a.set_ess_family(family);
    } else {
      bad("ess_family",
          "ASSOCIATION, COOPERATIVE, MUTUAL, FOUNDATION, ESS_COMMERCIAL_COMPANY "
          "or OUTSIDE_ESS");
    }
  }
  for (const std::string& code : SplitCell(cell("network_categories"))) {
    a.add_network_categories(code);
  }
  for (const std::string& code : SplitCell(cell("themes"))) a.add_themes(code);
  for (const char* column : {"labels.esus_agrement.start_date", "labels.esus_agrement.end_date"}) {
    std::string text = cell(column);
    if (text.empty()) continue;
    google::type::Date date;
    if (!ParseDate(text, &date)) {
      bad(column, "a date YYYY-MM-DD");
      continue;
    }
    v1::EsusAgrement* esus = a.mutable_labels()->mutable_esus_agrement();
    *(absl::EndsWith(column, "start_date") ? esus->mutable_start_date()
                                           : esus->mutable_end_date()) = date;
  }
  for (const std::string& name : SplitCell(cell("labels.siae_types"))) {
    v1::SiaeType type;
    if (ParseEnumCell(name, "SIAE_TYPE_", &v1::SiaeType_Parse, &type) &&
        type != v1::SIAE_TYPE_UNSPECIFIED) {
      a.mutable_labels()->add_siae_types(type);
    } else {
      bad("labels.siae_types", "ACI, AI, EI or ETTI separated by |");
    }
  }
  if (!cell("provenance.source").empty()) {
    a.mutable_provenance()->set_source(cell("provenance.source"));
  }
  if (!cell("provenance.last_verified_date").empty()) {
    google::type::Date date;
    if (ParseDate(cell("provenance.last_verified_date"), &date)) {
      *a.mutable_provenance()->mutable_last_verified_date() = date;
    } else {
      bad("provenance.last_verified_date", "a date YYYY-MM-DD");
    }
  }
  std::set<std::string> paths;
  for (const auto& [column, index] : columns) {
    if (column != "name") paths.insert(MaskPath(column));
  }
  for (const std::string& p : paths) row.mask.add_paths(p);
  return row;
}

// The actor a row designates, with the rule, or 0.
struct Match {
  int64_t id = 0;
  v1::ImportMatchRule rule = v1::IMPORT_MATCH_RULE_UNSPECIFIED;
};

constexpr char kBySiret[] =
    "SELECT id FROM actors WHERE siret = $1 AND state <> 'ACTOR_STATE_MERGED' LIMIT 1";
constexpr char kByRna[] =
    "SELECT id FROM actors WHERE rna = $1 AND state <> 'ACTOR_STATE_MERGED' LIMIT 1";
constexpr char kByNameAndCommune[] =
    "SELECT id FROM actors WHERE directory_fold(display_name) = directory_fold($1) AND "
    "insee_code = COALESCE((SELECT insee_code FROM communes WHERE insee_code = $2 OR "
    "$2 = ANY(former_insee_codes) LIMIT 1), $2) AND state <> 'ACTOR_STATE_MERGED' "
    "ORDER BY id LIMIT 1";

Match FindMatch(pqxx::work& txn, const Actor& normalized) {
  auto id_of = [](const pqxx::result& rows) {
    return rows.empty() ? int64_t{0} : rows[0][0].as<int64_t>();
  };
  if (!normalized.siret().empty()) {
    if (int64_t id = id_of(txn.exec_params(kBySiret, normalized.siret()))) {
      return {id, v1::IMPORT_MATCH_RULE_SIRET};
    }
  }
  if (!normalized.rna().empty()) {
    if (int64_t id = id_of(txn.exec_params(kByRna, normalized.rna()))) {
      return {id, v1::IMPORT_MATCH_RULE_RNA};
    }
  }
  if (!normalized.display_name().empty()) {
    if (int64_t id = id_of(txn.exec_params(kByNameAndCommune, normalized.display_name(),
                                           normalized.address().commune_insee_code()))) {
      return {id, v1::IMPORT_MATCH_RULE_NAME_AND_COMMUNE};
    }
  }
  return {};
}

// Field violations of a status as (field, reason), or the status message for the whole row.
std::vector<std::pair<std::string, std::string>> Problems(const absl::Status& status) {
  std::vector<std::pair<std::string, std::string>> problems;
  if (auto bad = GetBadRequest(status)) {
    for (const auto& v : bad->field_violations()) {
      problems.emplace_back(v.field(), v.description());
    }
  }
  if (problems.empty()) problems.emplace_back("", std::string(status.message()));
  return problems;
}

}  // namespace

absl::StatusOr<v1::ImportActorsResponse> ActorImporter::Import(
    db::Deadline deadline, const v1::ImportActorsRequest& request) {
  const std::string& data = request.csv_data();
  if (data.empty()) return InvalidField(kDomain, "csv_data", "empty file");
  if (!csv::IsValidUtf8(data)) return InvalidField(kDomain, "csv_data", "not valid UTF-8");
  char separator = request.separator() == v1::CSV_SEPARATOR_SEMICOLON ? ';'
                   : request.separator() == v1::CSV_SEPARATOR_COMMA
                       ? ','
                       : csv::DetectSeparator(absl::string_view(data).substr(0, data.find('\n')));
  csv::CsvReader reader(separator);
  reader.Feed(data);
  reader.Finish();
  std::vector<csv::CsvRecord> records;
  while (auto record = reader.Next()) records.push_back(std::move(*record));
  if (!reader.status().ok()) {
    return InvalidField(kDomain, "csv_data", reader.status().message());
  }
  if (records.empty()) return InvalidField(kDomain, "csv_data", "no header line");

  v1::ImportActorsResponse response;
  response.set_detected_separator(separator == ';' ? v1::CSV_SEPARATOR_SEMICOLON
                                                   : v1::CSV_SEPARATOR_COMMA);
  const std::vector<std::string>& known = ActorCsvColumns();
  auto is_known = [&](const std::string& c) {
    return std::find(known.begin(), known.end(), c) != known.end();
  };
  for (const auto& [header, column] : request.column_mapping()) {
    if (!is_known(column)) {
      return InvalidField(kDomain, absl::StrCat("column_mapping[", header, "]"),
                          absl::StrCat("unknown actor column '", column, "'"));
    }
  }
  ColumnIndex columns;
  std::map<std::string, std::string> header_of;  // actor column → file header
  const std::vector<std::string>& header = records[0].fields;
  for (size_t i = 0; i < header.size(); ++i) {
    std::string name(absl::StripAsciiWhitespace(header[i]));
    auto mapped = request.column_mapping().find(name);
    std::string column = mapped != request.column_mapping().end() ? mapped->second : name;
    if (is_known(column) && !columns.count(column)) {
      columns[column] = i;
      header_of[column] = name;
    } else {
      response.add_ignored_columns(name);
    }
  }
  if (columns.empty() || (!columns.count("display_name") && !columns.count("name"))) {
    return InvalidField(kDomain, "csv_data",
                        "the header names no display_name column (see column_mapping)");
  }
  std::vector<ParsedRow> rows;
  for (size_t i = 1; i < records.size(); ++i) rows.push_back(ParseRow(records[i], columns));
  std::string source = request.source().empty() ? "csv-import" : request.source();
  bool file_has_source = columns.count("provenance.source") > 0;

  auto run = [&](pqxx::work& txn) -> absl::StatusOr<v1::ImportActorsResponse> {
    v1::ImportActorsResponse report = response;
    if (request.validate_only()) txn.exec("SAVEPOINT validate_only");
    for (ParsedRow& row : rows) {
      v1::ImportRowResult* result = report.add_rows();
      result->set_row(row.line);
      auto reject = [&](const std::vector<std::pair<std::string, std::string>>& problems) {
        result->set_outcome(v1::IMPORT_ROW_OUTCOME_REJECTED);
        result->clear_actor();
        result->set_matched_by(v1::IMPORT_MATCH_RULE_UNSPECIFIED);
        for (const auto& [field, reason] : problems) {
          v1::ImportIssue* issue = report.add_issues();
          issue->set_row(row.line);
          issue->set_field(field);
          auto it = header_of.find(field);
          if (it != header_of.end()) issue->set_column(it->second);
          issue->set_reason(reason);
        }
      };
      if (!row.problems.empty()) {
        reject(row.problems);
        continue;
      }
      Actor incoming = row.actor;
      if (!file_has_source) incoming.mutable_provenance()->set_source(source);
      google::protobuf::FieldMask mask = row.mask;
      if (!file_has_source) mask.add_paths("provenance.source");
      Actor normalized = incoming;
      NormalizeActor(normalized);
      Match match;
      if (!row.name.empty()) {
        absl::StatusOr<int64_t> id = api::ParseResourceId(row.name, "actors", "name", kDomain);
        absl::StatusOr<Actor> found =
            id.ok() ? ActorStore::Get(txn, *id) : absl::StatusOr<Actor>(id.status());
        if (!found.ok()) {
          reject({{"name", absl::StrCat("no actor ", row.name)}});
          continue;
        }
        if (found->state() == v1::ACTOR_STATE_MERGED) {
          reject({{"name", absl::StrCat(row.name, " was merged into ", found->merged_into())}});
          continue;
        }
        match = {*id, v1::IMPORT_MATCH_RULE_RESOURCE_NAME};
      } else {
        match = FindMatch(txn, normalized);
      }
      if (match.id == 0) {
        absl::Status checked = CheckActorAgainstDirectory(txn, normalized, 0, "");
        if (!checked.ok()) {
          reject(Problems(checked));
          continue;
        }
        Actor created = ActorStore::Insert(txn, normalized);
        AppendChange(txn, v1::CHANGE_KIND_CREATED, v1::CHANGED_RESOURCE_TYPE_ACTOR, created.name(),
                     &created);
        result->set_outcome(v1::IMPORT_ROW_OUTCOME_CREATED);
        if (!request.validate_only()) result->set_actor(created.name());
        report.set_created_count(report.created_count() + 1);
        continue;
      }
      MAILLAGE_ASSIGN_OR_RETURN(Actor current, ActorStore::Get(txn, match.id, true));
      absl::StatusOr<Actor> updated = ApplyActorMask(current, incoming, mask);
      if (!updated.ok()) {
        reject(Problems(updated.status()));
        continue;
      }
      NormalizeActor(*updated);
      absl::Status checked = CheckActorAgainstDirectory(txn, *updated, match.id, "");
      if (!checked.ok()) {
        reject(Problems(checked));
        continue;
      }
      result->set_actor(current.name());
      result->set_matched_by(match.rule);
      if (SameWritableFields(*updated, current)) {
        result->set_outcome(v1::IMPORT_ROW_OUTCOME_UNCHANGED);
        report.set_unchanged_count(report.unchanged_count() + 1);
        continue;
      }
      Actor stored = ActorStore::Update(txn, match.id, *updated);
      AppendChange(txn, v1::CHANGE_KIND_UPDATED, v1::CHANGED_RESOURCE_TYPE_ACTOR, stored.name(),
                   &stored);
      result->set_outcome(v1::IMPORT_ROW_OUTCOME_UPDATED);
      report.set_updated_count(report.updated_count() + 1);
    }
    for (const auto& r : report.rows()) {
      if (r.outcome() == v1::IMPORT_ROW_OUTCOME_REJECTED) {
        report.set_rejected_count(report.rejected_count() + 1);
      }
    }
    if (request.validate_only()) {
      txn.exec("ROLLBACK TO SAVEPOINT validate_only");
      return report;
    }
    if (report.rejected_count() > 0) {
      FieldViolations violations;
      for (int i = 0; i < report.issues_size() && i < kMaxIssuesInError; ++i) {
        const v1::ImportIssue& issue = report.issues(i);
        violations.Add(absl::StrCat("rows[", issue.row(), "]", issue.field().empty() ? "" : ".",
                                    issue.field()),
                       issue.reason());
      }
      return violations.ToStatus(kDomain);
    }
    return report;
  };
  return pool_.Transact<v1::ImportActorsResponse>(
      deadline, [&](pqxx::work& txn) -> absl::StatusOr<v1::ImportActorsResponse> {
        if (request.validate_only()) return run(txn);
        return db::RunIdempotent<v1::ImportActorsResponse>(txn, request.request_id(),
                                                           "ImportActors", request, kDomain,
                                                           [&]() { return run(txn); });
      });
}

}  // namespace maillage::directory
