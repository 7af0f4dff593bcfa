#pragma once
// The README's walkthrough as data: its steps (fenced blocks with the info
// string `sh step`), each with the answer that directly follows it, if any
// (`json answer` or `text answer`), and the daemon flags of its start
// instruction (the plain `sh` line `tools/dev run -- FLAGS`). Also the bash
// script that runs every step in order, and the reading of that script's
// output back into one result per step.
// Pure functions of their arguments; any thread.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace helpdesk::testing::readme {

struct Step {
  int number = 0;                     // 1-based, in README order
  int line = 0;                       // README line of the step's opening fence
  std::string command;                // the block's text, ending in a newline
  std::optional<std::string> answer;  // what it must print
  int answer_line = 0;
};

struct Steps {
  std::vector<Step> steps;
  std::string error;  // empty: parsed; else what is wrong, with a line
};

// Every step and its answer, in order. An error for an answer with no step
// directly before it (only blank lines may lie between), a second answer
// for one step, a fence left open, or a README without any step.
Steps ParseSteps(std::string_view markdown);

// How the README tells the reader to start the daemon for the walkthrough.
struct StartInstruction {
  int line = 0;
  std::vector<std::string> flags;  // after `--`, without --data-dir
  std::string data_dir;            // the --data-dir value, if any
  std::string clock_start;         // the --clock-start value
  std::string error;
};

// The one line `tools/dev run -- ... --clock-start T ...` in a plain `sh`
// block (`--flag=value` and `--flag value` both read; a `#` starts a
// comment). An error if there is none, or more than one.
StartInstruction ParseStartInstruction(std::string_view markdown);

// The README lines that run `command` (a whole word, like `jq`) in a code
// block that is neither a step nor an answer, 1-based.
std::vector<int> UsesOutsideSteps(std::string_view markdown,
                                  std::string_view command);

// Text replacements, applied in order, each to every occurrence.
using Rewrites = std::vector<std::pair<std::string, std::string>>;
std::string Rewrite(std::string text, const Rewrites& rewrites);

struct ScriptOptions {
  std::string work_dir;      // the steps run here
  std::string path_prefix;   // put before $PATH (helpdeskctl's directory)
  std::string helpdesk_url;  // exported as HELPDESK_URL
  std::string marker;        // begins every marker line; never in output
  Rewrites rewrites;         // applied to each step's command
};

// One bash script: `set -uo pipefail`, the environment, then every step in
// order between marker lines that record its exit status. Standard error
// goes with standard output, as a reader sees both in a terminal.
std::string BuildScript(const std::vector<Step>& steps,
                        const ScriptOptions& options);

struct StepRun {
  bool ran = false;  // its end marker was seen
  int exit_code = -1;
  std::string output;
};

// The script's output split back into one StepRun per step (`count`).
// Steps after the one where the script stopped have ran == false; the
// output of a step that began but did not end is still collected.
std::vector<StepRun> SplitOutput(std::string_view output,
                                 std::string_view marker, size_t count);

// For comparing an answer: trailing whitespace dropped from every line and
// trailing empty lines dropped; no final newline.
std::string Normalize(std::string_view text);

}  // namespace helpdesk::testing::readme
