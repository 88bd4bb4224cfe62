// The budget table reader.
#include "services/budget/table_importer.h"

#include <algorithm>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/csv/csv_reader.h"
#include "common/csv/csv_writer.h"
#include "services/budget/money.h"

namespace maillage::budget {
namespace {

using v1::ImportIssue;

std::string Trim(absl::string_view text) {
  // ASCII blanks and the no-break spaces spreadsheets leave around cells.
  for (bool changed = true; changed;) {
    changed = false;
    absl::string_view before = text;
    text = absl::StripAsciiWhitespace(text);
    for (absl::string_view nbsp : {"\xC2\xA0", "\xE2\x80\xAF"}) {
      if (absl::ConsumePrefix(&text, nbsp) || absl::ConsumeSuffix(&text, nbsp)) changed = true;
    }
    changed = changed || before.size() != text.size();
  }
  return std::string(text);
}

bool IsHeaderWord(const std::string& folded) {
  return folded == "depenses" || folded == "recettes" || folded == "charges" ||
         folded == "produits";
}

bool IsFundingHeading(const std::string& folded) {
  return absl::StartsWith(folded, "financement") ||
         absl::StartsWith(folded, "ressources propres") ||
         absl::StartsWith(folded, "aides privees") ||
         absl::StartsWith(folded, "autres financements");
}

// Splits "60 - Achats" into code "60" and label "Achats"; false without a leading code.
bool SplitCode(const std::string& label, std::string& code, std::string& rest) {
  size_t digits = 0;
  while (digits < label.size() && absl::ascii_isdigit(static_cast<unsigned char>(label[digits]))) {
    ++digits;
  }
  if (digits < 2 || digits > 6) return false;
  absl::string_view tail = absl::string_view(label).substr(digits);
  if (!tail.empty() && tail[0] != ' ' && tail[0] != '-' && tail[0] != ':' && tail[0] != '.' &&
      !absl::StartsWith(tail, "\xE2\x80")) {
    return false;
  }
  for (bool changed = true; changed;) {
    changed = false;
    for (absl::string_view sep : {" ", "-", ":", ".", "\xE2\x80\x93", "\xE2\x80\x94", "\xC2\xA0"}) {
      if (absl::ConsumePrefix(&tail, sep)) changed = true;
    }
  }
  code = label.substr(0, digits);
  rest = std::string(tail);
  return true;
}

class Reader {
 public:
  Reader(const v1::Action& action, const ChartOfAccounts& chart) : action_(action), chart_(chart) {}

  void Issue(int row, int column, v1::ImportIssueSeverity severity, v1::ImportIssueReason reason,
             std::string message, absl::string_view text) {
    ImportIssue issue;
    issue.set_row(row);
    issue.set_column(column);
    issue.set_severity(severity);
    issue.set_reason(reason);
    issue.set_message(std::move(message));
    std::string cut(text.substr(0, 200));
    while (!cut.empty() && !maillage::csv::IsValidUtf8(cut)) cut.pop_back();
    issue.set_text(cut);
    if (severity == v1::IMPORT_ISSUE_SEVERITY_ERROR) out_.has_errors = true;
    out_.issues.push_back(std::move(issue));
  }

