#pragma once
// Who asks for a change, as every event of it records, and the
// Idempotency-Key it came with. Plain values; any thread.

#include <functional>
#include <string>
#include <string_view>

namespace helpdesk::desk {

// A write sent with an Idempotency-Key (README, API): a retry with the same
// key by the same actor within 24 hours is answered as the first was and
// writes nothing. The key is checked by the adapter (1 to 255 visible
// ASCII characters).
struct IdempotencyKey {
  std::string key;          // empty: none was sent
  std::string fingerprint;  // RequestFingerprint of the request
  // Called just before the answer when it is the first answer, replayed
  // (on the thread that then answers).
  std::function<void()> replayed{};
};

struct Origin {
  // Until authentication: the X-Actor header or a body field the route
  // names, "anonymous" when neither is given; a sweep's own name.
  std::string actor = "anonymous";
  std::string request_id;
  IdempotencyKey idempotency{};
};

// What tells two requests under one key apart: a SHA-256 over the method,
// the target as sent (path and query) and the body bytes.
std::string RequestFingerprint(std::string_view method, std::string_view target,
                               std::string_view body);

}  // namespace helpdesk::desk
