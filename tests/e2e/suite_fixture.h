// The fixture of end-to-end tests that share one Suite (suite.h) per test suite: started
// before its first test, stopped after its last, seeded with deploy/seed when asked.
//
//   class ReportsE2eTest : public SuiteFixture<Seeded::kYes> {
//    protected:
//     static httplib::Client Http() { return GatewayClient(*suite_, std::chrono::seconds(20)); }
//   };
#pragma once

#include "gtest/gtest.h"
#include "tests/e2e/suite.h"

namespace maillage::testing {

enum class Seeded { kNo, kYes };

template <Seeded kSeeded>
class SuiteFixture : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    suite_ = new Suite();
    if (kSeeded == Seeded::kYes) {
      CommandResult seeded = suite_->Seed();
      ASSERT_EQ(seeded.exit_code, 0) << seeded.output;
    }
  }
  static void TearDownTestSuite() {
    delete suite_;
    suite_ = nullptr;
  }

  static inline Suite* suite_ = nullptr;
};

}  // namespace maillage::testing
