// helpdesk-loadgen: N keep-alive HTTP/1.1 connections against helpdeskd,
// each sending one request at a time for a fixed duration, reporting
// throughput and latency percentiles, and the writer's mean batch size read
// from /metrics before and after. Bounded: every network operation has a
// deadline and every loop ends at the end of the measured window, so it
// always stops by itself.

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "tools/loadgen/client.h"

namespace helpdesk::loadgen {
namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;
  std::string mode = "create";
  int connections = 64;
  double duration = 10;
  double warmup = 1;
  int threads = 1;
  int seed_tickets = 1000;
  // Unmeasured load beside the measured one: connections that GET this
  // target in a loop (a report, say) for the whole run.
  std::string background_target;
  int background_connections = 0;
  // --mode create: every request with an Idempotency-Key of its own.
  bool idempotency_keys = false;
  // --mode create: a title and a description of one letter each (what a
  // ticket costs besides its text).
  bool no_text = false;
  // --mode target: GET this path and query, again and again.
  std::string target;
};

constexpr size_t kMaxErrorSamples = 8;  // distinct kinds printed to stderr
// /metrics is read at the edges of the window; a daemon too slow to answer
// it in this time gets no mean batch rather than a longer run.
constexpr std::chrono::milliseconds kMetricsTimeout{3000};

const char* const kMunicipalities[] = {"kongsberg", "notodden", "nore-og-uvdal",
                                       "flesberg",  "rollag",   "tinn",
                                       "hjartdal"};

std::string CreateBody(uint64_t n, bool no_text) {
  return (no_text ? std::string(R"({"title":"x","description":"x",)")
                  : std::string(R"({"title":"Skriver virker ikke )") +
                        std::to_string(n) +
                        R"(","description":"Papirstopp i skuff 2 ved )"
                        R"(resepsjonen.",)") +
         R"("municipality":")" + kMunicipalities[n % 7] +
         R"(","serviceId":"skrivere-og-utskrift","priority":"normal","reporter":"loadgen"})";
}

std::string CreateRequest(const Options& o, uint64_t n) {
  return SerialiseRequest(http::verb::post, "/api/v1/tickets", o.host,
                          CreateBody(n, o.no_text));
}

Clock::duration Seconds(double s) {
  return std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(s));
}

// The writer's batch histogram totals: helpdesk_writer_batch_size_{sum,count},
// and the seconds it spent applying batches and committing them
// (helpdesk_writer_{apply,commit}_seconds_sum; zero from a daemon without
// them).
struct BatchCounters {
  double sum = 0;
  double count = 0;
  double apply_seconds = 0;
  double commit_seconds = 0;
};

std::optional<double> MetricValue(std::string_view text,
                                  std::string_view name) {
  for (size_t at = 0; at < text.size();) {
    size_t eol = text.find('\n', at);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(at, eol - at);
    at = eol + 1;
    if (line.size() > name.size() && line.starts_with(name) &&
        line[name.size()] == ' ') {
      double v = 0;
      const char* first = line.data() + name.size() + 1;
      auto [p, ec] = std::from_chars(first, line.data() + line.size(), v);
      if (ec == std::errc()) return v;
    }
  }
  return std::nullopt;
}

// The "id" of a ticket in JSON (a string: it is a 64-bit number). Not a JSON
// parser: the first "id" key in the text is the ticket's own.
std::optional<std::string> TicketId(std::string_view json) {
  size_t at = json.find(R"("id")");
  if (at == std::string_view::npos) return std::nullopt;
  at = json.find_first_not_of(" \t\r\n", at + 4);
  if (at == std::string_view::npos || json[at] != ':') return std::nullopt;
  at = json.find_first_not_of(" \t\r\n", at + 1);
  if (at == std::string_view::npos || json[at] != '"') return std::nullopt;
  size_t end = json.find('"', at + 1);
  if (end == std::string_view::npos || end == at + 1) return std::nullopt;
  return std::string(json.substr(at + 1, end - at - 1));
}

