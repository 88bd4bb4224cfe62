// gateway_bench: GET of one actor through the gateway (HTTP/JSON, keep-alive connections, and
// native gRPC on the gateway's port) beside the same GetActor called straight on the directory
// over gRPC, and the raw ceilings of the same run: an HTTP echo on cpp-httplib and a gRPC echo
// on maillage's server bootstrap, at the same concurrency. The four binaries run as processes on a
// throwaway PostgreSQL (tests/e2e/suite.h), with the seed network loaded.
//
//   maillage-bench-gateway [seconds=5] [connections=32] [http|grpc]
//
// With a third argument only that door is loaded, after printing the gateway's pid and waiting
// 3 s, so that a profiler can be attached to the gateway for that phase alone:
//   perf record -g --call-graph dwarf -p <pid> -- sleep <seconds>
//
// Goals (issue #14): gateway QPS (each door) >= 0.8 of the direct gRPC QPS, and the gateway's p99.9
// within 3x its p99 (no request stalls). Prints the load average and the gateway's peak RSS.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bench/ceilings.h"
#include "bench/load.h"
#include "common/log/log.h"
#include "common/server/client.h"
#include "common/testing/principal.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "httplib.h"
#include "maillage/directory/v1/directory_service.grpc.pb.h"
#include "tests/e2e/suite.h"
#include "tests/e2e/traffic.h"

