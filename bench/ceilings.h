// The ceilings every benchmark is compared with, measured on this machine in the same run:
// what PostgreSQL, gRPC and the HTTP library give with nothing of maillage's logic on top.
//   - a primary-key SELECT through libpqxx on maillage's own db::Pool (one transaction per
//     call, as the services run them);
//   - an echo call on maillage's own gRPC server bootstrap (interceptors, health, limits);
//   - an HTTP echo on cpp-httplib, the gateway's HTTP library, with keep-alive connections.
#pragma once

#include <chrono>
#include <string>

#include "bench/load.h"

namespace maillage::bench {

// `pool_url` is a database the benchmark may write a table into.
LoadResult MeasurePgSelect(const std::string& pool_url, int in_flight,
                           std::chrono::milliseconds duration);
LoadResult MeasureGrpcEcho(int in_flight, std::chrono::milliseconds duration);
LoadResult MeasureHttpEcho(int connections, std::chrono::milliseconds duration);

}  // namespace maillage::bench
