// Tests of HTTP → request message transcoding and response → JSON printing, on the test-only
// BookshelfService routes.
#include "services/gateway/routing/transcoder.h"

#include <map>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "maillage/testing/v1/transcoding.pb.h"

using maillage::testing::IsOk;

namespace maillage::gateway {
namespace {

using maillage::testing::v1::ArchiveBookRequest;
using maillage::testing::v1::Book;
using maillage::testing::v1::CreateBookRequest;
using maillage::testing::v1::DeleteBookRequest;
using maillage::testing::v1::ListBooksRequest;
using maillage::testing::v1::TagBookRequest;
using maillage::testing::v1::UpdateBookRequest;
using maillage::testing::v1::UploadBookCoverRequest;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Query = std::multimap<std::string, std::string>;

class TranscoderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(Book::descriptor(), nullptr);  // links the test service's descriptors
    absl::StatusOr<RouteTable> table = RouteTable::Build({"maillage.testing.v1.BookshelfService"});
    ASSERT_THAT(table, IsOk()) << table.status();
    table_ = std::make_unique<RouteTable>(*std::move(table));
  }

  // The request message of `method` `path` with `query` and `body`, as message type T.
  template <typename T>
  absl::StatusOr<T> Transcode(const std::string& method, const std::string& path,
                              const Query& query = {}, const std::string& body = "",
                              const std::string& content_type = "application/json",
                              const HttpRequestParts& headers = {}) {
    RouteMatch match = table_->Lookup(method, path);
    EXPECT_EQ(match.outcome, RouteMatch::kMatched) << method << " " << path;
    if (match.outcome != RouteMatch::kMatched) return absl::NotFoundError(path);
    HttpRequestParts parts;
    parts.path_bindings = &match.bindings;
    parts.query = &query;
    parts.body = body;
    parts.content_type = content_type;
    parts.if_match = headers.if_match;
    parts.idempotency_key = headers.idempotency_key;
    absl::StatusOr<std::unique_ptr<google::protobuf::Message>> message =
        TranscodeRequest(*match.route, parts);
    if (!message.ok()) return message.status();
    T typed;
    typed.CopyFrom(**message);
    return typed;
  }

  std::unique_ptr<RouteTable> table_;
};

// Checks that `status` is the gateway's INVALID_ARGUMENT naming `field` with `reason`.
void ExpectBadField(const absl::Status& status, const std::string& reason,
                    const std::string& field) {
  ASSERT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  std::optional<google::rpc::ErrorInfo> info = GetErrorInfo(status);
  ASSERT_TRUE(info.has_value()) << status;
  EXPECT_EQ(info->reason(), reason) << status;
  EXPECT_EQ(info->domain(), "gateway.maillage");
  std::optional<google::rpc::BadRequest> bad_request = GetBadRequest(status);
  ASSERT_TRUE(bad_request.has_value()) << status;
  ASSERT_EQ(bad_request->field_violations_size(), 1);
  EXPECT_EQ(bad_request->field_violations(0).field(), field) << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr(field));
}

TEST_F(TranscoderTest, PathVariablesFillNestedFields) {
  absl::StatusOr<UpdateBookRequest> r =
      Transcode<UpdateBookRequest>("PATCH", "/v1/shelves/s%201/books/b2", {}, R"({"title":"T"})");
  ASSERT_THAT(r, IsOk()) << r.status();
  EXPECT_EQ(r->book().name(), "shelves/s 1/books/b2");
  EXPECT_EQ(r->book().title(), "T");
}

