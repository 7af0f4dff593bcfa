#include "daemon/store/writer.h"

#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <future>
#include <map>
#include <set>
#include <stdexcept>
#include <thread>

#include "daemon/store/staff_tables.h"
#include "daemon/tickets/commands.h"
#include "daemon/tickets/sla_clocks.h"
#include "proto/timestamps.h"
#include "sla/policy.h"
#include "tests/store/store_fixture.h"
#include "tests/support/scratch_dir.h"
#include "tests/support/small_disk.h"

namespace helpdesk::store {
namespace {

using google::protobuf::util::TimeUtil;

// A person's open tickets, all priorities.
uint32_t OpenTickets(const v1::StaffLoad& load) {
  uint32_t n = 0;
  for (uint32_t at : load.open_by_priority()) n += at;
  return n;
}

class WriterTest : public ::testing::Test {
 protected:
  void Open(size_t map_size = size_t{4} << 20,
            size_t max_map_size = size_t{64} << 20, std::string db = "") {
    writer_.reset();
    env_.reset();
    if (db.empty()) db = dir_.path() + "/db";
    auto env = Env::Open({.dir = db, .map_size = map_size});
    ASSERT_TRUE(env.ok());
    env_.emplace(std::move(*env));
    v1::Region region;
    region.add_municipalities()->set_id("rollag");
    tables_ = *OpenTables(*env_, {.region = region, .catalogue = {}});
    writer_ = std::make_unique<Writer>(
        *env_, tables_,
        Writer::Options{.queue_capacity = 100000,
                        .max_batch = 256,
                        .max_map_size = max_map_size},
        [] { return TimeUtil::SecondsToTimestamp(1767225600); });
    ASSERT_TRUE(writer_->Start().ok());
  }

  // A create as the API does it; `pad` pads the description.
  static StatusOr<v1::Ticket> CreateIn(WriteContext& w,
                                       const std::string& title, size_t pad) {
    return CreateTicketIn(w, title, pad);
  }
  static WriteFn Create(std::string title, size_t pad = 0) {
    return [title, pad](WriteContext& w) {
      return CreateIn(w, title, pad).status();
    };
  }
  // The id of the ticket a committed create made, from its event.
  static std::string IdOf(const WriteResult& r) {
    return r.events.empty() ? "" : r.events.front().ticket_id();
  }

  // A write that holds the writer until `release` is ready.
  static WriteFn HoldUntil(std::shared_future<void> release) {
    return [release](WriteContext&) {
      release.wait();
      return Status::Ok();
    };
  }

  // Queues `middle` between two creates while a first write holds the
  // writer, so they land in one batch (with the holder or right after it;
  // a batch run again runs them again). Expects the two creates committed
  // as tickets 1 and 2; returns what became of each of `middle`.
  std::vector<WriteResult> BetweenTwoCreates(std::vector<WriteFn> middle) {
    std::promise<void> queued;
    auto hold = Submit(HoldUntil(queued.get_future().share()));
    auto before = Submit(Create("before"));
    std::vector<std::future<WriteResult>> pending;
    for (auto& fn : middle) pending.push_back(Submit(std::move(fn)));
    auto after = Submit(Create("after"));
    queued.set_value();
    EXPECT_TRUE(hold.get().status.ok());
    std::vector<WriteResult> out;
    for (auto& f : pending) out.push_back(f.get());
    WriteResult first = before.get(), last = after.get();
    EXPECT_TRUE(first.status.ok()) << first.status.message();
    EXPECT_TRUE(last.status.ok()) << last.status.message();
    EXPECT_EQ(IdOf(first), "1");
    EXPECT_EQ(IdOf(last), "2");
    return out;
  }

  std::future<WriteResult> Submit(WriteFn fn) {
    auto p = std::make_shared<std::promise<WriteResult>>();
    auto f = p->get_future();
    Status s = writer_->Submit(
        std::move(fn), [p](WriteResult r) { p->set_value(std::move(r)); });
    if (!s.ok()) {
      WriteResult r;
      r.status = s;
      p->set_value(r);
    }
    return f;
  }

