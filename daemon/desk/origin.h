#pragma once
// Who asks for a change, as every event of it records, and the
// Idempotency-Key it came with. Plain values; any thread.

#include <functional>
#include <string>
#include <string_view>

#include "daemon/auth/principal.h"

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
  // The account that asks (who.account), or a sweep's own name.
  std::string actor = "anonymous";
  std::string request_id;
  IdempotencyKey idempotency{};
  // Who asks, as authenticated: the rules of what they may see and change
  // (auth/policy.h) are read from it. No roles by default: a caller that
  // sets none may see nothing. Sweeps and offline tools use auth::System.
  auth::Principal who{};
  std::string client_address{};
  // The answer may be made away from the writer (Desk::AnswerOn): a
  // client's request, whose answer (its SLA clocks read, rendered as
  // JSON) would otherwise hold up the next batch. Not a sweep's nor the
  // first start's: they wait for their answer before the threads that
  // would make it run.
  bool answer_off_writer = false;
};

// The origin of a change made by the daemon itself (a sweep, the first
// start, helpdeskctl offline): every role, `actor` as its name.
inline Origin SystemOrigin(std::string actor, std::string request_id) {
  Origin o;
  o.who = auth::System(actor);
  o.actor = std::move(actor);
  o.request_id = std::move(request_id);
  return o;
}

// The origin of a change by the authenticated `who`.
inline Origin OriginOf(const auth::Principal& who, std::string request_id) {
  Origin o;
  o.actor = who.account;
  o.request_id = std::move(request_id);
  o.who = who;
  o.client_address = who.client_address;
  return o;
}

// What tells two requests under one key apart: a SHA-256 over the method,
// the target as sent (path and query) and the body bytes.
std::string RequestFingerprint(std::string_view method, std::string_view target,
                               std::string_view body);

}  // namespace helpdesk::desk