TEST_F(TranscoderTest, QueryParametersOfEveryKind) {
  const Query query = {
      {"pageSize", "25"},
      {"filter", "genre = ESSAY"},
      {"tags", "x"},
      {"tags", "y"},
      {"author.name", "Zola"},
      {"author.birthYear", "1840"},
      {"genre", "GENRE_ESSAY"},
      {"genres", "GENRE_NOVEL"},
      {"genres", "3"},
      {"availableOnly", "true"},
      {"min_pages", "9007199254740993"},
      {"maxPages", "18446744073709551615"},
      {"minRating", "4.5"},
      {"max_rating", "-2.25"},
      {"cursor", "AQID"},
      {"publishedAfter", "2023-01-02T03:04:05Z"},
      {"maxAge", "3.5s"},
      {"readMask", "title,author.name"},
      {"minYear", "1900"},
      {"years", "1"},
      {"years", "2"},
  };
  absl::StatusOr<ListBooksRequest> r =
      Transcode<ListBooksRequest>("GET", "/v1/shelves/s1/books", query);
  ASSERT_THAT(r, IsOk()) << r.status();
  EXPECT_EQ(r->parent(), "shelves/s1");
  EXPECT_EQ(r->page_size(), 25);
  EXPECT_EQ(r->filter(), "genre = ESSAY");
  EXPECT_THAT(r->tags(), ElementsAre("x", "y"));
  EXPECT_EQ(r->author().name(), "Zola");
  EXPECT_EQ(r->author().birth_year(), 1840);
  EXPECT_EQ(r->genre(), Book::GENRE_ESSAY);
  EXPECT_THAT(r->genres(), ElementsAre(Book::GENRE_NOVEL, Book::GENRE_POETRY));
  EXPECT_TRUE(r->available_only());
  EXPECT_EQ(r->min_pages(), 9007199254740993);
  EXPECT_EQ(r->max_pages(), 18446744073709551615u);
  EXPECT_DOUBLE_EQ(r->min_rating(), 4.5);
  EXPECT_FLOAT_EQ(r->max_rating(), -2.25f);
  EXPECT_EQ(r->cursor(), std::string("\x01\x02\x03"));
  EXPECT_EQ(google::protobuf::util::TimeUtil::ToString(r->published_after()),
            "2023-01-02T03:04:05Z");
  EXPECT_EQ(r->max_age().seconds(), 3);
  EXPECT_EQ(r->max_age().nanos(), 500000000);
  EXPECT_THAT(r->read_mask().paths(), ElementsAre("title", "author.name"));
  EXPECT_EQ(r->min_year().value(), 1900);
  EXPECT_THAT(r->years(), ElementsAre(1, 2));
}

TEST_F(TranscoderTest, AdditionalBindingLeavesUnboundFieldsToTheQuery) {
  absl::StatusOr<ListBooksRequest> r =
      Transcode<ListBooksRequest>("GET", "/v1/books", {{"parent", "shelves/q"}});
  ASSERT_THAT(r, IsOk()) << r.status();
  EXPECT_EQ(r->parent(), "shelves/q");
}

TEST_F(TranscoderTest, UnknownQueryParameterIsRefused) {
  absl::StatusOr<ListBooksRequest> r =
      Transcode<ListBooksRequest>("GET", "/v1/shelves/s1/books", {{"pagesize", "3"}});
  ExpectBadField(r.status(), "UNKNOWN_QUERY_PARAMETER", "pagesize");
  r = Transcode<ListBooksRequest>("GET", "/v1/shelves/s1/books", {{"author.nope", "3"}});
  ExpectBadField(r.status(), "UNKNOWN_QUERY_PARAMETER", "author.nope");
  r = Transcode<ListBooksRequest>("GET", "/v1/shelves/s1/books", {{"tags.x", "3"}});
  ExpectBadField(r.status(), "UNKNOWN_QUERY_PARAMETER", "tags.x");
  // Found by fuzz/transcoder_fuzz.cc: "?=3" named no field at all.
  r = Transcode<ListBooksRequest>("GET", "/v1/shelves/s1/books", {{"", "3"}});
  ExpectBadField(r.status(), "UNKNOWN_QUERY_PARAMETER", "query_string");
  // A stray byte in a parameter name is named, as U+FFFD (the detail must stay UTF-8).
  r = Transcode<ListBooksRequest>("GET", "/v1/shelves/s1/books", {{"page\xffsize", "3"}});
  ExpectBadField(r.status(), "UNKNOWN_QUERY_PARAMETER", "page\uFFFDsize");
}

