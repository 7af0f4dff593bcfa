// Fuzz target: the request-target helpers of daemon/http/query.h as the
// handlers call them. The input is lines: the request target, an If-Match
// header, two lines no longer read (once X-Actor and a body's actor: the
// actor is now the credential; kept so the corpus keeps its layout), a
// Content-Type, a list cursor. Besides "never crash", what the header
// promises is checked: bounded integers are in their bounds, and a cursor
// decodes to what encoded it.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/http/query.h"

namespace {

using namespace helpdesk::http;

void Fail(const char* what) {
  std::fprintf(stderr, "broken promise of query.h: %s\n", what);
  std::abort();
}

std::vector<std::string_view> Lines(std::string_view in, size_t n) {
  std::vector<std::string_view> out(n);
  for (size_t i = 0; i < n && !in.empty(); ++i) {
    const size_t end = in.find('\n');
    out[i] = in.substr(0, end);
    in =
        end == std::string_view::npos ? std::string_view() : in.substr(end + 1);
  }
  return out;
}

void Params(const Target& t) {
  // The parameters of every list and report route (the routes' own sets).
  (void)CheckParams(t,
                    {"status", "municipality", "assignee", "limit", "cursor"});
  (void)CheckParams(t, {"after", "limit", "cursor"});
  (void)CheckParams(t, {});
  auto limit = UintParam(t, "limit", 1, 200, 50);
  if (limit.ok() && (*limit < 1 || *limit > 200))
    Fail("limit outside [1, 200]");
  auto after = UintParam(t, "after", 0, UINT64_MAX, 0);
  (void)after;
  (void)BoolParam(t, "includeRetired", false);
  (void)BoolParam(t, "active", true);
  (void)TimeParam(t, "from", std::chrono::sys_seconds{});
  (void)OptionalTimeParam(t, "at");
  if (auto it = t.params.find("cursor"); it != t.params.end()) {
    auto n = DecodeCursor(it->second);
    if (n.ok()) {
      auto again = DecodeCursor(EncodeCursor(*n));
      if (!again.ok() || *again != *n) Fail("cursor round trip");
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto lines =
      Lines(std::string_view(reinterpret_cast<const char*>(data), size), 6);
  auto target = ParseTarget(lines[0]);
  if (target.ok()) Params(*target);
  (void)ParseIfMatch(lines[1]);
  (void)IsJsonContentType(lines[4]);
  auto n = DecodeCursor(lines[5]);
  if (n.ok()) {
    auto again = DecodeCursor(EncodeCursor(*n));
    if (!again.ok() || *again != *n) Fail("cursor round trip");
  }
  return 0;
}
