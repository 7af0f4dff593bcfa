#pragma once
// Whole-file reads and writes for helpdeskctl, with errors that name the
// file and the reason. Free functions; any thread.

#include <string>

#include "proto/status.h"

namespace helpdesk::ctl {

// The file's bytes; kInvalidParameter naming the file and the reason.
StatusOr<std::string> ReadWholeFile(const std::string& path);

// Writes `text` to a temporary file beside `path` and renames it over
// `path`, so that a reader (or a failed export) never leaves half a file.
Status WriteWholeFile(const std::string& path, const std::string& text);

}  // namespace helpdesk::ctl