TEST_F(TranscoderTest, QueryParametersThatCannotSetTheirFieldAreRefused) {
  const std::vector<std::pair<Query, std::string>> cases = {
      {{{"parent", "shelves/x"}}, "is set by the path"},
      {{{"labels", "a"}}, "a map field"},
      {{{"author", "Zola"}}, "a message field"},
      {{{"request", "x"}}, "names no field"},
  };
  for (const auto& [query, problem] : cases) {
    absl::StatusOr<ListBooksRequest> r =
        Transcode<ListBooksRequest>("GET", "/v1/shelves/s1/books", query);
    ExpectBadField(r.status(), "UNKNOWN_QUERY_PARAMETER", query.begin()->first);
    EXPECT_THAT(std::string(r.status().message()), HasSubstr(problem));
  }
  absl::StatusOr<CreateBookRequest> create = Transcode<CreateBookRequest>(
      "POST", "/v1/shelves/s1/books", {{"book.title", "x"}}, R"({"title":"T"})");
  ExpectBadField(create.status(), "UNKNOWN_QUERY_PARAMETER", "book.title");
  EXPECT_THAT(std::string(create.status().message()), HasSubstr("is read from the body"));
  absl::StatusOr<ArchiveBookRequest> archive = Transcode<ArchiveBookRequest>(
      "POST", "/v1/shelves/1/books/2:archive", {{"reason", "x"}}, "{}");
  ExpectBadField(archive.status(), "UNKNOWN_QUERY_PARAMETER", "reason");
}

TEST_F(TranscoderTest, BadQueryValuesNameTheParameter) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"pageSize", "abc"},  {"pageSize", "3000000000"}, {"genre", "GENRE_NOPE"},
      {"genre", "42"},      {"availableOnly", "maybe"}, {"minPages", "1e3"},
      {"maxPages", "-1"},   {"minRating", "high"},      {"publishedAfter", "today"},
      {"maxAge", "3 days"}, {"cursor", "@@@"},          {"filter", "\xC3\x28"},
      {"minYear", "x"},
  };
  for (const auto& [name, value] : cases) {
    absl::StatusOr<ListBooksRequest> r =
        Transcode<ListBooksRequest>("GET", "/v1/shelves/s1/books", {{name, value}});
    ExpectBadField(r.status(), "INVALID_QUERY_PARAMETER", name);
  }
  absl::StatusOr<ListBooksRequest> r = Transcode<ListBooksRequest>(
      "GET", "/v1/shelves/s1/books", {{"pageSize", "1"}, {"pageSize", "2"}});
  ExpectBadField(r.status(), "INVALID_QUERY_PARAMETER", "pageSize");
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("given more than once"));
}

TEST_F(TranscoderTest, WholeBodyFillsTheRequestAndThePathWins) {
  absl::StatusOr<ArchiveBookRequest> r =
      Transcode<ArchiveBookRequest>("POST", "/v1/shelves/1/books/2:archive", {},
                                    R"({"name":"shelves/9/books/9","reason":"old"})");
  ASSERT_THAT(r, IsOk()) << r.status();
  EXPECT_EQ(r->name(), "shelves/1/books/2");
  EXPECT_EQ(r->reason(), "old");
  r = Transcode<ArchiveBookRequest>("POST", "/v1/shelves/1/books/2:archive", {}, "");
  ASSERT_THAT(r, IsOk()) << r.status();
  EXPECT_EQ(r->name(), "shelves/1/books/2");
}

