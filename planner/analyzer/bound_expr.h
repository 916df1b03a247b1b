// BoundExpr: a type-checked expression whose column references are resolved to positions in
// the operator's flat input row. Immutable once built; shared by plan and evaluator.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/source_range.h"
#include "common/sql_type.h"
#include "common/value.h"
#include "planner/analyzer/function_registry.h"

namespace brook {

enum class BoundKind {
  kLiteral, kColumn, kLambdaVar, kFunction, kCast, kCase, kArith, kNegate, kNot, kAnd, kOr,
  kCompare, kIsNull, kDistinct, kBetween, kIn, kLike, kConcat, kArray, kMap, kStruct,
  kDereference, kSubscript, kLambda,
};

enum class ArithOp { kAdd, kSub, kMul, kDiv, kMod };
enum class CompareOp { kEq, kNe, kLt, kLe, kGt, kGe };

struct BoundExpr;
using BoundExprPtr = std::shared_ptr<const BoundExpr>;

struct BoundExpr {
  BoundKind kind = BoundKind::kLiteral;
  TypePtr type;  // null only for an untyped NULL literal
  std::vector<BoundExprPtr> children;
  Value literal;                 // kLiteral
  int index = -1;                // kColumn: position in the input row; kLambdaVar: slot;
                                 // kDereference: struct field index
  ArithOp arith = ArithOp::kAdd;
  CompareOp compare = CompareOp::kEq;
  bool negated = false;
  bool has_operand = false;      // simple CASE
  bool has_else = false;
  std::optional<char> escape;    // LIKE
  const ScalarFunction* function = nullptr;
  std::vector<TypePtr> arg_types;   // kFunction
  std::vector<int> lambda_slots;    // kLambda: slots its parameters bind to
  std::string text;              // SQL text, for messages and the processing log
  SourceRange range;
};

}  // namespace brook
