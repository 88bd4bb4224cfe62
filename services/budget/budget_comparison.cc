// Diffs of budget versions and the forecast/actual comparison.
#include "services/budget/budget_comparison.h"

#include <array>
#include <map>
#include <string>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/types/optional.h"
#include "services/budget/chart_of_accounts.h"
#include "services/budget/money.h"

namespace maillage::budget {
namespace {

std::string PairKey(const v1::BudgetLine& line) {
  return absl::StrCat(static_cast<int>(line.side()), "|", line.effective_account_code(), "|",
                      FoldLabel(line.label()));
}

int64_t Difference(int64_t a, int64_t b) {
  int64_t d;
  return __builtin_sub_overflow(a, b, &d) ? 0 : d;
}

}  // namespace

int64_t GapBasisPoints(int64_t gap, int64_t forecast) {
  __int128 scaled = static_cast<__int128>(gap) * 10000;
  __int128 q = scaled / forecast;
  __int128 r = scaled % forecast;
  __int128 abs_r = r < 0 ? -r : r;
  __int128 abs_f = forecast < 0 ? -static_cast<__int128>(forecast) : forecast;
  if (abs_r * 2 >= abs_f) q += ((scaled < 0) != (forecast < 0)) ? -1 : 1;
  return static_cast<int64_t>(q);
}

std::vector<v1::LineChange> DiffLines(const std::vector<v1::BudgetLine>& base,
                                      const std::vector<v1::BudgetLine>& target,
                                      bool include_unchanged) {
  std::vector<int> pair_of_target(target.size(), -1);
  std::vector<bool> base_used(base.size(), false);
  std::map<std::string, std::vector<size_t>> base_by_lineage, base_by_key;
  for (size_t i = 0; i < base.size(); ++i) {
    if (!base[i].lineage().empty()) base_by_lineage[base[i].lineage()].push_back(i);
    base_by_key[PairKey(base[i])].push_back(i);
  }
  auto take = [&](std::map<std::string, std::vector<size_t>>& index, const std::string& key) {
    auto it = index.find(key);
    if (it == index.end()) return -1;
    for (size_t b : it->second) {
      if (!base_used[b]) {
        base_used[b] = true;
        return static_cast<int>(b);
      }
    }
    return -1;
  };
  for (size_t t = 0; t < target.size(); ++t) {
    if (!target[t].lineage().empty())
      pair_of_target[t] = take(base_by_lineage, target[t].lineage());
  }
  for (size_t t = 0; t < target.size(); ++t) {
    if (pair_of_target[t] < 0) pair_of_target[t] = take(base_by_key, PairKey(target[t]));
  }
  // Chapters are compared through their pairing: base chapter name → target chapter name.
  std::map<std::string, std::string> chapter_in_target;
  for (size_t t = 0; t < target.size(); ++t) {
    if (pair_of_target[t] >= 0)
      chapter_in_target[base[pair_of_target[t]].name()] = target[t].name();
  }
  std::vector<v1::LineChange> changes;
  for (size_t t = 0; t < target.size(); ++t) {
    const v1::BudgetLine& to = target[t];
    v1::LineChange change;
    *change.mutable_target_line() = to;
    if (to.has_amount_cents()) change.set_target_amount_cents(to.amount_cents());
    if (pair_of_target[t] < 0) {
      change.set_kind(v1::LINE_CHANGE_KIND_ADDED);
      change.set_difference_cents(to.amount_cents());
      changes.push_back(std::move(change));
      continue;
    }
    const v1::BudgetLine& from = base[pair_of_target[t]];
    *change.mutable_base_line() = from;
    if (from.has_amount_cents()) change.set_base_amount_cents(from.amount_cents());
    change.set_difference_cents(Difference(to.amount_cents(), from.amount_cents()));
    if (from.has_amount_cents() != to.has_amount_cents() ||
        from.amount_cents() != to.amount_cents()) {
      change.add_changed_fields("amount_cents");
    }
    if (from.label() != to.label()) change.add_changed_fields("label");
    if (from.account_code() != to.account_code()) change.add_changed_fields("account_code");
    if (from.note() != to.note()) change.add_changed_fields("note");
    if (from.funder_id() != to.funder_id()) change.add_changed_fields("funder_id");
    std::string mapped_chapter;
    if (!from.chapter_line().empty()) {
      auto it = chapter_in_target.find(from.chapter_line());
      mapped_chapter = it == chapter_in_target.end() ? "(removed)" : it->second;
    }
    if (mapped_chapter != to.chapter_line()) change.add_changed_fields("chapter_line");
    if (from.position() != to.position()) change.add_changed_fields("position");
    if (from.is_chapter() != to.is_chapter()) change.add_changed_fields("is_chapter");
    change.set_kind(change.changed_fields().empty() ? v1::LINE_CHANGE_KIND_UNCHANGED
                                                    : v1::LINE_CHANGE_KIND_CHANGED);
    if (change.kind() == v1::LINE_CHANGE_KIND_UNCHANGED && !include_unchanged) continue;
    changes.push_back(std::move(change));
  }
  for (size_t b = 0; b < base.size(); ++b) {
    if (base_used[b]) continue;
    v1::LineChange change;
    change.set_kind(v1::LINE_CHANGE_KIND_REMOVED);
    *change.mutable_base_line() = base[b];
    if (base[b].has_amount_cents()) change.set_base_amount_cents(base[b].amount_cents());
    change.set_difference_cents(Difference(0, base[b].amount_cents()));
    changes.push_back(std::move(change));
  }
  return changes;
}

namespace {

// The comparison under construction: rows grouped by chapter, per side.
class Comparison {
 public:
  void Add(const std::vector<v1::BudgetLine>& lines, bool actual) {
    std::map<std::string, const v1::BudgetLine*> by_name;
    for (const v1::BudgetLine& line : lines) by_name[line.name()] = &line;
    for (const v1::BudgetLine& line : lines) {
      auto chapter = by_name.find(line.chapter_line());
      size_t group;
      std::string key;
      if (line.chapter_line().empty() || chapter == by_name.end()) {
        key = line.is_chapter() ? absl::StrCat(line.side(), "|C|", line.account_code())
                                : absl::StrCat(line.side(), "|T|", line.effective_account_code(),
                                               "|", FoldLabel(line.label()));
        group = Group(line.side(), key);
        if (!groups_[group].head) groups_[group].head = NewRow(line, "");
        Fill(*groups_[group].head, line, actual);
        continue;
      }
      const v1::BudgetLine& head = *chapter->second;
      group = Group(head.side(), absl::StrCat(head.side(), "|C|", head.account_code()));
      key = absl::StrCat(line.side(), "|D|", head.account_code(), "|",
                         line.effective_account_code(), "|", FoldLabel(line.label()));
      auto row = detail_rows_.find(key);
      if (row == detail_rows_.end()) {
        row = detail_rows_.emplace(key, NewRow(line, head.account_code())).first;
        groups_[group].details.push_back(row->second);
      }
      Fill(row->second, line, actual);
    }
  }

