// What spreadsheets in France write into a CSV file, read back: the text encoding (French Excel
// saves "CSV (séparateur: point-virgule)" in Windows-1252, "CSV UTF-8" with a byte-order mark)
// and dates written DD/MM/YYYY as well as YYYY-MM-DD. Every importer of the suite reads its
// files through these, so that a file opens the same way everywhere.
//
//   csv::TextEncoding encoding = csv::DetectEncoding(bytes);   // kWindows1252 for "\xE9t\xE9"
//   std::string text = csv::ToUtf8(bytes, encoding);           // "été"
//   google::type::Date date;
//   csv::ParseSpreadsheetDate("07/12/2026", &date);            // true: 2026-12-07
#pragma once

#include <string>

#include "absl/strings/string_view.h"
#include "google/type/date.pb.h"

namespace maillage::csv {

enum class TextEncoding { kUtf8, kWindows1252 };

// kUtf8 when `bytes` are valid UTF-8 (pure ASCII included), kWindows1252 otherwise: a French
// text in Windows-1252 is almost never valid UTF-8 (an accented letter is one byte ≥ 0xC0
// followed by an ASCII one).
TextEncoding DetectEncoding(absl::string_view bytes);

// `bytes` as UTF-8: unchanged for kUtf8; for kWindows1252 every byte mapped as the WHATWG
// Encoding Standard's windows-1252 index does (0x80 "€", 0x92 "’", 0x9C "œ", 0xA0-0xFF as
// Latin-1; the five unassigned bytes to the C1 control of the same number).
std::string ToUtf8(absl::string_view bytes, TextEncoding encoding);

// "UTF-8" or "windows-1252" (the WHATWG labels), for reports.
const char* EncodingLabel(TextEncoding encoding);

// A calendar date written YYYY-MM-DD or DD/MM/YYYY (day and month of one or two digits);
// false for any other text or an impossible date (31/02/2026).
bool ParseSpreadsheetDate(absl::string_view text, google::type::Date* date);

}  // namespace maillage::csv
