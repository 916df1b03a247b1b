// QttRunner: runs ksqlDB QTT-format test files (see docs/testing.md) through the engine on the
// in-memory broker and compares outputs with ksqlDB's rules.
#pragma once

#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "common/json_text.h"
#include "planner/analyzer/function_registry.h"

namespace brook::testing {
using brook::JsonNode;
using brook::ParseJsonText;

struct CaseResult {
  std::string name;
  enum class Outcome { kPassed, kFailed, kSkipped } outcome = Outcome::kPassed;
  std::string detail;  // why it failed or was skipped
};

struct RunnerOptions {
  std::optional<std::regex> filter;  // on full case names
  bool verbose = false;              // print passing cases too
  size_t batch_size = 1000;          // records per poll per query (results must not depend on it)
  bool plan_json = false;            // run every query from its plan's JSON round trip
  // Non-empty: run only the REST cases, each against a fresh brookd process started from this
  // executable (`brook-test --rest`). Empty: REST cases run against the REST service in process.
  std::string brookd;
  // Live REST cases run this many at a time (brook-test --jobs, default 4 with --rest).
  size_t jobs = 1;
};

class QttRunner {
 public:
  QttRunner(const FunctionRegistry& functions, RunnerOptions options)
      : functions_(functions), options_(std::move(options)) {}

  // Runs every case of one file; appends results.
  void RunFile(const std::string& path, std::vector<CaseResult>& results);
  // Runs one expanded case (format/config already substituted).
  CaseResult RunCase(const std::string& name, const JsonNode& test,
                     const std::vector<std::string>& statements,
                     const std::vector<std::pair<std::string, std::string>>& properties);
  // Runs one expanded REST case (responses / expectedError) against the REST service in
  // process (rest_qtt_runner.cc).
  CaseResult RunRestCase(const std::string& name, const JsonNode& test,
                         const std::vector<std::string>& statements,
                         const std::vector<std::pair<std::string, std::string>>& properties);

 private:
  const FunctionRegistry& functions_;
  RunnerOptions options_;
};

}  // namespace brook::testing
