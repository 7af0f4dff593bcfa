#include "daemon/service/notify.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>

#include <charconv>
#include <cstdlib>
#include <string>

namespace helpdesk::service {
namespace {

void Send(std::string_view state, std::string_view status) {
  std::string message(state);
  if (!status.empty()) {
    if (!message.empty()) message += '\n';
    message += "STATUS=";
    for (char c : status) message += (c == '\n' || c == '\r') ? ' ' : c;
  }
  if (message.empty()) return;
  // Without NOTIFY_SOCKET this returns 0 and sends nothing; a failure to
  // send is not the daemon's to act on (systemd times the start out).
  sd_notify(/*unset_environment=*/0, message.c_str());
}

// Parses "device:inode" as systemd writes JOURNAL_STREAM.
bool ParseDeviceInode(std::string_view s, unsigned long long& dev,
                      unsigned long long& ino) {
  const size_t colon = s.find(':');
  if (colon == std::string_view::npos) return false;
  const char* end = s.data() + colon;
  auto [p1, e1] = std::from_chars(s.data(), end, dev);
  if (e1 != std::errc() || p1 != end) return false;
  auto [p2, e2] = std::from_chars(end + 1, s.data() + s.size(), ino);
  return e2 == std::errc() && p2 == s.data() + s.size();
}

// "<N>": the syslog priority of a line, which the journal reads off the
// front of each line of a stream (SyslogLevelPrefix=, on by default).
class SyslogPriority final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    std::string_view p;
    switch (msg.level) {
      case spdlog::level::critical:
        p = "<2>";
        break;
      case spdlog::level::err:
        p = "<3>";
        break;
      case spdlog::level::warn:
        p = "<4>";
        break;
      case spdlog::level::info:
        p = "<6>";
        break;
      default:
        p = "<7>";
        break;
    }
    dest.append(p.data(), p.data() + p.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<SyslogPriority>();
  }
};

}  // namespace

void NotifyReady(std::string_view status) { Send("READY=1", status); }

void NotifyStopping(std::string_view status) { Send("STOPPING=1", status); }

void NotifyStatus(std::string_view status) { Send("", status); }

bool StderrIsJournal() {
  const char* env = std::getenv("JOURNAL_STREAM");
  if (env == nullptr) return false;
  unsigned long long dev = 0, ino = 0;
  if (!ParseDeviceInode(env, dev, ino)) return false;
  struct stat st {};
  if (fstat(STDERR_FILENO, &st) != 0) return false;
  return static_cast<unsigned long long>(st.st_dev) == dev &&
         static_cast<unsigned long long>(st.st_ino) == ino;
}

std::shared_ptr<spdlog::logger> MakeLogger(const std::string& name) {
  if (!StderrIsJournal()) return spdlog::stderr_color_mt(name);
  auto logger = spdlog::stderr_logger_mt(name);
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<SyslogPriority>('*').set_pattern("%*%v");
  logger->set_formatter(std::move(formatter));
  return logger;
}

}  // namespace helpdesk::service
