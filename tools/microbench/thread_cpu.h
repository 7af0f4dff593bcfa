#pragma once
// The calling thread's CPU time, for benchmarks that read the writer's
// from a completion it runs.

#include <ctime>

namespace helpdesk::bench {

// The calling thread's CPU time in µs.
inline double ThreadCpuUs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 +
         static_cast<double>(ts.tv_nsec) / 1e3;
}

}  // namespace helpdesk::bench
