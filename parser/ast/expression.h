// Expression AST. One node type with a kind tag and children keeps the tree easy to walk and
// rewrite; every node carries the SourceRange of its text so errors can point at it.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/source_range.h"
#include "common/value.h"
#include "parser/ast/type.h"

namespace brook::ast {

enum class ExprKind {
  kLiteral,          // literal, literal_kind
  kColumnRef,        // name, qualifier (may be empty)
  kDereference,      // children[0] -> name
  kSubscript,        // children[0] [ children[1] ]
  kFunctionCall,     // name(children...), star for COUNT(*)
  kCast,             // CAST(children[0] AS type)
  kCase,             // has_operand ? children[0] operand; then (when, then)*; else (has_else)
  kArithmetic,       // children[0] op children[1]; op in + - * / %
  kNegate,           // -children[0]
  kNot,
  kAnd,
  kOr,
  kComparison,       // op in = <> < <= > >=
  kIsNull,           // negated = IS NOT NULL
  kIsDistinctFrom,   // negated = IS NOT DISTINCT FROM
  kBetween,          // children: value, low, high; negated
  kIn,               // children: value, list...; negated
  kLike,             // children: value, pattern; escape; negated
  kConcat,
  kArray,            // ARRAY[children...]
  kMap,              // MAP(k := v, ...) children alternate key, value
  kStruct,           // STRUCT(names[i] := children[i])
  kLambda,           // names = parameters, children[0] = body
};

enum class LiteralKind { kNull, kBoolean, kInteger, kBigint, kDecimal, kDouble, kString };

struct Expr;
using ExprPtr = std::shared_ptr<Expr>;

struct Expr {
  ExprKind kind;
  SourceRange range;
  std::vector<ExprPtr> children;

  // kLiteral
  LiteralKind literal_kind = LiteralKind::kNull;
  Value literal;
  // kColumnRef: name (+ qualifier); kDereference: field name; kFunctionCall: upper-cased name.
  std::string name;
  std::string qualifier;
  // kStruct field names; kLambda parameter names.
  std::vector<std::string> names;
  // operator text for kArithmetic / kComparison: "+", "-", "*", "/", "%", "=", "<>", "<", ...
  std::string op;
  bool negated = false;
  bool star = false;          // COUNT(*)
  bool has_operand = false;   // simple CASE
  bool has_else = false;
  std::optional<std::string> escape;  // LIKE ... ESCAPE
  TypeNodePtr cast_type;      // kCast
  std::string text;           // the original SQL text of this node (for names and messages)
};

ExprPtr MakeExpr(ExprKind kind, SourceRange range);

// ksqlDB's formatting of an expression, used for generated column names' messages and
// EXPLAIN: "(A + 1)", "ABS(X)", "S->F".
std::string FormatExpr(const Expr& e);

}  // namespace brook::ast
