#include "daemon/live/stream.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <vector>

#include "daemon/desk/desk.h"
#include "daemon/live/hub.h"
#include "proto/events.h"
#include "proto/json.h"
#include "proto/ticket_status.h"

namespace helpdesk::live {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
constexpr auto kToken = asio::as_tuple(asio::use_awaitable);

// Open tickets in a snapshot at most (a dashboard's board has its own).
constexpr size_t kSnapshotTickets = 500;
template <typename T>
bool Listed(const std::vector<T>& list, const T& value) {
  return list.empty() ||
         std::find(list.begin(), list.end(), value) != list.end();
}

// The open tickets `who` may see that match `filter` now, newest first.
StatusOr<v1::StreamSnapshot> TicketSnapshot(const desk::Desk& desk,
                                            const auth::Principal& who,
                                            const Filter& filter, View view) {
  v1::StreamSnapshot out;
  out.set_type("snapshot");
  out.set_complete(true);
  std::vector<v1::TicketSummary> rows;
  for (v1::TicketStatus status : proto::kOpenStatuses) {
    if (!Listed(filter.statuses, status)) continue;
    desk::TicketQuery q;
    q.status = status;
    if (filter.municipalities.size() == 1)
      q.municipality = filter.municipalities.front();
    if (filter.assignees.size() == 1) q.assignee = filter.assignees.front();
    q.limit = kSnapshotTickets;
    auto page = desk.ListTickets(who, q);
    if (!page.ok()) return page.status();
    if (page->next_before) out.set_complete(false);
    for (const auto& t : page->tickets) {
      if (!Listed(filter.municipalities, t.municipality()) ||
          !Listed(filter.assignees, t.assignee()) ||
          !Listed(filter.tickets, t.id()))
        continue;
      proto::Summarize(nullptr, t, rows.emplace_back());
      Reduce(view, rows.back());
    }
  }
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
    return a.id().size() != b.id().size() ? a.id().size() > b.id().size()
                                          : a.id() > b.id();
  });
  if (rows.size() > kSnapshotTickets) {
    rows.resize(kSnapshotTickets);
    out.set_complete(false);
  }
  for (auto& r : rows) *out.add_tickets() = std::move(r);
  return out;
}

// What the write loop and the reader share; both run on the connection's
// strand.
template <typename Stream>
struct State {
  State(Stream& stream, asio::any_io_executor ex)
      : ws(stream), timer(std::make_shared<asio::steady_timer>(ex)) {}
  websocket::stream<Stream&> ws;
  // Woken (cancelled) by the hub when frames arrive, and by the reader.
  std::shared_ptr<asio::steady_timer> timer;
  bool reader_done = false;
  bool reader_timed_out = false;  // silent for the idle timeout
  uint16_t close_code = 0;        // to close with, once set
  std::string close_reason;
};

template <typename Stream>
asio::awaitable<void> Reader(std::shared_ptr<State<Stream>> s) {
  beast::flat_buffer buffer;
  auto [ec, n] = co_await s->ws.async_read(buffer, kToken);
  s->reader_timed_out = ec == beast::error::timeout;
  if (ec == websocket::error::message_too_big) {
    s->close_code = websocket::close_code::too_big;  // Beast closed it so
  } else if (!ec && s->close_code == 0) {
    s->close_code = websocket::close_code::unknown_data;
    s->close_reason =
        "this stream takes no messages: its filter goes in the URL's query";
  }
  s->reader_done = true;
  s->timer->cancel();
}

// Sends `text` as one message; false when the connection failed.
template <typename Stream>
asio::awaitable<bool> Send(State<Stream>& s, const std::string& text) {
  auto [ec, n] = co_await s.ws.async_write(asio::buffer(text), kToken);
  co_return !ec;
}

// One message of `frames`, copied into one buffer (a copy costs less than
// the system calls of a write gathered from hundreds of pieces).
template <typename Stream>
asio::awaitable<bool> SendEvents(State<Stream>& s,
                                 const std::vector<Frame>& frames) {
  constexpr std::string_view kHead = "{\"type\":\"events\",\"events\":[";
  size_t size = kHead.size() + 2;
  for (const auto& f : frames) size += f.json->size() + 1;
  std::string text;
  text.reserve(size);
  text += kHead;
  for (size_t i = 0; i < frames.size(); ++i) {
    if (i) text += ',';
    text += *frames[i].json;
  }
  text += "]}";
  co_return co_await Send(s, text);
}

