#pragma once
// Running under a service manager: what helpdeskd tells systemd, and how
// it logs when its standard error is the journal. Outside systemd (no
// NOTIFY_SOCKET, no JOURNAL_STREAM) every call here does nothing and the
// logs keep their usual form, so a daemon started by hand or by a test is
// unchanged. Any thread; each call is one datagram, no state kept.

#include <spdlog/logger.h>

#include <memory>
#include <string>
#include <string_view>

namespace helpdesk::service {

// Type=notify: the daemon serves (its port answers, the catch-up after a
// stop is written, /readyz says ready). `status` is what `systemctl
// status` shows; a line break in it is sent as a space.
void NotifyReady(std::string_view status);

// A stop has begun: systemd waits for the exit (TimeoutStopSec) rather
// than taking the daemon for dead.
void NotifyStopping(std::string_view status);

// Only the status line.
void NotifyStatus(std::string_view status);

// True when standard error is a stream into the journal: JOURNAL_STREAM
// ("device:inode", set by systemd) names the very file standard error is.
// A child that inherited the variable but writes elsewhere gets false.
bool StderrIsJournal();

// The daemon's logger. Into the journal each line is "<N>message": the
// journal files it at syslog priority N (err 3, warning 4, info 6, debug
// 7) and stamps the time and the unit itself. Otherwise the usual
// "[time] [name] [level] message" on standard error.
std::shared_ptr<spdlog::logger> MakeLogger(const std::string& name);

}  // namespace helpdesk::service
