// Helpers shared by the integration tests: run shell commands (external tools such as kcat and
// curl, always wrapped in `timeout` by callers) and make per-process temporary paths.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace brook::testing {

struct ShellResult {
  int exit_code = -1;
  std::string out;
};

// Runs `cmd` with /bin/sh and returns its exit code and stdout.
inline ShellResult Shell(const std::string& cmd) {
  ShellResult result;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (pipe == nullptr) return result;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) result.out.append(buf, n);
  int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

// Whether a command is on PATH.
inline bool Have(const std::string& tool) {
  return Shell("command -v " + tool + " >/dev/null 2>&1").exit_code == 0;
}

// A fresh path under $TMPDIR (or /tmp), unique per process and call: "<prefix>-<pid>-<n>-name".
inline std::string TempPath(const std::string& prefix, const std::string& name) {
  const char* dir = std::getenv("TMPDIR");
  static int counter = 0;
  return std::string(dir != nullptr && *dir ? dir : "/tmp") + "/" + prefix + "-" +
         std::to_string(getpid()) + "-" + std::to_string(counter++) + "-" + name;
}

}  // namespace brook::testing
