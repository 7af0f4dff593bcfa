#pragma once
// What the HTTP server asks of the application for each request: how it
// will be answered (known from the head alone) and the answer. Api is the
// one implementation in the daemon; the server's own tests put a handler of
// their own behind it (one that throws, one that blocks), as leveldb's
// tests wrap its Env, so no test-only route exists in the product.
//
// Thread-safety: implementations must allow AccessOf and Handle from any
// number of threads at once.

#include <string_view>

#include "daemon/http/message.h"
#include "daemon/http/routes.h"

namespace helpdesk::http {

class Service {
 public:
  virtual ~Service() = default;

  // kRead (and kReport) answer before Handle returns, on the calling
  // thread; writes answer later, from another thread. The server picks the
  // thread and the body limit by it.
  virtual Access AccessOf(std::string_view method,
                          std::string_view target) const = 0;
  // Calls `respond` exactly once.
  virtual void Handle(const Request& request, Respond respond) = 0;
};

}  // namespace helpdesk::http