  // One label/amount pair of a row. `side` may be unspecified (single column without
  // headings): the code decides, else the current side.
  void Cell(int row, int column, v1::Side side, const std::string& raw_label,
            const std::string& raw_amount, bool side_by_side) {
    std::string label = Trim(raw_label);
    std::string amount_text = Trim(raw_amount);
    if (label.empty() && amount_text.empty()) return;
    std::string folded = FoldLabel(label);
    if (IsHeaderWord(folded) && amount_text.empty()) {
      seen_table_ = true;
      if (!side_by_side) {
        current_side_ =
            folded == "depenses" || folded == "charges" ? v1::SIDE_CHARGE : v1::SIDE_INCOME;
      }
      skipped_ = true;
      return;
    }
    ParsedAmount amount = ParseEuros(amount_text);
    if (amount.outcome == ParsedAmount::Outcome::kUnreadable) {
      Issue(row, column + 1, v1::IMPORT_ISSUE_SEVERITY_ERROR,
            v1::IMPORT_ISSUE_REASON_UNREADABLE_AMOUNT,
            absl::StrCat("row ", row, ", column ", column + 1, ": \"", amount_text,
                         "\" is not an amount in euros"),
            amount_text);
      return;
    }
    if (amount.outcome == ParsedAmount::Outcome::kOutOfRange) {
      Issue(row, column + 1, v1::IMPORT_ISSUE_SEVERITY_ERROR,
            v1::IMPORT_ISSUE_REASON_AMOUNT_OUT_OF_RANGE,
            absl::StrCat("row ", row, ", column ", column + 1, ": \"", amount_text,
                         "\" has more than two decimals or exceeds 10^13 euros"),
            amount_text);
      return;
    }
    bool blank = amount.outcome == ParsedAmount::Outcome::kBlank;
    if (label.empty()) {
      Issue(row, column, v1::IMPORT_ISSUE_SEVERITY_ERROR, v1::IMPORT_ISSUE_REASON_MISSING_LABEL,
            absl::StrCat("row ", row, ", column ", column, ": an amount without a label"),
            amount_text);
      return;
    }
    if (absl::StartsWith(folded, "total")) {
      v1::Side total_side = side != v1::SIDE_UNSPECIFIED ? side : current_side_;
      if (!blank) {
        if (total_side == v1::SIDE_INCOME) {
          out_.stated_totals.set_income_cents(amount.cents);
        } else {
          out_.stated_totals.set_charges_cents(amount.cents);
        }
      }
      Issue(row, column, v1::IMPORT_ISSUE_SEVERITY_INFO, v1::IMPORT_ISSUE_REASON_STATED_TOTAL,
            absl::StrCat("row ", row, ": kept as the stated total of the ",
                         total_side == v1::SIDE_INCOME ? "income" : "charges", " side"),
            label);
      return;
    }
    std::string code, rest;
    bool coded = SplitCode(label, code, rest);
    if (!coded && !seen_table_ && blank) {  // a title above the table
      skipped_ = true;
      return;
    }
    seen_table_ = true;
    if (side == v1::SIDE_UNSPECIFIED) {
      v1::Side code_side = coded ? SideOfCode(code) : v1::SIDE_UNSPECIFIED;
      if (current_side_ == v1::SIDE_UNSPECIFIED || (coded && code_side != v1::SIDE_UNSPECIFIED)) {
        if (code_side != v1::SIDE_UNSPECIFIED) current_side_ = code_side;
      }
      side = current_side_ == v1::SIDE_UNSPECIFIED ? v1::SIDE_CHARGE : current_side_;
    }
    v1::BudgetLine line;
    line.set_name(absl::StrCat("pending/", ++count_));
    line.set_side(side);
    line.set_source_row(row);
    line.set_source_text(absl::StrCat(raw_label, "\t", raw_amount).substr(0, 1000));
    if (!blank) line.set_amount_cents(amount.cents);
    std::string& chapter = chapter_[side];
    if (coded) {
      line.set_account_code(code);
      line.set_label(rest.empty() ? (chart_.Find(code) ? chart_.Find(code)->label() : code) : rest);
      if (code.size() == 2) {
        line.set_is_chapter(true);
        chapter = line.name();
        chapter_code_[side] = code;
      } else if (!chapter.empty()) {
        line.set_chapter_line(chapter);
      }
      line.set_effective_account_code(code);
    } else if (IsFundingHeading(folded)) {
      line.set_label(label);
      chapter.clear();
      Issue(row, column, v1::IMPORT_ISSUE_SEVERITY_WARNING,
            v1::IMPORT_ISSUE_REASON_HEADING_WITHOUT_CODE,
            absl::StrCat("row ", row, ": \"", label,
                         "\" is a heading without an account code; kept outside any chapter"),
            label);
    } else {
      line.set_label(label);
      if (chapter.empty()) {
        Issue(row, column, v1::IMPORT_ISSUE_SEVERITY_WARNING,
              v1::IMPORT_ISSUE_REASON_DETAIL_WITHOUT_CHAPTER,
              absl::StrCat("row ", row, ": \"", label,
                           "\" comes before any chapter of its side; kept outside any chapter"),
              label);
      } else {
        line.set_chapter_line(chapter);
        line.set_effective_account_code(chapter_code_[side]);
      }
    }
    if (const v1::Account* account = chart_.Find(line.effective_account_code())) {
      line.set_account_label(account->label());
    }
    if (blank) {
      Issue(row, column + 1, v1::IMPORT_ISSUE_SEVERITY_INFO, v1::IMPORT_ISSUE_REASON_BLANK_AMOUNT,
            absl::StrCat("row ", row, ": \"", label, "\" has a blank amount, kept blank"), label);
    }
    if (side == v1::SIDE_INCOME) {
      for (const v1::ActionFunder& funder : action_.funders()) {
        if (FoldLabel(funder.display_name()) == folded) {
          line.set_funder_id(funder.funder_id());
          Issue(row, column, v1::IMPORT_ISSUE_SEVERITY_INFO, v1::IMPORT_ISSUE_REASON_FUNDER_MATCHED,
                absl::StrCat("row ", row, ": \"", label, "\" is the funder ", funder.funder_id()),
                label);
        }
      }
    }
    line.set_position(++position_[side]);
    (side == v1::SIDE_INCOME ? income_ : charges_).push_back(std::move(line));
  }