std::string Position(uint64_t seq) {
  return "{\"type\":\"position\",\"seq\":\"" + std::to_string(seq) + "\"}";
}

// Why `since` cannot be honoured, or "" when it can.
std::string NotRecovered(const StreamRequest& asked, const std::string& epoch,
                         uint64_t head, uint64_t replay_limit) {
  if (!asked.since) return "no_since";
  if (!asked.epoch.empty() && asked.epoch != epoch) return "epoch_changed";
  if (*asked.since > head) return "ahead";
  if (head - *asked.since > replay_limit) return "too_old";
  return "";
}

template <typename Stream>
Hub::Closed WhyClosed(const State<Stream>& s) {
  switch (s.close_code) {
    case 0:
      return s.reader_timed_out ? Hub::Closed::kIdle : Hub::Closed::kClient;
    case kCloseTooSlow:
      return Hub::Closed::kTooSlow;
    case kCloseCredentialEnded:
      return Hub::Closed::kCredential;
    case websocket::close_code::going_away:
      return Hub::Closed::kGoingAway;
    case websocket::close_code::unknown_data:
    case websocket::close_code::too_big:
      return Hub::Closed::kClientData;
    default:
      return Hub::Closed::kFailed;
  }
}

// Whether `now` is still who the stream was opened as: a demoted account,
// or one moved to another municipality, sees no more through the old view.
bool SameView(const auth::Principal& was, const auth::Principal& now) {
  return was.account == now.account && was.roles == now.roles &&
         was.municipality == now.municipality && was.staff_id == now.staff_id;
}

