#pragma once
// What the fuzz targets check of every message they get hold of: it
// renders as JSON (proto::ToJson), and a message the store could read back
// (its strings are UTF-8, which protobuf's binary parser insists on) reads
// back from that JSON unchanged. Aborts with both forms otherwise, so the
// fuzzer keeps the input. One thread.

#include <google/protobuf/message.h>

#include <string>

namespace helpdesk::fuzz {

// Whether `m` survives a binary round trip, as a stored record must (a
// string that is not UTF-8 does not: that is issue 11's poison record,
// fixed where strings come in, not found here again).
bool StoreCanRead(const google::protobuf::Message& m);

// ToJson(m), and when StoreCanRead(m), ParseJson of it equals `m`
// (unknown fields aside; and unless a number is NaN or infinite, which
// ToJson writes as null, or an enum in it has no name or is an unset one in
// a list: ParseJson refuses both). Returns the JSON.
std::string CheckJsonRoundTrip(const google::protobuf::Message& m);

// Prints `what` and `detail` and aborts: a finding.
[[noreturn]] void Finding(const std::string& what, const std::string& detail);

}  // namespace helpdesk::fuzz
