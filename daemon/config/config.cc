#include "daemon/config/config.h"

#include <CLI/CLI.hpp>
#include <toml++/toml.h>

#include <functional>
#include <map>

namespace helpdesk::config {
namespace {

// One setting: its name (the TOML key; the flag is --name with dashes), its
// help text, and how to read it from TOML and to bind it to CLI11.
struct Setting {
  const char* name;
  const char* help;
  std::function<bool(const toml::node&)> from_toml;
  std::function<CLI::Option*(CLI::App&, const std::string&, const char*)> flag;
};

template <typename T>
Setting Make(const char* name, const char* help, T& field, T lo = T{},
             T hi = std::numeric_limits<T>::max()) {
  Setting s{name, help, nullptr, nullptr};
  s.from_toml = [&field, lo, hi](const toml::node& n) {
    if constexpr (std::is_same_v<T, std::string>) {
      if (auto v = n.value<std::string>()) return field = *v, true;
      return false;
    } else {
      auto v = n.value<int64_t>();
      if (!v || *v < static_cast<int64_t>(lo) ||
          static_cast<uint64_t>(*v) > static_cast<uint64_t>(hi))
        return false;
      field = static_cast<T>(*v);
      return true;
    }
  };
  s.flag = [&field, lo, hi](CLI::App& app, const std::string& flag,
                            const char* help) {
    auto* o = app.add_option(flag, field, help)->capture_default_str();
    if constexpr (!std::is_same_v<T, std::string>) o->check(CLI::Range(lo, hi));
    return o;
  };
  return s;
}

std::vector<Setting> Settings(Config& c) {
  return {
      Make<std::string>("listen", "IP address to listen on", c.listen),
      Make<uint16_t>("port", "TCP port; 0 picks a free one", c.port),
      Make<std::string>("data_dir", "directory of the LMDB database",
                        c.data_dir),
      Make<std::string>("port_file",
                        "write the bound port to this file once listening",
                        c.port_file),
      Make<std::string>("log_level", "trace, debug, info, warn or error",
                        c.log_level),
      Make<unsigned>("io_threads", "threads serving HTTP", c.io_threads, 1u,
                     64u),
      Make<uint32_t>("idle_timeout_ms",
                     "close a keep-alive connection idle this long",
                     c.idle_timeout_ms, 1u),
      Make<uint32_t>("request_timeout_ms",
                     "a whole request must arrive within this",
                     c.request_timeout_ms, 1u),
      Make<uint64_t>("max_body_bytes", "larger bodies get 413",
                     c.max_body_bytes, uint64_t{1}, uint64_t{1} << 30),
      Make<uint64_t>("max_import_bytes",
                     "larger catalogue imports (PUT /api/v1/catalogue) get 413",
                     c.max_import_bytes, uint64_t{1}, uint64_t{1} << 30),
      Make<uint64_t>("max_header_bytes", "larger headers get 431",
                     c.max_header_bytes, uint64_t{256}, uint64_t{1} << 20),
      Make<uint64_t>("max_connections", "more open connections get 503",
                     c.max_connections, uint64_t{1}),
      Make<uint64_t>("map_size_mb", "initial LMDB map size in MiB",
                     c.map_size_mb, uint64_t{1}, uint64_t{1} << 24),
      Make<uint64_t>("max_map_size_mb",
                     "the map grows up to this; then writes get 507",
                     c.max_map_size_mb, uint64_t{1}, uint64_t{1} << 24),
      Make<uint64_t>("writer_queue", "queued writes beyond this get 503",
                     c.writer_queue, uint64_t{1}),
      Make<uint64_t>("writer_max_batch",
                     "most writes committed in one transaction",
                     c.writer_max_batch, uint64_t{1}, uint64_t{1} << 20),
  };
}

std::string FlagName(const char* name) {
  std::string f = std::string("--") + name;
  for (char& ch : f) ch = ch == '_' ? '-' : ch;
  return f;
}

Status ReadToml(const std::string& path, std::vector<Setting>& settings) {
  toml::table table;
  try {  // toml++ reports parse errors by exception; it stops here
    table = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    return Status::InvalidField(
        "config", path + ":" + std::to_string(where.line) + ":" +
                      std::to_string(where.column) + ": " +
                      std::string(e.description()));
  }
  for (auto&& [key, node] : table) {
    Setting* s = nullptr;
    for (auto& candidate : settings)
      if (key.str() == candidate.name) s = &candidate;
    std::string line =
        path + ":" + std::to_string(node.source().begin.line) + ": ";
    if (s == nullptr) {
      return Status::InvalidField(
          "config", line + "unknown setting '" + std::string(key.str()) + "'");
    }
    if (!s->from_toml(node)) {
      return Status::InvalidField(
          "config", line + "bad value for '" + std::string(key.str()) +
                        "' (" + s->help + ")");
    }
  }
  return Status::Ok();
}

}  // namespace

StatusOr<Parsed> Load(int argc, const char* const* argv) {
  Config c;
  std::vector<Setting> settings = Settings(c);

  // First pass: only find --config, so the file sits under the flags.
  std::string config_file;
  {
    CLI::App pre;
    pre.allow_extras();
    pre.set_help_flag();
    pre.add_option("--config", config_file);
    try {
      pre.parse(argc, argv);
    } catch (const CLI::ParseError&) {
    }
  }
  if (!config_file.empty()) {
    if (Status s = ReadToml(config_file, settings); !s.ok()) return s;
  }

  CLI::App app(
      "helpdeskd: the IT service desk daemon for municipalities that share "
      "one IT operations unit.\nWith no arguments it listens on "
      "127.0.0.1:8080 and keeps its data in ./helpdeskd-data.\nSettings: "
      "built-in defaults < --config FILE (TOML, keys as the flags with "
      "underscores) < flags.",
      "helpdeskd");
  app.add_option("--config", config_file, "TOML config file");
  app.set_version_flag("--version", "helpdeskd 0.1.0");
  for (auto& s : settings) s.flag(app, FlagName(s.name), s.help);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    return Parsed(PrintAndExit{app.help()});
  } catch (const CLI::CallForVersion&) {
    return Parsed(PrintAndExit{"helpdeskd 0.1.0\n"});
  } catch (const CLI::ParseError& e) {
    return Status::InvalidField("flags", e.what());
  }
  static const char* kLevels[] = {"trace", "debug", "info", "warn", "error"};
  bool known_level = false;
  for (const char* l : kLevels) known_level = known_level || c.log_level == l;
  if (!known_level) {
    return Status::InvalidField(
        "log_level", "log_level '" + c.log_level +
                         "' is not one of trace, debug, info, warn, error");
  }
  if (c.max_map_size_mb < c.map_size_mb) c.max_map_size_mb = c.map_size_mb;
  return Parsed(c);
}

}  // namespace helpdesk::config
