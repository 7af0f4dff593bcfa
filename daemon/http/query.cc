#include "daemon/http/query.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <cctype>
#include <charconv>

#include "proto/utf8.h"

namespace helpdesk::http {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> Decode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '+' && plus_is_space) {
      out += ' ';
    } else if (c == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      int hi = HexValue(s[i + 1]);
      int lo = HexValue(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += c;
    }
  }
  // Control characters never belong in a path or a filter value, and what
  // is echoed back in an answer must be text.
  for (unsigned char c : out) {
    if (c < 0x20 || c == 0x7f) return std::nullopt;
  }
  if (!proto::IsValidUtf8(out)) return std::nullopt;
  return out;
}

constexpr char kB64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

}  // namespace

StatusOr<Target> ParseTarget(std::string_view target) {
  Target t;
  size_t q = target.find('?');
  auto path = Decode(target.substr(0, q), false);
  if (!path) {
    return Status::InvalidParameter(
        "path",
        "the path has bad percent-encoding, control characters or "
        "bytes that are not UTF-8");
  }
  t.path = std::move(*path);
  if (q == std::string_view::npos) return t;
  std::string_view query = target.substr(q + 1);
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? "" : query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    auto key = Decode(pair.substr(0, eq), true);
    auto value =
        Decode(eq == std::string_view::npos ? "" : pair.substr(eq + 1), true);
    if (!key || !value) {
      return Status::InvalidParameter(
          std::string(pair.substr(0, eq)),
          "query parameter '" + std::string(pair.substr(0, eq)) +
              "' has bad percent-encoding, control characters or bytes "
              "that are not UTF-8");
    }
    if (!t.params.emplace(*key, *value).second) {
      return Status::InvalidParameter(
          *key, "query parameter '" + *key + "' is given more than once");
    }
  }
  return t;
}

Status CheckParams(const Target& t,
                   std::initializer_list<std::string_view> allowed) {
  return CheckParams(
      t, std::span<const std::string_view>(allowed.begin(), allowed.size()));
}

Status CheckParams(const Target& t, std::span<const std::string_view> allowed) {
  for (const auto& [key, value] : t.params) {
    bool ok = false;
    for (auto a : allowed) ok = ok || a == key;
    if (ok) continue;
    std::string list;
    for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
    return Status::InvalidParameter(
        key, "unknown query parameter '" + key +
                 "'; this endpoint takes: " + (list.empty() ? "none" : list));
  }
  return Status::Ok();
}

StatusOr<uint64_t> UintParam(const Target& t, const std::string& name,
                             uint64_t lo, uint64_t hi, uint64_t fallback) {
  auto it = t.params.find(name);
  if (it == t.params.end()) return fallback;
  const std::string& s = it->second;
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || v < lo ||
      v > hi) {
    return Status::InvalidParameter(
        name, "query parameter '" + name + "' must be a whole number from " +
                  std::to_string(lo) + " to " + std::to_string(hi) + ", not '" +
                  s + "'");
  }
  return v;
}

// Base64url of "t" + decimal: opaque to clients, cheap to check here.
// "application/json", with any parameters (charset) and in any case.
bool IsJsonContentType(std::string_view ct) {
  ct = ct.substr(0, ct.find(';'));
  while (!ct.empty() && ct.back() == ' ') ct.remove_suffix(1);
  std::string lower(ct);
  for (char& c : lower) c = static_cast<char>(std::tolower(c));
  return lower == "application/json";
}

StatusOr<std::optional<uint32_t>> ParseIfMatch(std::string_view h) {
  if (h.empty()) return std::optional<uint32_t>();
  if (h.substr(0, 2) == "W/") h.remove_prefix(2);
  if (h.size() >= 2 && h.front() == '"' && h.back() == '"')
    h = h.substr(1, h.size() - 2);
  uint32_t v = 0;
  auto [end, ec] = std::from_chars(h.data(), h.data() + h.size(), v);
  if (h.empty() || ec != std::errc() || end != h.data() + h.size() || v == 0) {
    return Status::InvalidParameter(
        "If-Match", "If-Match must be the ETag you read, such as \"3\"");
  }
  return std::optional<uint32_t>(v);
}

StatusOr<bool> BoolParam(const Target& t, const std::string& name,
                         bool fallback) {
  auto it = t.params.find(name);
  if (it == t.params.end()) return fallback;
  if (it->second == "true") return true;
  if (it->second == "false") return false;
  return Status::InvalidParameter(
      name, "'" + name + "' must be true or false, not '" + it->second + "'");
}

std::string EncodeCursor(uint64_t position) {
  std::string raw = "t" + std::to_string(position);
  std::string out;
  uint32_t buf = 0;
  int bits = 0;
  for (unsigned char c : raw) {
    buf = (buf << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kB64[(buf >> bits) & 63];
    }
  }
  if (bits > 0) out += kB64[(buf << (6 - bits)) & 63];
  return out;
}

StatusOr<uint64_t> DecodeCursor(std::string_view cursor) {
  auto bad = [&] {
    return Status::InvalidParameter(
        "cursor",
        "'cursor' is not a cursor this server gave out; pass back "
        "'nextCursor' from the previous page unchanged, or leave it out");
  };
  std::string raw;
  uint32_t buf = 0;
  int bits = 0;
  for (char c : cursor) {
    const char* p = std::char_traits<char>::find(kB64, 64, c);
    if (p == nullptr) return bad();
    buf = (buf << 6) | static_cast<uint32_t>(p - kB64);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      raw += static_cast<char>((buf >> bits) & 0xff);
    }
  }
  if (raw.size() < 2 || raw[0] != 't') return bad();
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(raw.data() + 1, raw.data() + raw.size(), v);
  if (ec != std::errc() || end != raw.data() + raw.size() || v == 0)
    return bad();
  return v;
}

StatusOr<std::chrono::sys_seconds> TimeParam(
    const Target& t, const std::string& name,
    std::chrono::sys_seconds fallback) {
  auto it = t.params.find(name);
  if (it == t.params.end()) return fallback;
  std::string text = it->second;
  std::replace(text.begin(), text.end(), ' ', '+');
  google::protobuf::Timestamp ts;
  if (!google::protobuf::util::TimeUtil::FromString(text, &ts))
    return Status::InvalidParameter(
        name, "'" + name +
                  "' must be an RFC 3339 time such as "
                  "2026-04-01T12:00:00Z or 2026-04-01T14:00:00%2B02:00; got '" +
                  it->second + "'");
  return std::chrono::sys_seconds(std::chrono::seconds(ts.seconds()));
}

StatusOr<std::optional<std::chrono::sys_seconds>> OptionalTimeParam(
    const Target& t, const std::string& name) {
  using Time = std::optional<std::chrono::sys_seconds>;
  if (!t.params.count(name)) return Time();
  auto at = TimeParam(t, name, std::chrono::sys_seconds{});
  if (!at.ok()) return at.status();
  return Time(*at);
}

std::string_view CookieValue(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const size_t end = header.find(';');
    std::string_view pair = header.substr(0, end);
    header = end == std::string_view::npos ? "" : header.substr(end + 1);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    if (pair.size() > name.size() && pair.starts_with(name) &&
        pair[name.size()] == '=')
      return pair.substr(name.size() + 1);
  }
  return {};
}

}  // namespace helpdesk::http
