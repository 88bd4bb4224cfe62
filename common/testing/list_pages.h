// Reading a List page by page in tests, as a client would (API_CONVENTIONS.md, Lists):
//
//   absl::StatusOr<testing::ListedPages> pages = testing::ReadEveryPage<v1::ListShareLinksRequest>(
//       2, [&](const v1::ListShareLinksRequest& request) { return store.List(now, me, request); },
//       [](const v1::ListShareLinksResponse& page) { return testing::NamesOf(page.share_links());
//       });
//   EXPECT_EQ(pages->names, (std::vector<std::string>{"shareLinks/2", "shareLinks/1"}));
//   EXPECT_TRUE(testing::RefusesBadPages<v1::ListShareLinksRequest>(list));
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

namespace maillage::testing {

struct ListedPages {
  std::vector<std::string> names;   // of every page, in order
  std::vector<std::string> tokens;  // the next page tokens handed out (one fewer than pages)
};

// The names of the resources on a List page: the `name` of each element of its first repeated
// message field (AIP-132: the resources come first).
inline std::vector<std::string> NamesOnPage(const google::protobuf::Message& page) {
  std::vector<std::string> names;
  const google::protobuf::Descriptor* descriptor = page.GetDescriptor();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* field = descriptor->field(i);
    if (!field->is_repeated() || field->message_type() == nullptr) continue;
    const google::protobuf::Reflection* reflection = page.GetReflection();
    for (int j = 0; j < reflection->FieldSize(page, field); ++j) {
      const google::protobuf::Message& element = reflection->GetRepeatedMessage(page, field, j);
      const google::protobuf::FieldDescriptor* name =
          element.GetDescriptor()->FindFieldByName("name");
      names.push_back(name == nullptr ? "" : element.GetReflection()->GetString(element, name));
    }
    break;
  }
  return names;
}

// Calls `list(request)` with `page_size` and each next page token until one comes back empty
// (`max_pages` at most), gathering the names on each page. The first error stops it.
template <typename Request, typename List>
absl::StatusOr<ListedPages> ReadEveryPage(int page_size, List list, int max_pages = 100) {
  ListedPages pages;
  Request request;
  request.set_page_size(page_size);
  for (int page = 0; page < max_pages; ++page) {
    auto response = list(request);
    if (!response.ok()) return response.status();
    for (std::string& name : NamesOnPage(*response)) pages.names.push_back(std::move(name));
    if (response->next_page_token().empty()) break;
    pages.tokens.push_back(response->next_page_token());
    request.set_page_token(response->next_page_token());
  }
  return pages;
}

// INVALID_ARGUMENT for a page token that is not one and for a negative page size.
template <typename Request, typename List>
::testing::AssertionResult RefusesBadPages(List list) {
  Request forged;
  forged.set_page_token("not-a-token");
  Request negative;
  negative.set_page_size(-1);
  for (const Request* request : {&forged, &negative}) {
    auto response = list(*request);
    if (response.status().code() != absl::StatusCode::kInvalidArgument) {
      return ::testing::AssertionFailure()
             << "not INVALID_ARGUMENT for page_token '" << request->page_token() << "' page_size "
             << request->page_size() << ": " << response.status();
    }
  }
  return ::testing::AssertionSuccess();
}

}  // namespace maillage::testing