// GET /metrics over its own short connection; nullopt if that fails.
asio::awaitable<std::optional<BatchCounters>> SampleBatches(const Options& o) {
  beast::tcp_stream stream(co_await asio::this_coro::executor);
  if (co_await Connect(stream, o.host, o.port)) co_return std::nullopt;
  std::string in;
  Response r = co_await Exchange(
      stream, in, SerialiseRequest(http::verb::get, "/metrics", o.host, ""),
      kMetricsTimeout);
  beast::error_code ignored;
  stream.socket().close(ignored);
  if (r.ec || r.status != 200) co_return std::nullopt;
  auto sum = MetricValue(r.body, "helpdesk_writer_batch_size_sum");
  auto count = MetricValue(r.body, "helpdesk_writer_batch_size_count");
  if (!sum || !count) co_return std::nullopt;
  co_return BatchCounters{
      *sum, *count,
      MetricValue(r.body, "helpdesk_writer_apply_seconds_sum").value_or(0),
      MetricValue(r.body, "helpdesk_writer_commit_seconds_sum").value_or(0)};
}

// Set-up before the run: checks the daemon answers, and for --mode get makes
// the tickets to read, sequentially over one connection. Returns their ids,
// or nullopt after saying on stderr what went wrong.
asio::awaitable<std::optional<std::vector<std::string>>> Prepare(
    const Options& o) {
  beast::tcp_stream stream(co_await asio::this_coro::executor);
  if (auto ec = co_await Connect(stream, o.host, o.port)) {
    std::fprintf(stderr, "cannot reach %s:%u: %s\n", o.host.c_str(), o.port,
                 ec.message().c_str());
    co_return std::nullopt;
  }
  std::string in;
  std::vector<std::string> ids;
  const int n = o.mode == "get" ? o.seed_tickets : 0;
  for (int i = 0; i < n; ++i) {
    Response r = co_await Exchange(stream, in, CreateRequest(o, i));
    if (r.ec) {
      std::fprintf(stderr, "seeding ticket %d failed: %s\n", i,
                   r.ec.message().c_str());
      co_return std::nullopt;
    }
    std::optional<std::string> id = TicketId(r.body);
    if (r.status != 201 || !id) {
      std::fprintf(stderr, "seeding ticket %d failed: %u %.300s\n", i, r.status,
                   r.body.c_str());
      co_return std::nullopt;
    }
    ids.push_back(*std::move(id));
    if (r.close) {  // the daemon ends this connection; take another
      beast::error_code ignored;
      stream.socket().close(ignored);
      in.clear();
      if (auto ec = co_await Connect(stream, o.host, o.port)) {
        std::fprintf(stderr, "reconnecting: %s\n", ec.message().c_str());
        co_return std::nullopt;
      }
    }
  }
  co_return ids;
}

// What the connections found, merged as each one ends.
class Results {
 public:
  void AddLatencies(const std::vector<double>& ms) {
    std::lock_guard lock(mu_);
    latencies_ms_.insert(latencies_ms_.end(), ms.begin(), ms.end());
  }
  // kind groups samples: a status code or a transport error.
  void AddError(const std::string& kind, std::string_view detail) {
    std::lock_guard lock(mu_);
    ++errors_;
    auto it = samples_.find(kind);
    if (it != samples_.end()) {
      ++it->second.first;
    } else if (samples_.size() < kMaxErrorSamples) {
      samples_.emplace(kind, std::pair(1, std::string(detail.substr(0, 300))));
    }
  }
  // Only once every connection has ended.
  std::vector<double>& latencies_ms() { return latencies_ms_; }
  uint64_t errors() const { return errors_; }
  void PrintErrorSamples() const {
    for (const auto& [kind, sample] : samples_)
      std::fprintf(stderr, "error x%d: %s %s\n", sample.first, kind.c_str(),
                   sample.second.c_str());
  }

