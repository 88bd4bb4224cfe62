// Fuzzes the directory's actor CSV import up to the database (ParseActorFile, services/
// directory/actor_csv.h), then the pure actor rules every accepted row goes through
// (NormalizeActor, CheckActorFields, api::ApplyUpdateMask), and the export line of the result. The
// first byte chooses the separator, a column mapping and whether Windows-1252 is forced (else
// detected: UTF-8 when the file is valid UTF-8); the rest is the file. A refusal is
// INVALID_ARGUMENT naming csv_data or column_mapping; an accepted file read as UTF-8 was valid
// UTF-8, and every row's text is UTF-8 whatever the file's encoding; never a crash or UB.
#include <cstddef>
#include <cstdint>
#include <string>

#include "common/api/update_mask.h"
#include "common/csv/csv_reader.h"
#include "common/csv/csv_writer.h"
#include "fuzz/fuzz_check.h"
#include "services/directory/actor_csv.h"
#include "services/directory/actor_fields.h"

namespace directory = maillage::directory;
namespace v1 = maillage::directory::v1;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  v1::ImportActorsRequest request;
  request.set_separator(static_cast<v1::CsvSeparator>(data[0] % 3));
  if (data[0] & 4) {
    (*request.mutable_column_mapping())["Nom"] = "display_name";
    (*request.mutable_column_mapping())["Ville"] = "address.city";
  }
  if (data[0] & 8) request.set_encoding(v1::TEXT_ENCODING_WINDOWS_1252);
  request.set_csv_data(std::string(reinterpret_cast<const char*>(data + 1), size - 1));

  auto file = directory::ParseActorFile(request);
  if (!file.ok()) {
    maillage::fuzz::CheckRefusalNamesField(file.status(), "c");  // csv_data, column_mapping
    return 0;
  }
  MAILLAGE_FUZZ_CHECK(file->report.detected_encoding() != v1::TEXT_ENCODING_UTF8 ||
                          maillage::csv::IsValidUtf8(request.csv_data()),
                      "read invalid UTF-8 as UTF-8");
  for (directory::ParsedActorRow& row : file->rows) {
    MAILLAGE_FUZZ_CHECK(maillage::csv::IsValidUtf8(row.actor.display_name()) &&
                            maillage::csv::IsValidUtf8(row.actor.description()),
                        "a row's text is not UTF-8");
    if (!row.problems.empty()) {
      for (const auto& [field, reason] : row.problems) {
        MAILLAGE_FUZZ_CHECK(!field.empty() && !reason.empty(), field);
      }
      continue;
    }
    v1::Actor normalized = row.actor;
    directory::NormalizeActor(normalized);
    maillage::FieldViolations violations;
    directory::CheckActorFields(normalized, "", violations);
    auto updated =
        maillage::api::ApplyUpdateMask(v1::Actor(), row.actor, row.mask, directory::kDomain);
    if (!updated.ok()) {
      maillage::fuzz::CheckRefusalNamesField(updated.status(), "update_mask");
      continue;
    }
    directory::NormalizeActor(*updated);
    if (violations.empty()) {
      std::string line = maillage::csv::CsvLine(directory::ActorCsvCells(normalized), ';');
      MAILLAGE_FUZZ_CHECK(maillage::csv::IsValidUtf8(line), line);
    }
  }
  return 0;
}