TEST_F(TranscoderTest, NamedBodyFillsItsFieldAndTheQueryTheRest) {
  absl::StatusOr<CreateBookRequest> r = Transcode<CreateBookRequest>(
      "POST", "/v1/shelves/s1/books", {{"requestId", "7c9e6679-7425-40de-944b-e07fc1f90ae7"}},
      R"({"title":"Germinal","pageCount":"591","author":{"name":"Zola"},"genre":"GENRE_NOVEL",
          "tags":["mine"],"publishTime":"1885-03-01T00:00:00Z","available":true})");
  ASSERT_THAT(r, IsOk()) << r.status();
  EXPECT_EQ(r->parent(), "shelves/s1");
  EXPECT_EQ(r->request_id(), "7c9e6679-7425-40de-944b-e07fc1f90ae7");
  EXPECT_EQ(r->book().title(), "Germinal");
  EXPECT_EQ(r->book().page_count(), 591);
  EXPECT_EQ(r->book().author().name(), "Zola");
  EXPECT_EQ(r->book().genre(), Book::GENRE_NOVEL);
  EXPECT_THAT(r->book().tags(), ElementsAre("mine"));
  EXPECT_TRUE(r->book().available());
  EXPECT_TRUE(r->book().has_publish_time());
}

TEST_F(TranscoderTest, RepeatedBodyFieldTakesOneJsonValue) {
  absl::StatusOr<TagBookRequest> r =
      Transcode<TagBookRequest>("POST", "/v1/shelves/1/books/2:tag", {}, R"(["a","b"])");
  ASSERT_THAT(r, IsOk()) << r.status();
  EXPECT_THAT(r->tags(), ElementsAre("a", "b"));
  EXPECT_EQ(r->name(), "shelves/1/books/2");
  // A body cannot reach the other fields of the request.
  r = Transcode<TagBookRequest>("POST", "/v1/shelves/1/books/2:tag", {},
                                R"(["a"],"name":"shelves/6/books/6")");
  ExpectBadField(r.status(), "MALFORMED_JSON", "tags");
}

TEST_F(TranscoderTest, UnknownJsonFieldIsRefusedByName) {
  absl::StatusOr<CreateBookRequest> r =
      Transcode<CreateBookRequest>("POST", "/v1/shelves/s1/books", {}, R"({"titel":"x"})");
  ExpectBadField(r.status(), "UNKNOWN_FIELD", "book.titel");
  r = Transcode<CreateBookRequest>("POST", "/v1/shelves/s1/books", {},
                                   R"({"author":{"name":"x","born":1}})");
  ExpectBadField(r.status(), "UNKNOWN_FIELD", "book.author.born");
  absl::StatusOr<ArchiveBookRequest> archive =
      Transcode<ArchiveBookRequest>("POST", "/v1/shelves/1/books/2:archive", {}, R"({"why":"x"})");
  ExpectBadField(archive.status(), "UNKNOWN_FIELD", "why");
}

TEST_F(TranscoderTest, MalformedJsonAndWrongValueTypesAreRefused) {
  absl::StatusOr<CreateBookRequest> r =
      Transcode<CreateBookRequest>("POST", "/v1/shelves/s1/books", {}, R"({"title":"x")");
  ExpectBadField(r.status(), "MALFORMED_JSON", "book");
  r = Transcode<CreateBookRequest>("POST", "/v1/shelves/s1/books", {}, "title=x");
  ExpectBadField(r.status(), "MALFORMED_JSON", "book");
  r = Transcode<CreateBookRequest>("POST", "/v1/shelves/s1/books", {}, R"({"pageCount":"many"})");
  ExpectBadField(r.status(), "INVALID_FIELD_VALUE", "book.page_count");
  absl::StatusOr<ArchiveBookRequest> archive =
      Transcode<ArchiveBookRequest>("POST", "/v1/shelves/1/books/2:archive", {}, "[1]");
  ExpectBadField(archive.status(), "MALFORMED_JSON", "body");
}

