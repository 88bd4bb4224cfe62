// List filters (a documented subset of AIP-160) and ordering, turned into parameterised SQL.
// User text never becomes SQL: field names are looked up in a schema written in code, values
// travel as $n parameters.
//
// Grammar accepted:
//   filter      := expression
//   expression  := sequence { "AND" sequence }
//   sequence    := factor { factor }            (juxtaposition means AND)
//   factor      := term { "OR" term }           (OR binds tighter than AND, as in AIP-160)
//   term        := [ "NOT" | "-" ] simple
//   simple      := comparison | "(" expression ")"
//   comparison  := field op value
//   field       := name { "." name }
//   op          := "=" | "!=" | "<" | "<=" | ">" | ">=" | ":"
//   value       := "quoted string" | 'quoted' | bare word | number | true | false
// ":" ("has") tests membership in a list field (network_category: "culture"); on a scalar field
// it means "=". Enum values are written by name, with or without the enum prefix.
//
//   FilterSchema schema = {
//       {"state", {"a.state", FilterField::Type::kEnum, "ACTOR_STATE_", {"ACTIVE", "ARCHIVED"}}},
//       {"commune", {"a.insee_code", FilterField::Type::kString}},
//       {"network_category", {"a.network_categories", FilterField::Type::kStringList}},
//   };
//   MAILLAGE_ASSIGN_OR_RETURN(SqlCondition where, CompileFilter(req.filter(), schema, 1, kDomain));
//   // where.sql: "(a.state = $1 AND $2 = ANY(a.network_categories))", where.params: {...}
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/api/pagination.h"

namespace maillage::api {

// A parsed filter.
struct FilterNode {
  enum class Kind { kAnd, kOr, kNot, kCompare };
  Kind kind = Kind::kAnd;
  std::vector<FilterNode> children;  // kAnd, kOr: two or more; kNot: one
  std::string field;                 // kCompare
  std::string op;
  std::string value;
};

// The syntax tree of `text`; an empty filter is an kAnd without children. INVALID_ARGUMENT
// (field "filter") saying where the syntax breaks; texts over 4096 bytes or nested deeper
// than 32 levels are refused.
absl::StatusOr<FilterNode> ParseFilter(absl::string_view text, absl::string_view domain);

// A field clients may filter on.
struct FilterField {
  enum class Type { kString, kInt, kBool, kTimestamp, kEnum, kStringList };
  std::string sql;  // column or SQL expression (trusted: written in code)
  Type type = Type::kString;
  // kEnum: the stored values are "<enum_prefix><NAME>"; clients may write NAME or the full name.
  std::string enum_prefix;
  std::vector<std::string> enum_names;  // NAMEs without prefix
};
using FilterSchema = std::map<std::string, FilterField>;

struct SqlCondition {
  std::string sql;                  // "TRUE" for an empty filter
  std::vector<std::string> params;  // values of $first_param, $first_param+1, ...
};

// Parses `text` and compiles it against `schema` with parameters numbered from `first_param`.
// INVALID_ARGUMENT (field "filter") for an unknown field (listing the known ones), an operator
// the field's type does not support, or a value of the wrong type.
absl::StatusOr<SqlCondition> CompileFilter(absl::string_view text, const FilterSchema& schema,
                                           int first_param, absl::string_view domain);

// A field clients may order by. `sql` must not be NULL for any row (use COALESCE).
struct SortField {
  std::string sql;
  std::string sql_type;  // cast applied to the cursor parameter: "text", "timestamptz", "bigint"
};
using SortSchema = std::map<std::string, SortField>;

struct OrderBy {
  std::string field;
  SortField sort;
  bool descending = false;
};

// "display_name", "update_time desc": one field of `schema`, optionally "asc"/"desc".
// Empty → `default_field` ascending. INVALID_ARGUMENT (field "order_by") otherwise.
absl::StatusOr<OrderBy> ParseOrderBy(absl::string_view text, const SortSchema& schema,
                                     absl::string_view default_field, absl::string_view domain);

// Keyset pagination on (sort key, id): the condition that continues after `cursor` (TRUE for
// the first page), its parameters from `first_param`, and the ORDER BY clause. The cursor holds
// the last row's sort key then its id (see CursorOf).
struct KeysetClause {
  std::string where;
  std::vector<std::string> params;
  std::string order_by;  // without the words ORDER BY
};
KeysetClause MakeKeysetClause(const OrderBy& order, absl::string_view id_sql,
                              const PageCursor& cursor, int first_param);

// INVALID_ARGUMENT (field "page_token") when `cursor` does not hold exactly the two keys
// MakeKeysetClause expects.
absl::Status CheckKeysetCursor(const PageCursor& cursor, absl::string_view domain);

}  // namespace maillage::api
