#include "common/api/filter.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"

namespace maillage::api {
namespace {

constexpr size_t kMaxFilterBytes = 4096;
constexpr int kMaxDepth = 32;

struct Token {
  enum class Kind { kEnd, kLParen, kRParen, kOp, kWord, kString, kMinus };
  Kind kind = Kind::kEnd;
  std::string text;
  size_t pos = 0;
};

bool IsOpChar(char c) { return c == '=' || c == '!' || c == '<' || c == '>' || c == ':'; }
bool IsWordBreak(char c) {
  return absl::ascii_isspace(static_cast<unsigned char>(c)) || c == '(' || c == ')' ||
         IsOpChar(c) || c == '"' || c == '\'';
}

bool IsValueBreak(char c) {
  return absl::ascii_isspace(static_cast<unsigned char>(c)) || c == '(' || c == ')';
}

class Lexer {
 public:
  Lexer(absl::string_view text, absl::string_view domain) : text_(text), domain_(domain) {}

  absl::StatusOr<std::vector<Token>> Tokens() {
    std::vector<Token> tokens;
    while (true) {
      while (pos_ < text_.size() && absl::ascii_isspace(static_cast<unsigned char>(text_[pos_]))) {
        ++pos_;
      }
      Token t;
      t.pos = pos_;
      if (pos_ >= text_.size()) {
        tokens.push_back(t);
        return tokens;
      }
      char c = text_[pos_];
      if (c == '(') {
        t.kind = Token::Kind::kLParen;
        ++pos_;
      } else if (c == ')') {
        t.kind = Token::Kind::kRParen;
        ++pos_;
      } else if (c == '"' || c == '\'') {
        MAILLAGE_ASSIGN_OR_RETURN(t.text, QuotedString(c));
        t.kind = Token::Kind::kString;
      } else if (IsOpChar(c)) {
        t.kind = Token::Kind::kOp;
        t.text = std::string(1, c);
        ++pos_;
        if (pos_ < text_.size() && text_[pos_] == '=' && c != '=' && c != ':') {
          t.text.push_back('=');
          ++pos_;
        }
        if (t.text == "!") return Error(t.pos, "'!' must be followed by '='");
      } else if (c == '-' && (tokens.empty() || tokens.back().kind != Token::Kind::kOp)) {
        t.kind = Token::Kind::kMinus;
        ++pos_;
      } else {
        // A value (the word after an operator) runs to the next space or parenthesis, so
        // that times such as 2023-02-01T10:00:00+01:00 need no quotes.
        bool value = !tokens.empty() && tokens.back().kind == Token::Kind::kOp;
        size_t start = pos_;
        while (pos_ < text_.size() &&
               !(value ? IsValueBreak(text_[pos_]) : IsWordBreak(text_[pos_]))) {
          ++pos_;
        }
        t.kind = Token::Kind::kWord;
        t.text = std::string(text_.substr(start, pos_ - start));
      }
      tokens.push_back(std::move(t));
    }
  }

  absl::Status Error(size_t pos, absl::string_view what) const {
    return InvalidField(domain_, "filter", absl::StrCat(what, " (at character ", pos + 1, ")"));
  }

 private:
  absl::StatusOr<std::string> QuotedString(char quote) {
    size_t start = pos_++;
    std::string out;
    while (pos_ < text_.size()) {
      char c = text_[pos_++];
      if (c == quote) return out;
      if (c == '\\' && pos_ < text_.size()) c = text_[pos_++];
      out.push_back(c);
    }
    return Error(start, "unterminated string");
  }

  absl::string_view text_;
  absl::string_view domain_;
  size_t pos_ = 0;
};

class Parser {
 public:
  Parser(std::vector<Token> tokens, const Lexer& lexer)
      : tokens_(std::move(tokens)), lexer_(lexer) {}

  absl::StatusOr<FilterNode> Parse() {
    if (Peek().kind == Token::Kind::kEnd) return FilterNode{};
    MAILLAGE_ASSIGN_OR_RETURN(FilterNode node, Expression(0));
    if (Peek().kind != Token::Kind::kEnd) {
      return lexer_.Error(Peek().pos, "unexpected text; combine conditions with AND or OR");
    }
    return node;
  }

