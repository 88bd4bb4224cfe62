// Tests that call the services directly stand where the gateway stands: they know the
// principal-signing secret and sign their calls.
//
//   MyServiceTest() { maillage::testing::TrustTestCalls(); }   // every call signed as ADMIN
//   ...
//   env["MAILLAGE_PRINCIPAL_SECRET"] = maillage::testing::kTestPrincipalSecret;  // binaries
#pragma once

#include "common/auth/caller.h"

namespace maillage::testing {

// The secret the tests give to the services they start (in-process or as binaries).
inline constexpr char kTestPrincipalSecret[] = "maillage-tests-principal-secret-0123456789abcdef";

// Sets the process secret to kTestPrincipalSecret and makes every call of this process made
// through server::MakeChannel outside a CallerScope carry a principal "tests/<role>" of `role`.
void TrustTestCalls(auth::Role role = ::maillage::gateway::v1::ROLE_ADMIN);

}  // namespace maillage::testing
