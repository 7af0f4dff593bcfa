// README.md runs as written: every `sh step` block, in order, in one bash
// session against one fresh helpdeskd started as the README says (its
// --clock-start), each printing exactly its `json answer` / `text answer`.
// Also the rules that keep it so: the parser's refusals, and jq (which the
// steps use) installed by tools/dev.

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>

#include "tests/readme/walkthrough.h"
#include "tests/support/daemon_process.h"

namespace helpdesk::testing::readme {
namespace {

namespace fs = std::filesystem;

// How long the whole walkthrough may take (it takes about a second); the
// script is killed then, and the steps it did not finish are reported.
constexpr int kScriptDeadlineSeconds = 120;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Readme() {
  std::string text = ReadFile(HELPDESK_README);
  EXPECT_FALSE(text.empty()) << "cannot read " << HELPDESK_README;
  return text;
}

// Every line indented by four spaces, for failure messages.
std::string Indent(std::string_view text) {
  std::string out;
  bool line_start = true;
  for (char c : text) {
    if (line_start) out += "    ";
    out.push_back(c);
    line_start = c == '\n';
  }
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

// A marker no step prints: random per run.
std::string NewMarker() {
  std::random_device rd;
  std::ostringstream out;
  out << "@@readme-" << std::hex << rd() << rd() << "@@";
  return out.str();
}

// ------------------------------------------------------------ the parser

TEST(ReadmeParse, StepsAndTheirAnswersInOrder) {
  Steps s = ParseSteps(
      "# Title\n"
      "```sh step\n"
      "echo one\n"
      "```\n"
      "\n"
      "```text answer\n"
      "one\n"
      "```\n"
      "Prose.\n"
      "```sh\n"
      "not a step\n"
      "```\n"
      "```sh step\n"
      "v=2\n"
      "echo $v\n"
      "```\n");
  ASSERT_EQ(s.error, "");
  ASSERT_EQ(s.steps.size(), 2u);
  EXPECT_EQ(s.steps[0].number, 1);
  EXPECT_EQ(s.steps[0].line, 2);
  EXPECT_EQ(s.steps[0].command, "echo one\n");
  EXPECT_EQ(s.steps[0].answer, "one\n");
  EXPECT_EQ(s.steps[0].answer_line, 6);
  EXPECT_EQ(s.steps[1].line, 13);
  EXPECT_EQ(s.steps[1].command, "v=2\necho $v\n");
  EXPECT_FALSE(s.steps[1].answer.has_value());
}

TEST(ReadmeParse, AnswerWithoutAStepBeforeItIsAnError) {
  EXPECT_EQ(ParseSteps("```json answer\n{}\n```\n").error,
            "README.md:1: an answer block with no step directly before it (a "
            "`sh step` block, with only blank lines between)");
  // Prose between the step and the answer: not directly after.
  EXPECT_NE(
      ParseSteps("```sh step\ntrue\n```\ntext\n```text answer\n\n```\n").error,
      "");
  // A second answer for one step.
  EXPECT_NE(ParseSteps("```sh step\ntrue\n```\n```text answer\n```\n```text "
                       "answer\n```\n")
                .error,
            "");
  // An answer after a plain block.
  EXPECT_NE(ParseSteps("```sh step\ntrue\n```\n```sh\nx\n```\n```text "
                       "answer\n```\n")
                .error,
            "");
}

TEST(ReadmeParse, NoStepsOrAnOpenFenceIsAnError) {
  EXPECT_EQ(ParseSteps("# Nothing\n```sh\nls\n```\n").error,
            "README.md has no steps: no code block with the info string `sh "
            "step`");
  EXPECT_EQ(ParseSteps("```sh step\ntrue\n").error,
            "README.md:1: this code block is never closed with ```");
  EXPECT_NE(ParseSteps("```sh stpe\ntrue\n```\n").error, "");
  EXPECT_NE(ParseSteps("```bash step\ntrue\n```\n").error, "");
}

TEST(ReadmeParse, StartInstruction) {
  StartInstruction s = ParseStartInstruction(
      "```sh\n"
      "tools/dev run      # no flags\n"
      "tools/dev run -- --clock-start 2026-04-15T08:00:00Z --data-dir "
      "/tmp/w --log-level=info   # comment --port 1\n"
      "```\n");
  ASSERT_EQ(s.error, "");
  EXPECT_EQ(s.line, 3);
  EXPECT_EQ(s.clock_start, "2026-04-15T08:00:00Z");
  EXPECT_EQ(s.data_dir, "/tmp/w");
  EXPECT_EQ(s.flags,
            (std::vector<std::string>{"--clock-start", "2026-04-15T08:00:00Z",
                                      "--log-level=info"}));
  EXPECT_NE(
      ParseStartInstruction("```sh\ntools/dev run -- --port 1\n```\n").error,
      "");
  // Only plain sh blocks count: a step never starts the daemon.
  EXPECT_NE(ParseStartInstruction(
                "```sh step\ntools/dev run -- --clock-start=x\n```\n")
                .error,
            "");
}

TEST(ReadmeParse, CommandsOutsideSteps) {
  EXPECT_EQ(UsesOutsideSteps("```sh\n"
                             "curl x | jq .\n"
                             "cat jq.txt\n"
                             "```\n"
                             "```sh step\n"
                             "jq -c .\n"
                             "```\n"
                             "```text answer\n"
                             "jq\n"
                             "```\n"
                             "jq in prose\n"
                             "```json\n"
                             "{\"tool\": \"jq\"}\n"
                             "```\n",
                             "jq"),
            (std::vector<int>{2, 13}));
}

TEST(ReadmeParse, ScriptOutputSplitsBackIntoSteps) {
  std::vector<Step> steps(3);
  for (int i = 0; i < 3; ++i) {
    steps[i].number = i + 1;
    steps[i].line = 1 + 4 * i;
    steps[i].command = std::string(1, static_cast<char>('a' + i)) + "\n";
  }
  const std::string script =
      BuildScript(steps, {.work_dir = "/w",
                          .path_prefix = "/ctl",
                          .helpdesk_url = "http://127.0.0.1:1",
                          .marker = "@@m@@",
                          .rewrites = {{"a", "echo 'it''s'"}}});
  EXPECT_NE(script.find("set -uo pipefail\n"), std::string::npos);
  EXPECT_NE(script.find("echo 'it''s'\n"), std::string::npos);
  EXPECT_NE(script.find("export HELPDESK_URL='http://127.0.0.1:1'\n"),
            std::string::npos);
  auto runs = SplitOutput(
      "@@m@@ begin 1\n{\"a\":1}\n@@m@@ end 1 0\n"
      "@@m@@ begin 2\nline\n\n\n@@m@@ end 2 3\n"
      "@@m@@ begin 3\nhalf",
      "@@m@@", 3);
  ASSERT_EQ(runs.size(), 3u);
  EXPECT_TRUE(runs[0].ran);
  EXPECT_EQ(runs[0].exit_code, 0);
  EXPECT_EQ(runs[0].output, "{\"a\":1}");
  EXPECT_EQ(runs[1].exit_code, 3);
  EXPECT_EQ(Normalize(runs[1].output), "line");
  EXPECT_FALSE(runs[2].ran);
  EXPECT_EQ(runs[2].output, "half\n");
  EXPECT_EQ(Normalize("a  \n b\t\n\n  \n"), "a\n b");
}

// ------------------------------------------------------------ README.md

TEST(Readme, StartsTheDaemonAtAFixedInstant) {
  StartInstruction start = ParseStartInstruction(Readme());
  ASSERT_EQ(start.error, "");
  EXPECT_FALSE(start.data_dir.empty())
      << "README.md:" << start.line
      << ": the walkthrough needs a fresh data directory (--data-dir)";
}

// jq shapes every answer; it must come with `tools/dev`, and prose or
// plain examples must not quietly depend on it.
TEST(Readme, JqOnlyInStepsAndInstalledByToolsDev) {
  for (int line : UsesOutsideSteps(Readme(), "jq"))
    ADD_FAILURE() << "README.md:" << line << ": jq outside a step";
  const std::string dev = ReadFile(HELPDESK_DEV_SCRIPT);
  const size_t list = dev.find("packages=(");
  ASSERT_NE(list, std::string::npos) << HELPDESK_DEV_SCRIPT;
  const std::string packages = dev.substr(list, dev.find(')', list) - list);
  EXPECT_NE((" " + packages + " ").find(" jq"), std::string::npos)
      << "tools/dev does not install jq: " << packages;
}

TEST(Readme, WalkthroughRunsAsWritten) {
  const std::string readme = Readme();
  Steps parsed = ParseSteps(readme);
  ASSERT_EQ(parsed.error, "");
  StartInstruction start = ParseStartInstruction(readme);
  ASSERT_EQ(start.error, "");
  ASSERT_EQ(std::system("command -v curl >/dev/null && command -v jq "
                        ">/dev/null"),
            0)
      << "the walkthrough needs curl and jq on the PATH; tools/dev installs "
         "them";

  ScratchDir scratch;
  const std::string data_dir = scratch.path() + "/data";
  const std::string work_dir = scratch.path() + "/work";
  fs::create_directories(work_dir);
  DaemonProcess daemon(data_dir, start.flags);
  ASSERT_EQ(daemon.Start(), "");
  const std::string address = "127.0.0.1:" + std::to_string(daemon.port());

  // The README's daemon as the reader runs it, and this test's.
  const Rewrites to_test = {{"localhost:8080", address},
                            {"127.0.0.1:8080", address},
                            {start.data_dir, data_dir}};
  const Rewrites to_readme = {{data_dir, start.data_dir},
                              {address, "127.0.0.1:8080"}};
  const std::string marker = NewMarker();
  const std::string script_path = scratch.path() + "/walkthrough.sh";
  const std::string output_path = scratch.path() + "/walkthrough.out";
  {
    std::ofstream script(script_path);
    script << BuildScript(parsed.steps, {.work_dir = work_dir,
                                         .path_prefix = HELPDESKCTL_DIR,
                                         .helpdesk_url = "http://" + address,
                                         .marker = marker,
                                         .rewrites = to_test});
    ASSERT_TRUE(script.flush()) << "cannot write " << script_path;
  }
  const std::string command =
      "timeout -k 5 " + std::to_string(kScriptDeadlineSeconds) + " bash '" +
      script_path + "' > '" + output_path + "' 2>&1 < /dev/null";
  const auto began = std::chrono::steady_clock::now();
  const int status = std::system(command.c_str());
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - began);
  std::cout << parsed.steps.size() << " README steps ran in " << took.count()
            << " ms\n";
  const int script_exit = WIFEXITED(status) ? WEXITSTATUS(status) : -1;

  const std::string output = ReadFile(output_path);
  const auto runs = SplitOutput(output, marker, parsed.steps.size());
  for (const Step& step : parsed.steps) {
    const StepRun& run = runs[static_cast<size_t>(step.number) - 1];
    const std::string head = "step " + std::to_string(step.number) +
                             " (README.md:" + std::to_string(step.line) +
                             ")\n" + Indent(step.command);
    const std::string actual = Normalize(Rewrite(run.output, to_readme));
    if (!run.ran) {
      ADD_FAILURE() << head << "\ndid not finish: the script "
                    << (script_exit == 124
                            ? "ran out of time (" +
                                  std::to_string(kScriptDeadlineSeconds) + " s)"
                            : "stopped (exit " + std::to_string(script_exit) +
                                  ")")
                    << " before its end; it printed:\n"
                    << Indent(actual);
      break;  // the steps after it did not run either
    }
    if (step.answer) {
      const std::string expected = Normalize(*step.answer);
      if (actual != expected)
        ADD_FAILURE() << head << "\nprinted something other than its answer "
                      << "(README.md:" << step.answer_line << ").\n"
                      << "expected:\n"
                      << Indent(expected) << "\nactual (exit " << run.exit_code
                      << "):\n"
                      << Indent(actual);
    } else if (run.exit_code != 0) {
      ADD_FAILURE() << head << "\nexited " << run.exit_code
                    << " (a step without an answer must exit 0); it "
                       "printed:\n"
                    << Indent(actual);
    }
  }
  if (HasFailure()) {
    std::cerr << "---- the daemon's log ----\n"
              << daemon.Log() << "---- end of the daemon's log ----\n";
  }
}

}  // namespace
}  // namespace helpdesk::testing::readme