int main(int argc, char** argv) {
  using namespace maillage;
  const auto duration = std::chrono::seconds(argc > 1 ? std::atoi(argv[1]) : 5);
  const int connections = argc > 2 ? std::atoi(argv[2]) : 32;
  const std::string only = argc > 3 ? argv[3] : "";
  // The benchmark's own servers (the echo ceilings) log warnings only, as the ceilings bench.
  log::Init("bench", "warn");

  testing::Suite suite;
  testing::CommandResult seeded = suite.Seed();
  if (seeded.exit_code != 0) {
    std::fprintf(stderr, "seed failed: %s\n", seeded.output.c_str());
    return 1;
  }
  const std::string actor = "actors/1";
  std::printf("gateway_bench: GET /v1/%s, %d in flight, %lld s per phase\n", actor.c_str(),
              connections, static_cast<long long>(duration.count()));

  // Direct gRPC, signed as the gateway would.
  testing::TrustTestCalls(gateway::v1::ROLE_STAFF);
  auto stub = directory::v1::DirectoryService::NewStub(
      server::MakeChannel(absl::StrCat("127.0.0.1:", suite.ports().directory)));
  auto direct = [&](int) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    directory::v1::GetActorRequest request;
    request.set_name(actor);
    directory::v1::Actor response;
    return stub->GetActor(&context, request, &response).ok();
  };

  // Through the gateway: one keep-alive client per worker, warmed up before the clock starts.
  std::vector<std::unique_ptr<httplib::Client>> clients;
  for (int i = 0; i < connections; ++i) {
    auto client =
        std::make_unique<httplib::Client>(testing::GatewayClient(suite, std::chrono::seconds(10)));
    client->set_keep_alive(true);
    auto warm = client->Get(("/v1/" + actor).c_str());
    if (!warm || warm->status != 200) {
      std::fprintf(stderr, "warm-up failed: %d\n", warm ? warm->status : -1);
      return 1;
    }
    clients.push_back(std::move(client));
  }
  // Native gRPC through the gateway's pass-through, with the key as metadata, from a plain
  // channel as a partner's.
  auto gateway_stub = directory::v1::DirectoryService::NewStub(grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", suite.ports().gateway_grpc), grpc::InsecureChannelCredentials()));
  auto through_gateway_grpc = [&](int) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    context.AddMetadata("x-api-key", testing::Suite::kAdminKey);
    directory::v1::GetActorRequest request;
    request.set_name(actor);
    directory::v1::Actor response;
    return gateway_stub->GetActor(&context, request, &response).ok();
  };
  if (!through_gateway_grpc(0)) {
    std::fprintf(stderr, "warm-up of the gateway's gRPC port failed\n");
    return 1;
  }
  const std::string path = "/v1/" + actor;
  auto through_gateway = [&](int worker) {
    auto response = clients[worker]->Get(path.c_str());
    return response && response->status == 200;
  };

  bench::RunClosedLoop(connections, std::chrono::seconds(1), direct);  // warm-up
  if (!only.empty()) {
    std::printf("profiling: gateway pid %d, %s phase of %lld s starts in 3 s\n",
                suite.Pid("gateway"), only.c_str(), static_cast<long long>(duration.count()));
    std::fflush(stdout);
    std::this_thread::sleep_for(std::chrono::seconds(3));
    bench::LoadResult r = only == "grpc"
                              ? bench::RunClosedLoop(connections, duration, through_gateway_grpc)
                              : bench::RunClosedLoop(connections, duration, through_gateway);
    bench::PrintResult(only == "grpc" ? "gateway gRPC GetActor" : "gateway HTTP GET actor", r);
    return 0;
  }
  bench::LoadResult grpc_echo = bench::MeasureGrpcEcho(connections, duration);
  bench::LoadResult http_echo = bench::MeasureHttpEcho(connections, duration);
  // The CPU that the gateway and the directory use per call, over each phase.
  const int gateway_pid = suite.Pid("gateway");
  const int directory_pid = suite.Pid("directory");
  // And the machine's busy CPU per call (client, servers, PostgreSQL, kernel: on 2 cores at 32
  // in flight the phases are CPU-bound, so this sets the rate), and the context switches of the
  // gateway and the directory per call (the thread hand-offs).
  struct Cpu {
    double gateway_us = 0, directory_us = 0, machine_us = 0;
    double gateway_switches = 0, directory_switches = 0;
  };
  auto measure = [&](auto& call, Cpu& cpu) {
    const double gateway0 = bench::CpuSeconds(gateway_pid);
    const double directory0 = bench::CpuSeconds(directory_pid);
    const double machine0 = bench::MachineBusySeconds();
    const int64_t gateway_switches0 = bench::ContextSwitches(gateway_pid);
    const int64_t directory_switches0 = bench::ContextSwitches(directory_pid);
    bench::LoadResult result = bench::RunClosedLoop(connections, duration, call);
    if (result.calls > 0) {
      const double calls = static_cast<double>(result.calls);
      cpu.gateway_us = (bench::CpuSeconds(gateway_pid) - gateway0) * 1e6 / calls;
      cpu.directory_us = (bench::CpuSeconds(directory_pid) - directory0) * 1e6 / calls;
      cpu.machine_us = (bench::MachineBusySeconds() - machine0) * 1e6 / calls;
      cpu.gateway_switches = (bench::ContextSwitches(gateway_pid) - gateway_switches0) / calls;
      cpu.directory_switches =
          (bench::ContextSwitches(directory_pid) - directory_switches0) / calls;
    }
    return result;
  };
  Cpu direct_cpu, http_cpu, grpc_cpu;
  bench::LoadResult direct_result = measure(direct, direct_cpu);
  bench::LoadResult gateway_result = measure(through_gateway, http_cpu);
  bench::LoadResult gateway_grpc_result = measure(through_gateway_grpc, grpc_cpu);

  bench::PrintResult("ceiling: gRPC echo", grpc_echo);
  bench::PrintResult("ceiling: HTTP echo (httplib)", http_echo);
  bench::PrintResult("direct gRPC GetActor", direct_result, &grpc_echo, "gRPC echo");
  bench::PrintResult("gateway HTTP GET actor", gateway_result, &direct_result, "direct gRPC");
  bench::PrintResult("gateway HTTP GET actor", gateway_result, &http_echo, "HTTP echo");
  bench::PrintResult("gateway gRPC GetActor", gateway_grpc_result, &direct_result, "direct gRPC");
  for (const auto& [phase, cpu] :
       {std::make_pair("direct gRPC", &direct_cpu), std::make_pair("gateway HTTP", &http_cpu),
        std::make_pair("gateway gRPC", &grpc_cpu)}) {
    std::printf(
        "CPU per call, %-12s: gateway %6.1f us, directory %6.1f us, machine %6.1f us; "
        "context switches per call: gateway %4.1f, directory %4.1f\n",
        phase, cpu->gateway_us, cpu->directory_us, cpu->machine_us, cpu->gateway_switches,
        cpu->directory_switches);
  }
  std::printf("gateway peak RSS: %.1f MiB; directory peak RSS: %.1f MiB\n",
              bench::PeakRssMib(suite.Pid("gateway")), bench::PeakRssMib(suite.Pid("directory")));
  for (const auto& [door, result] :
       {std::make_pair("HTTP", &gateway_result), std::make_pair("gRPC", &gateway_grpc_result)}) {
    const double ratio = direct_result.qps() > 0 ? result->qps() / direct_result.qps() : 0;
    std::printf("goal: gateway %s / direct gRPC >= 0.8: %.2f (%s)\n", door, ratio,
                ratio >= 0.8 ? "met" : "NOT met");
    const double p99 = result->percentile_ms(0.99);
    const double p999 = result->percentile_ms(0.999);
    std::printf("goal: gateway %s p99.9 <= 3x p99: %.2f ms vs %.2f ms (%s); slowest call %.2f ms\n",
                door, p999, p99, p999 <= 3 * p99 ? "met" : "NOT met",
                result->latencies_ms.empty() ? 0 : result->latencies_ms.back());
  }
  if (FILE* f = std::fopen("/proc/loadavg", "r")) {
    char text[128] = "?";
    if (std::fgets(text, sizeof text, f) != nullptr) std::printf("load average at end: %s", text);
    std::fclose(f);
  }
  return 0;
}
