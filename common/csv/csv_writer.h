// Writing CSV for spreadsheets: RFC 4180 quoting and the neutralisation of cells a spreadsheet
// would run as a formula (OWASP "CSV injection"). Every CSV the suite writes goes through
// CsvLine, and every importer of those files reads its cells back with RestoreCell.
//
//   std::string out = "\xEF\xBB\xBF";                      // UTF-8 BOM for French users
//   out += csv::CsvLine({"Nom", "Téléphone"}, ';');         // "Nom;Téléphone\r\n"
//   out += csv::CsvLine({"=HYPERLINK(\"x\")", "+33 3 80"}, ';');
//   // "\"'=HYPERLINK(\"\"x\"\")\";'+33 3 80\r\n"
//
// Neutralising: a cell whose first character is `=`, `+`, `-`, `@`, a tab or a carriage return
// gets a leading apostrophe, the spreadsheets' own "this is text" mark, so it is shown and
// never evaluated. A cell starting with an apostrophe gets one more, so that RestoreCell gives
// back every cell exactly. Numbers are no exception ("-400 €" is written "'-400 €"): a rule with
// no exception is one a reviewer can check.
#pragma once

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace maillage::csv {

// `cell` with a leading apostrophe when it starts with = + - @ tab CR or an apostrophe;
// unchanged otherwise.
std::string NeutralizeCell(absl::string_view cell);

// The inverse of NeutralizeCell, for importers reading such files: drops the leading apostrophe
// of a cell whose next character is = + - @ tab CR or an apostrophe (a spreadsheet user who
// typed '=x meant the text =x too); any other cell unchanged.
std::string RestoreCell(absl::string_view cell);

// One CSV line of `cells` separated by `separator`, each cell neutralised, then quoted (RFC 4180:
// between double quotes, inner quotes doubled) when it holds the separator, a quote, CR or LF;
// ends with CRLF.
std::string CsvLine(const std::vector<std::string>& cells, char separator);

}  // namespace maillage::csv
