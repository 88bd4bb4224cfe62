// `maillage-gateway keys ...`: the API keys managed from a shell, straight in the gateway's
// database (MAILLAGE_DATABASE_URL), for the first keys of an installation and for an admin
// without an admin key at hand.
//
//   maillage-gateway keys generate                       a new key text, stored nowhere (for
//                                                        MAILLAGE_ADMIN_API_KEY)
//   maillage-gateway keys create --name "CRESS BFC" --role partner [--expires 2027-06-30]
//                                [--rps 20 --burst 40]   prints the key once, then its record
//   maillage-gateway keys list [--all]                   active keys (--all: revoked, expired)
//   maillage-gateway keys revoke apiKeys/7|<prefix> [--reason "clé divulguée"]
//
// Exit status: 0 done, 1 refused or failed (the reason on stderr), 2 bad usage.
#pragma once

namespace maillage::gateway {

int RunKeysCli(int argc, char** argv);

}  // namespace maillage::gateway