  std::vector<v1::FinancialReportRow> Rows() {
    std::vector<v1::FinancialReportRow> out;
    for (v1::Side side : {v1::SIDE_CHARGE, v1::SIDE_INCOME}) {
      for (size_t g : order_[side]) {
        if (groups_[g].head) out.push_back(Finish(*groups_[g].head));
        for (size_t d : groups_[g].details) out.push_back(Finish(d));
      }
    }
    return out;
  }

 private:
  struct RowGroup {
    absl::optional<size_t> head;
    std::vector<size_t> details;
  };

  size_t Group(v1::Side side, const std::string& key) {
    auto it = group_index_.find(key);
    if (it != group_index_.end()) return it->second;
    groups_.emplace_back();
    order_[side].push_back(groups_.size() - 1);
    group_index_[key] = groups_.size() - 1;
    return groups_.size() - 1;
  }

  size_t NewRow(const v1::BudgetLine& line, const std::string& chapter_code) {
    v1::FinancialReportRow row;
    row.set_side(line.side());
    row.set_account_code(line.is_chapter() || !line.account_code().empty()
                             ? line.account_code()
                             : line.effective_account_code());
    row.set_label(line.label());
    row.set_is_chapter(line.is_chapter());
    row.set_chapter_code(chapter_code);
    rows_.push_back(std::move(row));
    notes_.emplace_back();
    return rows_.size() - 1;
  }

  void Fill(size_t index, const v1::BudgetLine& line, bool actual) {
    v1::FinancialReportRow& row = rows_[index];
    int64_t sum = actual ? row.actual_cents() : row.forecast_cents();
    CheckedAdd(sum, line.amount_cents(), sum);
    if (actual) {
      row.set_actual_cents(sum);
      row.add_actual_lines(line.name());
    } else {
      row.set_forecast_cents(sum);
      row.add_forecast_lines(line.name());
    }
    if (!line.note().empty()) notes_[index][actual ? 1 : 0].push_back(line.note());
  }

  v1::FinancialReportRow Finish(size_t index) {
    v1::FinancialReportRow row = rows_[index];
    int64_t gap = Difference(row.actual_cents(), row.forecast_cents());
    row.set_gap_cents(gap);
    if (row.has_forecast_cents() && row.forecast_cents() != 0) {
      row.set_gap_basis_points(GapBasisPoints(gap, row.forecast_cents()));
    }
    const std::vector<std::string>& notes =
        notes_[index][1].empty() ? notes_[index][0] : notes_[index][1];
    std::string explanation;
    for (const std::string& note : notes) {
      absl::StrAppend(&explanation, explanation.empty() ? "" : " ; ", note);
    }
    row.set_explanation(explanation);
    return row;
  }

  std::vector<v1::FinancialReportRow> rows_;
  std::vector<std::array<std::vector<std::string>, 2>> notes_;  // forecast, actual notes
  std::vector<RowGroup> groups_;
  std::map<v1::Side, std::vector<size_t>> order_;
  std::map<std::string, size_t> group_index_;
  std::map<std::string, size_t> detail_rows_;
};

}  // namespace

std::vector<v1::FinancialReportRow> CompareForecastWithActual(
    const std::vector<v1::BudgetLine>& forecast, const std::vector<v1::BudgetLine>& actual) {
  Comparison comparison;
  comparison.Add(forecast, false);
  comparison.Add(actual, true);
  return comparison.Rows();
}

}  // namespace maillage::budget
