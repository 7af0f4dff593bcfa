#include "daemon/pager/sender.h"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <future>

#include "daemon/desk/desk.h"
#include "daemon/paging/plan.h"
#include "proto/timestamps.h"

namespace helpdesk::paging {
namespace {

// Pages handled in one round; more wait for the next (at once).
constexpr size_t kPagesPerRound = 16;

std::string Digits(const std::string& phone) {
  std::string out;
  for (char c : phone)
    if ((c >= '0' && c <= '9') || (c == '+' && out.empty())) out += c;
  return out;
}

}  // namespace

std::string Address(const std::string& pattern, const std::string& email,
                    const std::string& phone) {
  std::string out;
  for (size_t i = 0; i < pattern.size();) {
    if (pattern.compare(i, 7, "{email}") == 0) {
      if (email.empty()) return "";
      out += email;
      i += 7;
    } else if (pattern.compare(i, 7, "{phone}") == 0) {
      const std::string digits = Digits(phone);
      if (digits.empty()) return "";
      out += digits;
      i += 7;
    } else {
      out += pattern[i++];
    }
  }
  return out;
}

Sender::Sender(desk::Desk& desk, SenderOptions options)
    : desk_(desk), options_(std::move(options)) {}

Sender::~Sender() { Stop(); }

void Sender::Start() {
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "hd-pager");
    Run();
  });
}

void Sender::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Sender::Wake() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  cv_.notify_all();
}

bool Sender::stopping() {
  std::lock_guard lock(mu_);
  return stopping_;
}

void Sender::Run() {
  // After a round that could not be recorded: 1 s, doubling to a minute.
  std::chrono::seconds backoff{0};
  std::unique_lock lock(mu_);
  while (!stopping_) {
    woken_ = false;
    lock.unlock();
    Outcome out;
    try {
      if (epoch_.empty()) {
        auto epoch = desk_.Epoch();
        if (epoch.ok()) epoch_ = *epoch;
      }
      out = Round();
    } catch (const std::exception& e) {
      spdlog::error("paging: a round failed: {}", e.what());
      out.recorded = false;
    }
    backoff = out.recorded ? std::chrono::seconds(0)
                           : std::min<std::chrono::seconds>(
                                 std::max(backoff * 2, std::chrono::seconds(1)),
                                 std::chrono::seconds(60));
    lock.lock();
    if (backoff.count() > 0) {
      cv_.wait_for(lock, backoff, [this] { return stopping_; });
      continue;
    }
    if (out.more) continue;
    // A timer, not a synchronisation: commits and Stop wake it early; the
    // second also follows a clock moved by a test.
    cv_.wait_for(lock, std::chrono::seconds(1),
                 [this] { return stopping_ || woken_; });
  }
}

Sender::Outcome Sender::Round() {
  auto due = desk_.DuePages(kPagesPerRound);
  if (!due.ok()) {
    spdlog::warn("paging: cannot read the pages due: {}",
                 due.status().message());
    return {.more = false, .recorded = false};
  }
  if (due->empty()) return {};
  const auto now = proto::ToSys(desk_.Now());
  const Setup& setup = desk_.paging();
  std::vector<desk::PageRound> round;
  std::vector<std::string> sent;  // unrecorded_ keys of this round
  for (v1::Page& page : *due) {
    desk::PageRound r;
    r.page = std::stoull(page.id());
    StartDueSteps(page, setup.channels, now);
    for (const auto& [step, channel] : DueDeliveries(page, now)) {
      Attempt a;
      a.step = step;
      a.channel = channel;
      const v1::PageStep& s = page.steps(step);
      const std::string key =
          page.id() + "." + std::to_string(step) + "." + channel;
      if (unrecorded_.contains(key)) {  // sent; its recording failed
        a.delivered = true;
        r.attempts.push_back(std::move(a));
        sent.push_back(key);
        continue;
      }
      // Stopping: what is done so far is recorded, the rest waits.
      if (channel != "live" && stopping()) continue;
      Message m;
      m.id = DeliveryId(epoch_, page, step);
      m.subject = page.subject();
      m.text = MailText(page, step);
      m.unix_seconds = options_.wall_seconds();
      Status result;
      if (channel == "live") {
        // The recorded PageDelivered is what the live stream carries.
      } else if (channel == "email" && options_.email) {
        auto person = desk_.GetStaffMember(s.to());
        m.to_address = person.ok() ? Address(options_.email_to, person->email(),
                                             person->phone())
                                   : std::string();
        a.address = m.to_address;
        result = m.to_address.empty()
                     ? Status::InvalidField("email",
                                            s.to() + " has no address for '" +
                                                options_.email_to +
                                                "' in the staff registry")
                     : SendMail(*options_.email, m);
      } else if (channel == "webhook" && options_.webhook) {
        m.json = WebhookJson(page, step, m.id, options_.public_url);
        a.address = Endpoint(options_.webhook->url);
        result = PostWebhook(*options_.webhook, m);
      } else {
        result =
            Status::Internal("channel '" + channel + "' is not configured");
      }
      a.delivered = result.ok();
      if (!result.ok()) {
        a.error = result.message();
        spdlog::warn("paging: page {} step {} to {} by {}: {}", page.id(), step,
                     s.to(), channel, a.error);
      } else {
        sent.push_back(key);
        if (channel != "live")
          spdlog::info("paging: page {} step {} delivered to {} by {}",
                       page.id(), step, s.to(), channel);
      }
      r.attempts.push_back(std::move(a));
    }
    round.push_back(std::move(r));
  }
  // Recorded before the next round: a failed attempt is retried only once
  // its backoff is stored, and a delivery is sent again only if its
  // recording is lost with the process.
  std::promise<Status> recorded;
  desk_.RecordPages(std::move(round), [&recorded](Status s) {
    recorded.set_value(std::move(s));
  });
  const Status st = recorded.get_future().get();
  if (!st.ok()) {
    for (auto& key : sent) unrecorded_.insert(std::move(key));
    return {.more = false, .recorded = false};
  }
  for (const auto& key : sent) unrecorded_.erase(key);
  return {.more = due->size() == kPagesPerRound, .recorded = true};
}

}  // namespace helpdesk::paging
