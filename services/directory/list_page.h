// ListPage: the page size, query fingerprint and keyset cursor of a List request.
#pragma once

#include <initializer_list>
#include <string>

#include "absl/status/statusor.h"
#include "common/api/pagination.h"
#include "common/status/status_macros.h"
#include "services/directory/actor_fields.h"

namespace maillage::directory {

struct ListPage {
  int size = 0;
  std::string fingerprint;
  api::PageCursor cursor;  // empty for the first page
};

// INVALID_ARGUMENT for a negative page size, or a token malformed or issued for another query
// (`query` lists everything that shapes the query: collection, parent, filter, order...).
inline absl::StatusOr<ListPage> ReadListPage(int page_size, const std::string& token,
                                             std::initializer_list<absl::string_view> query) {
  ListPage page;
  MAILLAGE_ASSIGN_OR_RETURN(page.size, api::EffectivePageSize(page_size, kDomain));
  page.fingerprint = api::QueryFingerprint(query);
  if (!token.empty()) {
    MAILLAGE_ASSIGN_OR_RETURN(page.cursor, api::DecodePageToken(token, page.fingerprint, kDomain));
  }
  return page;
}

}  // namespace maillage::directory