TEST_F(TranscoderTest, PatchDerivesTheMaskFromTheBodyKeys) {
  absl::StatusOr<UpdateBookRequest> r = Transcode<UpdateBookRequest>(
      "PATCH", "/v1/shelves/1/books/2", {},
      R"({"publish_time":null,"available":false,"pageCount":"3","author":{"name":"x"},
          "title":"T"})");
  ASSERT_THAT(r, IsOk()) << r.status();
  EXPECT_THAT(r->update_mask().paths(),
              ElementsAre("title", "author", "page_count", "available", "publish_time"));
}

TEST_F(TranscoderTest, PatchDerivedMaskLeavesOutTheEtagAndOutputOnlyFields) {
  absl::StatusOr<UpdateBookRequest> r = Transcode<UpdateBookRequest>(
      "PATCH", "/v1/shelves/1/books/2", {},
      R"({"title":"T","etag":"r7","updateTime":"2024-01-01T00:00:00Z"})");
  ASSERT_THAT(r, IsOk()) << r.status();
  EXPECT_THAT(r->update_mask().paths(), ElementsAre("title"));
  EXPECT_EQ(r->book().etag(), "r7");  // the body field keeps working
}

TEST_F(TranscoderTest, IfMatchFillsTheEtagAndIdempotencyKeyTheRequestId) {
  HttpRequestParts headers;
  headers.if_match = "\"r7\"";
  absl::StatusOr<UpdateBookRequest> update = Transcode<UpdateBookRequest>(
      "PATCH", "/v1/shelves/1/books/2", {}, R"({"title":"T"})", "application/json", headers);
  ASSERT_THAT(update, IsOk()) << update.status();
  EXPECT_EQ(update->book().etag(), "r7");
  EXPECT_THAT(update->update_mask().paths(), ElementsAre("title"));

  headers.if_match = "W/\"r8\"";
  absl::StatusOr<DeleteBookRequest> del = Transcode<DeleteBookRequest>(
      "DELETE", "/v1/shelves/1/books/2", {}, "", "application/json", headers);
  ASSERT_THAT(del, IsOk()) << del.status();
  EXPECT_EQ(del->etag(), "r8");

  headers.if_match = "\"r7\"";  // the same etag in the body and the header is fine
  update =
      Transcode<UpdateBookRequest>("PATCH", "/v1/shelves/1/books/2", {},
                                   R"({"title":"T","etag":"r7"})", "application/json", headers);
  ASSERT_THAT(update, IsOk()) << update.status();
  update =
      Transcode<UpdateBookRequest>("PATCH", "/v1/shelves/1/books/2", {},
                                   R"({"title":"T","etag":"r6"})", "application/json", headers);
  ExpectBadField(update.status(), "INVALID_HEADER", "If-Match");
  for (const char* bad : {"r7", "\"r7\", \"r8\""}) {
    headers.if_match = bad;
    update = Transcode<UpdateBookRequest>("PATCH", "/v1/shelves/1/books/2", {}, R"({"title":"T"})",
                                          "application/json", headers);
    ExpectBadField(update.status(), "INVALID_HEADER", "If-Match");
  }
  headers.if_match = "*";
  update = Transcode<UpdateBookRequest>("PATCH", "/v1/shelves/1/books/2", {}, R"({"title":"T"})",
                                        "application/json", headers);
  ASSERT_THAT(update, IsOk()) << update.status();
  EXPECT_EQ(update->book().etag(), "");

  HttpRequestParts key;
  key.idempotency_key = "6f1c2a8e-1b7d-4c1e-9a53-0f5a2c7d9e11";
  absl::StatusOr<CreateBookRequest> create = Transcode<CreateBookRequest>(
      "POST", "/v1/shelves/s1/books", {}, R"({"title":"T"})", "application/json", key);
  ASSERT_THAT(create, IsOk()) << create.status();
  EXPECT_EQ(create->request_id(), "6f1c2a8e-1b7d-4c1e-9a53-0f5a2c7d9e11");
}