// The stream once accepted: subscribe, say hello, replay or snapshot, then
// the hub's events until it closes. Serve guards it.
template <typename Stream>
asio::awaitable<void> Run(Hub& hub, const StreamOptions& options,
                          const std::shared_ptr<State<Stream>>& s,
                          const std::shared_ptr<Subscription>& sub,
                          const StreamRequest& asked, bool& reading) {
  const desk::Desk& desk = hub.desk();
  const auth::Principal& who = asked.who;
  auto ex = co_await asio::this_coro::executor;
  auto epoch = desk.Epoch();
  const std::string reason = epoch.ok()
                                 ? NotRecovered(asked, *epoch, hub.committed(),
                                                hub.options().replay_limit)
                                 : "";
  const bool recovered = epoch.ok() && reason.empty();
  StatusOr<uint64_t> head =
      epoch.ok() ? hub.Subscribe(sub, recovered ? *asked.since : 0)
                 : StatusOr<uint64_t>(epoch.status());
  if (!head.ok()) {
    const bool full = head.status().code() == Code::kUnavailable;
    s->close_code = full ? websocket::close_code::try_again_later
                         : websocket::close_code::internal_error;
    s->close_reason = full ? "too many live subscribers; retry shortly"
                           : "the daemon cannot read its log; retry shortly";
    co_return;
  }
  asio::co_spawn(ex, Reader(s), asio::detached);
  reading = true;

  uint64_t last_sent = recovered ? *asked.since : *head;
  bool open = true;
  {
    v1::StreamHello hello;
    hello.set_type("hello");
    hello.set_epoch(*epoch);
    // The log's end as this stream takes it: replayed or in the snapshot
    // up to here, the hub's after.
    hello.set_seq(*head);
    hello.set_since(asked.since.value_or(0));
    hello.set_recovered(recovered);
    hello.set_reason(reason);
    hello.set_view(std::string(ViewName(sub->view)));
    hello.set_replay_limit(hub.options().replay_limit);
    const std::string text = proto::ToJson(hello);
    open = co_await Send(*s, text);
  }
  if (open && recovered) {
    // The events after `since` up to where the hub took over, from the log.
    uint64_t after = *asked.since;
    while (open && after < *head && !s->reader_done && s->close_code == 0 &&
           !hub.stopping()) {
      auto events = desk.ReadLog(after, options.batch_events);
      if (!events.ok() || events->empty()) {
        s->close_code = websocket::close_code::internal_error;
        s->close_reason = "the daemon cannot read its log; resume with since=" +
                          std::to_string(last_sent);
        break;
      }
      std::vector<Frame> frames;
      for (const auto& e : *events) {
        if (e.seq() > *head) break;
        after = e.seq();
        if (!sub->filter.Matches(e) || !MaySee(sub->view, who, e)) continue;
        frames.push_back({e.seq(), std::make_shared<const std::string>(
                                       Render(sub->view, e))});
      }
      if (!frames.empty()) {
        open = co_await SendEvents(*s, frames);
        last_sent = frames.back().seq;
      }
    }
  } else if (open) {
    // The state to start from, read on the report pool (a dashboard's
    // board reads today's events).
    auto read = [&desk, &who, sub]() -> StatusOr<v1::StreamSnapshot> {
      if (sub->view != View::kDashboard)
        return TicketSnapshot(desk, who, sub->filter, sub->view);
      auto board = desk.Board();
      if (!board.ok()) return board.status();
      v1::StreamSnapshot out;
      out.set_type("snapshot");
      out.set_complete(true);
      *out.mutable_board() = std::move(*board);
      return out;
    };
    StatusOr<v1::StreamSnapshot> snapshot = Status::Unavailable("");
    if (options.slow) {
      // (co_spawn's result must be default-constructible.)
      // GCC 12 destroys a temporary of a co_await expression twice: the
      // lambda handed to co_spawn owns nothing (`read` is this frame's).
      auto read_on_pool = [&read]()
          -> asio::awaitable<std::optional<StatusOr<v1::StreamSnapshot>>> {
        co_return read();
      };
      std::optional<StatusOr<v1::StreamSnapshot>> read_there =
          co_await asio::co_spawn(options.slow, read_on_pool,
                                  asio::use_awaitable);
      snapshot = std::move(*read_there);
    } else {
      snapshot = read();
    }
    if (!snapshot.ok()) {
      s->close_code = websocket::close_code::internal_error;
      s->close_reason = "the snapshot could not be read; retry shortly";
    } else {
      snapshot->set_seq(*head);
      const std::string text = proto::ToJson(*snapshot);
      open = co_await Send(*s, text);
    }
  }

  auto last_check = Clock::now();
  while (open && !s->reader_done && s->close_code == 0) {
    if (hub.stopping()) {
      s->close_code = websocket::close_code::going_away;
      s->close_reason = "the daemon is stopping; resume with since=" +
                        std::to_string(last_sent);
      break;
    }
    if (Clock::now() - last_check >= options.recheck_every) {
      last_check = Clock::now();
      auto now = desk.Authenticate(asked.secret);
      if (!now.ok() || !SameView(who, *now)) {
        s->close_code = kCloseCredentialEnded;
        s->close_reason =
            now.ok() ? "the account's roles or municipality changed; "
                       "connect again"
                     : "the session or token ended (logged out, revoked, "
                       "expired or the account disabled); log in again";
        break;
      }
    }
    std::vector<Frame> frames;
    bool overflowed = false;
    {
      std::lock_guard lock(sub->mu);
      overflowed = sub->overflowed;
      // A message holds its own copy of its events (one write, not
      // hundreds): at most batch_bytes of them, so ten thousand slow
      // subscribers do not each hold a large one.
      size_t bytes = 0;
      while (!overflowed && !sub->queue.empty() &&
             frames.size() < options.batch_events &&
             (frames.empty() ||
              bytes + sub->queue.front().json->size() <= options.batch_bytes)) {
        bytes += sub->queue.front().json->size();
        frames.push_back(std::move(sub->queue.front()));
        sub->queue.pop_front();
      }
      sub->waiting = !overflowed && frames.empty();
    }
    if (overflowed) {
      s->close_code = kCloseTooSlow;
      s->close_reason =
          "too slow: " + std::to_string(hub.options().queue_events) +
          " events waited; resume with since=" + std::to_string(last_sent);
      break;
    }
    if (frames.empty()) {
      // Armed after `waiting` is set: a wake-up the hub posts meanwhile
      // runs on this strand only once the wait below is pending.
      s->timer->expires_after(options.position_every);
      auto [ec] = co_await s->timer->async_wait(kToken);
      {
        std::lock_guard lock(sub->mu);
        sub->waiting = false;
      }
      if (ec) continue;  // woken: frames, the reader, or the daemon stopping
      // Idle: tell a filtered client how far the log has gone, so it
      // resumes from near the head. Every event up to `fanned` is either
      // sent (this loop is idle) or on the queue (then it goes first).
      const uint64_t fanned = hub.fanned();
      bool empty = false;
      {
        std::lock_guard lock(sub->mu);
        empty = sub->queue.empty();
      }
      if (empty && fanned > last_sent) {
        const std::string text = Position(fanned);
        open = co_await Send(*s, text);
        last_sent = fanned;
      }
      continue;
    }
    open = co_await SendEvents(*s, frames);
    if (open) last_sent = frames.back().seq;
  }
  if (!open) s->close_code = 0;  // the connection failed: nothing to close
}

}  // namespace

