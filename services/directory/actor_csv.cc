// CSV cells of actors (see actor_csv.h).
#include "services/directory/actor_csv.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/csv/csv_reader.h"
#include "common/csv/csv_writer.h"
#include "common/csv/spreadsheet_text.h"
#include "common/db/values.h"
#include "common/log/log.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "services/directory/actor_fields.h"

namespace maillage::directory {
namespace {

std::string WithoutPrefix(const std::string& name, absl::string_view prefix) {
  absl::string_view view = name;
  absl::ConsumePrefix(&view, prefix);
  return std::string(view);
}

// The shortest text that reads back as the same double.
std::string Number(double value) {
  char buffer[32];
  auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return std::string(buffer, result.ptr);
}

}  // namespace

const std::vector<std::string>& ActorCsvColumns() {
  static const auto* const kColumns =
      new std::vector<std::string>{"name",
                                   "display_name",
                                   "legal_name",
                                   "description",
                                   "kind",
                                   "website",
                                   "email",
                                   "phone",
                                   "address.lines",
                                   "address.postal_code",
                                   "address.city",
                                   "address.commune_insee_code",
                                   "coordinates.latitude",
                                   "coordinates.longitude",
                                   "siren",
                                   "siret",
                                   "rna",
                                   "legal_category_code",
                                   "naf_code",
                                   "ess_family",
                                   "network_categories",
                                   "themes",
                                   "labels.esus_agrement.start_date",
                                   "labels.esus_agrement.end_date",
                                   "labels.siae_types",
                                   "provenance.source",
                                   "provenance.last_verified_date"};
  return *kColumns;
}

std::vector<std::string> ActorCsvCells(const v1::Actor& a) {
  std::vector<std::string> siae;
  for (int t : a.labels().siae_types())
    siae.push_back(WithoutPrefix(v1::SiaeType_Name(t), "SIAE_TYPE_"));
  const v1::EsusAgrement& esus = a.labels().esus_agrement();
  return {
      a.name(),
      a.display_name(),
      a.legal_name(),
      a.description(),
      WithoutPrefix(v1::ActorKind_Name(a.kind()), "ACTOR_KIND_"),
      a.website(),
      a.email(),
      a.phone(),
      absl::StrJoin(a.address().lines(), "|"),
      a.address().postal_code(),
      a.address().city(),
      a.address().commune_insee_code(),
      a.has_coordinates() ? Number(a.coordinates().latitude()) : "",
      a.has_coordinates() ? Number(a.coordinates().longitude()) : "",
      a.siren(),
      a.siret(),
      a.rna(),
      a.legal_category_code(),
      a.naf_code(),
      a.ess_family() == v1::ESS_FAMILY_UNSPECIFIED
          ? ""
          : WithoutPrefix(v1::EssFamily_Name(a.ess_family()), "ESS_FAMILY_"),
      absl::StrJoin(a.network_categories(), "|"),
      absl::StrJoin(a.themes(), "|"),
      db::DateParam(esus.has_start_date(), esus.start_date()),
      db::DateParam(esus.has_end_date(), esus.end_date()),
      absl::StrJoin(siae, "|"),
      a.provenance().source(),
      db::DateParam(a.provenance().has_last_verified_date(), a.provenance().last_verified_date())};
}

namespace {

using v1::Actor;

// Which file column (index) holds each actor column.
using ColumnIndex = std::map<std::string, size_t>;

// YYYY-MM-DD or DD/MM/YYYY (common/csv/spreadsheet_text.h).
bool ParseDate(const std::string& text, google::type::Date* date) {
  return csv::ParseSpreadsheetDate(text, date) && IsValidDate(*date);
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

ParsedActorRow ParseRow(const csv::CsvRecord& record, const ColumnIndex& columns) {
  ParsedActorRow row;
  row.line = static_cast<int>(record.line);
  auto cell = [&](const std::string& column) -> std::string {
    auto it = columns.find(column);
    if (it == columns.end() || it->second >= record.fields.size()) return "";
    // Cells this service exported were neutralised (csv::CsvLine): read them back as they were.
    return csv::RestoreCell(absl::StripAsciiWhitespace(record.fields[it->second]));
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
      bad(column, "a date YYYY-MM-DD or DD/MM/YYYY");
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
      bad("provenance.last_verified_date", "a date YYYY-MM-DD or DD/MM/YYYY");
    }
  }
  std::set<std::string> paths;
  for (const auto& [column, index] : columns) {
    if (column != "name") paths.insert(MaskPath(column));
  }
  for (const std::string& p : paths) row.mask.add_paths(p);
  return row;
}

}  // namespace

absl::StatusOr<std::unique_ptr<ActorFileReader>> ActorFileReader::Open(
    const v1::ImportActorsRequest& request) {
  const std::string& bytes = request.csv_data();
  if (bytes.empty()) return InvalidField(kDomain, "csv_data", "empty file");
  csv::TextEncoding encoding =
      request.encoding() == v1::TEXT_ENCODING_UTF8           ? csv::TextEncoding::kUtf8
      : request.encoding() == v1::TEXT_ENCODING_WINDOWS_1252 ? csv::TextEncoding::kWindows1252
                                                             : csv::DetectEncoding(bytes);
  if (encoding == csv::TextEncoding::kUtf8 && !csv::IsValidUtf8(bytes)) {
    return InvalidField(kDomain, "csv_data", "not valid UTF-8 (see encoding)");
  }
  // Every rule below reads UTF-8 text: the header line is converted here, the rest a slice at
  // a time as it is read (Windows-1252 is one byte per character).
  const std::string first_line =
      csv::ToUtf8(absl::string_view(bytes).substr(0, bytes.find('\n')), encoding);
  char separator = request.separator() == v1::CSV_SEPARATOR_SEMICOLON ? ';'
                   : request.separator() == v1::CSV_SEPARATOR_COMMA
                       ? ','
                       : csv::DetectSeparator(first_line);
  std::unique_ptr<ActorFileReader> file(new ActorFileReader(bytes, encoding, separator));
  v1::ImportActorsResponse& response = file->report_;
  response.set_detected_separator(separator == ';' ? v1::CSV_SEPARATOR_SEMICOLON
                                                   : v1::CSV_SEPARATOR_COMMA);
  response.set_detected_encoding(encoding == csv::TextEncoding::kUtf8
                                     ? v1::TEXT_ENCODING_UTF8
                                     : v1::TEXT_ENCODING_WINDOWS_1252);
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
  absl::optional<csv::CsvRecord> header_record = file->NextRecord();
  if (!file->reader_.status().ok()) {
    return InvalidField(kDomain, "csv_data", file->reader_.status().message());
  }
  if (!header_record.has_value()) return InvalidField(kDomain, "csv_data", "no header line");
  const std::vector<std::string>& header = header_record->fields;
  for (size_t i = 0; i < header.size(); ++i) {
    std::string name(absl::StripAsciiWhitespace(header[i]));
    auto mapped = request.column_mapping().find(name);
    std::string column = mapped != request.column_mapping().end() ? mapped->second : name;
    if (is_known(column) && !file->columns_.count(column)) {
      file->columns_[column] = i;
      file->header_of_[column] = name;
    } else {
      response.add_ignored_columns(name);
    }
  }
  if (file->columns_.empty() ||
      (!file->columns_.count("display_name") && !file->columns_.count("name"))) {
    return InvalidField(kDomain, "csv_data",
                        "the header names no display_name column (see column_mapping)");
  }
  file->has_source_column_ = file->columns_.count("provenance.source") > 0;
  return file;
}

ActorFileReader::ActorFileReader(absl::string_view bytes, csv::TextEncoding encoding,
                                 char separator)
    : bytes_(bytes), encoding_(encoding), reader_(separator) {}

absl::optional<csv::CsvRecord> ActorFileReader::NextRecord() {
  constexpr size_t kSliceBytes = 64 << 10;
  while (true) {
    if (auto record = reader_.Next()) return record;
    if (!reader_.status().ok()) return absl::nullopt;
    if (fed_ < bytes_.size()) {
      const absl::string_view slice = bytes_.substr(fed_, kSliceBytes);
      fed_ += slice.size();
      if (encoding_ == csv::TextEncoding::kUtf8) {
        reader_.Feed(slice);
      } else {
        reader_.Feed(csv::ToUtf8(slice, encoding_));
      }
      continue;
    }
    if (finished_) return absl::nullopt;
    reader_.Finish();
    finished_ = true;
  }
}

absl::StatusOr<bool> ActorFileReader::NextBatch(size_t max_rows,
                                                std::vector<ParsedActorRow>& rows) {
  rows.clear();
  while (rows.size() < max_rows) {
    absl::optional<csv::CsvRecord> record = NextRecord();
    if (!reader_.status().ok())
      return InvalidField(kDomain, "csv_data", reader_.status().message());
    if (!record.has_value()) return false;
    rows.push_back(ParseRow(*record, columns_));
  }
  return true;
}

absl::StatusOr<ParsedActorFile> ParseActorFile(const v1::ImportActorsRequest& request) {
  MAILLAGE_ASSIGN_OR_RETURN(std::unique_ptr<ActorFileReader> reader,
                            ActorFileReader::Open(request));
  ParsedActorFile file;
  file.report = reader->report();
  file.header_of = reader->header_of();
  file.has_source_column = reader->has_source_column();
  std::vector<ParsedActorRow> batch;
  bool more = true;
  while (more) {
    MAILLAGE_ASSIGN_OR_RETURN(more, reader->NextBatch(1000, batch));
    for (ParsedActorRow& row : batch) file.rows.push_back(std::move(row));
  }
  return file;
}

}  // namespace maillage::directory
