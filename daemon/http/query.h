#pragma once
// Request-target helpers: split path and query, percent-decode parameters,
// read bounded integers, and the opaque list cursor. Pure; any thread.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "proto/status.h"

namespace helpdesk::http {

struct Target {
  std::string path;                           // decoded path
  std::map<std::string, std::string> params;  // decoded query parameters
};

// kInvalidParameter for bad percent-encoding or a repeated parameter.
StatusOr<Target> ParseTarget(std::string_view target);

// Rejects any parameter not in `allowed` ("status, municipality, ...").
Status CheckParams(const Target& t, std::span<const std::string_view> allowed);
Status CheckParams(const Target& t,
                   std::initializer_list<std::string_view> allowed);

// The integer parameter `name` in [lo, hi], or `fallback` when absent.
StatusOr<uint64_t> UintParam(const Target& t, const std::string& name,
                             uint64_t lo, uint64_t hi, uint64_t fallback);

// "application/json", with any parameters (charset) and in any case.
bool IsJsonContentType(std::string_view content_type);

// If-Match: "3", W/"3" or 3 (an ETag of ours); absent: nullopt.
StatusOr<std::optional<uint32_t>> ParseIfMatch(std::string_view header);

// The boolean parameter `name` ("true" or "false"), or `fallback`.
StatusOr<bool> BoolParam(const Target& t, const std::string& name,
                         bool fallback);

// An RFC 3339 time parameter ("2026-04-01T12:00:00Z"; a '+' of an offset
// that arrived as a space is put back), to the second; `fallback` when
// absent.
StatusOr<std::chrono::sys_seconds> TimeParam(const Target& t,
                                             const std::string& name,
                                             std::chrono::sys_seconds fallback);

// As TimeParam, nullopt when absent.
StatusOr<std::optional<std::chrono::sys_seconds>> OptionalTimeParam(
    const Target& t, const std::string& name);

// The opaque cursor of ticket lists wraps a ticket number.
std::string EncodeCursor(uint64_t position);
StatusOr<uint64_t> DecodeCursor(std::string_view cursor);

// The name of the session cookie (README, "Logging in").
inline constexpr std::string_view kSessionCookie = "hd_session";

// The value of cookie `name` in a Cookie header ("a=1; hd_session=x");
// "" when absent. Names are matched whole.
std::string_view CookieValue(std::string_view header, std::string_view name);

}  // namespace helpdesk::http
