#include "parser/parser.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "BrookSqlLexer.h"
#include "BrookSqlParser.h"
#include "antlr4-runtime.h"
#include "parser/ast_builder.h"
#include "common/ascii.h"

namespace brook {

namespace {

using grammar::BrookSqlLexer;
using grammar::BrookSqlParser;

// Collects the first syntax error with its position.
class ErrorCollector : public antlr4::BaseErrorListener {
 public:
  void syntaxError(antlr4::Recognizer* recognizer, antlr4::Token* offending, size_t line,
                   size_t column, const std::string& msg, std::exception_ptr) override {
    if (!status_.ok()) return;
    SourceRange r;
    r.line = static_cast<int>(line);
    r.column = static_cast<int>(column);
    std::string detail = msg;
    if (offending != nullptr && offending->getType() != antlr4::Token::EOF) {
      r.begin = offending->getStartIndex();
      r.end = offending->getStopIndex() + 1;
      detail = "Syntax error at or near '" + offending->getText() + "'";
      if (msg.rfind("mismatched input", 0) == 0 || msg.rfind("extraneous input", 0) == 0) {
        size_t exp = msg.find("expecting");
        if (exp != std::string::npos && msg.size() - exp < 120) detail += " (" + msg.substr(exp) + ")";
      }
    } else if (offending != nullptr) {
      r.begin = offending->getStartIndex();
      r.end = r.begin;
      detail = "Syntax error at end of input";
    }
    status_ = Status(StatusCode::kParseError, "Syntax Error\n" + detail, r);
  }
  const Status& status() const { return status_; }

