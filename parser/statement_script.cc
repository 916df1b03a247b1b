#include "parser/statement_script.h"

#include <algorithm>
#include <utility>

#include "parser/parser.h"

namespace brook {

StatementScript::StatementScript(std::string_view sql) : sql_(sql) {
  size_t offset = 0;
  for (std::string& text : Parser::SplitStatements(sql_)) {
    // Pieces are cut from the script in order, so each one is found at or after the last.
    size_t at = sql_.find(text, offset);
    if (at == std::string::npos) at = offset;
    offset = at + text.size();
    pieces_.push_back({std::move(text), at});
  }
}

Result<StatementScript::Prepared> StatementScript::Prepare(
    size_t index, const std::map<std::string, std::string>& variables, bool substitute) const {
  const Piece& piece = pieces_.at(index);
  Prepared prepared;
  std::string text = piece.text;
  if (substitute && text.find("${") != std::string::npos) {
    Result<std::string> substituted = SubstituteVariables(text, variables);
    if (!substituted.ok()) return RebaseUnsubstituted(substituted.status(), index);
    prepared.substituted = *substituted != text;
    text = std::move(substituted).value();
  }
  Result<std::vector<ast::StatementPtr>> parsed = Parser::Parse(text);
  if (!parsed.ok()) return Rebase(parsed.status(), index, prepared);
  prepared.statements = std::move(parsed).value();
  // ksqlDB's results echo the statement with its terminating ';'.
  const size_t last = piece.text.find_last_not_of(" \t\r\n");
  const bool terminated = last != std::string::npos && piece.text[last] == ';';
  if (terminated && prepared.statements.size() == 1) prepared.statements[0]->text += ";";
  return prepared;
}

Status StatementScript::Rebase(const Status& status, size_t index,
                               const Prepared& prepared) const {
  if (prepared.substituted) return status;
  return RebaseUnsubstituted(status, index);
}

Status StatementScript::RebaseUnsubstituted(const Status& status, size_t index) const {
  if (!status.range()) return status;
  return Status(status.code(), status.message(),
                RebaseRange(*status.range(), sql_, pieces_.at(index).offset));
}

SourceRange RebaseRange(SourceRange range, std::string_view script, size_t at) {
  if (!range.valid()) return range;
  at = std::min(at, script.size());
  std::string_view before = script.substr(0, at);
  const int lines = static_cast<int>(std::count(before.begin(), before.end(), '\n'));
  if (range.line == 1) {
    size_t last_nl = before.rfind('\n');
    range.column += static_cast<int>(last_nl == std::string_view::npos ? at : at - last_nl - 1);
  }
  range.line += lines;
  range.begin += at;
  range.end += at;
  return range;
}

}  // namespace brook
