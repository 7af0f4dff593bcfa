#pragma once
// Well-formed UTF-8 as Unicode defines it (chapter 3, table 3-7): no stray
// continuation bytes, no overlong forms, no surrogates (U+D800..U+DFFF, as
// CESU-8 or a JSON "\udc00" escape decodes them) and nothing above
// U+10FFFF. Every string a client sends is checked with this before it is
// stored; every string echoed in JSON is made well-formed with it. Pure;
// any thread.

#include <cstddef>
#include <string>
#include <string_view>

namespace helpdesk::proto {

// The length (1 to 4) of the well-formed sequence that starts `s`, or 0
// when `s` is empty or starts with a byte that begins none.
size_t Utf8SequenceLength(std::string_view s);

// The offset of the first byte that does not begin a well-formed sequence;
// s.size() when all of `s` is well-formed.
size_t FirstInvalidUtf8(std::string_view s);

inline bool IsValidUtf8(std::string_view s) {
  return FirstInvalidUtf8(s) == s.size();
}

// `s` with every byte that begins no well-formed sequence replaced by
// U+FFFD, the replacement character.
std::string ToValidUtf8(std::string_view s);

}  // namespace helpdesk::proto
