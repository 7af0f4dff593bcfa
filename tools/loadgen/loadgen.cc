// helpdesk-loadgen: N keep-alive HTTP/1.1 connections against helpdeskd,
// each sending one request at a time for a fixed duration, reporting
// throughput and latency percentiles, and the writer's mean batch size read
// from /metrics before and after. Bounded: it always stops by itself.

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace helpdesk::loadgen {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
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
};

const char* kMunicipalities[] = {"kongsberg", "notodden", "nore-og-uvdal",
                                 "flesberg",  "rollag",   "tinn", "hjartdal"};

std::string CreateBody(uint64_t n) {
  return std::string(R"({"title":"Skriver virker ikke )") + std::to_string(n) +
         R"(","description":"Papirstopp i skuff 2 ved resepsjonen.","municipality":")" +
         kMunicipalities[n % 7] +
         R"(","serviceId":"printer","priority":"normal","reporter":"loadgen"})";
}

// One blocking request on its own connection (set-up and /metrics).
http::response<http::string_body> Fetch(const Options& o, http::verb verb,
                                        const std::string& target,
                                        const std::string& body,
                                        tcp::socket& socket) {
  http::request<http::string_body> req{verb, target, 11};
  req.set(http::field::host, o.host);
  if (verb == http::verb::post) {
    req.set(http::field::content_type, "application/json");
    req.body() = body;
    req.prepare_payload();
  }
  http::write(socket, req);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(socket, buffer, res);
  return res;
}

// helpdesk_writer_batch_size_{sum,count} from /metrics.
std::pair<double, double> BatchCounters(const Options& o) {
  asio::io_context ioc;
  tcp::socket socket(ioc);
  socket.connect({asio::ip::make_address(o.host), o.port});
  auto res = Fetch(o, http::verb::get, "/metrics", "", socket);
  double sum = 0, count = 0;
  std::istringstream in(res.body());
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("helpdesk_writer_batch_size_sum ", 0) == 0)
      sum = std::stod(line.substr(line.find(' ') + 1));
    if (line.rfind("helpdesk_writer_batch_size_count ", 0) == 0)
      count = std::stod(line.substr(line.find(' ') + 1));
  }
  return {sum, count};
}

// Reads one response: status line, headers up to the blank line, and a body
// of Content-Length bytes (helpdeskd always sends one). Deliberately small:
// the generator must cost the machine less than the daemon it measures.
asio::awaitable<std::tuple<beast::error_code, unsigned, std::string>>
ReadResponse(beast::tcp_stream& stream, std::string& in) {
  char chunk[16384];
  size_t header_end;
  while ((header_end = in.find("\r\n\r\n")) == std::string::npos) {
    auto [ec, n] = co_await stream.async_read_some(
        asio::buffer(chunk), asio::as_tuple(asio::use_awaitable));
    if (ec) co_return std::tuple(ec, 0u, std::string());
    in.append(chunk, n);
  }
  unsigned status = in.size() > 12 ? std::stoul(in.substr(9, 3)) : 0;
  size_t length = 0;
  size_t at = in.find("Content-Length: ");
  if (at != std::string::npos && at < header_end)
    length = std::stoul(in.substr(at + 16, 12));
  size_t total = header_end + 4 + length;
  while (in.size() < total) {
    auto [ec, n] = co_await stream.async_read_some(
        asio::buffer(chunk), asio::as_tuple(asio::use_awaitable));
    if (ec) co_return std::tuple(ec, 0u, std::string());
    in.append(chunk, n);
  }
  std::string body = in.substr(header_end + 4, length);
  in.erase(0, total);
  co_return std::tuple(beast::error_code(), status, std::move(body));
}

struct Results {
  std::mutex mu;
  std::vector<double> latencies_ms;  // guarded by mu
  std::map<std::string, int> error_samples;  // guarded by mu
  std::atomic<uint64_t> errors{0};
};