  void StartRow() { skipped_ = false; }
  void EndRow(int row, const std::vector<std::string>& fields, char separator) {
    if (!skipped_) return;
    std::string text;
    for (size_t i = 0; i < fields.size(); ++i) {
      if (i > 0) text.push_back(separator);
      text += fields[i];
    }
    Issue(row, 0, v1::IMPORT_ISSUE_SEVERITY_INFO, v1::IMPORT_ISSUE_REASON_SKIPPED_ROW,
          absl::StrCat("row ", row, ": a title or header, skipped"), text);
  }

  ImportedTable Finish() {
    out_.lines = std::move(charges_);
    for (v1::BudgetLine& line : income_) out_.lines.push_back(std::move(line));
    std::stable_sort(out_.issues.begin(), out_.issues.end(),
                     [](const ImportIssue& a, const ImportIssue& b) { return a.row() < b.row(); });
    return std::move(out_);
  }

  ImportedTable& out() { return out_; }

 private:
  const v1::Action& action_;
  const ChartOfAccounts& chart_;
  ImportedTable out_;
  std::vector<v1::BudgetLine> charges_, income_;
  std::map<v1::Side, std::string> chapter_;       // current chapter line per side
  std::map<v1::Side, std::string> chapter_code_;  // its code
  std::map<v1::Side, int> position_;
  v1::Side current_side_ = v1::SIDE_UNSPECIFIED;
  int count_ = 0;
  bool seen_table_ = false;
  bool skipped_ = false;
};

char SeparatorOf(v1::TableDelimiter delimiter, absl::string_view text) {
  switch (delimiter) {
    case v1::TABLE_DELIMITER_TAB:
      return '\t';
    case v1::TABLE_DELIMITER_SEMICOLON:
      return ';';
    case v1::TABLE_DELIMITER_COMMA:
      return ',';
    default:
      break;
  }
  if (text.find('\t') != absl::string_view::npos) return '\t';
  size_t semicolons = std::count(text.begin(), text.end(), ';');
  size_t commas = std::count(text.begin(), text.end(), ',');
  return semicolons > 0 && semicolons >= commas / 2 ? ';' : ',';
}

size_t UsedColumns(const std::vector<std::string>& fields) {
  size_t used = fields.size();
  while (used > 0 && Trim(fields[used - 1]).empty()) --used;
  return used;
}

}  // namespace

ImportedTable ImportBudgetTable(absl::string_view text, v1::TableDelimiter delimiter,
                                v1::ImportLayout layout, const v1::Action& action,
                                const ChartOfAccounts& chart) {
  Reader reader(action, chart);
  if (text.size() > kMaxTableBytes) {
    reader.Issue(0, 0, v1::IMPORT_ISSUE_SEVERITY_ERROR, v1::IMPORT_ISSUE_REASON_TOO_LARGE,
                 absl::StrCat("the table has ", text.size(), " bytes; at most ", kMaxTableBytes,
                              " are accepted"),
                 "");
    return reader.Finish();
  }
  char separator = SeparatorOf(delimiter, text);
  maillage::csv::CsvReader csv(separator, kMaxTableBytes);
  csv.Feed(text);
  csv.Finish();
  std::vector<maillage::csv::CsvRecord> records;
  while (auto record = csv.Next()) {
    // Forms this service exported have neutralised cells (csv::CsvLine): read them as written.
    for (std::string& field : record->fields) field = maillage::csv::RestoreCell(field);
    records.push_back(std::move(*record));
  }
  size_t widest = 0;
  for (const auto& record : records) widest = std::max(widest, UsedColumns(record.fields));
  bool side_by_side = layout == v1::IMPORT_LAYOUT_SIDE_BY_SIDE ||
                      layout == v1::IMPORT_LAYOUT_CERFA_12156 ||
                      (layout == v1::IMPORT_LAYOUT_UNSPECIFIED && widest >= 3);
  const size_t columns = side_by_side ? 4 : 2;
  int last_row = 0;
  for (const auto& record : records) {
    int row = static_cast<int>(record.line);
    last_row = row;
    ++reader.out().rows_read;
    reader.StartRow();
    bool readable = true;
    for (size_t c = 0; c < record.fields.size(); ++c) {
      const std::string& cell = record.fields[c];
      int column = static_cast<int>(c) + 1;
      if (!maillage::csv::IsValidUtf8(cell)) {
        reader.Issue(row, column, v1::IMPORT_ISSUE_SEVERITY_ERROR,
                     v1::IMPORT_ISSUE_REASON_INVALID_ENCODING,
                     absl::StrCat("row ", row, ", column ", column, ": not valid UTF-8"), "");
        readable = false;
      } else if (cell.size() > kMaxCellBytes) {
        reader.Issue(row, column, v1::IMPORT_ISSUE_SEVERITY_ERROR,
                     v1::IMPORT_ISSUE_REASON_TOO_LARGE,
                     absl::StrCat("row ", row, ", column ", column, ": ", cell.size(),
                                  " bytes; a cell may have at most ", kMaxCellBytes),
                     cell);
        readable = false;
      }
    }
    if (UsedColumns(record.fields) > columns) {
      reader.Issue(row, static_cast<int>(columns) + 1, v1::IMPORT_ISSUE_SEVERITY_ERROR,
                   v1::IMPORT_ISSUE_REASON_TOO_MANY_COLUMNS,
                   absl::StrCat("row ", row, ": ", UsedColumns(record.fields),
                                " columns where the layout has ", columns),
                   "");
      readable = false;
    }
    if (!readable) continue;
    std::vector<std::string> f = record.fields;
    f.resize(std::max(f.size(), columns));
    if (side_by_side) {
      reader.Cell(row, 1, v1::SIDE_CHARGE, f[0], f[1], true);
      reader.Cell(row, 3, v1::SIDE_INCOME, f[2], f[3], true);
    } else {
      reader.Cell(row, 1, v1::SIDE_UNSPECIFIED, f[0], f[1], false);
    }
    reader.EndRow(row, record.fields, separator);
  }
  if (!csv.status().ok()) {
    reader.Issue(last_row + 1, 0, v1::IMPORT_ISSUE_SEVERITY_ERROR,
                 v1::IMPORT_ISSUE_REASON_UNCLOSED_QUOTE,
                 absl::StrCat("after row ", last_row, ": ", csv.status().message()), "");
  }
  return reader.Finish();
}

}  // namespace maillage::budget
