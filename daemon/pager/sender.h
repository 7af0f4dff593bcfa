#pragma once
// The paging sender (README, "Paging"): delivers the pages of the outbox
// after their writes commit. Each round it reads the pages with something
// due at the desk's clock, attempts each due delivery once (e-mail and
// webhook: blocking I/O on this thread, never on the writer or the I/O
// threads; the live stream: the recorded event itself), then has the
// writer record what came of them and waits for that before the next
// round, so a delivery is attempted again only once its failure is
// recorded. A delivery sent whose recording is lost (a crash in between)
// is sent again after the restart with the same id: receivers deduplicate
// by it (the webhook-id header, the mail's Message-ID).
//
// It wakes when a write commits (Wake, from the writer's OnCommitted), and
// otherwise once a second, which also follows a test clock that is moved.
// When a round cannot be recorded (the store full, the writer stopping),
// what it delivered is kept here and not sent again: the next rounds, a
// backoff apart, record it with theirs.
//
// Thread-safety: Start, Stop from the owning thread; Wake from any.

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include "daemon/pager/channels.h"

namespace helpdesk::desk {
class Desk;
}

namespace helpdesk::paging {

struct SenderOptions {
  std::optional<SmtpOptions> email;
  // The address a person's mail goes to: "{email}" (their staff record's)
  // or, for a gateway fed by e-mail, e.g. "{phone}@sms.example.no" (the
  // phone's digits).
  std::string email_to = "{email}";
  std::optional<WebhookOptions> webhook;
  std::string public_url;
  // The wall clock, seconds since the epoch: a webhook's timestamp and a
  // mail's Date say when it was really sent, which a receiver checks
  // against its own clock (a drill's --clock-start is the desk's only).
  // Required.
  std::function<int64_t()> wall_seconds;
};

// `to`, with {email} and {phone} replaced from the person; "" when the
// person lacks what it names.
std::string Address(const std::string& pattern, const std::string& email,
                    const std::string& phone);

class Sender {
 public:
  Sender(desk::Desk& desk, SenderOptions options);
  ~Sender();  // Stop()s
  Sender(const Sender&) = delete;
  Sender& operator=(const Sender&) = delete;

  void Start();
  // Finishes the round under way (an attempt takes at most its timeout).
  void Stop();
  void Wake();

 private:
  void Run();
  // One round: whether there may be more due now, and whether it was
  // recorded.
  struct Outcome {
    bool more = false;
    bool recorded = true;
  };
  Outcome Round();
  bool stopping();

  desk::Desk& desk_;
  const SenderOptions options_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_
  bool woken_ = false;     // guarded by mu_
  std::thread thread_;
  // Sender thread only: the database's epoch (in every delivery id), and
  // deliveries sent whose recording failed, by "page.step.channel".
  std::string epoch_;
  std::set<std::string> unrecorded_;
};

}  // namespace helpdesk::paging