 private:
  const Token& Peek() const { return tokens_[index_]; }
  const Token& Next() { return tokens_[index_++]; }
  bool PeekKeyword(absl::string_view word) const {
    return Peek().kind == Token::Kind::kWord && Peek().text == word;
  }

  static FilterNode Combine(FilterNode::Kind kind, std::vector<FilterNode> children) {
    if (children.size() == 1) return std::move(children[0]);
    FilterNode node;
    node.kind = kind;
    node.children = std::move(children);
    return node;
  }

  bool StartsTerm() const {
    const Token& t = Peek();
    return t.kind == Token::Kind::kLParen || t.kind == Token::Kind::kMinus ||
           (t.kind == Token::Kind::kWord && t.text != "AND" && t.text != "OR");
  }

  absl::StatusOr<FilterNode> Expression(int depth) {
    if (depth > kMaxDepth) return lexer_.Error(Peek().pos, "filter nested too deeply");
    std::vector<FilterNode> parts;
    MAILLAGE_ASSIGN_OR_RETURN(FilterNode first, Sequence(depth));
    parts.push_back(std::move(first));
    while (PeekKeyword("AND")) {
      Next();
      MAILLAGE_ASSIGN_OR_RETURN(FilterNode more, Sequence(depth));
      parts.push_back(std::move(more));
    }
    return Combine(FilterNode::Kind::kAnd, std::move(parts));
  }

  absl::StatusOr<FilterNode> Sequence(int depth) {
    std::vector<FilterNode> parts;
    MAILLAGE_ASSIGN_OR_RETURN(FilterNode first, Factor(depth));
    parts.push_back(std::move(first));
    while (StartsTerm()) {
      MAILLAGE_ASSIGN_OR_RETURN(FilterNode more, Factor(depth));
      parts.push_back(std::move(more));
    }
    return Combine(FilterNode::Kind::kAnd, std::move(parts));
  }

  absl::StatusOr<FilterNode> Factor(int depth) {
    std::vector<FilterNode> parts;
    MAILLAGE_ASSIGN_OR_RETURN(FilterNode first, Term(depth));
    parts.push_back(std::move(first));
    while (PeekKeyword("OR")) {
      Next();
      MAILLAGE_ASSIGN_OR_RETURN(FilterNode more, Term(depth));
      parts.push_back(std::move(more));
    }
    return Combine(FilterNode::Kind::kOr, std::move(parts));
  }

  absl::StatusOr<FilterNode> Term(int depth) {
    if (PeekKeyword("NOT") || Peek().kind == Token::Kind::kMinus) {
      Next();
      MAILLAGE_ASSIGN_OR_RETURN(FilterNode inner, Simple(depth + 1));
      FilterNode node;
      node.kind = FilterNode::Kind::kNot;
      node.children.push_back(std::move(inner));
      return node;
    }
    return Simple(depth);
  }

  absl::StatusOr<FilterNode> Simple(int depth) {
    if (depth > kMaxDepth) return lexer_.Error(Peek().pos, "filter nested too deeply");
    if (Peek().kind == Token::Kind::kLParen) {
      Next();
      MAILLAGE_ASSIGN_OR_RETURN(FilterNode inner, Expression(depth + 1));
      if (Peek().kind != Token::Kind::kRParen) return lexer_.Error(Peek().pos, "missing ')'");
      Next();
      return inner;
    }
    const Token& field = Next();
    if (field.kind != Token::Kind::kWord) {
      return lexer_.Error(field.pos, "expected a field name");
    }
    const Token& op = Next();
    if (op.kind != Token::Kind::kOp) {
      return lexer_.Error(
          op.pos,
          absl::StrCat("expected an operator (=, !=, <, <=, >, >=, :) after '", field.text, "'"));
    }
    const Token& value = Next();
    if (value.kind != Token::Kind::kWord && value.kind != Token::Kind::kString) {
      return lexer_.Error(value.pos,
                          absl::StrCat("expected a value after '", field.text, " ", op.text, "'"));
    }
    FilterNode node;
    node.kind = FilterNode::Kind::kCompare;
    node.field = field.text;
    node.op = op.text;
    node.value = value.text;
    return node;
  }

