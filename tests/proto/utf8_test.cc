#include "proto/utf8.h"

#include <gtest/gtest.h>

#include <string>

namespace helpdesk::proto {
namespace {

// A reference decoder written the other way round from the validator:
// decode whatever the lead byte promises, then judge the code point.
bool ReferenceValid(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t extra = 0;
    if (c >= 0xF8 || (c >= 0x80 && c < 0xC0)) return false;
    if (c >= 0xC0) extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : 1;
    if (i + extra >= s.size()) return false;
    char32_t cp = extra == 0 ? c : c & (0x3F >> extra);
    for (size_t k = 1; k <= extra; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    static constexpr char32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += 1 + extra;
  }
  return true;
}

// `cp` in `length` bytes, overlong when longer than it needs.
std::string Encode(char32_t cp, int length) {
  if (length == 1) return std::string(1, static_cast<char>(cp));
  static constexpr unsigned char kLead[] = {0, 0, 0xC0, 0xE0, 0xF0};
  std::string out(
      1, static_cast<char>(kLead[length] | (cp >> (6 * (length - 1)))));
  for (int k = 1; k < length; ++k)
    out += static_cast<char>(0x80 | ((cp >> (6 * (length - 1 - k))) & 0x3F));
  return out;
}

TEST(Utf8, EveryCodePointInItsShortestFormAndNoOther) {
  for (char32_t cp = 0; cp <= 0x10FFFF; ++cp) {
    const int shortest = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    const bool surrogate = cp >= 0xD800 && cp <= 0xDFFF;
    for (int length = shortest; length <= 4; ++length) {
      const std::string s = Encode(cp, length);
      const bool want = length == shortest && !surrogate;
      if (IsValidUtf8(s) != want) {
        ADD_FAILURE() << "U+" << std::hex << static_cast<uint32_t>(cp) << " in "
                      << length << " bytes";
        return;
      }
    }
  }
  // Above U+10FFFF, and the bytes that begin nothing.
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));
  EXPECT_FALSE(IsValidUtf8("\xF5\x80\x80\x80"));
  EXPECT_FALSE(IsValidUtf8("\xFF"));
  EXPECT_FALSE(IsValidUtf8("\xC0\x80"));  // overlong NUL
}

TEST(Utf8, AgreesWithAReferenceOnEveryStringOfUpToThreeBytes) {
  std::string s;
  for (size_t len = 1; len <= 3; ++len) {
    for (uint32_t n = 0; n < (1u << (8 * len)); ++n) {
      s.assign(len, '\0');
      for (size_t k = 0; k < len; ++k) s[k] = static_cast<char>(n >> (8 * k));
      if (IsValidUtf8(s) != ReferenceValid(s)) {
        ADD_FAILURE() << "disagree on " << std::hex << n << " (" << len
                      << " bytes)";
        return;
      }
    }
  }
}

TEST(Utf8, FindsTheFirstBadByteAfterLongAscii) {
  std::string s(1000, 'a');
  EXPECT_EQ(FirstInvalidUtf8(s), s.size());
  s += "\xC3\xB8";      // ø
  s += "\xED\xB0\x80";  // a lone low surrogate as JSON "\udc00" decodes it
  s += "tail";
  EXPECT_EQ(FirstInvalidUtf8(s), 1002u);
  EXPECT_EQ(FirstInvalidUtf8("j\xF8rgen"), 1u);  // Latin-1 ø
  EXPECT_EQ(FirstInvalidUtf8(""), 0u);
  EXPECT_EQ(FirstInvalidUtf8("\xE2\x82"), 0u);  // cut short
}

TEST(Utf8, ReplacesEachBadByteWithTheReplacementCharacter) {
  EXPECT_EQ(ToValidUtf8("j\xF8rgen"), "j\xEF\xBF\xBDrgen");
  EXPECT_EQ(ToValidUtf8("\xC3\xA6\xED\xA0\x80"),
            "\xC3\xA6\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(ToValidUtf8("bl\xC3\xA5"), "bl\xC3\xA5");
  EXPECT_TRUE(IsValidUtf8(ToValidUtf8("\xF0\x9F\x98")));
}

}  // namespace
}  // namespace helpdesk::proto
