// The `brook` shell's engine, without the terminal: runs statements and the shell's own commands
// against brookd over REST and prints what a ksqlDB CLI user expects. The line editing lives in
// shell_main.cc; tests drive this class and the binary.
#ifndef BROOK_CLI_SHELL_SHELL_H_
#define BROOK_CLI_SHELL_SHELL_H_

#include <atomic>
#include <functional>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "cli/shell/rest_client.h"
#include "cli/shell/statements.h"

namespace brook::shell {

class Shell {
 public:
  // `cancel` is set by Ctrl-C: it ends a running query (and is cleared after).
  Shell(RestClient& client, std::ostream& out, std::ostream& err, std::atomic<bool>& cancel);

  void set_json_output(bool json) { json_output_ = json; }
  void set_width(int width) { width_ = width; }  // 0: the terminal's width
  void Define(const std::string& name, const std::string& value) { variables_[name] = value; }

  // Asks the server who it is; prints the greeting or why it cannot be reached.
  bool Connect();
  // Runs every complete statement and command of `text` in order (a script, --execute, RUN
  // SCRIPT); stops at the first failure and returns false. Text after the last `;` that is
  // not blank is an error (an unfinished statement).
  bool RunText(const std::string& text, int depth = 0);
  // One complete statement (ending with `;`).
  bool RunStatement(const std::string& statement, int depth = 0);
  bool RunCommand(const LocalCommand& command, int depth = 0);

  bool exit_requested() const { return exit_requested_; }
  // Stream and table names for completion (asked of the server when something may have
  // changed them).
  const std::vector<std::string>& Names();
  // HISTORY prints what this returns (set by the line editor).
  void set_history_source(std::function<std::vector<std::string>()> source) {
    history_ = std::move(source);
  }

  static constexpr int kMaxScriptDepth = 8;  // RUN SCRIPT inside RUN SCRIPT
  static constexpr size_t kMaxScriptBytes = 16u << 20;

 private:
  bool RunQuery(const std::string& statement, bool streaming);
  bool RunKsql(const std::string& statement);
  bool Reached(const Result<HttpResponse>& response);
  std::string Body(const std::string& statement, bool query) const;
  int Width() const;

  RestClient& client_;
  std::ostream& out_;
  std::ostream& err_;
  std::atomic<bool>& cancel_;
  bool json_output_ = false;
  int width_ = 0;
  bool exit_requested_ = false;
  bool reachable_ = true;
  bool names_stale_ = true;
  std::vector<std::string> names_;
  std::map<std::string, std::string> properties_;  // SET
  std::map<std::string, std::string> variables_;   // DEFINE
  std::function<std::vector<std::string>()> history_;
};

}  // namespace brook::shell

#endif  // BROOK_CLI_SHELL_SHELL_H_