 private:
  std::mutex mu_;
  std::vector<double> latencies_ms_;  // guarded by mu_
  uint64_t errors_ = 0;               // guarded by mu_
  // kind -> (count, first detail); guarded by mu_
  std::map<std::string, std::pair<int, std::string>> samples_;
};

asio::awaitable<void> Connection(const Options& o, int index,
                                 const std::vector<std::string>& ids,
                                 Clock::time_point measure_from,
                                 Clock::time_point stop_at, Results& results) {
  beast::tcp_stream stream(co_await asio::this_coro::executor);
  if (auto ec = co_await Connect(stream, o.host, o.port)) {
    results.AddError("connect", ec.message());
    co_return;
  }
  std::mt19937_64 rng(index * 7919 + 1);
  std::vector<double> mine;
  std::string in;  // bytes read and not yet consumed
  const bool create = o.mode == "create";
  const unsigned want = create ? 201 : 200;
  // Requests are serialised once, as wrk does, so the generator spends its
  // share of the two cores on the daemon's answers, not on building bytes.
  std::vector<std::string> wire;
  // Where each request's Idempotency-Key counter is (16 hex digits),
  // written anew before each send so that no key repeats.
  std::vector<size_t> key_at;
  if (create) {
    for (uint64_t v = 0; v < 7; ++v) {
      wire.push_back(CreateRequest(o, index * 7 + v));
      if (!o.idempotency_keys) continue;
      const std::string header = "Idempotency-Key: loadgen-" +
                                 std::to_string(index) + "-" +
                                 std::string(16, '0') + "\r\n";
      const size_t at = wire.back().find("\r\n") + 2;  // after the start line
      wire.back().insert(at, header);
      key_at.push_back(at + header.size() - 2 - 16);
    }
  } else if (o.mode == "target") {
    wire.push_back(SerialiseRequest(http::verb::get, o.target, o.host, ""));
  } else {
    for (const auto& id : ids)
      wire.push_back(SerialiseRequest(http::verb::get, "/api/v1/tickets/" + id,
                                      o.host, ""));
  }
  for (uint64_t n = 0; Clock::now() < stop_at; ++n) {
    const size_t which = create ? n % wire.size() : rng() % wire.size();
    if (!key_at.empty()) {
      static constexpr char kHex[] = "0123456789abcdef";
      for (int d = 0; d < 16; ++d)
        wire[which][key_at[which] + d] = kHex[(n >> (60 - 4 * d)) & 15];
    }
    const std::string& req = wire[which];
    auto start = Clock::now();
    Response r = co_await Exchange(stream, in, req);
    auto end = Clock::now();
    if (r.ec) {
      results.AddError(r.ec.message(), "");
    } else if (r.status != want) {
      results.AddError(std::to_string(r.status), r.body);
    } else if (start >= measure_from) {
      mine.push_back(
          std::chrono::duration<double, std::milli>(end - start).count());
    }
    if (r.ec || r.close) {
      // The connection is unusable (failed, timed out, or the daemon said it
      // closes it): carry on over a new one.
      beast::error_code ignored;
      stream.socket().close(ignored);
      in.clear();
      if (Clock::now() >= stop_at) break;
      if (auto ec = co_await Connect(stream, o.host, o.port)) {
        results.AddError("connect", ec.message());
        break;
      }
    }
  }
  results.AddLatencies(mine);
}

// The unmeasured load: answers and errors, and the slowest answer.
struct Background {
  std::atomic<uint64_t> answers{0};
  std::atomic<uint64_t> errors{0};
  std::atomic<uint64_t> total_us{0};
};

asio::awaitable<void> BackgroundConnection(const Options& o,
                                           Clock::time_point stop_at,
                                           Background& b) {
  beast::tcp_stream stream(co_await asio::this_coro::executor);
  if (co_await Connect(stream, o.host, o.port)) {
    ++b.errors;
    co_return;
  }
  const std::string req =
      SerialiseRequest(http::verb::get, o.background_target, o.host, "");
  std::string in;
  while (Clock::now() < stop_at) {
    const auto start = Clock::now();
    Response r = co_await Exchange(stream, in, req, std::chrono::seconds(60));
    if (r.ec || r.status != 200) {
      ++b.errors;
    } else {
      ++b.answers;
      b.total_us += static_cast<uint64_t>(
          std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() -
                                                                start)
              .count());
    }
    if (r.ec || r.close) {
      beast::error_code ignored;
      stream.socket().close(ignored);
      in.clear();
      if (Clock::now() >= stop_at || co_await Connect(stream, o.host, o.port))
        break;
    }
  }
}

