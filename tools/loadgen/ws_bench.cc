// helpdesk-ws-bench: N websocket subscribers of GET /api/v1/stream on one
// or two I/O threads, and a creator that POSTs tickets at a set rate over
// a few keep-alive connections. Measures the delivery latency of every
// (client, event) as the time it was read less the event's `at` (the
// commit's clock reading: the daemon must run on the system clock, on this
// machine), the creator's own throughput and latency, which subscribers the
// daemon closed (and with what code), and, given the daemon's pid, its
// resident memory before and after the clients connect. Bounded: every
// network operation has a deadline, and the run ends after the warm-up,
// the measured window and a short drain.

#include <sys/resource.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <charconv>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "tools/loadgen/client.h"

namespace helpdesk::loadgen {
namespace {

namespace websocket = beast::websocket;
using Clock = std::chrono::steady_clock;
using SysClock = std::chrono::system_clock;

struct Options {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;
  std::string token;          // the subscribers'; default $HELPDESK_TOKEN
  std::string creator_token;  // default: token
  std::string query;          // extra stream parameters: "municipality=tinn"
  int clients = 1000;
  int threads = 1;      // subscribers' I/O threads
  int connecting = 64;  // handshakes in flight at once
  double rate = 500;    // creates a second; 0: as fast as the creators go
  int creators = 16;    // keep-alive connections of the creator
  double duration = 10;
  double warmup = 1;
  double drain = 5;  // at most this long after the creates for the last events
  int daemon_pid = 0;
  bool snapshot = false;  // subscribe without since: each gets a snapshot
};

const char* const kMunicipalities[] = {"kongsberg", "notodden", "nore-og-uvdal",
                                       "flesberg",  "rollag",   "tinn",
                                       "hjartdal"};

// Every subscriber must be in (or have failed) within this.
constexpr std::chrono::seconds kSubscribeTimeout{600};

Clock::duration Seconds(double s) {
  return std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(s));
}

// Latencies in microseconds in buckets about 1% wide (exact below 100 us):
// constant memory whatever the number of samples. One per thread, merged
// at the end.
class Histogram {
 public:
  void Add(int64_t us) {
    if (us < 0) {
      ++negative_;
      us = 0;
    }
    ++buckets_[Index(us)];
    ++count_;
    max_us_ = std::max(max_us_, us);
  }
  void Merge(const Histogram& o) {
    for (size_t i = 0; i < kBuckets; ++i) buckets_[i] += o.buckets_[i];
    count_ += o.count_;
    negative_ += o.negative_;
    max_us_ = std::max(max_us_, o.max_us_);
  }
  // The bucket's upper edge holding the p-th percentile, in ms.
  double PercentileMs(double p) const {
    if (count_ == 0) return 0;
    const auto rank = static_cast<uint64_t>(std::ceil(p / 100.0 * count_));
    uint64_t seen = 0;
    for (size_t i = 0; i < kBuckets; ++i) {
      seen += buckets_[i];
      if (seen >= std::max<uint64_t>(rank, 1))
        return std::min<double>(UpperUs(i), max_us_) / 1000.0;
    }
    return max_us_ / 1000.0;
  }
  double MaxMs() const { return max_us_ / 1000.0; }
  uint64_t count() const { return count_; }
  uint64_t negative() const { return negative_; }

