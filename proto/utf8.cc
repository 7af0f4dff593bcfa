#include "proto/utf8.h"

#include <cstdint>
#include <cstring>

namespace helpdesk::proto {
namespace {

constexpr char kReplacement[] = "\xEF\xBF\xBD";  // U+FFFD

bool InRange(unsigned char c, unsigned char lo, unsigned char hi) {
  return c >= lo && c <= hi;
}

// Whether the 8 bytes at `p` are all ASCII: the common case, checked a
// word at a time.
bool AsciiWord(const char* p) {
  uint64_t word;
  std::memcpy(&word, p, sizeof word);
  return (word & 0x8080808080808080u) == 0;
}

}  // namespace

size_t Utf8SequenceLength(std::string_view s) {
  if (s.empty()) return 0;
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  const unsigned char c = p[0];
  if (c < 0x80) return 1;
  // The second byte's range depends on the first (table 3-7): this is
  // what rules out overlongs (E0, F0), surrogates (ED) and > U+10FFFF (F4).
  auto tail = [&](size_t len, unsigned char lo, unsigned char hi) -> size_t {
    if (n < len || !InRange(p[1], lo, hi)) return 0;
    for (size_t k = 2; k < len; ++k)
      if (!InRange(p[k], 0x80, 0xBF)) return 0;
    return len;
  };
  if (InRange(c, 0xC2, 0xDF)) return tail(2, 0x80, 0xBF);
  if (c == 0xE0) return tail(3, 0xA0, 0xBF);
  if (c == 0xED) return tail(3, 0x80, 0x9F);
  if (InRange(c, 0xE1, 0xEF)) return tail(3, 0x80, 0xBF);
  if (c == 0xF0) return tail(4, 0x90, 0xBF);
  if (c == 0xF4) return tail(4, 0x80, 0x8F);
  if (InRange(c, 0xF1, 0xF3)) return tail(4, 0x80, 0xBF);
  return 0;  // 80..C1 (a continuation or an overlong lead), F5..FF
}

size_t FirstInvalidUtf8(std::string_view s) {
  size_t i = 0;
  const size_t n = s.size();
  while (i < n) {
    if (i + 8 <= n && AsciiWord(s.data() + i)) {
      i += 8;
      continue;
    }
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    const size_t len = Utf8SequenceLength(s.substr(i));
    if (len == 0) return i;
    i += len;
  }
  return n;
}

std::string ToValidUtf8(std::string_view s) {
  size_t i = FirstInvalidUtf8(s);
  std::string out(s.substr(0, i));
  out.reserve(s.size() + 2);
  while (i < s.size()) {
    const size_t len = Utf8SequenceLength(s.substr(i));
    if (len == 0) {
      out += kReplacement;
      ++i;
    } else {
      out.append(s.data() + i, len);
      i += len;
    }
  }
  return out;
}

}  // namespace helpdesk::proto