TEST_F(TranscoderTest, EtagHeaderQuotesTheResourceEtag) {
  Book book;
  EXPECT_EQ(EtagHeaderOf(book), "");
  book.set_etag("7");
  EXPECT_EQ(EtagHeaderOf(book), "\"7\"");
  book.set_etag("a\"b");
  EXPECT_EQ(EtagHeaderOf(book), "");
  EXPECT_EQ(EtagHeaderOf(maillage::testing::v1::DeleteBookResponse()), "");
}

TEST_F(TranscoderTest, PatchKeepsAnExplicitMask) {
  for (const char* name : {"updateMask", "update_mask"}) {
    absl::StatusOr<UpdateBookRequest> r = Transcode<UpdateBookRequest>(
        "PATCH", "/v1/shelves/1/books/2", {{name, "title"}}, R"({"title":"T","available":true})");
    ASSERT_THAT(r, IsOk()) << r.status();
    EXPECT_THAT(r->update_mask().paths(), ElementsAre("title")) << name;
  }
}

TEST_F(TranscoderTest, DeleteTakesItsOptionsFromTheQuery) {
  absl::StatusOr<DeleteBookRequest> r = Transcode<DeleteBookRequest>(
      "DELETE", "/v1/shelves/1/books/2", {{"etag", "\"r7\""}, {"force", "1"}});
  ASSERT_THAT(r, IsOk()) << r.status();
  EXPECT_EQ(r->name(), "shelves/1/books/2");
  EXPECT_EQ(r->etag(), "\"r7\"");
  EXPECT_TRUE(r->force());
}

TEST_F(TranscoderTest, HttpBodyFieldTakesTheRawBody) {
  const std::string png("\x89PNG\r\n\x1a\n\0\0", 10);
  absl::StatusOr<UploadBookCoverRequest> r =
      Transcode<UploadBookCoverRequest>("PUT", "/v1/shelves/1/books/2/cover", {}, png, "image/png");
  ASSERT_THAT(r, IsOk()) << r.status();
  EXPECT_EQ(r->name(), "shelves/1/books/2");
  EXPECT_EQ(r->cover().content_type(), "image/png");
  EXPECT_EQ(r->cover().data(), png);
}

TEST_F(TranscoderTest, InvalidUtf8InAPathVariableIsRefused) {
  absl::StatusOr<ArchiveBookRequest> r =
      Transcode<ArchiveBookRequest>("POST", "/v1/shelves/1/books/%C3%28:archive", {}, "{}");
  ExpectBadField(r.status(), "INVALID_PATH_VARIABLE", "name");
}

TEST_F(TranscoderTest, InvalidUtf8InAJsonStringIsRefusedNamingTheField) {
  // Raw bytes that are not UTF-8 inside a JSON string, and a lone surrogate escape.
  for (const std::string& title : {std::string("Caf\xC3("), std::string("x\\ud800y")}) {
    SCOPED_TRACE(title);
    absl::StatusOr<CreateBookRequest> r = Transcode<CreateBookRequest>(
        "POST", "/v1/shelves/s1/books", {}, absl::StrCat(R"({"title":")", title, R"("})"));
    if (r.ok()) ADD_FAILURE() << "accepted: " << r->ShortDebugString();
    // Either the JSON parser or the UTF-8 check refuses it; both name the field.
    ASSERT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << r.status();
    std::optional<google::rpc::BadRequest> bad = GetBadRequest(r.status());
    ASSERT_TRUE(bad.has_value()) << r.status();
    EXPECT_EQ(bad->field_violations(0).field(), "book.title") << r.status();
  }
  absl::StatusOr<CreateBookRequest> r = Transcode<CreateBookRequest>(
      "POST", "/v1/shelves/s1/books", {}, "{\"tags\":[\"ok\",\"Caf\xC3(\"]}");
  ASSERT_FALSE(r.ok());
  std::optional<google::rpc::BadRequest> bad = GetBadRequest(r.status());
  ASSERT_TRUE(bad.has_value()) << r.status();
  EXPECT_EQ(bad->field_violations(0).field(), "book.tags[1]") << r.status();
  // Valid accents pass.
  r = Transcode<CreateBookRequest>("POST", "/v1/shelves/s1/books", {}, R"({"title":"Café"})");
  ASSERT_THAT(r, IsOk()) << r.status();
  EXPECT_EQ(r->book().title(), "Café");
}