  std::vector<Token> tokens_;
  const Lexer& lexer_;
  size_t index_ = 0;
};

class SqlCompiler {
 public:
  SqlCompiler(const FilterSchema& schema, int first_param, absl::string_view domain)
      : schema_(schema), next_param_(first_param), domain_(domain) {}

  absl::StatusOr<std::string> Compile(const FilterNode& node) {
    switch (node.kind) {
      case FilterNode::Kind::kAnd:
      case FilterNode::Kind::kOr: {
        if (node.children.empty()) return std::string("TRUE");
        std::vector<std::string> parts;
        for (const FilterNode& child : node.children) {
          MAILLAGE_ASSIGN_OR_RETURN(std::string part, Compile(child));
          parts.push_back(std::move(part));
        }
        return absl::StrCat(
            "(", absl::StrJoin(parts, node.kind == FilterNode::Kind::kAnd ? " AND " : " OR "), ")");
      }
      case FilterNode::Kind::kNot: {
        MAILLAGE_ASSIGN_OR_RETURN(std::string inner, Compile(node.children.at(0)));
        return absl::StrCat("(NOT ", inner, ")");
      }
      case FilterNode::Kind::kCompare:
        return Comparison(node);
    }
    return std::string("TRUE");
  }

  std::vector<std::string> TakeParams() { return std::move(params_); }

 private:
  absl::Status Bad(absl::string_view what) const { return InvalidField(domain_, "filter", what); }

  std::string Param(std::string value, absl::string_view cast) {
    params_.push_back(std::move(value));
    return absl::StrCat("$", next_param_++, cast.empty() ? "" : "::", cast);
  }

  absl::StatusOr<std::string> Comparison(const FilterNode& node) {
    auto it = schema_.find(node.field);
    if (it == schema_.end()) {
      std::vector<std::string> known;
      for (const auto& [name, field] : schema_) known.push_back(name);
      return Bad(absl::StrCat("unknown field '", node.field,
                              "'; fields you can filter on: ", absl::StrJoin(known, ", ")));
    }
    const FilterField& field = it->second;
    const std::string& op = node.op;
    bool equality = op == "=" || op == "!=" || op == ":";
    std::string sql_op = op == ":" ? "=" : (op == "!=" ? "<>" : op);
    using Type = FilterField::Type;
    switch (field.type) {
      case Type::kString:
        return absl::StrCat(field.sql, " ", sql_op, " ", Param(node.value, "text"));
      case Type::kInt: {
        int64_t n = 0;
        if (!absl::SimpleAtoi(node.value, &n)) {
          return Bad(absl::StrCat("'", node.field, "' takes an integer, not '", node.value, "'"));
        }
        return absl::StrCat(field.sql, " ", sql_op, " ", Param(absl::StrCat(n), "bigint"));
      }
      case Type::kBool: {
        if (!equality) return Bad(absl::StrCat("'", node.field, "' takes only = or !="));
        if (node.value != "true" && node.value != "false") {
          return Bad(absl::StrCat("'", node.field, "' takes true or false"));
        }
        return absl::StrCat(field.sql, " ", sql_op, " ", Param(node.value, "boolean"));
      }
      case Type::kTimestamp: {
        absl::Time t;
        std::string err;
        if (!absl::ParseTime(absl::RFC3339_full, node.value, &t, &err)) {
          return Bad(absl::StrCat("'", node.field,
                                  "' takes an RFC 3339 time such as 2023-02-01T00:00:00Z"));
        }
        return absl::StrCat(
            field.sql, " ", sql_op, " ",
            Param(absl::FormatTime(absl::RFC3339_full, t, absl::UTCTimeZone()), "timestamptz"));
      }
      case Type::kEnum: {
        if (!equality) return Bad(absl::StrCat("'", node.field, "' takes only = or !="));
        absl::string_view name = node.value;
        absl::ConsumePrefix(&name, field.enum_prefix);
        if (std::find(field.enum_names.begin(), field.enum_names.end(), name) ==
            field.enum_names.end()) {
          return Bad(absl::StrCat("'", node.field, "' takes one of ",
                                  absl::StrJoin(field.enum_names, ", "), ", not '", node.value,
                                  "'"));
        }
        return absl::StrCat(field.sql, " ", sql_op, " ",
                            Param(absl::StrCat(field.enum_prefix, name), "text"));
      }
      case Type::kStringList: {
        if (op != ":" && op != "=" && op != "!=") {
          return Bad(absl::StrCat("'", node.field, "' is a list: use ':' (contains)"));
        }
        std::string test = absl::StrCat(Param(node.value, "text"), " = ANY(", field.sql, ")");
        return op == "!=" ? absl::StrCat("NOT (", test, ")") : test;
      }
    }
    return Bad("unsupported field type");
  }

