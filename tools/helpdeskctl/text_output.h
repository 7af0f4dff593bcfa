#pragma once
// What every online helpdeskctl command prints the same way: errors on
// standard error, aligned text columns that count characters rather than
// bytes (names say "Brukerstøtte"), and the detail of a problem+json
// answer. Any thread.

#include <cstddef>
#include <string>
#include <string_view>

#include "tools/helpdeskctl/http_client.h"

namespace helpdesk::ctl {

// "helpdeskctl: <text>" on standard error.
void Err(const std::string& text);

// Characters on screen: UTF-8 lead bytes (wide and combining characters
// are rare enough in names).
size_t Width(std::string_view text);

// `text` padded with spaces to `width` characters, at least one space.
std::string Pad(const std::string& text, size_t width);

// The detail of a problem+json answer with its HTTP status, or the start of
// an unexpected body.
std::string Problem(const HttpReply& reply);

}  // namespace helpdesk::ctl
