#include "common/csv/csv_reader.h"

#include "absl/strings/str_cat.h"

namespace maillage::csv {

CsvReader::CsvReader(char separator, size_t max_field_bytes)
    : separator_(separator), max_field_bytes_(max_field_bytes) {}

void CsvReader::Fail(absl::string_view what) {
  if (status_.ok()) {
    status_ = absl::InvalidArgumentError(absl::StrCat("line ", line_, ": ", what));
  }
}

void CsvReader::EndField() {
  record_.fields.push_back(std::move(field_));
  field_.clear();
  state_ = State::kFieldStart;
}

void CsvReader::EndRecord() {
  EndField();
  bool blank = record_.fields.size() == 1 && record_.fields[0].empty();
  if (!blank) ready_.push_back(std::move(record_));
  record_ = CsvRecord{};
}

void CsvReader::Feed(absl::string_view chunk) {
  // A UTF-8 byte-order mark opening the input is dropped, even when split across chunks.
  static constexpr absl::string_view kBom = "\xEF\xBB\xBF";
  while (bom_seen_ < kBom.size() && !chunk.empty()) {
    if (chunk[0] != kBom[bom_seen_]) {
      std::string partial(kBom.substr(0, bom_seen_));
      bom_seen_ = kBom.size();
      Consume(partial);
      break;
    }
    chunk.remove_prefix(1);
    ++bom_seen_;
  }
  Consume(chunk);
}

void CsvReader::Consume(absl::string_view chunk) {
  for (char c : chunk) {
    if (!status_.ok()) return;
    if (pending_cr_) {
      pending_cr_ = false;
      if (c == '\n') continue;  // CRLF already ended the record
    }
    if (record_.fields.empty() && field_.empty() && state_ == State::kFieldStart) {
      record_.line = line_;
    }
    switch (state_) {
      case State::kFieldStart:
        if (c == '"') {
          state_ = State::kQuoted;
          continue;
        }
        state_ = State::kUnquoted;
        [[fallthrough]];
      case State::kUnquoted:
        if (c == separator_) {
          EndField();
        } else if (c == '\n' || c == '\r') {
          pending_cr_ = c == '\r';
          EndRecord();
          ++line_;
        } else if (c == '"') {
          Fail("a quote inside an unquoted field: quote the whole field and double the quote");
        } else {
          field_.push_back(c);
        }
        break;
      case State::kQuoted:
        if (c == '"') {
          state_ = State::kQuoteInQuoted;
        } else {
          if (c == '\n') ++line_;
          field_.push_back(c);
        }
        break;
      case State::kQuoteInQuoted:
        if (c == '"') {
          field_.push_back('"');
          state_ = State::kQuoted;
        } else if (c == separator_) {
          EndField();
        } else if (c == '\n' || c == '\r') {
          pending_cr_ = c == '\r';
          EndRecord();
          ++line_;
        } else {
          Fail("text after a closing quote: double a quote inside a quoted field");
        }
        break;
    }
    if (field_.size() > max_field_bytes_) {
      Fail(absl::StrCat("a field longer than ", max_field_bytes_, " bytes"));
    }
  }
}

void CsvReader::Finish() {
  if (!status_.ok()) return;
  if (state_ == State::kQuoted) {
    Fail("a quoted field is not closed before the end of the file");
    return;
  }
  if (state_ != State::kFieldStart || !record_.fields.empty()) EndRecord();
}

absl::optional<CsvRecord> CsvReader::Next() {
  if (ready_.empty()) return absl::nullopt;
  CsvRecord record = std::move(ready_.front());
  ready_.pop_front();
  return record;
}

char DetectSeparator(absl::string_view header_line) {
  int commas = 0, semicolons = 0, tabs = 0;
  bool quoted = false;
  for (char c : header_line) {
    if (c == '"') quoted = !quoted;
    if (quoted) continue;
    if (c == '\n') break;
    commas += c == ',';
    semicolons += c == ';';
    tabs += c == '\t';
  }
  if (semicolons > commas) return ';';
  if (tabs > 0 && commas == 0 && semicolons == 0) return '\t';
  return ',';
}

bool IsValidUtf8(absl::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80             ? 1
                 : (c & 0xE0) == 0xC0 ? 2
                 : (c & 0xF0) == 0xE0 ? 3
                 : (c & 0xF8) == 0xF0 ? 4
                                      : 0;
    if (len == 0 || i + len > s.size()) return false;
    uint32_t cp = len == 1 ? c : c & (0xFF >> (len + 1));
    for (size_t k = 1; k < len; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

}  // namespace maillage::csv
