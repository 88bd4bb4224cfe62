// Server-side HTML rendering of the OpenAPI document.
#include "services/gateway/docs/docs_page.h"

#include <map>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/text/html.h"
#include "nlohmann/json.hpp"

namespace maillage::gateway {
namespace {

using nlohmann::json;
using text::HtmlEscape;

constexpr char kStyle[] = R"css(
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:64rem;padding:0 1rem;
color:#1d232a;line-height:1.4}
h1{margin-bottom:.2rem}h2{border-bottom:2px solid #d5dbe1;padding-bottom:.2rem;margin-top:2rem}
.op{border:1px solid #d5dbe1;border-radius:6px;margin:.8rem 0;padding:.6rem .8rem}
.verb{display:inline-block;min-width:4.5rem;font-weight:bold;font-family:monospace;
text-transform:uppercase}
.get{color:#1a6fb5}.post{color:#2e7d32}.patch{color:#a35d00}.put{color:#6a3da8}
.delete{color:#b3261e}
code{background:#f2f4f6;padding:0 .2rem;border-radius:3px}
table{border-collapse:collapse;margin:.4rem 0;font-size:.92rem}
td,th{border:1px solid #d5dbe1;padding:.2rem .5rem;text-align:left;vertical-align:top}
.muted{color:#5c6670;font-size:.9rem}
.text{white-space:pre-wrap}pre{background:#f2f4f6;padding:.4rem;overflow-x:auto;font-size:.85rem}
)css";

std::string StringOr(const json& object, const char* key, const std::string& fallback = "") {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : fallback;
}

// A description as HTML: escaped, its `code` spans (CommonMark's backticks, as the proto
// comments and the OpenAPI descriptions write them) shown as code. An unpaired backtick stays.
std::string Prose(absl::string_view text) {
  std::string html;
  size_t at = 0;
  while (at < text.size()) {
    const size_t open = text.find('`', at);
    const size_t close = open == absl::string_view::npos ? open : text.find('`', open + 1);
    if (close == absl::string_view::npos) break;
    absl::StrAppend(&html, HtmlEscape(text.substr(at, open - at)), "<code>",
                    HtmlEscape(text.substr(open + 1, close - open - 1)), "</code>");
    at = close + 1;
  }
  if (at < text.size()) absl::StrAppend(&html, HtmlEscape(text.substr(at)));
  return html;
}

// "Actor" (a link to its schema), "array of string", "map of Actor", "string (int64)".
std::string TypeOf(const json& schema) {
  if (!schema.is_object()) return "any";
  if (schema.contains("$ref")) {
    const std::string ref = StringOr(schema, "$ref");
    const std::string name = ref.substr(ref.rfind('/') + 1);
    return absl::StrCat("<a href=\"#schema-", HtmlEscape(name), "\">", HtmlEscape(name), "</a>");
  }
  if (schema.contains("allOf") && schema["allOf"].is_array() && !schema["allOf"].empty()) {
    return TypeOf(schema["allOf"][0]);
  }
  const std::string type = StringOr(schema, "type", "any");
  if (type == "array") return absl::StrCat("array of ", TypeOf(schema.value("items", json())));
  if (type == "object" && schema.contains("additionalProperties") &&
      schema["additionalProperties"].is_object()) {
    return absl::StrCat("map of ", TypeOf(schema["additionalProperties"]));
  }
  std::string text = HtmlEscape(type);
  if (schema.contains("format"))
    absl::StrAppend(&text, " (", HtmlEscape(StringOr(schema, "format")), ")");
  if (schema.value("nullable", false)) absl::StrAppend(&text, ", nullable");
  return text;
}

// The media types of a content object with the type of each.
std::string ContentOf(const json& content) {
  std::vector<std::string> parts;
  for (const auto& [media_type, media] : content.items()) {
    parts.push_back(absl::StrCat("<code>", HtmlEscape(media_type), "</code> ",
                                 TypeOf(media.value("schema", json()))));
  }
  return absl::StrJoin(parts, "; ");
}

void RenderOperation(const std::string& path, const std::string& verb, const json& operation,
                     std::string& html) {
  absl::StrAppend(&html, "<div class=\"op\" id=\"", HtmlEscape(StringOr(operation, "operationId")),
                  "\"><span class=\"verb ", HtmlEscape(verb), "\">", HtmlEscape(verb),
                  "</span> <code>", HtmlEscape(path), "</code> — ",
                  HtmlEscape(StringOr(operation, "summary")), "<div class=\"muted\">",
                  HtmlEscape(StringOr(operation, "operationId")), " · ",
                  HtmlEscape(StringOr(operation, "x-grpc-method")), "</div>");
  absl::StrAppend(&html, "<div class=\"text\">", Prose(StringOr(operation, "description")),
                  "</div>");
  if (operation.contains("parameters")) {
    absl::StrAppend(&html,
                    "<table><tr><th>parameter</th><th>in</th><th>type</th><th>required</th>"
                    "<th>description</th></tr>");
    for (const json& p : operation["parameters"]) {
      absl::StrAppend(&html, "<tr><td><code>", HtmlEscape(StringOr(p, "name")), "</code></td><td>",
                      HtmlEscape(StringOr(p, "in")), "</td><td>", TypeOf(p.value("schema", json())),
                      "</td><td>", p.value("required", false) ? "yes" : "", "</td><td>",
                      Prose(StringOr(p, "description")), "</td></tr>");
    }
    absl::StrAppend(&html, "</table>");
  }
  if (operation.contains("requestBody")) {
    absl::StrAppend(&html, "<div>Body: ",
                    ContentOf(operation["requestBody"].value("content", json::object())), "</div>");
  }
  const json& responses = operation.value("responses", json::object());
  if (responses.contains("200")) {
    absl::StrAppend(&html,
                    "<div>Response: ", ContentOf(responses["200"].value("content", json::object())),
                    "</div>");
  }
  // Errors by HTTP status, then an example of the request and of the response.
  absl::StrAppend(&html, "<details><summary>Errors</summary><table>");
  for (const auto& [status, response] : responses.items()) {
    if (status == "200" || status == "default") continue;
    absl::StrAppend(&html, "<tr><td>", HtmlEscape(status), "</td><td class=\"text\">",
                    Prose(StringOr(response, "description")), "</td></tr>");
  }
  absl::StrAppend(&html, "</table></details>");
  // By value: `value()` answers copies, so no pointer into them may outlive the statement.
  auto example_of = [](const json& content) -> json {
    for (const auto& [media_type, media] : content.items()) {
      if (media.contains("example")) return media["example"];
    }
    return nullptr;
  };
  const json request_example =
      operation.contains("requestBody")
          ? example_of(operation["requestBody"].value("content", json::object()))
          : json(nullptr);
  const json response_example = responses.contains("200")
                                    ? example_of(responses["200"].value("content", json::object()))
                                    : json(nullptr);
  for (const auto& [label, example] :
       {std::pair<const char*, const json*>{"request", &request_example},
        {"response", &response_example}}) {
    if (example->is_null()) continue;
    absl::StrAppend(&html, "<details><summary>Example ", label, "</summary><pre>",
                    HtmlEscape(example->dump(2)), "</pre></details>");
  }
  absl::StrAppend(&html, "</div>\n");
}

void RenderSchema(const std::string& name, const json& schema, std::string& html) {
  absl::StrAppend(&html, "<h3 id=\"schema-", HtmlEscape(name), "\">", HtmlEscape(name), "</h3>");
  if (schema.contains("enum")) {
    std::vector<std::string> values;
    for (const json& v : schema["enum"]) values.push_back(HtmlEscape(v.dump()));
    absl::StrAppend(&html, "<p>One of: <code>", absl::StrJoin(values, "</code>, <code>"),
                    "</code></p>\n");
    return;
  }
  const json properties = schema.value("properties", json::object());
  if (properties.empty()) {
    absl::StrAppend(&html, "<p>", TypeOf(schema), "</p>\n");
    return;
  }
  absl::StrAppend(&html, "<table><tr><th>field</th><th>type</th><th>notes</th></tr>");
  for (const auto& [field, field_schema] : properties.items()) {
    std::string notes = Prose(StringOr(field_schema, "description"));
    if (field_schema.value("readOnly", false)) notes = absl::StrCat("output only. ", notes);
    absl::StrAppend(&html, "<tr><td><code>", HtmlEscape(field), "</code></td><td>",
                    TypeOf(field_schema), "</td><td>", notes, "</td></tr>");
  }
  absl::StrAppend(&html, "</table>\n");
}

}  // namespace

std::string RenderDocsPage(absl::string_view openapi_json) {
  const json document = json::parse(openapi_json.begin(), openapi_json.end(), nullptr, false);
  const json info = document.is_object() ? document.value("info", json::object()) : json();
  const std::string title = info.is_object() ? StringOr(info, "title", "API") : "API";
  std::string html =
      absl::StrCat("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>",
                   HtmlEscape(title), " API</title><style>", kStyle, "</style></head><body>\n");
  if (!document.is_object()) {
    absl::StrAppend(&html, "<p>The API description is not available.</p></body></html>\n");
    return html;
  }
  absl::StrAppend(&html, "<h1>", HtmlEscape(title), " ", HtmlEscape(StringOr(info, "version")),
                  "</h1><p>", Prose(StringOr(info, "description")),
                  "</p><p class=\"muted\">Machine-readable: <a href=\"/openapi.json\">"
                  "/openapi.json</a> (OpenAPI ",
                  HtmlEscape(StringOr(document, "openapi")),
                  "). Every request needs an API key in the <code>x-api-key</code> header or as "
                  "<code>Authorization: Bearer &lt;key&gt;</code>. The contract: "
                  "<a href=\"/v1/contract\">/v1/contract</a> (descriptor set with comments, "
                  ".proto files; gRPC reflection on the gRPC port). "
                  "Errors use the <a href=\"#schema-Error\">Error</a> envelope.</p>\n");

  std::map<std::string, std::string> tag_description;
  const json tags = document.value("tags", json::array());
  for (const json& tag : tags) {
    tag_description[StringOr(tag, "name")] = StringOr(tag, "description");
  }
  struct Entry {
    std::string path;
    std::string verb;
    const json* operation;
  };
  std::map<std::string, std::vector<Entry>> by_tag;  // in path then verb order
  const json paths = document.value("paths", json::object());
  for (const auto& [path, item] : paths.items()) {
    for (const auto& [verb, operation] : item.items()) {
      const json operation_tags = operation.value("tags", json::array());
      const std::string tag =
          operation_tags.empty() ? "other" : operation_tags[0].get<std::string>();
      by_tag[tag].push_back({path, verb, &operation});
    }
  }
  absl::StrAppend(&html, "<p>");
  std::vector<std::string> index;
  for (const auto& [tag, entries] : by_tag) {
    index.push_back(absl::StrCat("<a href=\"#tag-", HtmlEscape(tag), "\">", HtmlEscape(tag),
                                 "</a> (", entries.size(), ")"));
  }
  absl::StrAppend(&html, absl::StrJoin(index, " · "), " · <a href=\"#schemas\">schemas</a></p>\n");
  for (const auto& [tag, entries] : by_tag) {
    absl::StrAppend(&html, "<h2 id=\"tag-", HtmlEscape(tag), "\">", HtmlEscape(tag),
                    " <span class=\"muted\">", Prose(tag_description[tag]), "</span></h2>\n");
    for (const Entry& entry : entries) {
      RenderOperation(entry.path, entry.verb, *entry.operation, html);
    }
  }
  absl::StrAppend(&html, "<h2 id=\"schemas\">Schemas</h2>\n");
  const json components = document.value("components", json::object());
  const json schemas = components.value("schemas", json::object());
  for (const auto& [name, schema] : schemas.items()) {
    RenderSchema(name, schema, html);
  }
  absl::StrAppend(&html, "</body></html>\n");
  return html;
}

}  // namespace maillage::gateway
