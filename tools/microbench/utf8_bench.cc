// The UTF-8 check every string from a client goes through (proto/utf8.h),
// on 1 KiB and 1 MiB of Norwegian text (mostly ASCII, an æ/ø/å every few
// words, as ticket descriptions are) and of text with no ASCII at all, and
// AppendJsonString over the same text. Bytes per second is the figure:
//   helpdesk-utf8-bench --benchmark_repetitions=10
//     --benchmark_report_aggregates_only=true

#include <benchmark/benchmark.h>

#include <string>

#include "proto/json.h"
#include "proto/utf8.h"

namespace helpdesk::proto {
namespace {

std::string Text(size_t bytes, bool ascii_free) {
  const std::string word = ascii_free ? "\xC3\xA6\xC3\xB8\xC3\xA5\xE2\x82\xAC"
                                      : "Skriveren p\xC3\xA5 kontoret ";
  std::string out;
  while (out.size() + word.size() <= bytes) out += word;
  out.append(bytes - out.size(), 'x');
  return out;
}

void BM_IsValidUtf8(benchmark::State& state) {
  const std::string s =
      Text(static_cast<size_t>(state.range(0)), state.range(1) != 0);
  for (auto _ : state) benchmark::DoNotOptimize(IsValidUtf8(s));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          state.range(0));
}
BENCHMARK(BM_IsValidUtf8)
    ->ArgNames({"bytes", "no_ascii"})
    ->Args({1 << 10, 0})
    ->Args({1 << 20, 0})
    ->Args({1 << 10, 1})
    ->Args({1 << 20, 1});

void BM_AppendJsonString(benchmark::State& state) {
  const std::string s = Text(static_cast<size_t>(state.range(0)), false);
  std::string out;
  for (auto _ : state) {
    out.clear();
    AppendJsonString(out, s);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          state.range(0));
}
BENCHMARK(BM_AppendJsonString)->Arg(1 << 10)->Arg(1 << 20);

}  // namespace
}  // namespace helpdesk::proto

BENCHMARK_MAIN();
