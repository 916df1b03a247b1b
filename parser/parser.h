// Parser: SQL text -> statements. The only place that sees ANTLR.
//
//   ASSIGN_OR_RETURN(auto stmts, Parser::Parse("CREATE STREAM s (...) WITH (...);"));
//
// Syntax errors come back as a kParseError Status whose range points at the offending token;
// render it with RenderDiagnostic (common/diagnostic.h).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "parser/ast/statement.h"

namespace brook {

class Parser {
 public:
  // Parses zero or more ';'-separated statements. Each statement's `text` is its own source
  // (without the ';'); ranges are relative to the whole input.
  static Result<std::vector<ast::StatementPtr>> Parse(std::string_view sql);

  // Parses one expression (used by tests and INSERT VALUES helpers).
  static Result<ast::ExprPtr> ParseExpression(std::string_view sql);

  // Splits a script into statement texts without building ASTs (for per-statement variable
  // substitution). Keeps quotes and comments intact.
  static std::vector<std::string> SplitStatements(std::string_view sql);
};

// The longest statement variable substitution may produce (1 MiB): a chain of DEFINEs that
// reference each other would otherwise grow exponentially.
inline constexpr size_t kMaxSubstitutedLength = 1 << 20;

// Replaces ${name} (case-insensitive name) with its value, also inside string literals, as
// ksqlDB does. `$${x}` escapes to the literal `${x}`. Unknown variables are an error, and so
// is a result longer than kMaxSubstitutedLength.
Result<std::string> SubstituteVariables(std::string_view sql,
                                        const std::map<std::string, std::string>& variables);

}  // namespace brook
