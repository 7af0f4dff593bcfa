#pragma once
// Ticket and event records are stored packed (schema 15): compressed with
// zstd against a dictionary of what such records hold. A record of a few
// hundred bytes has too little of its own to compress; against the
// dictionary, the phrasing dispatch explains itself in, the catalogue's
// words and the shape of the records are each a reference of a few bits.
//
//   packed   = 0x00 . dictionary version . zstd frame
//
// The frame has its content size and no checksum or dictionary id (the
// version byte names the dictionary). A record whose packed bytes would be
// no smaller is stored as it is, and so is every record an older schema
// stored: protobuf never writes 0x00 first (there is no field 0), so the
// first byte tells them apart. ParseRecord (record_check.h) reads both.
//
// A dictionary, once records are packed with it, is kept for ever: a new
// one takes the next version, and reading keeps the old. Version 1 is
// daemon/store/records-v1.zdict, trained by `helpdesk-simulate
// --train-dictionary` on a simulated desk of the demo region (README,
// "Storage").
//
// Thread-safety: all functions are safe from any thread (each thread keeps
// its own zstd contexts; the dictionaries are shared and read-only).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "daemon/store/lmdb.h"
#include "daemon/store/tables.h"
#include "proto/status.h"

namespace helpdesk::store {

// The dictionary records are packed with now.
inline constexpr unsigned char kPackingVersion = 1;

// `record` (a serialized message) packed with the current dictionary, or
// as it is when that is no smaller.
std::string Pack(std::string record);

// Whether `stored` is packed (its first byte is 0x00).
inline bool IsPacked(std::string_view stored) {
  return !stored.empty() && stored.front() == '\0';
}

// The serialized record `stored` holds: unpacked into `scratch` (and a
// view of it) when packed, else `stored` itself. nullopt when packed bytes
// do not unpack (an unknown dictionary, damaged bytes).
std::optional<std::string_view> Unpack(std::string_view stored,
                                       std::string& scratch);

// A dictionary of at most `bytes` trained on the ticket and event records
// stored in `t` (at most about 100 times `bytes` of them, taken evenly
// through the tables), for a new dictionary version; kInternal when there
// are too few to train on.
StatusOr<std::string> TrainDictionary(const Txn& txn, const Tables& t,
                                      size_t bytes);

}  // namespace helpdesk::store
