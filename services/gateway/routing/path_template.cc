// Parsing and matching of google.api.http path templates.
#include "services/gateway/routing/path_template.h"

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace maillage::gateway {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsIdentifier(absl::string_view s) {
  if (s.empty() || absl::ascii_isdigit(s[0])) return false;
  for (char c : s) {
    if (!absl::ascii_isalnum(c) && c != '_') return false;
  }
  return true;
}

// Characters that end a literal segment (or a verb) in a template.
bool IsTemplateSyntax(char c) {
  return c == '/' || c == '{' || c == '}' || c == '*' || c == ':' || c == '=';
}

// A recursive-descent reader of one template; every error names the template and position.
class TemplateReader {
 public:
  explicit TemplateReader(absl::string_view text) : text_(text) {}

  absl::Status Read(std::vector<PathTemplate::Segment>& segments,
                    std::vector<PathTemplate::Variable>& variables, std::string& verb) {
    if (!Consume('/')) return Error("must start with '/'");
    while (true) {
      if (AtEnd()) return Error("empty segment");
      if (Peek() == '{') {
        absl::Status s = ReadVariable(segments, variables);
        if (!s.ok()) return s;
      } else {
        absl::Status s = ReadSegment(segments);
        if (!s.ok()) return s;
      }
      if (AtEnd()) break;
      if (Consume('/')) continue;
      if (Consume(':')) {
        size_t start = pos_;
        while (!AtEnd() && !IsTemplateSyntax(Peek())) ++pos_;
        if (pos_ == start || !AtEnd())
          return Error("a verb must be a non-empty literal at the end");
        verb = std::string(text_.substr(start));
        break;
      }
      return Error(absl::StrCat("unexpected '", text_.substr(pos_, 1), "'"));
    }
    for (size_t i = 0; i + 1 < segments.size(); ++i) {
      if (segments[i].kind == PathTemplate::SegmentKind::kDoubleWildcard) {
        return Error("'**' is allowed only as the last segment");
      }
    }
    for (size_t i = 0; i < variables.size(); ++i) {
      for (size_t j = 0; j < i; ++j) {
        if (variables[i].field_path == variables[j].field_path) {
          return Error(absl::StrCat("field ", variables[i].field_path, " bound twice"));
        }
      }
    }
    return absl::OkStatus();
  }

 private:
  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek() const { return text_[pos_]; }
  bool Consume(char c) {
    if (AtEnd() || Peek() != c) return false;
    ++pos_;
    return true;
  }
  absl::Status Error(absl::string_view problem) const {
    return absl::InvalidArgumentError(
        absl::StrCat("path template \"", text_, "\" at offset ", pos_, ": ", problem));
  }

  // LITERAL, "*" or "**".
  absl::Status ReadSegment(std::vector<PathTemplate::Segment>& segments) {
    if (Consume('*')) {
      bool twice = Consume('*');
      segments.push_back({twice ? PathTemplate::SegmentKind::kDoubleWildcard
                                : PathTemplate::SegmentKind::kWildcard,
                          ""});
      return absl::OkStatus();
    }
    size_t start = pos_;
    while (!AtEnd() && !IsTemplateSyntax(Peek())) ++pos_;
    if (pos_ == start) return Error("empty segment");
    segments.push_back(
        {PathTemplate::SegmentKind::kLiteral, std::string(text_.substr(start, pos_ - start))});
    return absl::OkStatus();
  }

  // "{" field.path [ "=" Segments ] "}".
  absl::Status ReadVariable(std::vector<PathTemplate::Segment>& segments,
                            std::vector<PathTemplate::Variable>& variables) {
    Consume('{');
    size_t start = pos_;
    while (!AtEnd() && Peek() != '=' && Peek() != '}') ++pos_;
    std::string field_path(text_.substr(start, pos_ - start));
    for (absl::string_view part : absl::StrSplit(field_path, '.')) {
      if (!IsIdentifier(part)) return Error(absl::StrCat("bad field path \"", field_path, "\""));
    }
    PathTemplate::Variable variable{field_path, segments.size(), 0};
    if (Consume('=')) {
      while (true) {
        if (AtEnd() || Peek() == '{') return Error("variables cannot nest");
        absl::Status s = ReadSegment(segments);
        if (!s.ok()) return s;
        if (Consume('/')) continue;
        break;
      }
    } else {
      segments.push_back({PathTemplate::SegmentKind::kWildcard, ""});
    }
    if (!Consume('}')) return Error("missing '}'");
    variable.end = segments.size();
    variables.push_back(std::move(variable));
    return absl::OkStatus();
  }

  absl::string_view text_;
  size_t pos_ = 0;
};

int Rank(PathTemplate::SegmentKind kind) {
  switch (kind) {
    case PathTemplate::SegmentKind::kLiteral:
      return 0;
    case PathTemplate::SegmentKind::kWildcard:
      return 1;
    case PathTemplate::SegmentKind::kDoubleWildcard:
      return 2;
  }
  return 3;
}

bool SegmentMatches(const PathTemplate::Segment& segment, absl::string_view raw) {
  switch (segment.kind) {
    case PathTemplate::SegmentKind::kLiteral:
      if (raw.find('%') == absl::string_view::npos) return raw == segment.literal;
      return PercentDecode(raw) == segment.literal;
    case PathTemplate::SegmentKind::kWildcard:
      return !raw.empty();
    case PathTemplate::SegmentKind::kDoubleWildcard:
      return true;
  }
  return false;
}

}  // namespace

