// Fuzzes the AIP-160 filter parser and compiler (common/api/filter.h) and ParseOrderBy: any
// text either compiles to SQL whose only user-controlled parts are $n parameters, or is
// refused with INVALID_ARGUMENT naming "filter" / "order_by". Never a crash, a hang or UB.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "common/api/filter.h"
#include "fuzz/fuzz_check.h"

namespace {

using maillage::api::FilterField;
using maillage::api::FilterSchema;
using maillage::api::SortSchema;

constexpr absl::string_view kDomain = "fuzz.maillage";

const FilterSchema& Schema() {
  using T = FilterField::Type;
  static const auto* const schema = new FilterSchema{
      {"commune", {"a.insee_code", T::kString}},
      {"state", {"a.state", T::kEnum, "ACTOR_STATE_", {"ACTIVE", "ARCHIVED"}}},
      {"network_category", {"a.network_categories", T::kStringList}},
      {"has_siret", {"(a.siret <> '')", T::kBool}},
      {"revision", {"a.revision", T::kInt}},
      {"update_time", {"a.update_time", T::kTimestamp}},
      {"address.city", {"a.city", T::kString}},
  };
  return *schema;
}

const SortSchema& Sorts() {
  static const auto* const sorts = new SortSchema{
      {"display_name", {"a.display_name", "text"}},
      {"update_time", {"a.update_time", "timestamptz"}},
  };
  return *sorts;
}

// The SQL may only be made of the schema's trusted text, operators, a few keywords and $n
// parameters: once the schema's SQL is taken out, no other word is left (no byte of a value).
void CheckOnlyTrustedSql(const std::string& sql) {
  std::string rest = sql;
  for (const auto& [name, field] : Schema()) rest = absl::StrReplaceAll(rest, {{field.sql, " "}});
  static const auto* const kWords = new std::set<std::string>{
      "AND", "OR", "NOT", "ANY", "TRUE", "text", "bigint", "boolean", "timestamptz"};
  for (absl::string_view word :
       absl::StrSplit(rest, absl::ByAnyChar(" ()$=<>!:,"), absl::SkipEmpty())) {
    const bool number = word.find_first_not_of("0123456789") == absl::string_view::npos;
    MAILLAGE_FUZZ_CHECK(number || kWords->count(std::string(word)) == 1,
                        absl::StrCat("'", word, "' in ", sql));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view text(reinterpret_cast<const char*>(data), size);

  auto tree = maillage::api::ParseFilter(text, kDomain);
  if (!tree.ok()) maillage::fuzz::CheckRefusalNamesField(tree.status(), "filter");

  auto compiled = maillage::api::CompileFilter(text, Schema(), 3, kDomain);
  if (compiled.ok()) {
    MAILLAGE_FUZZ_CHECK(tree.ok(), "compiled a filter the parser refuses");
    MAILLAGE_FUZZ_CHECK(!compiled->sql.empty(), std::string(text));
    // Parameters are numbered from 3 without gaps.
    for (size_t i = 0; i < compiled->params.size(); ++i) {
      MAILLAGE_FUZZ_CHECK(absl::StrContains(compiled->sql, absl::StrCat("$", i + 3)),
                          compiled->sql);
    }
    MAILLAGE_FUZZ_CHECK(
        !absl::StrContains(compiled->sql, absl::StrCat("$", compiled->params.size() + 3)),
        compiled->sql);
    CheckOnlyTrustedSql(compiled->sql);
  } else {
    maillage::fuzz::CheckRefusalNamesField(compiled.status(), "filter");
  }

  auto order = maillage::api::ParseOrderBy(text, Sorts(), "display_name", kDomain);
  if (order.ok()) {
    MAILLAGE_FUZZ_CHECK(Sorts().count(order->field) == 1, order->field);
  } else {
    maillage::fuzz::CheckRefusalNamesField(order.status(), "order_by");
  }
  return 0;
}
