// Encodings and dates of spreadsheet files (see spreadsheet_text.h).
#include "common/csv/spreadsheet_text.h"

#include <cstdint>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "common/csv/csv_reader.h"

namespace maillage::csv {
namespace {

// Code points of the bytes 0x80-0x9F in windows-1252 (WHATWG Encoding Standard, index
// windows-1252); the bytes from 0xA0 are their own code points.
constexpr uint16_t kWindows1252High[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

void AppendUtf8(uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool IsLeapYear(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

bool IsPossibleDate(int y, int m, int d) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1) return false;
  return d <= kDays[m - 1] + (m == 2 && IsLeapYear(y) ? 1 : 0);
}

bool AllDigits(absl::string_view s, size_t min_len, size_t max_len) {
  if (s.size() < min_len || s.size() > max_len) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

TextEncoding DetectEncoding(absl::string_view bytes) {
  return IsValidUtf8(bytes) ? TextEncoding::kUtf8 : TextEncoding::kWindows1252;
}

std::string ToUtf8(absl::string_view bytes, TextEncoding encoding) {
  if (encoding == TextEncoding::kUtf8) return std::string(bytes);
  std::string out;
  out.reserve(bytes.size() + bytes.size() / 8);
  for (char c : bytes) {
    auto byte = static_cast<unsigned char>(c);
    if (byte < 0x80) {
      out.push_back(c);
    } else {
      AppendUtf8(byte < 0xA0 ? kWindows1252High[byte - 0x80] : byte, out);
    }
  }
  return out;
}

const char* EncodingLabel(TextEncoding encoding) {
  return encoding == TextEncoding::kUtf8 ? "UTF-8" : "windows-1252";
}

bool ParseSpreadsheetDate(absl::string_view text, google::type::Date* date) {
  int y = 0, m = 0, d = 0;
  std::vector<absl::string_view> iso = absl::StrSplit(text, '-');
  std::vector<absl::string_view> french = absl::StrSplit(text, '/');
  if (iso.size() == 3 && AllDigits(iso[0], 4, 4) && AllDigits(iso[1], 1, 2) &&
      AllDigits(iso[2], 1, 2)) {
    (void)absl::SimpleAtoi(iso[0], &y);
    (void)absl::SimpleAtoi(iso[1], &m);
    (void)absl::SimpleAtoi(iso[2], &d);
  } else if (french.size() == 3 && AllDigits(french[0], 1, 2) && AllDigits(french[1], 1, 2) &&
             AllDigits(french[2], 4, 4)) {
    (void)absl::SimpleAtoi(french[0], &d);
    (void)absl::SimpleAtoi(french[1], &m);
    (void)absl::SimpleAtoi(french[2], &y);
  } else {
    return false;
  }
  if (!IsPossibleDate(y, m, d)) return false;
  date->set_year(y);
  date->set_month(m);
  date->set_day(d);
  return true;
}

}  // namespace maillage::csv
