// brook-test: runs ksqlDB QTT-format conformance files through brook.
//
//   brook-test [--filter REGEX] [--batch-size N] [--plan-json] [--verbose] PATH...
//   brook-test --rest [--brookd PATH] [--jobs N] [--filter REGEX] [--verbose] PATH...
//
// PATH may be a file or a folder (searched recursively for *.json). Prints one line per failing
// case, then "N passed, M failed, K skipped". Exit code 0 only if nothing failed.
// --plan-json runs every query from its plan's JSON form (serialized, read back, checked).
// --rest runs every case as a REST case, each against its own brookd
// process over HTTP with its own embedded Kafka broker (cli/testing/rest_target.h); --brookd
// names the executable (default: ../server/brookd beside brook-test, else brookd on PATH);
// --jobs N runs N cases at a time (default 4).
// Without --rest, REST cases run against the REST service in process.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "cli/testing/qtt_runner.h"
#include "runtime/functions/builtins.h"

namespace {

// brookd next to brook-test in the build tree (build/cli/brook-test, build/server/brookd),
// else the one on PATH.
std::string DefaultBrookd(const char* argv0) {
  std::error_code ec;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) self = argv0;
  std::filesystem::path sibling = self.parent_path().parent_path() / "server" / "brookd";
  if (std::filesystem::exists(sibling, ec)) return sibling.string();
  return "brookd";
}

}  // namespace

int main(int argc, char** argv) {
  using namespace brook;
  testing::RunnerOptions options;
  std::vector<std::string> paths;
  bool rest = false;
  size_t jobs = 0;  // 0: 4 with --rest
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--filter" && i + 1 < argc) {
      options.filter = std::regex(argv[++i]);
    } else if (a == "--batch-size" && i + 1 < argc) {
      char* end = nullptr;
      unsigned long n = std::strtoul(argv[++i], &end, 10);
      if (!end || *end != '\0' || n == 0 || n > 1000000) {
        std::cerr << "brook-test: --batch-size takes a number from 1 to 1000000\n";
        return 2;
      }
      options.batch_size = n;
    } else if (a == "--rest") {
      rest = true;
    } else if (a == "--jobs" && i + 1 < argc) {
      char* end = nullptr;
      unsigned long n = std::strtoul(argv[++i], &end, 10);
      if (!end || *end != '\0' || n == 0 || n > 64) {
        std::cerr << "brook-test: --jobs takes a number from 1 to 64\n";
        return 2;
      }
      jobs = n;
    } else if (a == "--brookd" && i + 1 < argc) {
      options.brookd = argv[++i];
    } else if (a == "--plan-json") {
      options.plan_json = true;
    } else if (a == "--verbose" || a == "-v") {
      options.verbose = true;
    } else if (a == "--help" || a == "-h") {
      std::cout << "usage: brook-test [--rest [--brookd PATH] [--jobs N]] [--filter REGEX] "
                   "[--batch-size N] [--plan-json] [--verbose] PATH...\n";
      return 0;
    } else {
      paths.push_back(a);
    }
  }
  if (rest && options.brookd.empty()) options.brookd = DefaultBrookd(argv[0]);
  options.jobs = jobs > 0 ? jobs : (rest ? 4 : 1);
  if (!rest && !options.brookd.empty()) {
    std::cerr << "brook-test: --brookd goes with --rest\n";
    return 2;
  }
  if (paths.empty()) {
    std::cerr << "usage: brook-test [--rest [--brookd PATH] [--jobs N]] [--filter REGEX] "
                 "[--batch-size N] [--plan-json] [--verbose] PATH...\n";
    return 2;
  }
  std::vector<std::string> files;
  for (const auto& p : paths) {
    std::error_code ec;
    if (std::filesystem::is_directory(p, ec)) {
      for (const auto& e : std::filesystem::recursive_directory_iterator(p)) {
        if (e.is_regular_file() && e.path().extension() == ".json") files.push_back(e.path().string());
      }
    } else if (std::filesystem::exists(p, ec)) {
      files.push_back(p);
    } else {
      std::cerr << "brook-test: no such file or folder: " << p << "\n";
      return 2;
    }
  }
  std::sort(files.begin(), files.end());
  FunctionRegistry registry;
  RegisterBuiltinFunctions(registry);
  testing::QttRunner runner(registry, options);
  size_t passed = 0, failed = 0, skipped = 0;
  for (const auto& f : files) {
    std::vector<testing::CaseResult> results;
    runner.RunFile(f, results);
    for (const auto& r : results) {
      switch (r.outcome) {
        case testing::CaseResult::Outcome::kPassed:
          ++passed;
          if (options.verbose) std::cout << "PASS " << r.name << "\n";
          break;
        case testing::CaseResult::Outcome::kFailed:
          ++failed;
          std::cout << "FAIL " << r.name << ": " << r.detail << "\n";
          break;
        case testing::CaseResult::Outcome::kSkipped:
          ++skipped;
          if (options.verbose) std::cout << "SKIP " << r.name << ": " << r.detail << "\n";
          break;
      }
    }
  }
  std::cout << passed << " passed, " << failed << " failed, " << skipped << " skipped" << std::endl;
  return failed == 0 ? 0 : 1;
}