double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t i = static_cast<size_t>(p / 100.0 * (sorted.size() - 1) + 0.5);
  return sorted[std::min(i, sorted.size() - 1)];
}

// Runs a coroutine to completion on a private io_context; the set-up phase
// needs no more than one thread.
template <typename T>
T RunToCompletion(asio::awaitable<T> work, T if_failed) {
  asio::io_context ioc;
  T result = std::move(if_failed);
  asio::co_spawn(ioc, std::move(work), [&](std::exception_ptr e, T value) {
    if (!e) result = std::move(value);
  });
  ioc.run();
  return result;
}

int Run(const Options& o) {
  auto ids =
      RunToCompletion(Prepare(o), std::optional<std::vector<std::string>>());
  if (!ids) return 1;

  Results results;
  std::optional<BatchCounters> before, after;
  asio::io_context ioc(o.threads);
  const auto measure_from = Clock::now() + Seconds(o.warmup);
  const auto stop_at = measure_from + Seconds(o.duration);
  for (int c = 0; c < o.connections; ++c) {
    asio::co_spawn(asio::make_strand(ioc),
                   Connection(o, c, *ids, measure_from, stop_at, results),
                   [&results](std::exception_ptr e) {
                     if (e) results.AddError("exception", "in a connection");
                   });
  }
  Background background;
  for (int c = 0; c < o.background_connections; ++c) {
    asio::co_spawn(asio::make_strand(ioc),
                   BackgroundConnection(o, stop_at, background),
                   asio::detached);
  }
  // Batch counters at the edges of the measured window, on a strand of its own.
  asio::co_spawn(
      asio::make_strand(ioc),
      [&]() -> asio::awaitable<void> {
        asio::steady_timer timer(co_await asio::this_coro::executor);
        timer.expires_at(measure_from);
        co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
        before = co_await SampleBatches(o);
        if (!before) co_return;  // no metrics: do not wait for them twice
        timer.expires_at(stop_at);
        co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
        after = co_await SampleBatches(o);
      },
      asio::detached);
  std::vector<std::thread> pool;
  for (int i = 1; i < o.threads; ++i) pool.emplace_back([&] { ioc.run(); });
  ioc.run();
  for (auto& t : pool) t.join();

  auto& l = results.latencies_ms();
  std::sort(l.begin(), l.end());
  const double rps = l.size() / o.duration;
  const double p50 = Percentile(l, 50), p90 = Percentile(l, 90),
               p99 = Percentile(l, 99), max = l.empty() ? 0 : l.back();
  const auto errors = static_cast<unsigned long long>(results.errors());
  std::string batch_text = "n/a", batch_field;
  if (before && after && after->count > before->count) {
    const double batches = after->count - before->count;
    double mean = (after->sum - before->sum) / batches;
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.1f", mean);
    batch_text = buf;
    batch_field = std::string(" mean_batch=") + buf;
    // Per batch, the writer's time applying it and committing it: which
    // of the two, its CPU or the disk's flush, holds creates back.
    if (after->commit_seconds > before->commit_seconds) {
      std::snprintf(
          buf, sizeof buf, " apply_ms=%.2f commit_ms=%.2f",
          (after->apply_seconds - before->apply_seconds) * 1e3 / batches,
          (after->commit_seconds - before->commit_seconds) * 1e3 / batches);
      batch_field += buf;
    }
  }
  results.PrintErrorSamples();
  std::printf(
      "%s at %d connections for %.0f s: %zu requests, %.0f/s; latency ms "
      "p50 %.2f p90 %.2f p99 %.2f max %.2f; errors %llu; mean writer batch "
      "%s\n",
      o.mode.c_str(), o.connections, o.duration, l.size(), rps, p50, p90, p99,
      max, errors, batch_text.c_str());
  std::printf(
      "RESULT mode=%s connections=%d requests=%zu rps=%.1f p50_ms=%.2f "
      "p90_ms=%.2f p99_ms=%.2f max_ms=%.2f errors=%llu%s\n",
      o.mode.c_str(), o.connections, l.size(), rps, p50, p90, p99, max, errors,
      batch_field.c_str());
  if (o.background_connections > 0) {
    const uint64_t n = background.answers.load();
    std::printf(
        "BACKGROUND target=%s connections=%d answers=%llu errors=%llu "
        "mean_ms=%.1f\n",
        o.background_target.c_str(), o.background_connections,
        static_cast<unsigned long long>(n),
        static_cast<unsigned long long>(background.errors.load()),
        n ? background.total_us.load() / 1000.0 / static_cast<double>(n) : 0.0);
  }
  std::fflush(stdout);
  return l.empty() ? 1 : 0;
}

}  // namespace
}  // namespace helpdesk::loadgen

