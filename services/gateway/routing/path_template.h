// google.api.http path templates: parsing, matching a URL path, binding variables.
//
//   Template = "/" Segments [ ":" Verb ]
//   Segment  = LITERAL | "*" | "**" | "{" field.path [ "=" Segments ] "}"
//
//   absl::StatusOr<PathTemplate> t = PathTemplate::Parse("/v1/{name=shelves/*/books/*}:archive");
//   std::vector<absl::string_view> segments = SplitPath("/v1/shelves/1/books/b%202:archive");
//   std::optional<std::vector<VariableBinding>> b = t->Match(segments);
//   // b: {{"name", "shelves/1/books/b 2"}}
//
// `*` matches one non-empty segment, `**` zero or more segments (only as the last segment), a
// variable without a pattern one segment. Bound values are percent-decoded; a value spanning
// several segments keeps "%2F" encoded, as the google.api.http rules require.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace maillage::gateway {

// A request field (dotted proto field names) and the value the path gives it.
struct VariableBinding {
  std::string field_path;
  std::string value;
};

// The raw (still percent-encoded) segments of a URL path such as "/v1/shelves/1"; the views
// point into `path`. A path that does not start with '/' has no segments (it matches nothing).
std::vector<absl::string_view> SplitPath(absl::string_view path);

// `text` with its %XX escapes decoded; when `keep_encoded_slash`, "%2F" and "%2f" stay as they
// are. Malformed escapes are kept verbatim.
std::string PercentDecode(absl::string_view text, bool keep_encoded_slash = false);

class PathTemplate {
 public:
  enum class SegmentKind { kLiteral, kWildcard, kDoubleWildcard };
  struct Segment {
    SegmentKind kind;
    std::string literal;  // for kLiteral
  };
  // A variable covers the template segments [begin, end).
  struct Variable {
    std::string field_path;
    size_t begin;
    size_t end;
  };

  // The template of `text`; INVALID_ARGUMENT naming the problem when it breaks the grammar
  // above (no leading '/', empty segment, `**` before the last segment, unbalanced or nested
  // braces, bad field path, a field bound twice, an empty verb).
  static absl::StatusOr<PathTemplate> Parse(absl::string_view text);

  // The variable bindings when `segments` (from SplitPath) match this template, else nullopt.
  std::optional<std::vector<VariableBinding>> Match(
      const std::vector<absl::string_view>& segments) const;

  // true when this template should be tried before `other` for a path both match: a template
  // with a verb first, then segment by segment literal before `*` before `**`, then the longer.
  bool MoreSpecificThan(const PathTemplate& other) const;

  // The template with its variables replaced by their patterns ("/v1/shelves/*:archive"): two
  // templates with the same shape match the same paths.
  std::string Shape() const;

  const std::string& text() const { return text_; }
  const std::string& verb() const { return verb_; }
  const std::vector<Segment>& segments() const { return segments_; }
  const std::vector<Variable>& variables() const { return variables_; }

 private:
  PathTemplate() = default;

  std::string text_;
  std::vector<Segment> segments_;
  std::vector<Variable> variables_;
  std::string verb_;
};

}  // namespace maillage::gateway
