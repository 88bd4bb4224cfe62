// The chart of accounts budget lines are coded against: the association chart (règlement ANC
// 2018-06), classes 6 and 7 and the voluntary contributions 86/87, read from the reference
// file embedded in the binary (reference/pca_2018_accounts.csv), with the label hints that
// tell where a line's label belongs.
#pragma once

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "maillage/budget/v1/account.pb.h"

namespace maillage::budget {

class ChartOfAccounts {
 public:
  // The embedded PCA 2018 chart (parsed once; the file is checked by the tests).
  static const ChartOfAccounts& Pca2018();

  // Parses "code,label,side" rows (side "charge" or "produit"). Rows that cannot be read are
  // skipped; the tests check that the embedded file has none.
  static ChartOfAccounts FromCsv(absl::string_view csv, absl::string_view chart_name);

  // The account with this exact code, or null.
  const v1::Account* Find(absl::string_view code) const;
  // Every account in code order.
  const std::vector<v1::Account>& accounts() const { return accounts_; }

  // The account of `side` whose own label is `label` (accents, case and surrounding spaces
  // ignored) when there is one; otherwise the accounts of `side` whose label hints occur in
  // `label` (at the start of a word), in chart order.
  std::vector<const v1::Account*> SuggestFor(absl::string_view label, v1::Side side) const;

 private:
  std::vector<v1::Account> accounts_;
};

// `text` lower-cased with the accents of French letters removed ("Électricité" →
// "electricite", "œ" → "oe"), for matching labels.
std::string FoldLabel(absl::string_view text);

// The two-digit chapter of a code ("641" → "64"); the code itself when shorter.
std::string ChapterOf(absl::string_view code);

// SIDE_CHARGE for codes of class 6 and 86, SIDE_INCOME for class 7 and 87, else unspecified.
v1::Side SideOfCode(absl::string_view code);

}  // namespace maillage::budget