 private:
  static constexpr size_t kExact = 100;
  static constexpr size_t kBuckets = 2200;  // to ~ 1e11 us
  static size_t Index(int64_t us) {
    if (us < static_cast<int64_t>(kExact)) return static_cast<size_t>(us);
    const double i =
        kExact + std::log(static_cast<double>(us) / kExact) / std::log(1.01);
    return std::min(kBuckets - 1, static_cast<size_t>(i));
  }
  static double UpperUs(size_t i) {
    if (i < kExact) return static_cast<double>(i);
    return kExact * std::pow(1.01, static_cast<double>(i - kExact + 1));
  }
  std::vector<uint64_t> buckets_ = std::vector<uint64_t>(kBuckets);
  uint64_t count_ = 0;
  uint64_t negative_ = 0;
  int64_t max_us_ = 0;
};

// "2026-04-15T08:00:00.123456Z" (UTC, as the daemon prints it).
std::optional<SysClock::time_point> ParseTimestamp(std::string_view s) {
  auto num = [&](size_t at, size_t len) -> std::optional<int> {
    int v = 0;
    if (at + len > s.size()) return std::nullopt;
    auto [p, ec] = std::from_chars(s.data() + at, s.data() + at + len, v);
    if (ec != std::errc() || p != s.data() + at + len) return std::nullopt;
    return v;
  };
  auto y = num(0, 4), mo = num(5, 2), d = num(8, 2), h = num(11, 2),
       mi = num(14, 2), se = num(17, 2);
  if (!y || !mo || !d || !h || !mi || !se) return std::nullopt;
  using namespace std::chrono;
  const sys_days date = year{*y} / month{static_cast<unsigned>(*mo)} /
                        day{static_cast<unsigned>(*d)};
  SysClock::time_point t = time_point_cast<SysClock::duration>(
      date + hours{*h} + minutes{*mi} + seconds{*se});
  if (s.size() > 19 && s[19] == '.') {
    int64_t frac = 0, scale = 1000000;
    for (size_t i = 20; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
      if (scale > 1) {
        frac = frac * 10 + (s[i] - '0');
        scale /= 10;
      }
    }
    t += duration_cast<SysClock::duration>(microseconds{frac * scale});
  }
  return t;
}

// What the subscribers of one I/O thread saw; touched by that thread only,
// read by main once the thread has ended.
struct ThreadStats {
  Histogram delivery;
  uint64_t deliveries = 0;      // (client, event) pairs in the window
  uint64_t all_deliveries = 0;  // warm-up and drain too
  uint64_t messages = 0;
  uint64_t gaps = 0;  // a seq not one more than the last (unfiltered only)
  uint64_t bad_messages = 0;
  std::map<int, uint64_t> closes;          // close code -> clients
  std::map<std::string, uint64_t> errors;  // read or connect error -> clients
  std::vector<uint64_t> per_client;        // events each received in the window
  uint64_t bytes = 0;                      // of every message
  // The lowest and highest seq received of the window's events.
  uint64_t window_first = UINT64_MAX;
  uint64_t window_last = 0;
};

// Shared by main and the threads; every member is atomic or under mu.
struct Progress {
  std::atomic<int> connected{0};
  std::atomic<int> failed{0};
  std::atomic<uint64_t> deliveries{0};  // all threads, relaxed
  std::mutex mu;
  std::condition_variable cv;  // connected + failed changed
  std::string first_failure;   // guarded by mu
  void Done(bool ok, const std::string& why) {
    std::lock_guard lock(mu);
    (ok ? connected : failed)++;
    if (!ok && first_failure.empty()) first_failure = why;
    cv.notify_all();
  }
};

// Events are sampled when their `at` falls inside [from, to), in
// nanoseconds of the system clock: set by main once every subscriber is
// in, read by the reader threads.
struct Window {
  std::atomic<int64_t> from_ns{INT64_MAX};
  std::atomic<int64_t> to_ns{INT64_MAX};
  void Set(SysClock::time_point from, SysClock::time_point to) {
    to_ns.store(Ns(to), std::memory_order_relaxed);
    from_ns.store(Ns(from), std::memory_order_relaxed);
  }
  bool Contains(SysClock::time_point t) const {
    const int64_t ns = Ns(t);
    return ns >= from_ns.load(std::memory_order_relaxed) &&
           ns < to_ns.load(std::memory_order_relaxed);
  }
  static int64_t Ns(SysClock::time_point t) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               t.time_since_epoch())
        .count();
  }
};

using Ws = websocket::stream<beast::tcp_stream>;

struct Hello {
  std::string epoch;
  std::string seq;
  bool recovered = false;
};

std::optional<std::string> StringField(std::string_view json,
                                       std::string_view key) {
  const std::string k = "\"" + std::string(key) + "\":\"";
  size_t at = json.find(k);
  if (at == std::string_view::npos) return std::nullopt;
  at += k.size();
  size_t end = json.find('"', at);
  if (end == std::string_view::npos) return std::nullopt;
  return std::string(json.substr(at, end - at));
}