  const FilterSchema& schema_;
  int next_param_;
  absl::string_view domain_;
  std::vector<std::string> params_;
};

}  // namespace

absl::StatusOr<FilterNode> ParseFilter(absl::string_view text, absl::string_view domain) {
  if (text.size() > kMaxFilterBytes) {
    return InvalidField(domain, "filter", absl::StrCat("longer than ", kMaxFilterBytes, " bytes"));
  }
  Lexer lexer(text, domain);
  MAILLAGE_ASSIGN_OR_RETURN(std::vector<Token> tokens, lexer.Tokens());
  Parser parser(std::move(tokens), lexer);
  return parser.Parse();
}

absl::StatusOr<SqlCondition> CompileFilter(absl::string_view text, const FilterSchema& schema,
                                           int first_param, absl::string_view domain) {
  MAILLAGE_ASSIGN_OR_RETURN(FilterNode node, ParseFilter(text, domain));
  SqlCompiler compiler(schema, first_param, domain);
  SqlCondition out;
  MAILLAGE_ASSIGN_OR_RETURN(out.sql, compiler.Compile(node));
  out.params = compiler.TakeParams();
  return out;
}

absl::StatusOr<OrderBy> ParseOrderBy(absl::string_view text, const SortSchema& schema,
                                     absl::string_view default_field, absl::string_view domain) {
  std::vector<std::string> words =
      absl::StrSplit(absl::StripAsciiWhitespace(text), ' ', absl::SkipEmpty());
  OrderBy order;
  if (words.empty()) {
    order.field = std::string(default_field);
  } else if (words.size() <= 2) {
    order.field = words[0];
    if (words.size() == 2) {
      std::string direction = absl::AsciiStrToLower(words[1]);
      if (direction != "asc" && direction != "desc") {
        return InvalidField(domain, "order_by", "direction must be asc or desc");
      }
      order.descending = direction == "desc";
    }
  } else {
    return InvalidField(domain, "order_by", "takes one field, optionally followed by asc or desc");
  }
  auto it = schema.find(order.field);
  if (it == schema.end()) {
    std::vector<std::string> known;
    for (const auto& [name, field] : schema) known.push_back(name);
    return InvalidField(domain, "order_by",
                        absl::StrCat("cannot order by '", order.field,
                                     "'; fields you can order by: ", absl::StrJoin(known, ", ")));
  }
  order.sort = it->second;
  return order;
}

KeysetClause MakeKeysetClause(const OrderBy& order, absl::string_view id_sql,
                              const PageCursor& cursor, int first_param) {
  KeysetClause clause;
  const char* direction = order.descending ? "DESC" : "ASC";
  clause.order_by = absl::StrCat(order.sort.sql, " ", direction, ", ", id_sql, " ", direction);
  if (cursor.keys.size() != 2) {
    clause.where = "TRUE";
    return clause;
  }
  clause.where =
      absl::StrCat("(", order.sort.sql, ", ", id_sql, ") ", order.descending ? "<" : ">", " ($",
                   first_param, "::", order.sort.sql_type, ", $", first_param + 1, "::bigint)");
  clause.params = cursor.keys;
  return clause;
}

absl::Status CheckKeysetCursor(const PageCursor& cursor, absl::string_view domain) {
  int64_t id = 0;
  if (cursor.keys.size() != 2 || !absl::SimpleAtoi(cursor.keys[1], &id)) {
    return InvalidField(domain, "page_token", "not a page token returned by this API");
  }
  return absl::OkStatus();
}

}  // namespace maillage::api