int main(int argc, char** argv) {
  helpdesk::loadgen::Options o;
  CLI::App app(
      "helpdesk-loadgen: load for helpdeskd over keep-alive HTTP/1.1. Each "
      "connection sends one request at a time; latency is measured per "
      "request after the warm-up. Prints a summary and one line starting "
      "with RESULT; exits non-zero if the daemon cannot be reached or no "
      "request succeeded.",
      "helpdesk-loadgen");
  app.add_option("--host", o.host, "daemon host name or address")
      ->capture_default_str();
  app.add_option("--port", o.port, "daemon port")->capture_default_str();
  app.add_option("--mode", o.mode,
                 "create: POST /api/v1/tickets, expects 201; get: GET "
                 "/api/v1/tickets/{id} over --seed-tickets tickets made "
                 "first, expects 200; target: GET --target, expects 200")
      ->check(CLI::IsMember({"create", "get", "target"}))
      ->capture_default_str();
  app.add_option("--connections", o.connections,
                 "concurrent keep-alive connections")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  app.add_option("--duration", o.duration, "measured seconds")
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
  app.add_option("--warmup", o.warmup,
                 "seconds of load before measuring (not counted)")
      ->check(CLI::Range(0.0, 600.0))
      ->capture_default_str();
  app.add_option("--threads", o.threads, "client I/O threads")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  app.add_option("--seed-tickets", o.seed_tickets,
                 "tickets created first for --mode get")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  app.add_option("--background-target", o.background_target,
                 "also GET this target (e.g. /api/v1/reports/sla) in a loop "
                 "over --background-connections connections, unmeasured, "
                 "for the whole run; prints a BACKGROUND line")
      ->capture_default_str();
  app.add_option("--background-connections", o.background_connections,
                 "connections for --background-target")
      ->check(CLI::Range(0, 1000))
      ->capture_default_str();
  app.add_flag("--idempotency-keys", o.idempotency_keys,
               "--mode create: send each request with an Idempotency-Key of "
               "its own (what a keyed write costs)");
  app.add_flag("--no-text", o.no_text,
               "--mode create: a title and a description of one letter each "
               "(what a ticket costs on disk besides its text)");
  app.add_option("--target", o.target,
                 "--mode target: the path and query to GET (e.g. "
                 "'/api/v1/tickets?municipality=tinn&limit=50')");
  CLI11_PARSE(app, argc, argv);
  if ((o.mode == "target") != !o.target.empty()) {
    std::fprintf(stderr,
                 "--target goes with --mode target, and it needs one\n");
    return 2;
  }
  if (o.background_connections > 0 && o.background_target.empty()) {
    std::fprintf(stderr,
                 "--background-connections needs --background-target\n");
    return 2;
  }
  return helpdesk::loadgen::Run(o);
}
