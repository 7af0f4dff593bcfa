#include "tests/support/racers.h"

#include <memory>
#include <thread>

#include "tests/support/http_client.h"

namespace helpdesk::testing {

std::vector<int> Race(uint16_t port, int n, const std::string& method,
                      const std::string& target,
                      const std::function<std::string(int)>& body) {
  std::vector<int> codes(static_cast<size_t>(n));
  std::vector<std::unique_ptr<HttpClient>> racers;
  for (int i = 0; i < n; ++i) {
    racers.push_back(std::make_unique<HttpClient>(port));
    // Connected before the race: the requests then go out together.
    if (racers.back()->Get("/healthz").status != 200) return codes;
  }
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      codes[static_cast<size_t>(i)] =
          racers[static_cast<size_t>(i)]
              ->Send(method, target, body(i),
                     {{"Content-Type", "application/json"}})
              .status;
    });
  }
  for (auto& t : threads) t.join();
  return codes;
}

}  // namespace helpdesk::testing
