// The ceilings every benchmark is compared with, measured on this machine in the same run:
// what PostgreSQL, gRPC and the HTTP library give with nothing of maillage's logic on top.
//   - a primary-key SELECT through libpqxx on maillage's own db::Pool (one transaction per
//     call, as the services run them);
//   - an echo call on maillage's own gRPC server bootstrap (interceptors, health, limits), from
//     a client channel of server::MakeChannel, as the services call each other;
//   - the same echo on a bare grpc::Server (no interceptor, default options) from a bare
//     channel: what gRPC itself costs, so that the difference is our own overhead per call;
//   - an HTTP echo on cpp-httplib, the gateway's HTTP library, with keep-alive connections.
#pragma once

#include <chrono>
#include <string>

#include "bench/load.h"

namespace maillage::bench {

// `pool_url` is a database the benchmark may write a table into.
LoadResult MeasurePgSelect(const std::string& pool_url, int in_flight,
                           std::chrono::milliseconds duration);
// `maillage_client`: the client channel of server::MakeChannel and PrepareClientContext (as
// services call each other); false: a bare channel, so that only the server differs from
// MeasureBareGrpcEcho.
// One-row write transactions through db::Pool on a table of their own, as the services write:
// an INSERT of a new row, or an UPDATE of an existing row (a different row per call).
LoadResult MeasurePgInsert(const std::string& pool_url, int in_flight,
                           std::chrono::milliseconds duration);
LoadResult MeasurePgUpdate(const std::string& pool_url, int in_flight,
                           std::chrono::milliseconds duration);
// The ceilings of a gRPC method that runs one SQL call and nothing else: a bare grpc::Server
// (no interceptor, default options) called from a bare channel, whose handler runs the
// primary-key SELECT of MeasurePgSelect, or the one-row write transaction of MeasurePgInsert /
// MeasurePgUpdate, on a db::Pool of `in_flight` connections. Raw gRPC plus raw PostgreSQL in the
// same run: what a Get or a single-row write of a service could reach at best here.
LoadResult MeasureGrpcPgSelect(const std::string& pool_url, int in_flight,
                               std::chrono::milliseconds duration);
LoadResult MeasureGrpcPgInsert(const std::string& pool_url, int in_flight,
                               std::chrono::milliseconds duration);
LoadResult MeasureGrpcPgUpdate(const std::string& pool_url, int in_flight,
                               std::chrono::milliseconds duration);
LoadResult MeasureGrpcEcho(int in_flight, std::chrono::milliseconds duration,
                           bool maillage_client = true);
LoadResult MeasureBareGrpcEcho(int in_flight, std::chrono::milliseconds duration);
// The time one call costs on top of `ceiling` at one call in flight (the difference of the
// mean call times), in microseconds.
double OverheadMicros(const LoadResult& result, const LoadResult& ceiling);
LoadResult MeasureHttpEcho(int connections, std::chrono::milliseconds duration);

}  // namespace maillage::bench
