#include "common/testing/principal.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace maillage::testing {

void TrustTestCalls(auth::Role role) {
  auth::SetProcessSecret(kTestPrincipalSecret);
  auth::Principal principal;
  principal.key_name =
      absl::StrCat("tests/", absl::AsciiStrToLower(::maillage::gateway::v1::Role_Name(role)));
  principal.role = role;
  auth::SetDefaultCaller(principal);
}

}  // namespace maillage::testing