asio::awaitable<void> Connection(const Options& o, int index,
                                 const std::vector<std::string>& ids,
                                 Clock::time_point measure_from,
                                 Clock::time_point stop_at, Results& results) {
  auto ex = co_await asio::this_coro::executor;
  beast::tcp_stream stream(ex);
  auto [cec] = co_await stream.async_connect(
      tcp::endpoint(asio::ip::make_address(o.host), o.port),
      asio::as_tuple(asio::use_awaitable));
  if (cec) {
    results.errors++;
    std::lock_guard lock(results.mu);
    results.error_samples["connect: " + cec.message()]++;
    co_return;
  }
  std::mt19937_64 rng(index * 7919 + 1);
  std::vector<double> mine;
  std::string in;  // bytes read and not yet consumed
  const bool create = o.mode == "create";
  // Requests are serialised once, as wrk does, so the generator spends its
  // share of the two cores on the daemon's answers, not on building bytes.
  std::vector<std::string> wire;
  auto serialise = [&](http::request<http::string_body> req) {
    req.version(11);
    req.set(http::field::host, o.host);
    std::ostringstream out;
    out << req;
    wire.push_back(out.str());
  };
  if (create) {
    for (uint64_t v = 0; v < 7; ++v) {
      http::request<http::string_body> req{http::verb::post, "/api/v1/tickets", 11};
      req.set(http::field::content_type, "application/json");
      req.body() = CreateBody(index * 7 + v);
      req.prepare_payload();
      serialise(std::move(req));
    }
  } else {
    for (const auto& id : ids)
      serialise({http::verb::get, "/api/v1/tickets/" + id, 11});
  }
  for (uint64_t n = 0; Clock::now() < stop_at; ++n) {
    const std::string& req = wire[create ? n % wire.size() : rng() % wire.size()];
    auto start = Clock::now();
    stream.expires_after(std::chrono::seconds(10));
    auto [wec, wn] = co_await asio::async_write(
        stream, asio::buffer(req), asio::as_tuple(asio::use_awaitable));
    std::tuple<beast::error_code, unsigned, std::string> response{wec, 0u, ""};
    if (!wec) {  // (no co_await inside ?: — GCC 12 miscompiles that)
      response = co_await ReadResponse(stream, in);
    }
    auto& [rec, status, body] = response;
    auto end = Clock::now();
    const unsigned want = create ? 201 : 200;
    if (rec || status != want) {
      results.errors++;
      std::lock_guard lock(results.mu);
      results.error_samples[rec ? rec.message()
                                : std::to_string(status) + " " + body.substr(0, 200)]++;
      if (rec) break;
      continue;
    }
    if (start >= measure_from)
      mine.push_back(std::chrono::duration<double, std::milli>(end - start).count());
  }
  std::lock_guard lock(results.mu);
  results.latencies_ms.insert(results.latencies_ms.end(), mine.begin(), mine.end());
}

double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t i = static_cast<size_t>(p / 100.0 * (sorted.size() - 1) + 0.5);
  return sorted[std::min(i, sorted.size() - 1)];
}