// Connects, upgrades and reads the hello (and the snapshot, when the hello
// says one follows), all within a deadline. The error says what failed.
asio::awaitable<std::string> Subscribe(const Options& o, Ws& ws,
                                       const std::string& target,
                                       beast::flat_buffer& buffer,
                                       Hello& hello) {
  auto& tcp = beast::get_lowest_layer(ws);
  if (auto ec = co_await Connect(tcp, o.host, o.port))
    co_return "connect: " + ec.message();
  tcp.expires_after(std::chrono::seconds(30));
  ws.set_option(websocket::stream_base::decorator(
      [token = o.token](websocket::request_type& req) {
        req.set(http::field::authorization, "Bearer " + token);
      }));
  ws.read_message_max(64 << 20);
  websocket::response_type response;
  auto [hec] = co_await ws.async_handshake(
      response, o.host + ":" + std::to_string(o.port), target,
      asio::as_tuple(asio::use_awaitable));
  if (hec) {
    co_return "handshake: " + hec.message() + " (HTTP " +
        std::to_string(response.result_int()) + ")";
  }
  for (int i = 0; i < 2; ++i) {
    auto [ec, n] =
        co_await ws.async_read(buffer, asio::as_tuple(asio::use_awaitable));
    if (ec) co_return "reading the hello: " + ec.message();
    std::string_view msg(static_cast<const char*>(buffer.data().data()),
                         buffer.size());
    if (i == 0) {
      if (!msg.starts_with(R"({"type":"hello")"))
        co_return "first message not a hello: " +
            std::string(msg.substr(0, 200));
      hello.epoch = StringField(msg, "epoch").value_or("");
      hello.seq = StringField(msg, "seq").value_or("0");
      hello.recovered = msg.find(R"("recovered":true)") != std::string::npos;
    }
    buffer.consume(buffer.size());
    if (hello.recovered) break;  // no snapshot follows
  }
  tcp.expires_never();
  // Beast answers the daemon's pings; no pings of our own.
  ws.set_option(
      websocket::stream_base::timeout::suggested(beast::role_type::client));
  co_return "";
}

// The events of one message: (seq, at) each.
using Parsed = std::vector<std::pair<uint64_t, SysClock::time_point>>;

// Each event opens with {"seq":"N","at":"T" (the JSON mapping prints
// fields in the order of the proto); a comment's seq is followed by its
// author, not by at, and is not counted.
Parsed ParseEvents(std::string_view msg) {
  static constexpr std::string_view kSeq = R"({"seq":")";
  static constexpr std::string_view kAt = R"(","at":")";
  Parsed out;
  for (size_t at = msg.find(kSeq); at != std::string_view::npos;
       at = msg.find(kSeq, at)) {
    at += kSeq.size();
    uint64_t seq = 0;
    auto [p, sec] =
        std::from_chars(msg.data() + at, msg.data() + msg.size(), seq);
    if (sec != std::errc()) continue;
    at = p - msg.data();
    if (msg.substr(at, kAt.size()) != kAt) continue;
    at += kAt.size();
    if (auto t = ParseTimestamp(msg.substr(at, 32))) out.emplace_back(seq, *t);
  }
  return out;
}

// The subscribers of one thread mostly receive the same messages (one view,
// one filter: the same events rendered the same way), batched alike or
// not: a message is known by its first seq and its size, and parsed once
// per thread. So the generator spends its share of the machine on reading
// sockets, not on scanning the same JSON a thousand times.
class ParseCache {
 public:
  const Parsed& Get(std::string_view msg) {
    static constexpr std::string_view kHead =
        R"({"type":"events","events":[{"seq":")";
    uint64_t first = 0;
    if (msg.starts_with(kHead))
      std::from_chars(msg.data() + kHead.size(), msg.data() + msg.size(),
                      first);
    const Key key{first, msg.size()};
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
    if (cache_.size() >= kMaxEntries) cache_.clear();
    return cache_.emplace(key, ParseEvents(msg)).first->second;
  }

 private:
  using Key = std::pair<uint64_t, size_t>;
  static constexpr size_t kMaxEntries = 1 << 16;
  std::map<Key, Parsed> cache_;
};

// One subscriber after its hello: reads until closed, sampling each event.
asio::awaitable<void> ReadEvents(std::unique_ptr<Ws> ws, const Window& w,
                                 ThreadStats& st, ParseCache& cache,
                                 size_t slot, Progress& progress) {
  beast::flat_buffer buffer;
  uint64_t last_seq = 0;
  for (;;) {
    auto [ec, n] =
        co_await ws->async_read(buffer, asio::as_tuple(asio::use_awaitable));
    const SysClock::time_point now = SysClock::now();
    if (ec) {
      if (ec == websocket::error::closed)
        ++st.closes[ws->reason().code];
      else
        ++st.errors[ec.message()];
      co_return;
    }
    ++st.messages;
    st.bytes += buffer.size();
    std::string_view msg(static_cast<const char*>(buffer.data().data()),
                         buffer.size());
    if (msg.starts_with(R"({"type":"events")")) {
      const Parsed& events = cache.Get(msg);
      if (events.empty()) ++st.bad_messages;
      for (const auto& [seq, t] : events) {
        if (last_seq != 0 && seq != last_seq + 1) ++st.gaps;
        last_seq = seq;
        ++st.all_deliveries;
        if (w.Contains(t)) {
          st.delivery.Add(
              std::chrono::duration_cast<std::chrono::microseconds>(now - t)
                  .count());
          ++st.deliveries;
          ++st.per_client[slot];
          st.window_first = std::min(st.window_first, seq);
          st.window_last = std::max(st.window_last, seq);
        }
      }
      progress.deliveries.fetch_add(events.size(), std::memory_order_relaxed);
    }
    buffer.consume(buffer.size());
  }
}

