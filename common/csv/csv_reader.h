// An incremental CSV reader (RFC 4180, UTF-8): quoted fields with doubled quotes, separators
// and line breaks inside quotes, CRLF or LF, a UTF-8 byte-order mark ignored. The separator is
// ',' by default; French spreadsheets export ';' (DetectSeparator tells from the header line).
// Input may arrive in chunks of any size, so a large file never needs to be held in memory.
//
//   CsvReader reader(';');
//   while (read a chunk) {
//     reader.Feed(chunk);
//     while (auto record = reader.Next()) Use(*record);
//   }
//   reader.Finish();
//   while (auto record = reader.Next()) Use(*record);
//   if (!reader.status().ok()) ...  // e.g. a quote left open at the end of the input
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/optional.h"

namespace maillage::csv {

struct CsvRecord {
  int64_t line = 0;  // line number (1-based) where the record starts
  std::vector<std::string> fields;
};

class CsvReader {
 public:
  explicit CsvReader(char separator = ',', size_t max_field_bytes = 1 << 20);

  // Parses `chunk`; the records it completes become available to Next().
  void Feed(absl::string_view chunk);
  // Marks the end of the input: a last record without a final line break is completed.
  void Finish();
  // The next complete record, or nullopt when none is ready yet. Empty lines are skipped.
  absl::optional<CsvRecord> Next();
  // INVALID_ARGUMENT naming the line for a quote left open at the end of the input, a quote in
  // the middle of an unquoted field, or a field longer than max_field_bytes; OK otherwise.
  const absl::Status& status() const { return status_; }

 private:
  enum class State { kFieldStart, kUnquoted, kQuoted, kQuoteInQuoted };
  void Consume(absl::string_view chunk);
  void EndField();
  void EndRecord();
  void Fail(absl::string_view what);

  char separator_;
  size_t max_field_bytes_;
  State state_ = State::kFieldStart;
  std::string field_;
  CsvRecord record_;
  std::deque<CsvRecord> ready_;
  int64_t line_ = 1;
  size_t bom_seen_ = 0;  // bytes of the byte-order mark matched so far
  bool pending_cr_ = false;
  absl::Status status_;
};

// ';' when the line has more semicolons than commas outside quotes, '\t' when it has tabs and
// neither, ',' otherwise.
char DetectSeparator(absl::string_view header_line);

// Whether `s` is valid UTF-8.
bool IsValidUtf8(absl::string_view s);

}  // namespace maillage::csv
