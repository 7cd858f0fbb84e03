// Frames a realistic pipeline (SET/GET with 16–1024-byte values, and their replies) and
// compares the cost with a plain memchr pass over the same bytes, the floor for any
// scanner. Prints commands/s and bytes/s per benchmark, then the ratios.

#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <random>
#include <string>

#include "protocol/reply_parser.h"
#include "protocol/request_parser.h"
#include "protocol/writer.h"

namespace {

using sp::protocol::ParseStatus;

struct Pipeline {
  std::string requests;
  std::string replies;
  std::int64_t commands = 0;
};

// Half SETs, half GETs of the keys set, values of uniformly random length in [16, 1024].
const Pipeline& pipeline() {
  static const Pipeline p = [] {
    Pipeline p;
    std::mt19937 rng(42);
    std::uniform_int_distribution<int> length(16, 1024);
    sp::protocol::RespWriter requests(p.requests), replies(p.replies);
    for (int i = 0; i < 10000; ++i) {
      const std::string key = "key:" + std::to_string(i % 1000);
      const std::string value(static_cast<std::size_t>(length(rng)), 'v');
      if (i % 2 == 0) {
        requests.command({"SET", key, value});
        replies.simple_string("OK");
      } else {
        requests.command({"GET", key});
        replies.bulk_string(value);
      }
      ++p.commands;
    }
    return p;
  }();
  return p;
}

template <class Parser>
void frame_all(benchmark::State& state, const std::string& bytes) {
  Parser parser;
  for (auto _ : state) {
    std::string_view rest = bytes;
    while (!rest.empty()) {
      const auto r = parser.parse(rest);
      if (r.status != ParseStatus::kComplete) {
        state.SkipWithError("framing failed");
        return;
      }
      rest.remove_prefix(r.consumed);
    }
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * pipeline().commands);
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(bytes.size()));
}

void memchr_pass(benchmark::State& state, const std::string& bytes) {
  for (auto _ : state) {
    std::size_t lines = 0;
    const char* p = bytes.data();
    const char* end = p + bytes.size();
    while (const void* hit = std::memchr(p, '\n', static_cast<std::size_t>(end - p))) {
      ++lines;
      p = static_cast<const char*>(hit) + 1;
    }
    benchmark::DoNotOptimize(lines);
  }
  state.SetItemsProcessed(state.iterations() * pipeline().commands);
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(bytes.size()));
}

void BM_FrameRequests(benchmark::State& s) {
  frame_all<sp::protocol::RequestParser>(s, pipeline().requests);
}
void BM_MemchrRequests(benchmark::State& s) {
  memchr_pass(s, pipeline().requests);
}
void BM_FrameReplies(benchmark::State& s) {
  frame_all<sp::protocol::ReplyParser>(s, pipeline().replies);
}
void BM_MemchrReplies(benchmark::State& s) {
  memchr_pass(s, pipeline().replies);
}

BENCHMARK(BM_FrameRequests);
BENCHMARK(BM_MemchrRequests);
BENCHMARK(BM_FrameReplies);
BENCHMARK(BM_MemchrReplies);

// Keeps each benchmark's time per iteration so that main can print the ratios.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      if (run.run_type == Run::RT_Iteration || run.aggregate_name == "median") {
        seconds_[run.run_name.function_name] = run.GetAdjustedRealTime();
      }
    }
    ConsoleReporter::ReportRuns(runs);
  }
  double get(const std::string& name) const { return seconds_.at(name); }

 private:
  std::map<std::string, double> seconds_;
};

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  const Pipeline& p = pipeline();
  std::printf("\npipeline: %lld commands, %zu request bytes, %zu reply bytes\n",
              static_cast<long long>(p.commands), p.requests.size(), p.replies.size());
  std::printf("framing cost vs memchr pass: requests %.2fx, replies %.2fx (target <= 4x)\n",
              reporter.get("BM_FrameRequests") / reporter.get("BM_MemchrRequests"),
              reporter.get("BM_FrameReplies") / reporter.get("BM_MemchrReplies"));
  benchmark::Shutdown();
  return 0;
}
