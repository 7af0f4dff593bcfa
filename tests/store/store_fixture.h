#pragma once
// A store in a scratch directory for the store's tests: the tables opened
// (seeded with a region of the given municipalities and no catalogue),
// optionally its writer on a fixed clock, and a ticket create as the API
// makes it. One test thread drives it.

#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <future>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "daemon/store/lmdb.h"
#include "daemon/store/tables.h"
#include "daemon/store/writer.h"
#include "daemon/tickets/commands.h"
#include "tests/support/filler.h"
#include "tests/support/scratch_dir.h"

namespace helpdesk::store {

class StoreFixture : public ::testing::Test {
 protected:
  void OpenStore(const std::vector<std::string>& municipalities = {"rollag"}) {
    auto env = Env::Open({.dir = dir_.path() + "/db"});
    ASSERT_TRUE(env.ok());
    env_.emplace(std::move(*env));
    v1::Region region;
    for (const auto& id : municipalities)
      region.add_municipalities()->set_id(id);
    auto tables = OpenTables(*env_, {.region = region, .catalogue = {}});
    ASSERT_TRUE(tables.ok()) << tables.status().message();
    t_ = *tables;
  }

  // Starts a writer whose clock reads 2026-01-01T00:00:00Z.
  void StartWriter() {
    writer_ = std::make_unique<Writer>(*env_, t_, Writer::Options{}, [] {
      return google::protobuf::util::TimeUtil::SecondsToTimestamp(1767225600);
    });
    ASSERT_TRUE(writer_->Start().ok());
  }

  // Runs `fn` as one write and waits for its result.
  WriteResult Run(WriteFn fn) {
    std::promise<WriteResult> done;
    auto result = done.get_future();
    Status queued = writer_->Submit(std::move(fn), [&done](WriteResult r) {
      done.set_value(std::move(r));
    });
    if (!queued.ok()) {
      WriteResult refused;
      refused.status = queued;
      return refused;
    }
    return result.get();
  }

  // Runs `change` in a write transaction of its own.
  template <typename F>
  void Change(F change) {
    auto txn = Txn::BeginWrite(*env_);
    ASSERT_TRUE(txn.ok());
    change(*txn);
    ASSERT_TRUE(txn->Commit().ok());
  }

  testing::ScratchDir dir_;
  std::optional<Env> env_;
  Tables t_;
  std::unique_ptr<Writer> writer_;
};

// A create as the API makes it, saved through `w`: a ticket titled
// `title` in rollag for the service "printer", its description `pad`
// bytes, the event's actor `actor` (empty: as DecideCreate sets it).
inline StatusOr<v1::Ticket> CreateTicketIn(WriteContext& w,
                                           const std::string& title,
                                           size_t pad = 0,
                                           const std::string& actor = "") {
  v1::CreateTicketRequest req;
  req.set_title(title);
  req.set_description(testing::Incompressible(pad));
  req.set_municipality("rollag");
  req.set_service_id("printer");
  req.set_reporter("kari");
  v1::Service service;
  service.set_id("printer");
  auto c =
      tickets::DecideCreate(req, service, w.NextTicketNumber(), {"r", w.now()});
  if (!actor.empty()) c.event.set_actor(actor);
  if (Status s = w.Save(nullptr, c.ticket, std::move(c.event)); !s.ok())
    return s;
  return c.ticket;
}

}  // namespace helpdesk::store