std::vector<absl::string_view> SplitPath(absl::string_view path) {
  if (!absl::ConsumePrefix(&path, "/")) return {};
  return absl::StrSplit(path, '/');
}

std::string PercentDecode(absl::string_view text, bool keep_encoded_slash) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      int high = HexValue(text[i + 1]);
      int low = HexValue(text[i + 2]);
      if (high >= 0 && low >= 0) {
        char decoded = static_cast<char>(high * 16 + low);
        if (!(keep_encoded_slash && decoded == '/')) {
          out.push_back(decoded);
          i += 2;
          continue;
        }
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

absl::StatusOr<PathTemplate> PathTemplate::Parse(absl::string_view text) {
  PathTemplate t;
  t.text_ = std::string(text);
  absl::Status status = TemplateReader(text).Read(t.segments_, t.variables_, t.verb_);
  if (!status.ok()) return status;
  return t;
}

std::optional<std::vector<VariableBinding>> PathTemplate::Match(
    const std::vector<absl::string_view>& path) const {
  if (path.empty()) return std::nullopt;
  const size_t count = path.size();
  absl::string_view last = path.back();
  if (!verb_.empty()) {
    if (last.size() <= verb_.size() || last[last.size() - verb_.size() - 1] != ':' ||
        !absl::EndsWith(last, verb_)) {
      return std::nullopt;
    }
    last.remove_suffix(verb_.size() + 1);
  }
  auto raw = [&](size_t i) { return i + 1 == count ? last : path[i]; };

  const bool open_ended =
      !segments_.empty() && segments_.back().kind == SegmentKind::kDoubleWildcard;
  const size_t fixed = open_ended ? segments_.size() - 1 : segments_.size();
  if (open_ended ? count < fixed : count != fixed) return std::nullopt;
  for (size_t i = 0; i < fixed; ++i) {
    if (!SegmentMatches(segments_[i], raw(i))) return std::nullopt;
  }

  std::vector<VariableBinding> bindings;
  bindings.reserve(variables_.size());
  for (const Variable& v : variables_) {
    const size_t end = (open_ended && v.end == segments_.size()) ? count : v.end;
    std::string joined;
    for (size_t i = v.begin; i < end; ++i) {
      if (i > v.begin) joined.push_back('/');
      absl::StrAppend(&joined, raw(i));
    }
    const bool one_segment =
        v.end - v.begin == 1 && segments_[v.begin].kind == SegmentKind::kWildcard;
    bindings.push_back({v.field_path, PercentDecode(joined, /*keep_encoded_slash=*/!one_segment)});
  }
  return bindings;
}

bool PathTemplate::MoreSpecificThan(const PathTemplate& other) const {
  if (verb_.empty() != other.verb_.empty()) return !verb_.empty();
  const size_t n = std::min(segments_.size(), other.segments_.size());
  for (size_t i = 0; i < n; ++i) {
    int mine = Rank(segments_[i].kind);
    int theirs = Rank(other.segments_[i].kind);
    if (mine != theirs) return mine < theirs;
  }
  return segments_.size() > other.segments_.size();
}

std::string PathTemplate::Shape() const {
  std::string out;
  for (const Segment& s : segments_) {
    out.push_back('/');
    switch (s.kind) {
      case SegmentKind::kLiteral:
        out += s.literal;
        break;
      case SegmentKind::kWildcard:
        out += "*";
        break;
      case SegmentKind::kDoubleWildcard:
        out += "**";
        break;
    }
  }
  if (!verb_.empty()) absl::StrAppend(&out, ":", verb_);
  return out;
}

}  // namespace maillage::gateway
