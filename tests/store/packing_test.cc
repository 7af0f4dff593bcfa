// Packed records (schema 15): tickets and events stored compressed against
// the compiled-in dictionary, read back byte for byte; a record as an older
// schema stored it still reads; damaged packed bytes are a damaged record,
// never a crash; the upgrade from 14 packs every record.

#include "daemon/store/packing.h"

#include <gtest/gtest.h>

#include "daemon/store/consistency.h"
#include "daemon/store/record_check.h"
#include "daemon/store/records.h"
#include "tests/store/store_fixture.h"

namespace helpdesk::store {
namespace {

v1::Ticket ATicket(uint64_t n) {
  v1::Ticket t;
  t.set_id(std::to_string(n));
  t.set_title("Skriveren på 2. etasje skriver ikke ut");
  t.set_description("Papirstopp igjen, og skjermen viser feil 49.");
  t.set_municipality("rollag");
  t.set_reporter("kari");
  t.set_status(v1::TICKET_STATUS_NEW);
  t.set_priority(v1::PRIORITY_NORMAL);
  t.mutable_service()->set_id("printer");
  t.mutable_service()->set_name("Skriver og utskrift");
  return t;
}

TEST(Packing, ARecordPacksSmallerAndUnpacksToTheSameBytes) {
  const std::string plain = ATicket(1).SerializeAsString();
  const std::string packed = Pack(plain);
  ASSERT_TRUE(IsPacked(packed));
  EXPECT_EQ(static_cast<unsigned char>(packed[1]), kPackingVersion);
  EXPECT_LT(packed.size(), plain.size());
  std::string scratch;
  auto back = Unpack(packed, scratch);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, plain);
  v1::Ticket read;
  ASSERT_TRUE(ParseRecord(packed, read));
  EXPECT_EQ(read.SerializeAsString(), plain);
}

TEST(Packing, WhatPacksNoSmallerAndWhatAnOlderSchemaStoredReadAsTheyAre) {
  for (const std::string& plain : {std::string(), std::string("\x0a\x01x", 3),
                                   ATicket(2).SerializeAsString()}) {
    std::string scratch;
    auto back = Unpack(plain, scratch);
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, plain);
  }
  // Too short to gain anything: stored as it is.
  const std::string tiny("\x0a\x01x", 3);
  EXPECT_EQ(Pack(tiny), tiny);
  // Above what Unpack takes (16 MiB): stored as it is, so it reads.
  const std::string huge(size_t{16} << 20 | 1, 'a');
  EXPECT_FALSE(IsPacked(Pack(huge)));
  v1::Ticket read;
  ASSERT_TRUE(ParseRecord(ATicket(3).SerializeAsString(), read));
  EXPECT_EQ(read.id(), "3");
}

TEST(Packing, DamagedPackedBytesAreADamagedRecordNotACrash) {
  const std::string packed = Pack(ATicket(4).SerializeAsString());
  ASSERT_TRUE(IsPacked(packed));
  std::vector<std::string> damaged = {
      std::string(1, '\0'),                         // no version
      std::string("\0\x7f", 2) + packed.substr(2),  // an unknown version
      packed.substr(0, packed.size() / 2),          // cut short
      packed.substr(0, 6),
  };
  std::string flipped = packed;
  flipped[flipped.size() / 2] ^= 0x5a;  // a byte changed in the frame
  damaged.push_back(flipped);
  // A frame of nothing, which Pack never makes.
  std::string empty = packed.substr(0, 2);
  empty += std::string("\x28\xb5\x2f\xfd\x20\x00\x01\x00\x00", 9);
  damaged.push_back(empty);
  // A frame that claims to hold a terabyte.
  std::string huge = packed.substr(0, 2);
  huge +=
      std::string("\x28\xb5\x2f\xfd\xe4\x00\x00\x00\x00\x00\x01\x00\x00", 13);
  damaged.push_back(huge);
  for (const auto& bytes : damaged) {
    std::string scratch;
    v1::Ticket read;
    // A changed byte may still unpack; then the bytes it gives are what
    // protobuf is handed, and it may or may not parse them. Either way
    // nothing crashes, and what does not unpack is refused.
    auto back = Unpack(bytes, scratch);
    if (!back) {
      EXPECT_FALSE(ParseRecord(bytes, read));
    }
  }
  std::string scratch;
  EXPECT_FALSE(Unpack(damaged[0], scratch).has_value());
  EXPECT_FALSE(Unpack(damaged[1], scratch).has_value());
  EXPECT_FALSE(Unpack(damaged[2], scratch).has_value());
  EXPECT_FALSE(Unpack(huge, scratch).has_value());
  EXPECT_FALSE(Unpack(empty, scratch).has_value());
}

TEST(Packing, OneFieldReadsAsAParseOfTheWholeRecordReadsIt) {
  constexpr int kAssignee = v1::Ticket::kAssigneeFieldNumber;
  v1::Ticket t = ATicket(5);
  EXPECT_EQ(ParseStringField(Pack(t.SerializeAsString()), kAssignee), "");
  t.set_assignee("ola.gronvold");
  const std::string plain = t.SerializeAsString();
  EXPECT_EQ(ParseStringField(Pack(plain), kAssignee), "ola.gronvold");
  EXPECT_EQ(ParseStringField(plain, kAssignee), "ola.gronvold");
  // Twice on the wire: the last, as a parse (a merge) takes it.
  v1::Ticket later;
  later.set_assignee("kari.haugen");
  EXPECT_EQ(ParseStringField(plain + later.SerializeAsString(), kAssignee),
            "kari.haugen");
  // Bytes that are no message, or an assignee that is not UTF-8: damaged,
  // as ParseRecord finds them.
  const std::string cut = plain.substr(0, plain.size() - 3);
  const std::string not_utf8 = std::string("\x52\x02\xff\xfe", 4);
  const std::string end_group = std::string("\x0c", 1);  // field 1, no start
  for (const std::string& bad : {cut, not_utf8, end_group}) {
    v1::Ticket read;
    EXPECT_FALSE(ParseRecord(bad, read));
    EXPECT_FALSE(ParseStringField(bad, kAssignee).has_value());
  }
  EXPECT_FALSE(ParseStringField(
                   std::string("\0\x7f", 2) + Pack(plain).substr(2), kAssignee)
                   .has_value());
}

