// `maillage-gateway users ...`: the staff console's accounts managed from a shell, straight in
// the gateway's database (MAILLAGE_DATABASE_URL).
//
//   maillage-gateway users add --email anne@pes21.fr --role admin|staff|funder
//                              [--name "Anne Martin"] [--funder FUNDER_ID]
//                              the password is read from standard input (one line); with
//                              --generate-password a new one is printed once instead
//   maillage-gateway users list
//   maillage-gateway users disable --email anne@pes21.fr    (ends the account's sessions)
//   maillage-gateway users ensure-admin --email admin@localhost
//                              creates that admin with a generated password (printed once)
//                              when no enabled admin account exists; prints nothing otherwise
//                              (the local runner's first login)
//
// Exit status: 0 done, 1 refused or failed (the reason on stderr), 2 bad usage.
#pragma once

namespace maillage::gateway {

int RunUsersCli(int argc, char** argv);

}  // namespace maillage::gateway
