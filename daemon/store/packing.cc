#include "daemon/store/packing.h"

#include <zdict.h>
#include <zstd.h>

#include <algorithm>
#include <vector>

namespace helpdesk::store {

// daemon/store/records-v1.zdict, compiled in (CMakeLists.txt).
extern const unsigned char kRecordsDictionaryV1[];
extern const size_t kRecordsDictionaryV1Size;

namespace {

// zstd's default level: against the dictionary, a record packs in a couple
// of microseconds; higher levels took four times as long for 7 % less.
constexpr int kLevel = 3;
// No record is near this (a ticket's text is bounded by the API's limits);
// packed bytes that claim more are damaged, not a reason to allocate it.
constexpr unsigned long long kMaxUnpacked = 16ull << 20;

struct Dictionaries {
  ZSTD_CDict* pack;       // the current version's, prepared for kLevel
  ZSTD_DDict* unpack_v1;  // version 1's
};

// Made on first use, shared by every thread, never freed (a process keeps
// them to its end).
const Dictionaries& Dicts() {
  static const Dictionaries d{
      ZSTD_createCDict(kRecordsDictionaryV1, kRecordsDictionaryV1Size, kLevel),
      ZSTD_createDDict(kRecordsDictionaryV1, kRecordsDictionaryV1Size)};
  return d;
}

// One thread's zstd contexts (they keep buffers between records).
struct Contexts {
  Contexts() {
    ZSTD_CCtx_setParameter(pack, ZSTD_c_contentSizeFlag, 1);
    ZSTD_CCtx_setParameter(pack, ZSTD_c_checksumFlag, 0);
    ZSTD_CCtx_setParameter(pack, ZSTD_c_dictIDFlag, 0);
    ZSTD_CCtx_refCDict(pack, Dicts().pack);
  }
  ~Contexts() {
    ZSTD_freeCCtx(pack);
    ZSTD_freeDCtx(unpack);
  }
  Contexts(const Contexts&) = delete;
  Contexts& operator=(const Contexts&) = delete;
  ZSTD_CCtx* pack = ZSTD_createCCtx();
  ZSTD_DCtx* unpack = ZSTD_createDCtx();
};

Contexts& Mine() {
  thread_local Contexts contexts;
  return contexts;
}

const ZSTD_DDict* DictionaryOf(unsigned char version) {
  switch (version) {
    case 1:
      return Dicts().unpack_v1;
    default:
      return nullptr;
  }
}

}  // namespace

std::string Pack(std::string record) {
  // Nothing Unpack would refuse: an empty record, or one above its bound,
  // stays as it is.
  if (record.empty() || record.size() > kMaxUnpacked) return record;
  Contexts& c = Mine();
  std::string packed(2 + ZSTD_compressBound(record.size()), '\0');
  packed[1] = static_cast<char>(kPackingVersion);
  const size_t n = ZSTD_compress2(c.pack, packed.data() + 2, packed.size() - 2,
                                  record.data(), record.size());
  if (ZSTD_isError(n) || n + 2 >= record.size()) return record;
  packed.resize(n + 2);
  return packed;
}

std::optional<std::string_view> Unpack(std::string_view stored,
                                       std::string& scratch) {
  if (!IsPacked(stored)) return stored;
  if (stored.size() < 2) return std::nullopt;
  const ZSTD_DDict* dictionary =
      DictionaryOf(static_cast<unsigned char>(stored[1]));
  if (dictionary == nullptr) return std::nullopt;
  const char* frame = stored.data() + 2;
  const size_t frame_size = stored.size() - 2;
  const unsigned long long size = ZSTD_getFrameContentSize(frame, frame_size);
  // Pack never packs an empty record.
  if (size == ZSTD_CONTENTSIZE_UNKNOWN || size == ZSTD_CONTENTSIZE_ERROR ||
      size == 0 || size > kMaxUnpacked)
    return std::nullopt;
  scratch.resize(size);
  const size_t got =
      ZSTD_decompress_usingDDict(Mine().unpack, scratch.data(), scratch.size(),
                                 frame, frame_size, dictionary);
  if (ZSTD_isError(got) || got != size) return std::nullopt;
  return std::string_view(scratch);
}

StatusOr<std::string> TrainDictionary(const Txn& txn, const Tables& t,
                                      size_t bytes) {
  // zstd's guidance: about a hundred times the dictionary's size of
  // samples, half from each table.
  const size_t budget = bytes * 50;
  std::string samples;
  std::vector<size_t> sizes;
  std::string scratch;
  for (Table table : {t.tickets, t.events}) {
    size_t total = 0;
    {
      auto cursor = Cursor::Open(txn, table);
      if (!cursor.ok()) return cursor.status();
      for (auto moved = cursor->First();; moved = cursor->Next()) {
        if (!moved.ok()) return moved.status();
        if (!*moved) break;
        total += cursor->value().size();
      }
    }
    const size_t every = total / std::max<size_t>(budget, 1) + 1;
    auto cursor = Cursor::Open(txn, table);
    if (!cursor.ok()) return cursor.status();
    size_t i = 0;
    for (auto moved = cursor->First();; moved = cursor->Next(), ++i) {
      if (!moved.ok()) return moved.status();
      if (!*moved) break;
      if (i % every != 0) continue;
      auto record = Unpack(cursor->value(), scratch);
      if (!record) continue;  // damaged: not a sample
      samples += *record;
      sizes.push_back(record->size());
    }
  }
  std::string dictionary(bytes, '\0');
  const size_t n = ZDICT_trainFromBuffer(dictionary.data(), dictionary.size(),
                                         samples.data(), sizes.data(),
                                         static_cast<unsigned>(sizes.size()));
  if (ZDICT_isError(n))
    return Status::Internal(std::string("training the dictionary failed (") +
                            ZDICT_getErrorName(n) + ", from " +
                            std::to_string(sizes.size()) + " records)");
  dictionary.resize(n);
  return dictionary;
}

}  // namespace helpdesk::store
