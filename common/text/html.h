// Text placed in HTML pages written on the server (the gateway's /docs page and reports).
#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace maillage::text {

// `text` with & < > " ' replaced by their entities: safe in element content and in quoted
// attribute values.
std::string HtmlEscape(absl::string_view text);

}  // namespace maillage::text