template <typename Stream>
asio::awaitable<void> Serve(Hub& hub, const StreamOptions& options,
                            Stream& stream, const HttpRequest& request,
                            const std::shared_ptr<const StreamRequest>& asked) {
  auto ex = co_await asio::this_coro::executor;
  auto s = std::make_shared<State<Stream>>(stream, ex);
  websocket::stream_base::timeout timeout;
  timeout.handshake_timeout = std::chrono::seconds(10);
  timeout.idle_timeout = options.idle_timeout;
  timeout.keep_alive_pings = true;
  s->ws.set_option(timeout);
  s->ws.set_option(
      websocket::stream_base::decorator([](websocket::response_type& res) {
        res.set(beast::http::field::server, "helpdeskd");
      }));
  s->ws.read_message_max(options.max_message_bytes);
  s->ws.text(true);
  // A message goes out as one frame (Beast would cut it into 4 KiB ones,
  // each a write of its own).
  s->ws.auto_fragment(false);
  {
    auto [ec] = co_await s->ws.async_accept(request, kToken);
    if (ec) co_return;
  }
  std::weak_ptr<asio::steady_timer> weak_timer = s->timer;
  auto sub = std::make_shared<Subscription>(asked->who, asked->filter,
                                            [weak_timer, ex] {
                                              asio::post(ex, [weak_timer] {
                                                if (auto t = weak_timer.lock())
                                                  t->cancel();
                                              });
                                            });
  // Whatever Run does, even throw, the subscription ends and the reader
  // (which holds the connection's stream) is waited for before the HTTP
  // session lets the connection go.
  bool reading = false;
  try {
    co_await Run(hub, options, s, sub, *asked, reading);
  } catch (const std::exception& e) {
    spdlog::error("live: a stream of '{}' failed: {}", asked->who.account,
                  e.what());
    s->close_code = websocket::close_code::internal_error;
    s->close_reason = "the daemon failed; resume with since";
  }
  hub.Unsubscribe(sub);
  hub.CountClosed(WhyClosed(*s));
  if (s->close_code == websocket::close_code::too_big) s->close_code = 0;
  if (s->close_code != 0) {
    const websocket::close_reason why(
        static_cast<websocket::close_code>(s->close_code), s->close_reason);
    co_await s->ws.async_close(why, kToken);
  }
  if (reading && !s->reader_done) {
    boost::system::error_code ignored;
    beast::get_lowest_layer(s->ws).cancel(ignored);
    while (!s->reader_done) {
      s->timer->expires_after(std::chrono::seconds(1));
      co_await s->timer->async_wait(kToken);
      if (!s->reader_done) beast::get_lowest_layer(s->ws).close(ignored);
    }
  }
}

template asio::awaitable<void> Serve<tcp::socket>(
    Hub&, const StreamOptions&, tcp::socket&, const HttpRequest&,
    const std::shared_ptr<const StreamRequest>&);
template asio::awaitable<void> Serve<beast::ssl_stream<tcp::socket>>(
    Hub&, const StreamOptions&, beast::ssl_stream<tcp::socket>&,
    const HttpRequest&, const std::shared_ptr<const StreamRequest>&);

}  // namespace helpdesk::live
