#include "absl/strings/str_format.h"
#include "tools/seed/seed.h"

namespace maillage::seed {

std::string StableRequestId(const std::string& key) {
  // Two FNV-1a digests with different offsets give 128 bits, shaped as a UUID v4.
  uint64_t a = 1469598103934665603ULL, b = 0x9E3779B97F4A7C15ULL;
  for (unsigned char c : key) {
    a = (a ^ c) * 1099511628211ULL;
    b = (b ^ c) * 0x100000001B3ULL + 0x7F;
  }
  return absl::StrFormat(
      "%08x-%04x-4%03x-%04x-%012x", static_cast<uint32_t>(a >> 32),
      static_cast<uint32_t>((a >> 16) & 0xFFFF), static_cast<uint32_t>(a & 0xFFF),
      static_cast<uint32_t>(0x8000 | ((b >> 48) & 0x3FFF)), b & 0xFFFFFFFFFFFFULL);
}

}  // namespace maillage::seed
