#include "services/gateway/access/cli_args.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace maillage::gateway {

absl::StatusOr<CliArgs> ParseCliArgs(int argc, char** argv, int first,
                                     const std::vector<std::string>& valued,
                                     const std::vector<std::string>& switches) {
  CliArgs args;
  for (int i = first; i < argc; ++i) {
    std::string arg = argv[i];
    if (!absl::StartsWith(arg, "--")) {
      args.positional.push_back(arg);
      continue;
    }
    const std::string name = arg.substr(2);
    if (std::find(switches.begin(), switches.end(), name) != switches.end()) {
      args.flags[name] = "1";
    } else if (std::find(valued.begin(), valued.end(), name) != valued.end()) {
      if (i + 1 >= argc) return absl::InvalidArgumentError(absl::StrCat(arg, " needs a value"));
      args.flags[name] = argv[++i];
    } else {
      return absl::InvalidArgumentError(absl::StrCat("unknown option ", arg));
    }
  }
  return args;
}

}  // namespace maillage::gateway
