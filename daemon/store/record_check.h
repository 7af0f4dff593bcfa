#pragma once
// What the store does about records whose strings are not valid UTF-8.
//
// On the way in (WriteContext's Save functions): CheckStrings walks every
// string field of the record and of its event, at any depth, and refuses
// the write (kInvalidField naming the field) before anything is written:
// protobuf would store such a string with only a log line, and then refuse
// to read the record back, forever.
//
// On the way out: a stored record that does not parse (an older bug, a
// damaged file) is "damaged". Single reads answer Damaged(...), a kInternal
// naming the record and what to run; lists, scans and sweeps skip it and
// call NoteDamaged, which logs each record once per process, not at every
// sweep.
//
// Thread-safety: all functions are safe from any thread.

#include <google/protobuf/message.h>

#include <optional>
#include <string>
#include <string_view>

#include "proto/status.h"

namespace helpdesk::store {

// Ok when every string field of `record` (repeated, nested, map values
// included) is valid UTF-8; else kInvalidField with a JSON pointer in the
// record's JSON names ("/comments/2/body") and a detail naming `what`.
// `skip`, if set, names a field of the top-level message left unchecked
// (a ticket's comments, which are stored in their events, not with it).
// `at`, the record's own place when it is part of something larger
// ("/services/3" of a catalogue), goes in front of the pointer.
Status CheckStrings(const google::protobuf::Message& record,
                    std::string_view what,
                    const google::protobuf::FieldDescriptor* skip = nullptr,
                    std::string_view at = {});

// The answer for a record that is stored but cannot be read. `record`
// names it for a person: "ticket 17", "catalogue record service/vpn".
Status Damaged(std::string_view record);
// Whether `s` is such an answer (and not, say, an LMDB error).
bool IsDamaged(const Status& s);

// Logs (as an error) that `record` is damaged and was skipped, the first
// time this process meets it; later calls for the same record are silent.
void NoteDamaged(std::string_view record);

// Parses `bytes` into `out`, unpacking a packed record first (packing.h);
// false when they do not unpack or parse.
bool ParseRecord(std::string_view bytes, google::protobuf::Message& out);

// The string field `number` of the record `bytes` (unpacked first, as
// ParseRecord does), without parsing the rest: "" when it is not set (the
// last one when repeated on the wire, as a parse takes it). nullopt when
// the bytes do not unpack, are not a well-formed message, or that field is
// not valid UTF-8; the other fields' contents are not checked.
std::optional<std::string> ParseStringField(std::string_view bytes, int number);

}  // namespace helpdesk::store