// Subscribes clients first, first + step, ... one after another (a lane:
// `connecting` of them run at once), each then reading on its own.
asio::awaitable<void> Lane(const Options& o, std::string target, int first,
                           int step, int end, const Window& w, ThreadStats& st,
                           ParseCache& cache, Progress& progress) {
  auto ex = co_await asio::this_coro::executor;
  for (int i = first; i < end; i += step) {
    auto ws = std::make_unique<Ws>(ex);
    beast::flat_buffer buffer;
    Hello hello;
    std::string error = co_await Subscribe(o, *ws, target, buffer, hello);
    if (!error.empty()) {
      ++st.errors[error.substr(0, error.find(':'))];
      progress.Done(false, error);
      continue;
    }
    const size_t slot = st.per_client.size();
    st.per_client.push_back(0);
    asio::co_spawn(ex, ReadEvents(std::move(ws), w, st, cache, slot, progress),
                   asio::detached);
    progress.Done(true, "");
  }
}

// ------------------------------------------------------------- creator

struct CreatorStats {
  Histogram latency;     // request sent to answer read
  Histogram behind;      // how late each request went out against the schedule
  uint64_t created = 0;  // in the window
  uint64_t all_created = 0;
  // Slots of the window's schedule that passed while this connection still
  // waited for an answer: not sent late in a burst, but counted here.
  uint64_t missed = 0;
  std::map<std::string, uint64_t> errors;
};

std::string CreateRequest(const Options& o, uint64_t n) {
  http::request<http::string_body> req{http::verb::post, "/api/v1/tickets", 11};
  req.set(http::field::host, o.host);
  req.set(http::field::authorization, "Bearer " + o.creator_token);
  req.set(http::field::content_type, "application/json");
  req.body() = std::string(R"({"title":"Skriver virker ikke )") +
               std::to_string(n) +
               R"(","description":"Papirstopp i skuff 2 ved resepsjonen.",)"
               R"("municipality":")" +
               kMunicipalities[n % 7] +
               R"(","serviceId":"skrivere-og-utskrift","priority":"normal",)"
               R"("reporter":"ws-bench"})";
  req.prepare_payload();
  std::ostringstream out;
  out << req;
  return out.str();
}

// One keep-alive connection sending its share of the creates: request k of
// this connection is due at start + (index + k * creators) / rate, and none
// goes out after stop_at. One that would go out later than its slot's end
// (the answer before it was slow) is skipped and counted as missed, so a
// daemon that cannot keep up shows as missed creates, not as a longer run.
asio::awaitable<void> Creator(const Options& o, int index,
                              Clock::time_point start,
                              Clock::time_point measure_from,
                              Clock::time_point stop_at, CreatorStats& cs) {
  auto ex = co_await asio::this_coro::executor;
  beast::tcp_stream stream(ex);
  if (auto ec = co_await Connect(stream, o.host, o.port)) {
    ++cs.errors["connect: " + ec.message()];
    co_return;
  }
  std::vector<std::string> wire;
  for (int v = 0; v < 7; ++v) wire.push_back(CreateRequest(o, index * 7 + v));
  asio::steady_timer timer(ex);
  std::string in;
  const bool paced = o.rate > 0;
  const Clock::duration interval =
      paced ? Seconds(o.creators / o.rate) : Clock::duration::zero();
  Clock::time_point due =
      start + (paced ? Seconds(index / o.rate) : Clock::duration::zero());
  for (uint64_t k = 0;; ++k, due += interval) {
    if (paced) {
      const auto now = Clock::now();
      if (now > due + interval) {
        const auto slots = (now - due) / interval;
        for (int64_t i = 0; i < slots; ++i, due += interval)
          if (due >= measure_from && due < stop_at) ++cs.missed;
      }
      if (due >= stop_at) break;
      timer.expires_at(due);
      co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    } else if (Clock::now() >= stop_at) {
      break;
    }
    const auto sent = Clock::now();
    Response r = co_await Exchange(stream, in, wire[k % wire.size()]);
    const auto done = Clock::now();
    const bool measured = sent >= measure_from;
    if (r.ec) {
      ++cs.errors[r.ec.message()];
    } else if (r.status != 201) {
      ++cs.errors[std::to_string(r.status) + " " + r.body.substr(0, 200)];
    } else {
      ++cs.all_created;
      if (measured) {
        ++cs.created;
        cs.latency.Add(
            std::chrono::duration_cast<std::chrono::microseconds>(done - sent)
                .count());
        if (paced)
          cs.behind.Add(
              std::chrono::duration_cast<std::chrono::microseconds>(sent - due)
                  .count());
      }
    }
    if (r.ec || r.close) {
      beast::error_code ignored;
      stream.socket().close(ignored);
      in.clear();
      if (Clock::now() >= stop_at) break;
      if (auto ec = co_await Connect(stream, o.host, o.port)) {
        ++cs.errors["connect: " + ec.message()];
        break;
      }
    }
  }
}

