// brook-test: runs ksqlDB QTT-format conformance files through brook.
//
//   brook-test [--filter REGEX] [--batch-size N] [--plan-json] [--verbose] PATH...
//
// PATH may be a file or a folder (searched recursively for *.json). Prints one line per failing
// case, then "N passed, M failed, K skipped". Exit code 0 only if nothing failed.
// --plan-json runs every query from its plan's JSON form (serialized, read back, checked).
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "cli/testing/qtt_runner.h"
#include "runtime/functions/builtins.h"

int main(int argc, char** argv) {
  using namespace brook;
  testing::RunnerOptions options;
  std::vector<std::string> paths;
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
    } else if (a == "--plan-json") {
      options.plan_json = true;
    } else if (a == "--verbose" || a == "-v") {
      options.verbose = true;
    } else if (a == "--help" || a == "-h") {
      std::cout << "usage: brook-test [--filter REGEX] [--batch-size N] [--plan-json] [--verbose] PATH...\n";
      return 0;
    } else {
      paths.push_back(a);
    }
  }
  if (paths.empty()) {
    std::cerr << "usage: brook-test [--filter REGEX] [--batch-size N] [--plan-json] [--verbose] PATH...\n";
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
