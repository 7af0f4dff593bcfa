#include "daemon/store/record_check.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/stubs/logging.h>
#include <google/protobuf/wire_format_lite.h>
#include <spdlog/spdlog.h>

#include <cstdint>
#include <mutex>
#include <set>
#include <unordered_map>
#include <vector>

#include "daemon/store/packing.h"
#include "proto/utf8.h"

namespace helpdesk::store {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

constexpr std::string_view kDamaged = " is damaged in the store";

using proto::IsValidUtf8;

// Finds the first string field (at any depth) that is not valid UTF-8.
// A record is checked on every save, so each message type gets a plan
// once: its string fields and the message fields whose types hold strings
// at some depth (timestamps, say, are never walked). The path is built
// only when there is a bad string (a second walk, with `at`).
class Walker {
 public:
  // `at`, if set, gets the JSON pointer of the field found.
  bool Find(const Message& m, const FieldDescriptor* skip, std::string* at) {
    const Reflection* r = m.GetReflection();
    for (const FieldDescriptor* f : Plan(m.GetDescriptor())) {
      if (f == skip) continue;
      const size_t mark = at ? at->size() : 0;
      if (at) *at += '/' + f->json_name();
      if (f->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
        if (f->is_repeated()) {
          for (int i = 0, n = r->FieldSize(m, f); i < n; ++i) {
            if (!IsValidUtf8(
                    r->GetRepeatedStringReference(m, f, i, &scratch_))) {
              if (at) *at += '/' + std::to_string(i);
              return true;
            }
          }
        } else if (!IsValidUtf8(r->GetStringReference(m, f, &scratch_))) {
          return true;
        }
      } else if (f->is_repeated()) {
        for (int i = 0, n = r->FieldSize(m, f); i < n; ++i) {
          const size_t item = at ? at->size() : 0;
          if (at) *at += '/' + std::to_string(i);
          if (Find(r->GetRepeatedMessage(m, f, i), nullptr, at)) return true;
          if (at) at->resize(item);
        }
      } else if (r->HasField(m, f) && Find(r->GetMessage(m, f), nullptr, at)) {
        return true;
      }
      if (at) at->resize(mark);
    }
    return false;
  }

 private:
  // The fields of `d` worth walking, in declaration order.
  const std::vector<const FieldDescriptor*>& Plan(const Descriptor* d) {
    auto it = plans_.find(d);
    if (it != plans_.end()) return it->second;
    std::vector<const FieldDescriptor*> plan;
    for (int i = 0; i < d->field_count(); ++i) {
      const FieldDescriptor* f = d->field(i);
      if (f->type() == FieldDescriptor::TYPE_STRING ||
          (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE &&
           HoldsStrings(f->message_type())))
        plan.push_back(f);
    }
    return plans_.emplace(d, std::move(plan)).first->second;
  }

  // Whether `d` has a string field at some depth (a type that holds
  // itself counts as yes: cheap, and never wrong).
  bool HoldsStrings(const Descriptor* d) {
    if (auto it = holds_.find(d); it != holds_.end()) return it->second;
    holds_[d] = true;  // while it is being decided
    bool any = false;
    for (int i = 0; i < d->field_count() && !any; ++i) {
      const FieldDescriptor* f = d->field(i);
      any = f->type() == FieldDescriptor::TYPE_STRING ||
            (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE &&
             HoldsStrings(f->message_type()));
    }
    holds_[d] = any;
    return any;
  }

  std::unordered_map<const Descriptor*, std::vector<const FieldDescriptor*>>
      plans_;
  std::unordered_map<const Descriptor*, bool> holds_;
  std::string scratch_;
};

}  // namespace

Status CheckStrings(const Message& record, std::string_view what,
                    const FieldDescriptor* skip, std::string_view place) {
  // Per thread: saves run on the writer thread, catalogue plans on the
  // threads that decide them, tests anywhere.
  thread_local Walker walker;
  if (!walker.Find(record, skip, nullptr)) return Status::Ok();
  std::string at(place);
  walker.Find(record, skip, &at);
  return Status::InvalidField(
      at, "field '" + at + "' of the " + std::string(what) +
              " is not valid UTF-8; nothing was stored (send text as UTF-8)");
}

Status Damaged(std::string_view record) {
  return Status::Internal(std::string(record) + std::string(kDamaged) +
                          "; run helpdeskctl check");
}

bool IsDamaged(const Status& s) {
  return s.code() == Code::kInternal &&
         s.message().find(kDamaged) != std::string::npos;
}

void NoteDamaged(std::string_view record) {
  static std::mutex mu;
  static std::set<std::string, std::less<>> seen;  // guarded by mu
  {
    std::lock_guard lock(mu);
    if (seen.count(record)) return;
    seen.emplace(record);
  }
  spdlog::error(
      "{}{} (it does not parse) and is skipped; run helpdeskctl check "
      "--data-dir, then helpdeskctl repair with the daemon stopped",
      record, kDamaged);
}

namespace {

// protobuf's log, through spdlog: the lines it writes at every parse of a
// string that is not UTF-8 are left out (the store names such a record
// once, NoteDamaged; not at every 5 s sweep), the rest kept.
void ProtobufLog(google::protobuf::LogLevel level, const char* file, int line,
                 const std::string& message) {
  if (message.find("invalid UTF-8") != std::string::npos) return;
  spdlog::log(level >= google::protobuf::LOGLEVEL_ERROR ? spdlog::level::err
                                                        : spdlog::level::warn,
              "protobuf {}:{}: {}", file, line, message);
}

}  // namespace

bool ParseRecord(std::string_view bytes, Message& out) {
  // Set once for the process, on the first record read: a per-parse
  // silencer would take protobuf's global mutex twice on every read.
  static std::once_flag once;
  std::call_once(once, [] { google::protobuf::SetLogHandler(&ProtobufLog); });
  // A packed record (packing.h) is unpacked into this thread's buffer,
  // which keeps its capacity from record to record.
  thread_local std::string scratch;
  auto record = Unpack(bytes, scratch);
  const bool parsed =
      record &&
      out.ParseFromArray(record->data(), static_cast<int>(record->size()));
  // A damaged frame may have claimed megabytes: not kept for the thread's
  // life.
  if (scratch.capacity() > (size_t{1} << 20)) std::string().swap(scratch);
  return parsed;
}

std::optional<std::string> ParseStringField(std::string_view bytes,
                                            int number) {
  using google::protobuf::internal::WireFormatLite;
  thread_local std::string scratch;
  std::string value;
  bool ok = false;
  if (auto record = Unpack(bytes, scratch)) {
    google::protobuf::io::CodedInputStream in(
        reinterpret_cast<const uint8_t*>(record->data()),
        static_cast<int>(record->size()));
    ok = true;
    while (const uint32_t tag = in.ReadTag()) {
      if (WireFormatLite::GetTagFieldNumber(tag) == number &&
          WireFormatLite::GetTagWireType(tag) ==
              WireFormatLite::WIRETYPE_LENGTH_DELIMITED) {
        ok = WireFormatLite::ReadString(&in, &value);
      } else {
        ok = WireFormatLite::SkipField(&in, tag);
      }
      if (!ok) break;
    }
    // ReadTag answers 0 at the end and on bytes that are no tag: only the
    // first is a message.
    ok = ok && in.ConsumedEntireMessage() && IsValidUtf8(value);
  }
  // A damaged frame may have claimed megabytes, unpacked or not: not kept
  // for the thread's life.
  if (scratch.capacity() > (size_t{1} << 20)) std::string().swap(scratch);
  if (!ok) return std::nullopt;
  return value;
}

}  // namespace helpdesk::store