TEST_F(TranscoderTest, StreamingRequestTakesOneMessagePerJsonObject) {
  RouteMatch match = table_->Lookup("POST", "/v1/books:import");
  ASSERT_EQ(match.outcome, RouteMatch::kMatched);
  HttpRequestParts parts;
  parts.path_bindings = &match.bindings;
  parts.body = "{\"book\":{\"title\":\"a}{\\\"\"}}\n  {\"book\":{\"title\":\"b\"}}{}\n";
  absl::StatusOr<std::vector<std::unique_ptr<google::protobuf::Message>>> messages =
      TranscodeRequestStream(*match.route, parts);
  ASSERT_THAT(messages, IsOk()) << messages.status();
  ASSERT_EQ(messages->size(), 3u);
  maillage::testing::v1::ImportBooksRequest first;
  first.CopyFrom(*(*messages)[0]);
  EXPECT_EQ(first.book().title(), "a}{\"");
  EXPECT_EQ((*messages)[1]->ShortDebugString(), "book { title: \"b\" }");
  EXPECT_EQ((*messages)[2]->ByteSizeLong(), 0u);

  parts.body = "  ";
  messages = TranscodeRequestStream(*match.route, parts);
  ASSERT_THAT(messages, IsOk()) << messages.status();
  EXPECT_TRUE(messages->empty());

  parts.body = R"({"book":{}} {"book":{"titel":"x"}})";
  ExpectBadField(TranscodeRequestStream(*match.route, parts).status(), "UNKNOWN_FIELD",
                 "[1].book.titel");
  parts.body = R"({"book":{}} [1])";
  ExpectBadField(TranscodeRequestStream(*match.route, parts).status(), "MALFORMED_JSON", "body");
  parts.body = R"({"book":{"title":"x"})";
  ExpectBadField(TranscodeRequestStream(*match.route, parts).status(), "MALFORMED_JSON", "body");
  parts.body = R"({"book":{]})";
  ExpectBadField(TranscodeRequestStream(*match.route, parts).status(), "MALFORMED_JSON", "[0]");
  const Query query = {{"book.title", "x"}};
  parts.body = "";
  parts.query = &query;
  ExpectBadField(TranscodeRequestStream(*match.route, parts).status(), "UNKNOWN_QUERY_PARAMETER",
                 "book.title");
}

TEST_F(TranscoderTest, ResponseJsonEmitsDefaultsAndInt64AsStrings) {
  Book book;
  book.set_name("shelves/1/books/2");
  absl::StatusOr<std::string> json = MessageToJson(book);
  ASSERT_THAT(json, IsOk()) << json.status();
  for (const char* expected :
       {R"("name":"shelves/1/books/2")", R"("title":"")", R"("available":false)",
        R"("pageCount":"0")", R"("rating":0)", R"("tags":[])", R"("genre":"GENRE_UNSPECIFIED")"}) {
    EXPECT_THAT(*json, HasSubstr(expected));
  }
  book.set_page_count(9007199254740993);
  book.mutable_author()->set_birth_year(1840);
  json = MessageToJson(book);
  ASSERT_THAT(json, IsOk()) << json.status();
  EXPECT_THAT(*json, HasSubstr(R"("pageCount":"9007199254740993")"));
  EXPECT_THAT(*json, HasSubstr(R"("author":{"name":"","birthYear":1840})"));
}

}  // namespace
}  // namespace maillage::gateway
