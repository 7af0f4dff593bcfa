#include "tests/readme/walkthrough.h"

#include <cctype>
#include <cstdlib>
#include <sstream>

namespace helpdesk::testing::readme {
namespace {

constexpr std::string_view kFence = "```";
constexpr std::string_view kBlank = " \t\r";

std::string_view Trim(std::string_view s) {
  const size_t begin = s.find_first_not_of(kBlank);
  if (begin == std::string_view::npos) return {};
  const size_t end = s.find_last_not_of(kBlank);
  return s.substr(begin, end - begin + 1);
}

std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    lines.push_back(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return lines;
}

std::vector<std::string> Words(std::string_view s) {
  std::vector<std::string> words;
  std::istringstream in{std::string(s)};
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

std::string Where(int line) { return "README.md:" + std::to_string(line); }

// One fenced code block of the README.
struct Block {
  int line = 0;                   // of the opening fence, 1-based
  int end_line = 0;               // of the closing fence
  std::vector<std::string> info;  // the info string's words
  std::string text;               // every line ending in '\n'
};

struct Blocks {
  std::vector<Block> blocks;
  std::string error;
};

Blocks FencedBlocks(const std::vector<std::string_view>& lines) {
  Blocks out;
  std::optional<Block> open;
  for (size_t i = 0; i < lines.size(); ++i) {
    const int line = static_cast<int>(i) + 1;
    const std::string_view trimmed = Trim(lines[i]);
    const bool fence = trimmed.starts_with(kFence);
    if (!open) {
      if (!fence) continue;
      open.emplace();
      open->line = line;
      const size_t info = trimmed.find_first_not_of('`');
      if (info != std::string_view::npos)
        open->info = Words(trimmed.substr(info));
    } else if (fence && Trim(trimmed.substr(kFence.size())).empty()) {
      open->end_line = line;
      out.blocks.push_back(std::move(*open));
      open.reset();
    } else {
      open->text.append(lines[i]);
      open->text.push_back('\n');
    }
  }
  if (open) {
    out.error =
        Where(open->line) + ": this code block is never closed with ```";
  }
  return out;
}

// Reads `--flag value` or `--flag=value` at words[i]; advances i past it.
std::optional<std::string> FlagValue(const std::vector<std::string>& words,
                                     size_t& i, std::string_view flag) {
  const std::string& w = words[i];
  if (w == flag && i + 1 < words.size()) return words[++i];
  if (w.starts_with(std::string(flag) + "=")) return w.substr(flag.size() + 1);
  return std::nullopt;
}

std::string ShellQuote(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "'\\''";
    else
      out.push_back(c);
  }
  return out + "'";
}

}  // namespace

Steps ParseSteps(std::string_view markdown) {
  Steps out;
  const auto lines = Lines(markdown);
  Blocks blocks = FencedBlocks(lines);
  if (!blocks.error.empty()) {
    out.error = blocks.error;
    return out;
  }
  const Block* previous = nullptr;
  for (const Block& b : blocks.blocks) {
    const std::string role = b.info.size() >= 2 ? b.info[1] : "";
    const std::string lang = b.info.empty() ? "" : b.info[0];
    if (role == "step") {
      if (lang != "sh" || b.info.size() != 2) {
        out.error = Where(b.line) + ": a step is a block with the info " +
                    "string `sh step`, not `" + lang + " step ...`";
        return out;
      }
      out.steps.push_back({.number = static_cast<int>(out.steps.size()) + 1,
                           .line = b.line,
                           .command = b.text,
                           .answer = std::nullopt,
                           .answer_line = 0});
    } else if (role == "answer") {
      if ((lang != "json" && lang != "text") || b.info.size() != 2) {
        out.error = Where(b.line) +
                    ": an answer is a block with the info string `json "
                    "answer` or `text answer`";
        return out;
      }
      const bool after_step =
          previous != nullptr && previous->info.size() >= 2 &&
          previous->info[1] == "step" && [&] {
            for (int l = previous->end_line + 1; l < b.line; ++l)
              if (!Trim(lines[static_cast<size_t>(l) - 1]).empty())
                return false;
            return true;
          }();
      if (!after_step) {
        out.error = Where(b.line) +
                    ": an answer block with no step directly before it (a "
                    "`sh step` block, with only blank lines between)";
        return out;
      }
      out.steps.back().answer = b.text;
      out.steps.back().answer_line = b.line;
    } else if (!role.empty()) {
      out.error = Where(b.line) + ": unknown role `" + role +
                  "` in the info string; a step is `sh step`, an answer "
                  "`json answer` or `text answer`";
      return out;
    }
    previous = &b;
  }
  if (out.steps.empty())
    out.error =
        "README.md has no steps: no code block with the info string `sh "
        "step`";
  return out;
}

StartInstruction ParseStartInstruction(std::string_view markdown) {
  StartInstruction out;
  const auto lines = Lines(markdown);
  Blocks blocks = FencedBlocks(lines);
  if (!blocks.error.empty()) {
    out.error = blocks.error;
    return out;
  }
  int found = 0;
  for (const Block& b : blocks.blocks) {
    if (b.info.size() != 1 || b.info[0] != "sh") continue;
    const auto block_lines = Lines(b.text);
    for (size_t n = 0; n < block_lines.size(); ++n) {
      std::vector<std::string> words = Words(block_lines[n]);
      for (size_t i = 0; i < words.size(); ++i) {
        if (words[i].starts_with("#")) {
          words.resize(i);
          break;
        }
      }
      if (words.size() < 3 || words[0] != "tools/dev" || words[1] != "run" ||
          words[2] != "--")
        continue;
      StartInstruction candidate;
      candidate.line = b.line + 1 + static_cast<int>(n);
      for (size_t i = 3; i < words.size(); ++i) {
        if (auto dir = FlagValue(words, i, "--data-dir")) {
          candidate.data_dir = *dir;
          continue;
        }
        const size_t first = i;
        if (auto clock = FlagValue(words, i, "--clock-start"))
          candidate.clock_start = *clock;
        for (size_t k = first; k <= i; ++k) candidate.flags.push_back(words[k]);
      }
      if (candidate.clock_start.empty()) continue;
      ++found;
      if (found == 1) out = std::move(candidate);
    }
  }
  if (found == 0)
    out.error =
        "README.md says nowhere how to start the daemon for the walkthrough: "
        "no line `tools/dev run -- --clock-start ...` in a plain sh block";
  else if (found > 1)
    out.error = "README.md has " + std::to_string(found) +
                " lines `tools/dev run -- --clock-start ...`; the walkthrough "
                "needs exactly one";
  return out;
}

std::vector<int> UsesOutsideSteps(std::string_view markdown,
                                  std::string_view command) {
  std::vector<int> found;
  const auto lines = Lines(markdown);
  for (const Block& b : FencedBlocks(lines).blocks) {
    if (b.info.size() >= 2 && (b.info[1] == "step" || b.info[1] == "answer"))
      continue;
    const auto block_lines = Lines(b.text);
    for (size_t n = 0; n < block_lines.size(); ++n) {
      const std::string_view line = block_lines[n];
      for (size_t at = line.find(command); at != std::string_view::npos;
           at = line.find(command, at + 1)) {
        const size_t end = at + command.size();
        auto word_char = [](char c) {
          return std::isalnum(static_cast<unsigned char>(c)) || c == '_' ||
                 c == '-' || c == '.' || c == '/';
        };
        if ((at == 0 || !word_char(line[at - 1])) &&
            (end == line.size() || !word_char(line[end]))) {
          found.push_back(b.line + 1 + static_cast<int>(n));
          break;
        }
      }
    }
  }
  return found;
}

std::string Rewrite(std::string text, const Rewrites& rewrites) {
  for (const auto& [from, to] : rewrites) {
    if (from.empty()) continue;
    for (size_t at = text.find(from); at != std::string::npos;
         at = text.find(from, at + to.size()))
      text.replace(at, from.size(), to);
  }
  return text;
}

std::string BuildScript(const std::vector<Step>& steps,
                        const ScriptOptions& o) {
  const std::string marker = ShellQuote(o.marker);
  std::string s =
      "#!/usr/bin/env bash\n"
      "# The README walkthrough, every step in order (made by "
      "tests/readme).\n"
      "set -uo pipefail\n"
      "exec 2>&1\n"
      "cd " +
      ShellQuote(o.work_dir) +
      " || exit 97\n"
      "export PATH=" +
      ShellQuote(o.path_prefix) +
      ":\"$PATH\"\n"
      "export HELPDESK_URL=" +
      ShellQuote(o.helpdesk_url) + "\n";
  for (const Step& step : steps) {
    const std::string n = std::to_string(step.number);
    s += "printf '%s begin %s\\n' " + marker + " " + n + "\n";
    s += Rewrite(step.command, o.rewrites);
    // The leading newline puts the marker on a line of its own after an
    // answer that does not end in one (curl prints bodies as they are).
    s += "printf '\\n%s end %s %d\\n' " + marker + " " + n + " \"$?\"\n";
  }
  return s;
}

std::vector<StepRun> SplitOutput(std::string_view output,
                                 std::string_view marker, size_t count) {
  std::vector<StepRun> runs(count);
  const std::string begin = std::string(marker) + " begin ";
  const std::string end = std::string(marker) + " end ";
  StepRun* current = nullptr;
  for (std::string_view line : Lines(output)) {
    if (line.starts_with(begin)) {
      const size_t n = std::strtoul(
          std::string(line.substr(begin.size())).c_str(), nullptr, 10);
      current = (n >= 1 && n <= count) ? &runs[n - 1] : nullptr;
      continue;
    }
    if (line.starts_with(end)) {
      if (current != nullptr) {
        std::istringstream in{std::string(line.substr(end.size()))};
        size_t n = 0;
        int code = -1;
        in >> n >> code;
        current->ran = true;
        current->exit_code = code;
        // The newline printed before the end marker is not the step's.
        if (current->output.ends_with('\n')) current->output.pop_back();
      }
      current = nullptr;
      continue;
    }
    if (current != nullptr) {
      current->output.append(line);
      current->output.push_back('\n');
    }
  }
  return runs;
}

std::string Normalize(std::string_view text) {
  std::vector<std::string_view> lines = Lines(text);
  for (auto& line : lines) {
    const size_t end = line.find_last_not_of(kBlank);
    line = end == std::string_view::npos ? std::string_view{}
                                         : line.substr(0, end + 1);
  }
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) out.push_back('\n');
    out.append(lines[i]);
  }
  return out;
}

}  // namespace helpdesk::testing::readme
