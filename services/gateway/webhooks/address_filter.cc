#include "services/gateway/webhooks/address_filter.h"

#include <arpa/inet.h>

#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace maillage::gateway {
namespace {

using Address = std::array<unsigned char, 16>;

// `text` as 16 bytes (IPv4 mapped into IPv6), and whether it was IPv4.
bool ParseAddress(absl::string_view text, Address* out, bool* v4) {
  std::string s(text);
  in_addr a4;
  if (inet_pton(AF_INET, s.c_str(), &a4) == 1) {
    out->fill(0);
    (*out)[10] = 0xff;
    (*out)[11] = 0xff;
    std::memcpy(out->data() + 12, &a4, 4);
    *v4 = true;
    return true;
  }
  in6_addr a6;
  if (inet_pton(AF_INET6, s.c_str(), &a6) == 1) {
    std::memcpy(out->data(), &a6, 16);
    *v4 = false;
    return true;
  }
  return false;
}

bool InBlock(const Address& address, const Address& block, int prefix_bits) {
  for (int bit = 0; bit < prefix_bits; ++bit) {
    unsigned char mask = static_cast<unsigned char>(0x80 >> (bit % 8));
    if ((address[bit / 8] & mask) != (block[bit / 8] & mask)) return false;
  }
  return true;
}

struct Range {
  const char* block;
  int prefix_bits;  // of the family's own length
  const char* kind;
};

// Checked in order: the first match names the refusal.
constexpr Range kRefused[] = {
    {"169.254.169.254", 32, "metadata"},
    {"fd00:ec2::254", 128, "metadata"},
    {"127.0.0.0", 8, "loopback"},
    {"::1", 128, "loopback"},
    {"0.0.0.0", 8, "unspecified"},
    {"::", 128, "unspecified"},
    {"10.0.0.0", 8, "private"},
    {"172.16.0.0", 12, "private"},
    {"192.168.0.0", 16, "private"},
    {"100.64.0.0", 10, "private"},
    {"fc00::", 7, "private"},
    {"169.254.0.0", 16, "link-local"},
    {"fe80::", 10, "link-local"},
    {"224.0.0.0", 4, "reserved"},
    {"240.0.0.0", 4, "reserved"},
    {"ff00::", 8, "reserved"},
    {"64:ff9b::", 96, "reserved"},  // NAT64: could reach any IPv4 address behind it
};

}  // namespace

absl::StatusOr<AddressFilter> AddressFilter::Parse(absl::string_view allow_list) {
  AddressFilter filter;
  for (absl::string_view entry : absl::StrSplit(allow_list, ',', absl::SkipWhitespace())) {
    entry = absl::StripAsciiWhitespace(entry);
    std::pair<absl::string_view, absl::string_view> parts = absl::StrSplit(entry, '/');
    Block block;
    bool v4 = false;
    if (!ParseAddress(parts.first, &block.address, &v4)) {
      return absl::InvalidArgumentError(absl::StrCat("not an address or CIDR block: ", entry));
    }
    int bits = v4 ? 32 : 128;
    if (!parts.second.empty() || absl::StrContains(entry, '/')) {
      if (!absl::SimpleAtoi(parts.second, &bits) || bits < 0 || bits > (v4 ? 32 : 128)) {
        return absl::InvalidArgumentError(absl::StrCat("not an address or CIDR block: ", entry));
      }
    }
    block.prefix_bits = v4 ? 96 + bits : bits;
    filter.allowed_.push_back(block);
  }
  return filter;
}

std::string AddressFilter::ClassOf(const Address& address) {
  for (const Range& range : kRefused) {
    Address block;
    bool v4 = false;
    ParseAddress(range.block, &block, &v4);
    if (InBlock(address, block, v4 ? 96 + range.prefix_bits : range.prefix_bits)) {
      return range.kind;
    }
  }
  return "";
}

absl::Status AddressFilter::Check(absl::string_view text) const {
  Address address;
  bool v4 = false;
  if (!ParseAddress(text, &address, &v4)) {
    return absl::InvalidArgumentError(absl::StrCat("not an address: ", text));
  }
  for (const Block& block : allowed_) {
    if (InBlock(address, block.address, block.prefix_bits)) return absl::OkStatus();
  }
  std::string kind = ClassOf(address);
  if (kind.empty()) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat("address refused: ", kind, " (", text, ")"));
}

}  // namespace maillage::gateway