// ------------------------------------------------------------- the run

// VmRSS of a process in KiB; 0 if it cannot be read.
long RssKib(int pid) {
  if (pid <= 0) return 0;
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("VmRSS:")) return std::atol(line.c_str() + 6);
  }
  return 0;
}

// CPU seconds (user and system) a process has used; 0 if unreadable.
double ProcessCpuSeconds(int pid) {
  if (pid <= 0) return 0;
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)),
                   std::istreambuf_iterator<char>());
  // After the command name in parentheses (which may hold spaces): state,
  // then fields 4.. of proc(5); utime and stime are fields 14 and 15.
  const size_t close = text.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(text.substr(close + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) utime = std::strtoull(field.c_str(), nullptr, 10);
    if (i == 15) stime = std::strtoull(field.c_str(), nullptr, 10);
  }
  return static_cast<double>(utime + stime) /
         static_cast<double>(sysconf(_SC_CLK_TCK));
}

double OwnCpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  auto s = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return s(ru.ru_utime) + s(ru.ru_stime);
}

void RaiseFileLimit(int wanted) {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return;
  rl.rlim_cur = rl.rlim_max;
  setrlimit(RLIMIT_NOFILE, &rl);
  getrlimit(RLIMIT_NOFILE, &rl);
  if (rl.rlim_cur < static_cast<rlim_t>(wanted) + 64) {
    std::fprintf(stderr,
                 "warning: the file descriptor limit is %llu, fewer than %d "
                 "clients need; raise it (ulimit -n)\n",
                 static_cast<unsigned long long>(rl.rlim_cur), wanted);
  }
}

std::string StreamTarget(const Options& o, const Hello* resume) {
  std::string target = "/api/v1/stream";
  std::string q = o.query;
  if (resume) {
    if (!q.empty()) q += "&";
    q += "since=" + resume->seq + "&epoch=" + resume->epoch;
  }
  if (!q.empty()) target += "?" + q;
  return target;
}

// The head and epoch, from one subscription opened and closed.
std::optional<Hello> Probe(const Options& o) {
  asio::io_context ioc;
  std::optional<Hello> result;
  asio::co_spawn(
      ioc,
      [&]() -> asio::awaitable<void> {
        Ws ws(co_await asio::this_coro::executor);
        beast::flat_buffer buffer;
        Hello hello;
        std::string error =
            co_await Subscribe(o, ws, StreamTarget(o, nullptr), buffer, hello);
        if (!error.empty()) {
          std::fprintf(stderr, "cannot subscribe to %s:%u: %s\n",
                       o.host.c_str(), o.port, error.c_str());
          co_return;
        }
        result = hello;
        beast::get_lowest_layer(ws).expires_after(std::chrono::seconds(5));
        co_await ws.async_close(websocket::close_code::normal,
                                asio::as_tuple(asio::use_awaitable));
      },
      asio::detached);
  ioc.run();
  return result;
}

std::string CountsText(const std::map<std::string, uint64_t>& m) {
  std::string s;
  for (const auto& [k, v] : m) s += " [" + k + "] x" + std::to_string(v) + ";";
  return s;
}

