// Splitting what a user types into statements, and the shell's own commands.
#ifndef BROOK_CLI_SHELL_STATEMENTS_H_
#define BROOK_CLI_SHELL_STATEMENTS_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace brook::shell {

// Takes the complete statements (each ending with a `;` outside quotes, backquotes and comments)
// off the front of `buffer`; what is left is an unfinished statement (or only blanks and
// comments). Statements keep their text as typed, `;` included, without surrounding blanks.
std::vector<std::string> TakeStatements(std::string& buffer);

// True when `text` holds nothing but blanks and comments.
bool IsBlank(std::string_view text);

// A command the shell runs itself (ksqlDB's CLI commands), recognised at the start of a line;
// these need no `;`.
struct LocalCommand {
  enum class Kind { kHelp, kExit, kClear, kOutput, kRunScript, kHistory } kind;
  std::string argument;  // OUTPUT's format (may be empty), RUN SCRIPT's file
};
std::optional<LocalCommand> ParseLocalCommand(std::string_view line);

// Statements the shell keeps rather than sends: SET / UNSET of a request property and DEFINE /
// UNDEFINE of a session variable (sent with every later request, as ksqlDB's CLI does).
struct ClientStatement {
  enum class Kind { kSet, kUnset, kDefine, kUndefine } kind;
  std::string name;
  std::string value;
};
// nullopt when `statement` is none of them; an error message in `error` when it is one but
// malformed.
std::optional<ClientStatement> ParseClientStatement(std::string_view statement, std::string& error);

// The first word of a statement, upper-cased (after blanks and comments).
std::string FirstWord(std::string_view statement);

}  // namespace brook::shell

#endif  // BROOK_CLI_SHELL_STATEMENTS_H_
