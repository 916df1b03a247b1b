// AstBuilder: ANTLR parse tree -> brook AST. Internal to parser/.
#pragma once

#include <string_view>
#include <vector>

#include "BrookSqlParser.h"
#include "common/status.h"
#include "parser/ast/statement.h"

namespace brook {

class AstBuilder {
 public:
  explicit AstBuilder(std::string_view sql) : sql_(sql) {}

  Result<std::vector<ast::StatementPtr>> BuildStatements(
      grammar::BrookSqlParser::StatementsContext* ctx);
  Result<ast::ExprPtr> BuildExpression(grammar::BrookSqlParser::ExpressionContext* ctx);

 private:
  using P = grammar::BrookSqlParser;

  Result<ast::StatementPtr> Statement(P::StatementContext* ctx);
  Result<ast::Query> Query(P::QueryContext* ctx);
  Result<ast::ExprPtr> Expr(P::ExpressionContext* ctx);
  Result<ast::ExprPtr> Boolean(P::BooleanExpressionContext* ctx);
  Result<ast::ExprPtr> Predicated(P::PredicatedContext* ctx);
  Result<ast::ExprPtr> ValueExpr(P::ValueExpressionContext* ctx);
  Result<ast::ExprPtr> Primary(P::PrimaryExpressionContext* ctx);
  Result<ast::ExprPtr> Literal(P::LiteralContext* ctx);
  Result<ast::ExprPtr> Number(P::NumberContext* ctx, SourceRange range);
  Result<ast::TypeNodePtr> Type(P::TypeContext* ctx);
  Result<ast::Properties> WithProperties(P::WithPropertiesContext* ctx);
  Result<ast::Duration> Duration(P::DurationContext* ctx);
  Result<ast::WindowSpec> Window(P::WindowExpressionContext* ctx);
  Result<ast::Relation> Relation(P::AliasedRelationContext* ctx);

  std::string Identifier(P::IdentifierContext* ctx);
  std::string StringLiteral(antlr4::tree::TerminalNode* node);
  SourceRange Range(antlr4::ParserRuleContext* ctx) const;
  SourceRange Range(antlr4::Token* token) const;
  std::string Text(antlr4::ParserRuleContext* ctx) const;

  std::string_view sql_;
};

}  // namespace brook