int Run(const Options& o) {
  RaiseFileLimit(o.clients + o.creators);
  Window window;
  const long rss_start = RssKib(o.daemon_pid);

  // Subscribe.
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  std::vector<ThreadStats> stats(o.threads);
  std::vector<ParseCache> caches(o.threads);
  Progress progress;
  std::vector<std::thread> threads;
  const auto subscribe_start = Clock::now();
  if (o.clients > 0) {
    std::optional<Hello> head = Probe(o);
    if (!head) return 1;
    const std::string target = StreamTarget(o, o.snapshot ? nullptr : &*head);
    const int lanes = std::max(1, std::min(o.connecting, o.clients));
    for (int t = 0; t < o.threads; ++t) {
      contexts.push_back(std::make_unique<asio::io_context>(1));
      stats[t].per_client.reserve(o.clients / o.threads + 1);
    }
    for (int l = 0; l < lanes; ++l) {
      const int t = l % o.threads;
      asio::co_spawn(*contexts[t],
                     Lane(o, target, l, lanes, o.clients, window, stats[t],
                          caches[t], progress),
                     asio::detached);
    }
  }
  for (auto& ioc : contexts) {
    threads.emplace_back([&ioc] {
      auto guard = asio::make_work_guard(*ioc);
      ioc->run();
    });
  }
  std::string first_failure;
  {
    std::unique_lock lock(progress.mu);
    progress.cv.wait_for(lock, kSubscribeTimeout, [&] {
      return progress.connected + progress.failed >= o.clients;
    });
    first_failure = progress.first_failure;
  }
  const double subscribe_s =
      std::chrono::duration<double>(Clock::now() - subscribe_start).count();
  const int connected = progress.connected.load();
  if (o.clients > 0) {
    std::printf("subscribed %d of %d clients in %.1f s%s%s\n", connected,
                o.clients, subscribe_s,
                first_failure.empty() ? "" : "; first failure: ",
                first_failure.c_str());
  }
  const long rss_subscribed = RssKib(o.daemon_pid);

  // Create: warm-up, then the measured window.
  CreatorStats cs_total;
  const double daemon_cpu_before = ProcessCpuSeconds(o.daemon_pid);
  const double own_cpu_before = OwnCpuSeconds();
  const auto creates_start = Clock::now();
  {
    asio::io_context ioc(1);
    std::vector<CreatorStats> cs(o.creators);
    const auto start = Clock::now();
    const auto measure_from = start + Seconds(o.warmup);
    const auto stop_at = measure_from + Seconds(o.duration);
    const auto sys_now = SysClock::now();
    window.Set(sys_now + std::chrono::duration_cast<SysClock::duration>(
                             Seconds(o.warmup)),
               sys_now + std::chrono::duration_cast<SysClock::duration>(
                             Seconds(o.warmup + o.duration)));
    for (int c = 0; c < o.creators; ++c)
      asio::co_spawn(ioc, Creator(o, c, start, measure_from, stop_at, cs[c]),
                     asio::detached);
    ioc.run();
    for (const auto& c : cs) {
      cs_total.latency.Merge(c.latency);
      cs_total.behind.Merge(c.behind);
      cs_total.created += c.created;
      cs_total.all_created += c.all_created;
      cs_total.missed += c.missed;
      for (const auto& [k, v] : c.errors) cs_total.errors[k] += v;
    }
  }
  const long rss_loaded = RssKib(o.daemon_pid);
  const double creates_s =
      std::chrono::duration<double>(Clock::now() - creates_start).count();
  const double daemon_cpu = ProcessCpuSeconds(o.daemon_pid) - daemon_cpu_before;
  const double own_cpu = OwnCpuSeconds() - own_cpu_before;

  // Drain: until no event arrived for half a second, or the drain ends.
  if (o.clients > 0) {
    const auto drain_end = Clock::now() + Seconds(o.drain);
    uint64_t last = progress.deliveries.load(std::memory_order_relaxed);
    auto quiet_since = Clock::now();
    while (Clock::now() < drain_end &&
           Clock::now() - quiet_since < std::chrono::milliseconds(500)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      const uint64_t d = progress.deliveries.load(std::memory_order_relaxed);
      if (d != last) {
        last = d;
        quiet_since = Clock::now();
      }
    }
  }
  for (auto& ioc : contexts) ioc->stop();
  for (auto& t : threads) t.join();

  ThreadStats all;
  std::vector<uint64_t> per_client;
  for (auto& s : stats) {
    all.delivery.Merge(s.delivery);
    all.deliveries += s.deliveries;
    all.all_deliveries += s.all_deliveries;
    all.messages += s.messages;
    all.bytes += s.bytes;
    all.gaps += s.gaps;
    all.bad_messages += s.bad_messages;
    all.window_first = std::min(all.window_first, s.window_first);
    all.window_last = std::max(all.window_last, s.window_last);
    for (const auto& [k, v] : s.closes) all.closes[k] += v;
    for (const auto& [k, v] : s.errors) all.errors[k] += v;
    per_client.insert(per_client.end(), s.per_client.begin(),
                      s.per_client.end());
  }
  std::sort(per_client.begin(), per_client.end());
  auto at_rank = [&per_client](size_t i) -> unsigned long long {
    return per_client.empty() ? 0 : per_client[i];
  };
  uint64_t closed = 0;
  std::string closes_text;
  for (const auto& [code, n] : all.closes) {
    closed += n;
    closes_text += " " + std::to_string(code) + "x" + std::to_string(n);
  }
  uint64_t read_errors = 0;
  for (const auto& [k, v] : all.errors) read_errors += v;
  uint64_t create_errors = 0;
  for (const auto& [k, v] : cs_total.errors) create_errors += v;
  // The events of the window by seq (every one, for an unfiltered stream):
  // what each subscriber should have had.
  const uint64_t window_events = all.window_last >= all.window_first
                                     ? all.window_last - all.window_first + 1
                                     : 0;
  const uint64_t owed = window_events * static_cast<uint64_t>(connected);
  const uint64_t short_of =
      o.query.empty() && owed > all.deliveries ? owed - all.deliveries : 0;

  const double create_rps = cs_total.created / o.duration;
  if (!cs_total.errors.empty())
    std::fprintf(stderr, "creator errors:%s\n",
                 CountsText(cs_total.errors).c_str());
  if (!all.errors.empty())
    std::fprintf(stderr, "subscriber errors:%s\n",
                 CountsText(all.errors).c_str());
  if (all.bad_messages > 0)
    std::fprintf(stderr, "events messages without a readable event: %llu\n",
                 static_cast<unsigned long long>(all.bad_messages));
  const long bytes_per_client =
      connected > 0 && rss_start > 0
          ? (rss_subscribed - rss_start) * 1024 / connected
          : 0;
  std::printf(
      "creates at %s over %d connections for %.0f s: %llu created, %.0f/s; "
      "latency ms p50 %.2f p99 %.2f max %.2f; %llu slots missed (sent late "
      "p99 %.2f ms); errors %llu\n",
      o.rate > 0 ? (std::to_string(static_cast<int>(o.rate)) + "/s").c_str()
                 : "full speed",
      o.creators, o.duration, static_cast<unsigned long long>(cs_total.created),
      create_rps, cs_total.latency.PercentileMs(50),
      cs_total.latency.PercentileMs(99), cs_total.latency.MaxMs(),
      static_cast<unsigned long long>(cs_total.missed),
      cs_total.behind.PercentileMs(99),
      static_cast<unsigned long long>(create_errors));
  if (o.clients > 0) {
    std::printf(
        "%d subscribers on %d thread(s): %llu events in the window, %llu "
        "deliveries of them (%llu short), per client min %llu median %llu max "
        "%llu; delivery latency ms p50 %.2f p95 %.2f p99 %.2f max %.2f; %llu "
        "messages, %.0f MiB in all; closed by the daemon %llu (%s); other ends "
        "%llu; seq gaps %llu\n",
        connected, o.threads, static_cast<unsigned long long>(window_events),
        static_cast<unsigned long long>(all.deliveries),
        static_cast<unsigned long long>(short_of), at_rank(0),
        at_rank(per_client.size() / 2),
        at_rank(per_client.empty() ? 0 : per_client.size() - 1),
        all.delivery.PercentileMs(50), all.delivery.PercentileMs(95),
        all.delivery.PercentileMs(99), all.delivery.MaxMs(),
        static_cast<unsigned long long>(all.messages),
        static_cast<double>(all.bytes) / (1 << 20),
        static_cast<unsigned long long>(closed),
        closes_text.empty() ? "none" : closes_text.c_str() + 1,
        static_cast<unsigned long long>(read_errors),
        static_cast<unsigned long long>(all.gaps));
  }
  if (o.daemon_pid > 0) {
    std::printf(
        "daemon RSS KiB: %ld before subscribing, %ld subscribed (%ld B per "
        "subscriber), %ld after the creates\n",
        rss_start, rss_subscribed, bytes_per_client, rss_loaded);
  }
  std::printf(
      "CPU over the %.1f s of creates: the daemon %.1f s (%.0f%% of a core), "
      "this benchmark %.1f s (%.0f%%) on a machine of %u cores; %llu "
      "deliveries in all (warm-up and drain too)\n",
      creates_s, daemon_cpu, 100 * daemon_cpu / creates_s, own_cpu,
      100 * own_cpu / creates_s, std::thread::hardware_concurrency(),
      static_cast<unsigned long long>(all.all_deliveries));
  std::printf(
      "RESULT clients=%d subscribed=%d rate=%.0f created=%llu create_rps=%.1f "
      "create_p50_ms=%.2f create_p99_ms=%.2f missed=%llu window_events=%llu "
      "deliveries=%llu short=%llu delivery_p50_ms=%.2f delivery_p95_ms=%.2f "
      "delivery_p99_ms=%.2f delivery_max_ms=%.2f closed=%llu gaps=%llu "
      "mib=%.0f rss_before_kib=%ld rss_subscribed_kib=%ld rss_after_kib=%ld "
      "bytes_per_subscriber=%ld subscribe_s=%.1f daemon_cpu_pct=%.0f "
      "bench_cpu_pct=%.0f\n",
      o.clients, connected, o.rate,
      static_cast<unsigned long long>(cs_total.created), create_rps,
      cs_total.latency.PercentileMs(50), cs_total.latency.PercentileMs(99),
      static_cast<unsigned long long>(cs_total.missed),
      static_cast<unsigned long long>(window_events),
      static_cast<unsigned long long>(all.deliveries),
      static_cast<unsigned long long>(short_of), all.delivery.PercentileMs(50),
      all.delivery.PercentileMs(95), all.delivery.PercentileMs(99),
      all.delivery.MaxMs(), static_cast<unsigned long long>(closed),
      static_cast<unsigned long long>(all.gaps),
      static_cast<double>(all.bytes) / (1 << 20), rss_start, rss_subscribed,
      rss_loaded, bytes_per_client, subscribe_s, 100 * daemon_cpu / creates_s,
      100 * own_cpu / creates_s);
  std::fflush(stdout);
  if (cs_total.created == 0) return 1;
  return o.clients > 0 && connected == 0 ? 1 : 0;
}

}  // namespace
}  // namespace helpdesk::loadgen

