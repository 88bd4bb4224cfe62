// The command lines of the gateway's shell commands (`keys ...`, `users ...`): positional
// arguments, then `--name value` options and `--switch` flags.
//
//   absl::StatusOr<CliArgs> args = ParseCliArgs(argc, argv, 3, {"name", "role"}, {"all"});
//   args->Flag("role")  // "" when absent; a switch present is "1"
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace maillage::gateway {

struct CliArgs {
  std::vector<std::string> positional;
  std::map<std::string, std::string> flags;

  std::string Flag(const std::string& name) const {
    auto it = flags.find(name);
    return it == flags.end() ? std::string() : it->second;
  }
};

// argv[first...]: INVALID_ARGUMENT naming an unknown option or one without its value.
absl::StatusOr<CliArgs> ParseCliArgs(int argc, char** argv, int first,
                                     const std::vector<std::string>& valued,
                                     const std::vector<std::string>& switches);

}  // namespace maillage::gateway