int Run(const Options& o) {
  std::vector<std::string> ids;
  try {
    if (o.mode == "get") {  // tickets to read, made over one connection
      asio::io_context ioc;
      tcp::socket socket(ioc);
      socket.connect({asio::ip::make_address(o.host), o.port});
      for (int i = 0; i < o.seed_tickets; ++i) {
        auto res = Fetch(o, http::verb::post, "/api/v1/tickets", CreateBody(i), socket);
        const std::string& b = res.body();
        size_t at = b.find("\"id\":\"");
        if (res.result_int() != 201 || at == std::string::npos) {
          std::fprintf(stderr, "seeding failed: %d %s\n", res.result_int(), b.c_str());
          return 1;
        }
        ids.push_back(b.substr(at + 6, b.find('"', at + 6) - at - 6));
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cannot reach %s:%u: %s\n", o.host.c_str(), o.port, e.what());
    return 1;
  }
  std::pair<double, double> before{0, 0}, after{0, 0};
  Results results;
  asio::io_context ioc(o.threads);
  auto t0 = Clock::now();
  auto measure_from = t0 + std::chrono::duration_cast<Clock::duration>(
                               std::chrono::duration<double>(o.warmup));
  auto stop_at = measure_from + std::chrono::duration_cast<Clock::duration>(
                                    std::chrono::duration<double>(o.duration));
  for (int c = 0; c < o.connections; ++c) {
    asio::co_spawn(asio::make_strand(ioc),
                   Connection(o, c, ids, measure_from, stop_at, results),
                   asio::detached);
  }
  // Batch counters at the edges of the measured window.
  std::thread sampler([&] {
    std::this_thread::sleep_until(measure_from);
    try { before = BatchCounters(o); } catch (...) {}
    std::this_thread::sleep_until(stop_at);
    try { after = BatchCounters(o); } catch (...) {}
  });
  std::vector<std::thread> pool;
  for (int i = 1; i < o.threads; ++i) pool.emplace_back([&] { ioc.run(); });
  ioc.run();
  for (auto& t : pool) t.join();
  sampler.join();

  auto& l = results.latencies_ms;
  std::sort(l.begin(), l.end());
  double rps = l.size() / o.duration;
  double batch = after.second > before.second
                     ? (after.first - before.first) / (after.second - before.second)
                     : 0;
  for (const auto& [what, n] : results.error_samples)
    std::fprintf(stderr, "error x%d: %s\n", n, what.c_str());
  std::printf(
      "%s at %d connections for %.0f s: %zu requests, %.0f/s; latency ms "
      "p50 %.2f p90 %.2f p99 %.2f max %.2f; errors %lu; mean writer batch %.1f\n",
      o.mode.c_str(), o.connections, o.duration, l.size(), rps,
      Percentile(l, 50), Percentile(l, 90), Percentile(l, 99),
      l.empty() ? 0 : l.back(), static_cast<unsigned long>(results.errors.load()), batch);
  std::printf(
      "RESULT mode=%s connections=%d requests=%zu rps=%.1f p50_ms=%.2f "
      "p90_ms=%.2f p99_ms=%.2f max_ms=%.2f errors=%lu mean_batch=%.1f\n",
      o.mode.c_str(), o.connections, l.size(), rps, Percentile(l, 50),
      Percentile(l, 90), Percentile(l, 99), l.empty() ? 0 : l.back(),
      static_cast<unsigned long>(results.errors.load()), batch);
  return l.empty() ? 1 : 0;
}

}  // namespace
}  // namespace helpdesk::loadgen

int main(int argc, char** argv) {
  helpdesk::loadgen::Options o;
  CLI::App app(
      "helpdesk-loadgen: load for helpdeskd over keep-alive HTTP/1.1. Each "
      "connection sends one request at a time; latency is measured per "
      "request after the warm-up.",
      "helpdesk-loadgen");
  app.add_option("--host", o.host, "daemon address")->capture_default_str();
  app.add_option("--port", o.port, "daemon port")->capture_default_str();
  app.add_option("--mode", o.mode,
                 "create: POST /api/v1/tickets; get: GET /api/v1/tickets/{id} "
                 "over --seed-tickets tickets made first")
      ->check(CLI::IsMember({"create", "get"}))
      ->capture_default_str();
  app.add_option("--connections", o.connections, "concurrent connections")
      ->check(CLI::Range(1, 10000))->capture_default_str();
  app.add_option("--duration", o.duration, "measured seconds")
      ->check(CLI::Range(0.1, 3600.0))->capture_default_str();
  app.add_option("--warmup", o.warmup, "seconds before measuring")
      ->check(CLI::Range(0.0, 600.0))->capture_default_str();
  app.add_option("--threads", o.threads, "client threads")
      ->check(CLI::Range(1, 64))->capture_default_str();
  app.add_option("--seed-tickets", o.seed_tickets, "tickets made for --mode get")
      ->check(CLI::Range(1, 1000000))->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  return helpdesk::loadgen::Run(o);
}