int main(int argc, char** argv) {
  helpdesk::loadgen::Options o;
  CLI::App app(
      "helpdesk-ws-bench: websocket subscribers of helpdeskd's live stream "
      "(GET /api/v1/stream) and a creator of tickets at a set rate. Prints "
      "the delivery latency of every (subscriber, event) as read time less "
      "the event's `at` (so the daemon must run on the system clock of this "
      "machine, without --clock-start), the creator's throughput and "
      "latency, the subscribers the daemon closed, and with --daemon-pid its "
      "memory per subscriber; then one line starting with RESULT. Exits "
      "non-zero if nothing could be created or no client subscribed.",
      "helpdesk-ws-bench");
  app.add_option("--host", o.host, "daemon host name or address")
      ->capture_default_str();
  app.add_option("--port", o.port, "daemon port")->capture_default_str();
  app.add_option("--token", o.token,
                 "credential of the subscribers (Authorization: Bearer); "
                 "default $HELPDESK_TOKEN");
  app.add_option("--creator-token", o.creator_token,
                 "credential of the creator (an account that may file "
                 "tickets); default --token");
  app.add_option("--query", o.query,
                 "stream parameters for every subscriber, e.g. "
                 "municipality=tinn or types=ticketCreated")
      ->capture_default_str();
  app.add_option("--clients", o.clients, "websocket subscribers; 0: none")
      ->check(CLI::Range(0, 100000))
      ->capture_default_str();
  app.add_option("--threads", o.threads, "the subscribers' I/O threads")
      ->check(CLI::Range(1, 16))
      ->capture_default_str();
  app.add_option("--connecting", o.connecting, "handshakes in flight at once")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  app.add_option("--rate", o.rate, "tickets created a second; 0: unpaced")
      ->check(CLI::Range(0.0, 1e6))
      ->capture_default_str();
  app.add_option("--creators", o.creators,
                 "the creator's keep-alive connections")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  app.add_option("--duration", o.duration, "measured seconds")
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
  app.add_option("--warmup", o.warmup,
                 "seconds of creates before measuring (not counted)")
      ->check(CLI::Range(0.0, 600.0))
      ->capture_default_str();
  app.add_option("--drain", o.drain,
                 "after the creates, wait at most this long for the last "
                 "events (until none arrived for 0.5 s)")
      ->check(CLI::Range(0.0, 600.0))
      ->capture_default_str();
  app.add_option("--daemon-pid", o.daemon_pid,
                 "the daemon's pid: its VmRSS is read before and after the "
                 "subscribers connect, and after the creates");
  app.add_flag("--snapshot", o.snapshot,
               "subscribe without since=, so that each subscriber gets a "
               "snapshot (by default they resume from the head: no snapshot)");
  CLI11_PARSE(app, argc, argv);
  if (o.token.empty()) {
    const char* t = std::getenv("HELPDESK_TOKEN");
    if (t) o.token = t;
  }
  if (o.creator_token.empty()) o.creator_token = o.token;
  if (o.token.empty()) {
    std::fprintf(stderr, "no credential: --token or $HELPDESK_TOKEN\n");
    return 2;
  }
  return helpdesk::loadgen::Run(o);
}
