// Etag checks (see etag.h).
#include "common/api/etag.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "common/status/errors.h"

namespace maillage::api {

absl::Status CheckEtag(absl::string_view requested, absl::string_view current,
                       absl::string_view name, absl::string_view domain) {
  if (requested.empty() || requested == current) return absl::OkStatus();
  return Aborted(domain, "ETAG_MISMATCH",
                 absl::StrCat(name, " changed since it was read (etag ", requested, ", now ",
                              current, "): read it again, then retry"),
                 {{"name", std::string(name)},
                  {"requested_etag", std::string(requested)},
                  {"current_etag", std::string(current)}});
}

}  // namespace maillage::api
