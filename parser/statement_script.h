// StatementScript: the one place where a script (a /ksql request, a startup file, a test case)
// becomes statements. The engine and the REST server both go through it, so they split,
// substitute and position errors the same way.
//
//   StatementScript script(sql);
//   for (size_t i = 0; i < script.size(); ++i) {
//     ASSIGN_OR_RETURN(auto prepared, script.Prepare(i, variables, /*substitute=*/true));
//     ... run prepared.statements; on failure: return script.Rebase(status, i, prepared);
//   }
//
// The steps, per piece (one ';'-terminated statement of the script):
//   1. Split: SplitStatements cuts the script, keeping quotes and comments intact; each piece
//      remembers the byte where it starts in the script.
//   2. Substitute: ${name} is replaced by the session variable (SubstituteVariables) when the
//      caller says substitution is on (ksqlDB's ksql.variable.substitution.enable, default
//      true). It is done piece by piece, when the piece is about to run, so a DEFINE earlier
//      in the script applies to the pieces after it.
//   3. Parse: statement texts are what ksqlDB echoes: with the terminating ';' when the piece
//      holds exactly one statement.
//   4. Re-base: positions in a piece are moved onto the whole script (line, column, byte
//      offsets). When substitution changed the piece's text, positions refer to the substituted
//      text and are left as they are.
//
// Thread-safety: a StatementScript is immutable after construction; const methods may be
// called concurrently.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/source_range.h"
#include "common/status.h"
#include "parser/ast/statement.h"

namespace brook {

class StatementScript {
 public:
  // One ';'-terminated statement as written (with its ';' and surrounding whitespace).
  struct Piece {
    std::string text;
    size_t offset = 0;  // byte where `text` starts in the script
  };

  // A piece ready to run.
  struct Prepared {
    std::vector<ast::StatementPtr> statements;  // ranges relative to the (substituted) piece
    bool substituted = false;  // variable substitution changed the text: no re-basing
  };

  // Splits `sql` (copied; the script owns its text).
  explicit StatementScript(std::string_view sql);

  const std::string& sql() const { return sql_; }
  const std::vector<Piece>& pieces() const { return pieces_; }
  size_t size() const { return pieces_.size(); }

  // Substitutes (when `substitute`) and parses piece `index` (< size()). A failure is
  // positioned relative to the whole script where possible.
  Result<Prepared> Prepare(size_t index, const std::map<std::string, std::string>& variables,
                           bool substitute) const;

  // `status`, positioned relative to piece `index`, positioned relative to the whole script
  // instead. Unchanged when it has no position or `prepared.substituted`.
  Status Rebase(const Status& status, size_t index, const Prepared& prepared) const;

 private:
  Status RebaseUnsubstituted(const Status& status, size_t index) const;

  std::string sql_;
  std::vector<Piece> pieces_;
};

// Moves a range relative to a statement that starts at byte `at` of `script` so that it is
// relative to the whole script (line, column, begin, end). Invalid ranges stay invalid.
SourceRange RebaseRange(SourceRange range, std::string_view script, size_t at);

}  // namespace brook
