// Which addresses the gateway may send a webhook to (SSRF: a subscription URL is an outside
// party choosing where the gateway connects). Refused, unless the allow-list names them:
//   loopback     127.0.0.0/8, ::1
//   unspecified  0.0.0.0/8, ::
//   private      10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10 (shared), fc00::/7
//   link-local   169.254.0.0/16, fe80::/10
//   metadata     169.254.169.254, fd00:ec2::254 (cloud instance metadata; also link-local or
//                private, named apart so that the refusal says it)
//   reserved     multicast 224.0.0.0/4 and ff00::/8, 240.0.0.0/4 (broadcast too), NAT64
//                64:ff9b::/96
// An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is judged as its IPv4 address.
//
//   AddressFilter filter = *AddressFilter::Parse("127.0.0.1,10.1.0.0/16");  // admin allow-list
//   filter.Check("127.0.0.1")   → OK (allow-listed)
//   filter.Check("192.168.1.4") → PERMISSION_DENIED "address refused: private (192.168.1.4)"
#pragma once

#include <array>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace maillage::gateway {

class AddressFilter {
 public:
  // `allow_list`: comma-separated addresses or CIDR blocks (IPv4 or IPv6), empty for none.
  // INVALID_ARGUMENT naming the entry that does not parse.
  static absl::StatusOr<AddressFilter> Parse(absl::string_view allow_list);

  // OK when `address` (numeric IPv4 or IPv6) may be connected to; PERMISSION_DENIED whose
  // message says which class refused it; INVALID_ARGUMENT when it is not an address.
  absl::Status Check(absl::string_view address) const;

  // The class that refuses `address` ("loopback", "private", ...), empty when it is public.
  // The address is 16 bytes, IPv4 as IPv4-mapped IPv6.
  static std::string ClassOf(const std::array<unsigned char, 16>& address);

 private:
  struct Block {
    std::array<unsigned char, 16> address;
    int prefix_bits;  // over the 16 bytes (an IPv4 /8 is 96 + 8)
  };
  std::vector<Block> allowed_;
};

}  // namespace maillage::gateway