class PackedStore : public StoreFixture {
 protected:
  void SetUp() override { OpenStore(); }
  std::string Raw(Table table, uint64_t key) {
    auto txn = Txn::BeginRead(*env_);
    auto raw = txn->Get(table, Be64(key));
    EXPECT_TRUE(raw.ok() && *raw);
    return raw.ok() && *raw ? std::string(**raw) : std::string();
  }
  ConsistencyReport Check() {
    auto txn = Txn::BeginRead(*env_);
    auto report = CheckConsistency(*txn, t_);
    EXPECT_TRUE(report.ok());
    return report.ok() ? *report : ConsistencyReport{};
  }
};

// Saved through the writer, a ticket and its events are stored packed and
// read back as saved. Stored as schema 14 left them (as they serialize),
// they read the same, and the upgrade to 15 packs them.
TEST_F(PackedStore, RecordsAreStoredPackedAndTheUpgradePacksOlderOnes) {
  StartWriter();
  std::vector<v1::Ticket> saved;
  for (int i = 0; i < 3; ++i) {
    WriteResult r = Run([&](WriteContext& w) -> Status {
      auto ticket = CreateTicketIn(w, "Skriveren er treg", 40);
      if (!ticket.ok()) return ticket.status();
      saved.push_back(*ticket);
      return Status::Ok();
    });
    ASSERT_TRUE(r.status.ok()) << r.status.message();
  }
  writer_->Stop();
  auto answers = [&] {
    auto txn = Txn::BeginRead(*env_);
    std::string out;
    for (uint64_t n = 1; n <= 3; ++n) {
      auto ticket = GetTicket(*txn, t_, n);
      EXPECT_TRUE(ticket.ok() && *ticket);
      if (ticket.ok() && *ticket) out += (*ticket)->SerializeAsString();
    }
    auto events = ListEvents(*txn, t_, 0, 100);
    EXPECT_TRUE(events.ok());
    if (events.ok())
      for (const auto& e : events->events) out += e.SerializeAsString();
    return out;
  };
  const std::string before = answers();
  for (uint64_t n = 1; n <= 3; ++n) {
    EXPECT_TRUE(IsPacked(Raw(t_.tickets, n))) << n;
    EXPECT_TRUE(IsPacked(Raw(t_.events, n))) << n;
    v1::Ticket read;
    ASSERT_TRUE(ParseRecord(Raw(t_.tickets, n), read));
    EXPECT_EQ(read.title(), saved[n - 1].title());
  }
  // As schema 14 stored them.
  Change([&](Txn& txn) {
    for (Table table : {t_.tickets, t_.events})
      for (uint64_t n = 1; n <= 3; ++n) {
        const std::string raw = Raw(table, n);
        std::string scratch;
        auto plain = Unpack(raw, scratch);
        ASSERT_TRUE(plain.has_value());
        ASSERT_TRUE(txn.Put(table, Be64(n), std::string(*plain)).ok());
      }
    ASSERT_TRUE(txn.Put(t_.meta, "schema_version", "14").ok());
  });
  EXPECT_FALSE(IsPacked(Raw(t_.tickets, 1)));
  EXPECT_EQ(answers(), before);
  auto reopened = OpenTables(*env_, {});
  ASSERT_TRUE(reopened.ok()) << reopened.status().message();
  t_ = *reopened;
  for (uint64_t n = 1; n <= 3; ++n) {
    EXPECT_TRUE(IsPacked(Raw(t_.tickets, n))) << n;
    EXPECT_TRUE(IsPacked(Raw(t_.events, n))) << n;
  }
  EXPECT_EQ(answers(), before);
  EXPECT_TRUE(Check().clean());
  auto txn = Txn::BeginRead(*env_);
  EXPECT_EQ(txn->Get(t_.meta, "schema_version")->value(), "16");
  EXPECT_FALSE(txn->Get(t_.meta, kCompactingRecords)->has_value());
}

// A packed record whose bytes were damaged is named by the check, and a
// read of it answers that it is damaged.
TEST_F(PackedStore, TheCheckNamesAPackedRecordThatDoesNotUnpack) {
  StartWriter();
  WriteResult r = Run([&](WriteContext& w) {
    return CreateTicketIn(w, "Skriveren er treg", 40).status();
  });
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  writer_->Stop();
  std::string raw = Raw(t_.tickets, 1);
  ASSERT_TRUE(IsPacked(raw));
  Change([&](Txn& txn) {
    ASSERT_TRUE(
        txn.Put(t_.tickets, Be64(1), raw.substr(0, raw.size() / 2)).ok());
  });
  {
    auto txn = Txn::BeginRead(*env_);
    auto ticket = GetTicket(*txn, t_, 1);
    EXPECT_TRUE(IsDamaged(ticket.status())) << ticket.status().message();
  }
  const auto report = Check();
  ASSERT_EQ(report.unreadable.size(), 1u);
  EXPECT_EQ(report.unreadable[0].why,
            "packed, but does not unpack (damaged bytes)");
}

}  // namespace
}  // namespace helpdesk::store