 private:
  Status status_;
};

// Bounds on what the recursive stages after the lexer (ANTLR's parser, the AST builder, the
// binder, the evaluator) may be asked to do: every input has a bound.
constexpr int kMaxBracketNesting = 64;  // nested ( and [ in one input
constexpr int kMaxTreeDepth = 1000;     // parse-tree depth, e.g. a chain of ~990 `+`
constexpr int kMaxPrefixRun = 64;       // NOT NOT ... or - - ... in a row
constexpr size_t kMaxTokens = 65536;    // tokens in one parser input
constexpr size_t kMaxIdentifierBytes = 255;  // a stream, table, column, type or variable name

Status TooDeep(const std::string& what, const antlr4::Token* at) {
  SourceRange r;
  if (at != nullptr) {
    r.line = static_cast<int>(at->getLine());
    r.column = static_cast<int>(at->getCharPositionInLine());
    r.begin = at->getStartIndex();
    r.end = at->getStopIndex() + 1;
  }
  return InvalidArgument("The statement is nested too deeply: " + what, r);
}

// Checked on the tokens, before the (recursive) parser runs: nested brackets, nested CASE,
// runs of prefix operators (each one a level of ANTLR's recursion), and the statement's length
// (ANTLR's time grows with it; a 16 MiB body would otherwise take minutes).
Status CheckTokens(antlr4::CommonTokenStream& tokens) {
  tokens.fill();
  int depth = 0;
  int case_depth = 0;
  int not_run = 0;
  int sign_run = 0;
  size_t count = 0;
  for (antlr4::Token* t : tokens.getTokens()) {
    if (t->getChannel() == antlr4::Token::DEFAULT_CHANNEL && ++count > kMaxTokens) {
      Status deep = TooDeep("", t);
      return InvalidArgument(
          "The statement is too long: more than " + std::to_string(kMaxTokens) + " tokens",
          *deep.range());
    }
    size_t type = t->getType();
    if ((type == BrookSqlLexer::IDENTIFIER || type == BrookSqlLexer::DIGIT_IDENTIFIER ||
         type == BrookSqlLexer::QUOTED_IDENTIFIER ||
         type == BrookSqlLexer::BACKQUOTED_IDENTIFIER) &&
        t->getStopIndex() + 1 - t->getStartIndex() > kMaxIdentifierBytes + 2) {
      Status at = TooDeep("", t);
      return InvalidArgument(
          "The name is too long: more than " + std::to_string(kMaxIdentifierBytes) + " characters",
          *at.range());
    }
    not_run = type == BrookSqlLexer::NOT ? not_run + 1 : 0;
    sign_run = (type == BrookSqlLexer::MINUS || type == BrookSqlLexer::PLUS) ? sign_run + 1 : 0;
    if (not_run > kMaxPrefixRun || sign_run > kMaxPrefixRun) {
      return TooDeep(
          "more than " + std::to_string(kMaxPrefixRun) + " prefix operators (NOT, -, +) in a row",
          t);
    }
    if (type == BrookSqlLexer::CASE) {
      if (++case_depth > kMaxBracketNesting) {
        return TooDeep("more than " + std::to_string(kMaxBracketNesting) + " nested CASE", t);
      }
    } else if (type == BrookSqlLexer::END) {
      case_depth = std::max(0, case_depth - 1);
    } else if (type == BrookSqlLexer::LPAREN || type == BrookSqlLexer::LBRACKET) {
      if (++depth > kMaxBracketNesting) {
        return TooDeep("more than " + std::to_string(kMaxBracketNesting) +
                           " levels of parentheses or brackets",
                       t);
      }
    } else if (type == BrookSqlLexer::RPAREN || type == BrookSqlLexer::RBRACKET) {
      depth = std::max(0, depth - 1);
    }
  }
  return Status::Ok();
}

// Checked on the parse tree (without recursion), before the AST builder walks it.
Status CheckTreeDepth(antlr4::tree::ParseTree* root) {
  std::vector<std::pair<antlr4::tree::ParseTree*, int>> stack = {{root, 1}};
  while (!stack.empty()) {
    auto [node, depth] = stack.back();
    stack.pop_back();
    if (depth > kMaxTreeDepth) {
      const antlr4::Token* at = nullptr;
      if (auto* ctx = dynamic_cast<antlr4::ParserRuleContext*>(node)) {
        at = ctx->getStart();
      } else if (auto* leaf = dynamic_cast<antlr4::tree::TerminalNode*>(node)) {
        at = leaf->getSymbol();
      }
      return TooDeep("expressions may nest at most " + std::to_string(kMaxTreeDepth) +
                         " levels (e.g. a chain of that many operators)",
                     at);
    }
    for (antlr4::tree::ParseTree* child : node->children) stack.push_back({child, depth + 1});
  }
  return Status::Ok();
}

}  // namespace

// Lexer, token stream and parser over one input, reporting into one ErrorCollector.
struct ParseSession {
  explicit ParseSession(std::string_view sql)
      : input(sql.data(), sql.size()), lexer(&input), tokens(&lexer), parser(&tokens) {
    lexer.removeErrorListeners();
    parser.removeErrorListeners();
    lexer.addErrorListener(&errors);
    parser.addErrorListener(&errors);
  }
  antlr4::ANTLRInputStream input;
  BrookSqlLexer lexer;
  antlr4::CommonTokenStream tokens;
  BrookSqlParser parser;
  ErrorCollector errors;
};

Result<std::vector<ast::StatementPtr>> Parser::Parse(std::string_view sql) {
  ParseSession session(sql);
  auto& parser = session.parser;
  auto& tokens = session.tokens;
  auto& errors = session.errors;
  RETURN_IF_ERROR(CheckTokens(tokens));
  // Two-stage parse: fast SLL first, full LL only when SLL fails.
  parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(
      antlr4::atn::PredictionMode::SLL);
  parser.setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
  BrookSqlParser::StatementsContext* tree = nullptr;
  try {
    tree = parser.statements();
  } catch (antlr4::ParseCancellationException&) {
    tokens.seek(0);
    parser.reset();
    parser.setErrorHandler(std::make_shared<antlr4::DefaultErrorStrategy>());
    parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(
        antlr4::atn::PredictionMode::LL);
    tree = parser.statements();
  }
  if (!errors.status().ok()) return errors.status();
  RETURN_IF_ERROR(CheckTreeDepth(tree));
  AstBuilder builder(sql);
  return builder.BuildStatements(tree);
}

Result<ast::ExprPtr> Parser::ParseExpression(std::string_view sql) {
  ParseSession session(sql);
  RETURN_IF_ERROR(CheckTokens(session.tokens));
  auto* tree = session.parser.singleExpression();
  if (!session.errors.status().ok()) return session.errors.status();
  RETURN_IF_ERROR(CheckTreeDepth(tree));
  AstBuilder builder(sql);
  return builder.BuildExpression(tree->expression());
}

std::vector<std::string> Parser::SplitStatements(std::string_view sql) {
  std::vector<std::string> out;
  std::string cur;
  size_t i = 0;
  auto flush = [&] {
    bool blank = true;
    for (char c : cur) {
      if (!std::isspace(static_cast<unsigned char>(c))) blank = false;
    }
    if (!blank) out.push_back(cur);
    cur.clear();
  };
  while (i < sql.size()) {
    char c = sql[i];
    if (c == '\'' || c == '"' || c == '`') {
      size_t j = i + 1;
      while (j < sql.size()) {
        if (sql[j] == c) {
          if (j + 1 < sql.size() && sql[j + 1] == c) {
            j += 2;
            continue;
          }
          break;
        }
        ++j;
      }
      cur.append(sql.substr(i, j + 1 - i));
      i = j + 1;
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      size_t j = sql.find('\n', i);
      if (j == std::string_view::npos) j = sql.size();
      cur.append(sql.substr(i, j - i));
      i = j;
    } else if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
      size_t j = sql.find("*/", i + 2);
      j = j == std::string_view::npos ? sql.size() : j + 2;
      cur.append(sql.substr(i, j - i));
      i = j;
    } else if (c == ';') {
      cur += ';';
      flush();
      ++i;
    } else {
      cur += c;
      ++i;
    }
  }
  flush();
  return out;
}

Result<std::string> SubstituteVariables(std::string_view sql,
                                        const std::map<std::string, std::string>& variables) {
  std::string out;
  size_t i = 0;
  while (i < sql.size()) {
    if (sql[i] == '$' && i + 2 < sql.size() && sql[i + 1] == '$' && sql[i + 2] == '{') {
      out += '$';
      i += 2;  // "$${" -> "${", left as is
      size_t close = sql.find('}', i);
      if (close == std::string_view::npos) close = sql.size() - 1;
      out.append(sql.substr(i, close + 1 - i));
      i = close + 1;
      continue;
    }
    if (sql[i] == '$' && i + 1 < sql.size() && sql[i + 1] == '{') {
      size_t close = sql.find('}', i);
      if (close != std::string_view::npos) {
        std::string name(sql.substr(i + 2, close - i - 2));
        std::string upper;
        upper += AsciiUpper(name);
        auto it = variables.find(upper);
        if (it == variables.end()) {
          return InvalidArgument("Failed to substitute variables:\nCan't find variable '" + name +
                                 "'. Define it with DEFINE " + name + "='<value>';");
        }
        if (out.size() + it->second.size() > kMaxSubstitutedLength) {
          return InvalidArgument(
              "Failed to substitute variables: the statement would be longer than " +
              std::to_string(kMaxSubstitutedLength) + " characters (variable '" + name + "')");
        }
        out += it->second;
        i = close + 1;
        continue;
      }
    }
    out += sql[i++];
  }
  return out;
}

}  // namespace brook