  testing::ScratchDir dir_;
  std::optional<Env> env_;
  Tables tables_;
  std::unique_ptr<Writer> writer_;
};

TEST_F(WriterTest, ConcurrentWritesAreAllAnsweredAndTheLogHasNoGap) {
  Open();
  constexpr int kThreads = 8, kEach = 200;
  std::vector<std::thread> threads;
  std::mutex mu;
  std::set<std::string> ids;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::vector<std::future<WriteResult>> pending;
      for (int i = 0; i < kEach; ++i)
        pending.push_back(
            Submit(Create("t" + std::to_string(t) + "-" + std::to_string(i))));
      for (auto& f : pending) {
        WriteResult r = f.get();
        ASSERT_TRUE(r.status.ok()) << r.status.message();
        std::lock_guard lock(mu);
        ids.insert(IdOf(r));
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ids.size(), size_t{kThreads * kEach});  // every id distinct
  auto txn = Txn::BeginRead(*env_);
  auto events = ListEvents(*txn, tables_, 0, 100000);
  ASSERT_EQ(events->events.size(), size_t{kThreads * kEach});
  for (size_t i = 0; i < events->events.size(); ++i)
    EXPECT_EQ(events->events[i].seq(), i + 1);
  Writer::Stats stats = writer_->GetStats();
  EXPECT_EQ(stats.writes, uint64_t{kThreads * kEach});
  EXPECT_LE(stats.batches, stats.writes);
}

TEST_F(WriterTest, ARejectedWriteLeavesTheRestOfItsBatchAlone) {
  Open();
  auto ok1 = Submit(Create("first"));
  auto bad = Submit(
      [](WriteContext&) { return Status::InvalidField("title", "nope"); });
  auto ok2 = Submit(Create("second"));
  EXPECT_TRUE(ok1.get().status.ok());
  EXPECT_EQ(bad.get().status.code(), Code::kInvalidField);
  WriteResult second = ok2.get();
  EXPECT_TRUE(second.status.ok());
  EXPECT_EQ(IdOf(second), "2");
}

// A write must refuse before it writes; one that writes and then refuses
// would leave half a change behind: it is dropped, answered as an internal
// error, and the rest of its batch commits without it.
TEST_F(WriterTest, AWriteRefusedAfterItWroteIsDroppedAndTheRestCommit) {
  Open();
  std::vector<WriteResult> r = BetweenTwoCreates({[](WriteContext& w) {
    if (auto t = CreateIn(w, "half", 0); !t.ok()) return t.status();
    return Status::InvalidField("title", "refused too late");
  }});
  const WriteResult& dropped = r.at(0);
  EXPECT_EQ(dropped.status.code(), Code::kInternal);
  EXPECT_EQ(dropped.status.message().find("too late"), std::string::npos)
      << "the answer names no other write: " << dropped.status.message();
  EXPECT_FALSE(dropped.batch_failed);
  EXPECT_TRUE(dropped.events.empty());
  auto txn = Txn::BeginRead(*env_);
  EXPECT_EQ(*LastTicketNumber(*txn, tables_), 2u);
  EXPECT_EQ(*LastEventSeq(*txn, tables_), 2u);
}

TEST_F(WriterTest, CountersContinueAfterRestart) {
  Open();
  EXPECT_EQ(IdOf(Submit(Create("a")).get()), "1");
  Open();
  WriteResult r = Submit(Create("b")).get();
  EXPECT_EQ(IdOf(r), "2");
  EXPECT_EQ(writer_->GetStats().last_seq, 2u);
}

TEST_F(WriterTest, GrowsAFullMapAndLosesNothing) {
  Open(size_t{1} << 20, size_t{64} << 20);
  std::vector<std::future<WriteResult>> pending;
  for (int i = 0; i < 300; ++i)
    pending.push_back(Submit(Create("big" + std::to_string(i), 10000)));
  for (auto& f : pending) ASSERT_TRUE(f.get().status.ok());
  EXPECT_GT(env_->map_size(), size_t{1} << 20);
  auto txn = Txn::BeginRead(*env_);
  EXPECT_EQ(*LastTicketNumber(*txn, tables_), 300u);
}

TEST_F(WriterTest, LoadsCountEachTicketOnceWhenAFullMapRerunsTheBatch) {
  Open(size_t{1} << 20, size_t{64} << 20);
  std::vector<std::future<WriteResult>> pending;
  for (int i = 0; i < 300; ++i) {
    pending.push_back(Submit([i](WriteContext& w) {
      auto created = CreateIn(w, "big" + std::to_string(i), 10000);
      if (!created.ok()) return created.status();
      v1::Ticket assigned = *created;
      assigned.set_status(v1::TICKET_STATUS_ASSIGNED);
      assigned.set_assignee("ola.nordmann");
      assigned.set_version(created->version() + 1);
      v1::Event e;
      e.set_ticket_id(assigned.id());
      return w.Save(&*created, assigned, std::move(e));
    }));
  }
  for (auto& f : pending) ASSERT_TRUE(f.get().status.ok());
  ASSERT_GT(env_->map_size(), size_t{1} << 20);  // some batch ran again
  auto txn = Txn::BeginRead(*env_);
  auto load = GetLoad(*txn, tables_, "ola.nordmann");
  ASSERT_TRUE(load.ok());
  EXPECT_EQ(OpenTickets(*load), 300u);
  EXPECT_EQ(load->last_assigned_seq(), 600u);
}

// Every table of the database at `db`, key for key: "table/key" -> value.
std::map<std::string, std::string> Everything(const Env& env) {
  std::map<std::string, std::string> out;
  auto txn = Txn::BeginRead(env);
  EXPECT_TRUE(txn.ok());
  MDB_dbi main_dbi;
  EXPECT_EQ(mdb_dbi_open(txn->get(), nullptr, 0, &main_dbi), MDB_SUCCESS);
  std::vector<std::string> names;
  MDB_cursor* c;
  EXPECT_EQ(mdb_cursor_open(txn->get(), main_dbi, &c), MDB_SUCCESS);
  MDB_val k, v;
  for (int rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == MDB_SUCCESS;
       rc = mdb_cursor_get(c, &k, &v, MDB_NEXT))
    names.emplace_back(static_cast<const char*>(k.mv_data), k.mv_size);
  mdb_cursor_close(c);
  for (const std::string& name : names) {
    MDB_dbi dbi;
    if (mdb_dbi_open(txn->get(), name.c_str(), 0, &dbi) != MDB_SUCCESS)
      continue;  // a key of the main table, not a table
    EXPECT_EQ(mdb_cursor_open(txn->get(), dbi, &c), MDB_SUCCESS);
    for (int rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == MDB_SUCCESS;
         rc = mdb_cursor_get(c, &k, &v, MDB_NEXT))
      out[name + "/" +
          std::string(static_cast<const char*>(k.mv_data), k.mv_size)]
          .append(static_cast<const char*>(v.mv_data), v.mv_size)
          .append("|");  // a dup-sorted table's values, one after another
    mdb_cursor_close(c);
  }
  return out;
}

size_t CountIn(const std::map<std::string, std::string>& all,
               const std::string& table) {
  size_t n = 0;
  for (const auto& [key, value] : all) n += key.starts_with(table + "/");
  return n;
}

// The values under the keys of `table` (a table of numbers: its numbers).
size_t ValuesIn(const std::map<std::string, std::string>& all,
                const std::string& table) {
  size_t n = 0;
  for (const auto& [key, value] : all)
    if (key.starts_with(table + "/"))
      n += std::count(value.begin(), value.end(), '|');
  return n;
}

// A ticket filed and assigned by one write is saved once with both its
// events (desk::CreateTicket): what that stores must be byte for byte
// what two Saves store, in every table (the record, its indexes, the
// loads, the SLA due times, the report cells, the events).
TEST_F(WriterTest, OneSaveOfTwoChangesStoresWhatTwoSavesStore) {
  auto write = [&](bool at_once) {
    Open(size_t{4} << 20, size_t{64} << 20,
         dir_.path() + (at_once ? "/at-once" : "/one-by-one"));
    for (int i = 0; i < 3; ++i) {
      auto done = Submit([at_once, i](WriteContext& w) -> Status {
        v1::CreateTicketRequest req;
        req.set_title("Skriver " + std::to_string(i));
        req.set_municipality("rollag");
        req.set_service_id("printer");
        req.set_reporter("kari");
        req.set_priority(i == 1 ? v1::PRIORITY_HIGH : v1::PRIORITY_NORMAL);
        v1::Service service;
        service.set_id("printer");
        service.set_sla_class("standard");
        auto c = tickets::DecideCreate(req, service, w.NextTicketNumber(),
                                       {"r", w.now()});
        const sla::PolicyBook book{sla::DefaultPolicy()};
        auto clocks = tickets::StartClocks(
            book, "standard", c.ticket.priority(), proto::ToSys(w.now()));
        EXPECT_TRUE(clocks.has_value());
        if (clocks) *c.ticket.mutable_sla() = *clocks;
        v1::Assignment a;
        a.set_outcome(v1::ASSIGNMENT_OUTCOME_ASSIGNED);
        a.set_trigger(v1::ASSIGNMENT_TRIGGER_CREATED);
        a.set_assignee("ola.nordmann");
        a.set_explanation("Assigned to Ola Nordmann (ola.nordmann).");
        auto assigned = tickets::DecideAssignment(c.ticket, a, false, 0,
                                                  std::nullopt, {"r", w.now()});
        if (!assigned.ok()) return assigned.status();
        if (at_once)
          return w.Save(nullptr, c.ticket, std::move(c.event), assigned->ticket,
                        std::move(assigned->event));
        if (Status s = w.Save(nullptr, c.ticket, std::move(c.event)); !s.ok())
          return s;
        return w.Save(&c.ticket, assigned->ticket, std::move(assigned->event));
      });
      const WriteResult r = done.get();
      EXPECT_TRUE(r.status.ok()) << r.status.message();
      EXPECT_EQ(r.events.size(), 2u);
    }
    return Everything(*env_);
  };
  // Not compared: each database's random epoch, and a status count of
  // zero, which two Saves leave behind (new: +1, then -1) and one never
  // writes (both read as no ticket of that status).
  auto comparable = [](std::map<std::string, std::string> all) {
    all.erase("meta/epoch");
    std::erase_if(all, [](const auto& entry) {
      return entry.first.starts_with("meta/count/") &&
             entry.second == std::string(8, '\0') + "|";
    });
    return all;
  };
  const auto one_by_one = comparable(write(false));
  const auto at_once = comparable(write(true));
  // Not vacuous: each of these was written.
  EXPECT_EQ(CountIn(at_once, "tickets"), 3u);
  EXPECT_EQ(CountIn(at_once, "events"), 6u);
  EXPECT_EQ(ValuesIn(at_once, "ticket_index"), 3u * kIndexKeysPerTicket);
  EXPECT_GE(CountIn(at_once, "sla_due"), 3u);
  EXPECT_GE(CountIn(at_once, "report_cells"), 3u);
  for (const auto& [key, value] : one_by_one) {
    auto it = at_once.find(key);
    if (it == at_once.end()) {
      ADD_FAILURE() << "only two Saves wrote " << ::testing::PrintToString(key);
    } else {
      EXPECT_EQ(it->second, value) << ::testing::PrintToString(key);
    }
  }
  for (const auto& [key, value] : at_once)
    EXPECT_TRUE(one_by_one.contains(key))
        << "only one Save wrote " << ::testing::PrintToString(key);
  auto txn = Txn::BeginRead(*env_);
  auto load = GetLoad(*txn, tables_, "ola.nordmann");
  ASSERT_TRUE(load.ok());
  EXPECT_EQ(OpenTickets(*load), 3u);
}

TEST_F(WriterTest, AtTheSizeLimitWritesFailCleanlyAndReadsGoOn) {
  Open(size_t{1} << 20, size_t{1} << 20);
  Status failure;
  int acknowledged = 0;
  for (int i = 0; i < 1000 && failure.ok(); ++i) {
    WriteResult r = Submit(Create("big" + std::to_string(i), 10000)).get();
    if (r.status.ok()) ++acknowledged;
    failure = r.status;
  }
  ASSERT_EQ(failure.code(), Code::kStorageFull);
  ASSERT_GT(acknowledged, 0);
  auto txn = Txn::BeginRead(*env_);
  EXPECT_EQ(*LastTicketNumber(*txn, tables_), uint64_t(acknowledged));
  EXPECT_EQ(*LastEventSeq(*txn, tables_), uint64_t(acknowledged));
}

// The exception barrier: a write function that throws is answered 500 and
// dropped, the others of its batch commit, and the writer goes on.
TEST_F(WriterTest, AWriteThatThrowsIsAnsweredAndTheRestOfItsBatchCommits) {
  Open();
  std::vector<WriteResult> r =
      BetweenTwoCreates({[](WriteContext& w) -> Status {
                           if (auto t = CreateIn(w, "half", 0); !t.ok())
                             return t.status();
                           throw std::runtime_error("a bug in a use case");
                         },
                         [](WriteContext&) -> Status { throw 42; }});
  for (const WriteResult& thrown : r) {
    EXPECT_EQ(thrown.status.code(), Code::kInternal) << thrown.status.message();
    EXPECT_FALSE(thrown.batch_failed);
    EXPECT_TRUE(thrown.events.empty());
  }
  EXPECT_EQ(writer_->GetStats().exceptions, 2u);
  // Later batches work, and nothing of the thrower was kept.
  EXPECT_EQ(IdOf(Submit(Create("later")).get()), "3");
  auto txn = Txn::BeginRead(*env_);
  EXPECT_EQ(*LastEventSeq(*txn, tables_), 3u);
  EXPECT_TRUE(writer_->GetHealth().storage.ok());
}

TEST_F(WriterTest, ACompletionThatThrowsDoesNotEndTheWriter) {
  Open();
  ASSERT_TRUE(writer_
                  ->Submit(Create("a"),
                           [](WriteResult) {
                             throw std::runtime_error("a bug in a completion");
                           })
                  .ok());
  WriteResult r = Submit(Create("b")).get();
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_EQ(IdOf(r), "2");
  EXPECT_EQ(writer_->GetStats().exceptions, 1u);
}

// What /readyz reads: a writer that finishes no batch while writes wait.
TEST_F(WriterTest, HealthSaysHowLongWritesHaveWaitedWithNoBatchFinishing) {
  Open();
  EXPECT_EQ(writer_->GetHealth().stalled_for.count(), 0);
  std::promise<void> release;
  auto stuck = Submit(HoldUntil(release.get_future().share()));
  auto waiting = Submit(Create("waiting"));
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (writer_->GetHealth().stalled_for < std::chrono::milliseconds(100) &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::yield();
  EXPECT_GE(writer_->GetHealth().stalled_for, std::chrono::milliseconds(100));
  release.set_value();
  EXPECT_TRUE(stuck.get().status.ok());
  EXPECT_TRUE(waiting.get().status.ok());
  EXPECT_EQ(writer_->GetHealth().stalled_for.count(), 0);
}

TEST_F(WriterTest, AtTheSizeLimitTheAnswerNamesTheSettingAndHealthSaysSo) {
  Open(size_t{1} << 20, size_t{1} << 20);
  WriteResult r;
  for (int i = 0; i < 1000 && r.status.ok(); ++i)
    r = Submit(Create("big" + std::to_string(i), 10000)).get();
  ASSERT_EQ(r.status.code(), Code::kStorageFull) << r.status.message();
  EXPECT_TRUE(r.batch_failed);
  EXPECT_NE(r.status.message().find("max_map_size_mb"), std::string::npos)
      << r.status.message();
  EXPECT_NE(r.status.message().find("1 MiB"), std::string::npos)
      << r.status.message();
  EXPECT_EQ(writer_->GetHealth().storage.code(), Code::kStorageFull);
  // A small write still fits: once one commits, the store is healthy.
  WriteResult small = Submit(Create("small")).get();
  ASSERT_TRUE(small.status.ok()) << small.status.message();
  EXPECT_TRUE(writer_->GetHealth().storage.ok());
}

// A full disk is not a full map: its own code and an answer naming the
// disk; growing the map cannot help, freeing space does.
TEST_F(WriterTest, AFullDiskIsItsOwnFailureAndWritesResumeWhenSpaceIsFreed) {
  testing::SmallDisk disk(dir_.path() + "/disk", size_t{4} << 20);
  if (!disk.ok()) GTEST_SKIP() << disk.error();
  Open(size_t{8} << 20, size_t{64} << 20, disk.path() + "/db");
  disk.Fill();
  WriteResult r;
  int acknowledged = 0;
  for (int i = 0; i < 1000 && r.status.ok(); ++i) {
    r = Submit(Create("big" + std::to_string(i), 10000)).get();
    if (r.status.ok()) ++acknowledged;
  }
  ASSERT_EQ(r.status.code(), Code::kDiskFull) << r.status.message();
  EXPECT_TRUE(r.batch_failed);
  EXPECT_NE(r.status.message().find("the disk holding " + disk.path()),
            std::string::npos)
      << r.status.message();
  EXPECT_NE(r.status.message().find("bytes free"), std::string::npos)
      << r.status.message();
  EXPECT_EQ(env_->map_size(), size_t{8} << 20) << "the map did not grow";
  EXPECT_EQ(writer_->GetHealth().storage.code(), Code::kDiskFull);
  disk.Free();
  WriteResult later = Submit(Create("later", 10000)).get();
  ASSERT_TRUE(later.status.ok()) << later.status.message();
  EXPECT_EQ(IdOf(later), std::to_string(acknowledged + 1));
  EXPECT_TRUE(writer_->GetHealth().storage.ok());
}

// Reads that overlap without a break must not hold map growth off: new
// reads wait behind a pending growth, which then waits only for the reads
// already open.
TEST_F(WriterTest, MapGrowthIsNotStarvedByContinuousReads) {
  Open(size_t{1} << 20, size_t{64} << 20);
  std::atomic<bool> stop{false};
  std::vector<std::thread> readers;
  for (int i = 0; i < 4; ++i) {
    readers.emplace_back([&] {
      while (!stop) {
        auto txn = Txn::BeginRead(*env_);
        // A read that takes a while (a report's scan), so reads overlap.
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
    });
  }
  std::vector<std::future<WriteResult>> pending;
  for (int i = 0; i < 300; ++i)
    pending.push_back(Submit(Create("big" + std::to_string(i), 10000)));
  bool answered = true;
  for (auto& f : pending) {
    if (f.wait_for(std::chrono::seconds(20)) != std::future_status::ready) {
      answered = false;
      break;
    }
    EXPECT_TRUE(f.get().status.ok());
  }
  stop = true;
  for (auto& t : readers) t.join();
  EXPECT_TRUE(answered) << "the writer waited 20 s to grow the map";
  EXPECT_GT(env_->map_size(), size_t{1} << 20);
}

// What a large write holds (a decided catalogue import: tens of MB in
// small allocations) is freed off the writer thread, which the next batch
// waits for; and nothing of it outlives Stop.
TEST_F(WriterTest, AWritesClosuresAreFreedOffTheWriterThreadAndByStop) {
  Open();
  struct Held {
    explicit Held(std::promise<std::thread::id>* p) : freed_on(p) {}
    Held(const Held&) = delete;
    Held& operator=(const Held&) = delete;
    ~Held() { freed_on->set_value(std::this_thread::get_id()); }
    std::promise<std::thread::id>* freed_on;
  };
  std::promise<std::thread::id> ran_on, freed_on;
  std::promise<WriteResult> done;
  // The write's closure is the only owner of `held`.
  ASSERT_TRUE(writer_
                  ->Submit(
                      [held = std::make_shared<Held>(&freed_on),
                       &ran_on](WriteContext& w) {
                        ran_on.set_value(std::this_thread::get_id());
                        return CreateIn(w, "stor import", 0).status();
                      },
                      [&done](WriteResult r) { done.set_value(std::move(r)); },
                      Writer::Freed::kByJanitor)
                  .ok());
  EXPECT_TRUE(done.get_future().get().status.ok());
  auto freed = freed_on.get_future();
  writer_->Stop();  // by then, everything queued is answered and freed
  ASSERT_EQ(freed.wait_for(std::chrono::seconds(0)), std::future_status::ready);
  const std::thread::id freed_by = freed.get();
  EXPECT_NE(freed_by, ran_on.get_future().get());   // not the writer
  EXPECT_NE(freed_by, std::this_thread::get_id());  // nor this one
}

TEST_F(WriterTest, StopAnswersEverythingQueuedThenRefuses) {
  Open();
  std::vector<std::future<WriteResult>> pending;
  for (int i = 0; i < 500; ++i) pending.push_back(Submit(Create("x")));
  writer_->Stop();
  for (auto& f : pending) EXPECT_TRUE(f.get().status.ok());
  EXPECT_EQ(Submit(Create("late")).get().status.code(), Code::kUnavailable);
}

}  // namespace
}  // namespace helpdesk::store
