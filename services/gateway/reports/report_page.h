// The funder's yearly report as a printable French HTML page: one self-contained document
// (inline CSS and SVG, no script, no external asset) laid out for A4 (@page size A4), numbers
// written the French way (common/text/french_format.h), tables and horizontal bar charts in
// inline SVG. A section listed in partial_sections carries a visible "Section partielle" box
// with the reason, and the page opens with a banner listing them.
#pragma once

#include <string>

#include "maillage/gateway/v1/report.pb.h"

namespace maillage::gateway {

std::string RenderReportPage(const gateway::v1::ActionReport& report);

}  // namespace maillage::gateway
