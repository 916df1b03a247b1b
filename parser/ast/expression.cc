#include "parser/ast/expression.h"

#include "common/java_format.h"

namespace brook::ast {

ExprPtr MakeExpr(ExprKind kind, SourceRange range) {
  auto e = std::make_shared<Expr>();
  e->kind = kind;
  e->range = range;
  return e;
}

namespace {
std::string Quote(const std::string& name) {
  // ksqlDB prints identifiers bare when they are plain upper-case words.
  bool plain = !name.empty() && !(name[0] >= '0' && name[0] <= '9');
  for (char c : name) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) plain = false;
  }
  return plain ? name : "`" + name + "`";
}
}  // namespace

std::string FormatExpr(const Expr& e) {
  auto child = [&](size_t i) { return FormatExpr(*e.children[i]); };
  switch (e.kind) {
    case ExprKind::kLiteral:
      switch (e.literal_kind) {
        case LiteralKind::kNull: return "null";
        case LiteralKind::kBoolean: return e.literal.as_bool() ? "true" : "false";
        case LiteralKind::kString: {
          std::string s = "'";
          for (char c : e.literal.as_string()) {
            s += c;
            if (c == '\'') s += '\'';
          }
          return s + "'";
        }
        case LiteralKind::kDecimal:
          return DecimalToString(e.literal.decimal_unscaled(), e.literal.decimal_scale());
        case LiteralKind::kDouble: return JavaDoubleToString(e.literal.as_double());
        default: return std::to_string(e.literal.as_int64());
      }
    case ExprKind::kColumnRef:
      return e.qualifier.empty() ? Quote(e.name) : Quote(e.qualifier) + "." + Quote(e.name);
    case ExprKind::kDereference: return child(0) + "->" + Quote(e.name);
    case ExprKind::kSubscript: return child(0) + "[" + child(1) + "]";
    case ExprKind::kFunctionCall: {
      std::string s = e.name + "(";
      if (e.star) s += "*";
      for (size_t i = 0; i < e.children.size(); ++i) s += (i ? ", " : "") + child(i);
      return s + ")";
    }
    case ExprKind::kCast: return "CAST(" + child(0) + " AS " + e.cast_type->name + ")";
    case ExprKind::kCase: {
      std::string s = "(CASE";
      size_t i = 0;
      if (e.has_operand) s += " " + child(i++);
      size_t end = e.children.size() - (e.has_else ? 1 : 0);
      for (; i + 1 < end + 1 && i < end; i += 2) s += " WHEN " + child(i) + " THEN " + child(i + 1);
      if (e.has_else) s += " ELSE " + child(e.children.size() - 1);
      return s + " END)";
    }
    case ExprKind::kArithmetic: return "(" + child(0) + " " + e.op + " " + child(1) + ")";
    case ExprKind::kNegate: return "-" + child(0);
    case ExprKind::kNot: return "(NOT " + child(0) + ")";
    case ExprKind::kAnd: return "(" + child(0) + " AND " + child(1) + ")";
    case ExprKind::kOr: return "(" + child(0) + " OR " + child(1) + ")";
    case ExprKind::kComparison: return "(" + child(0) + " " + e.op + " " + child(1) + ")";
    case ExprKind::kIsNull: return "(" + child(0) + (e.negated ? " IS NOT NULL)" : " IS NULL)");
    case ExprKind::kIsDistinctFrom:
      return "(" + child(0) + (e.negated ? " IS NOT DISTINCT FROM " : " IS DISTINCT FROM ") +
             child(1) + ")";
    case ExprKind::kBetween:
      return "(" + child(0) + (e.negated ? " NOT BETWEEN " : " BETWEEN ") + child(1) + " AND " +
             child(2) + ")";
    case ExprKind::kIn: {
      std::string s = "(" + child(0) + (e.negated ? " NOT IN (" : " IN (");
      for (size_t i = 1; i < e.children.size(); ++i) s += (i > 1 ? ", " : "") + child(i);
      return s + "))";
    }
    case ExprKind::kLike:
      return "(" + child(0) + (e.negated ? " NOT LIKE " : " LIKE ") + child(1) + ")";
    case ExprKind::kConcat: return "(" + child(0) + " || " + child(1) + ")";
    case ExprKind::kArray: {
      std::string s = "ARRAY[";
      for (size_t i = 0; i < e.children.size(); ++i) s += (i ? ", " : "") + child(i);
      return s + "]";
    }
    case ExprKind::kMap: {
      std::string s = "MAP(";
      for (size_t i = 0; i + 1 < e.children.size(); i += 2) {
        s += (i ? ", " : "") + child(i) + ":=" + child(i + 1);
      }
      return s + ")";
    }
    case ExprKind::kStruct: {
      std::string s = "STRUCT(";
      for (size_t i = 0; i < e.children.size(); ++i) {
        s += (i ? ", " : "") + Quote(e.names[i]) + ":=" + child(i);
      }
      return s + ")";
    }
    case ExprKind::kLambda: {
      std::string s = "(";
      for (size_t i = 0; i < e.names.size(); ++i) s += (i ? ", " : "") + e.names[i];
      return s + ") => " + child(0);
    }
  }
  return e.text;
}

}  // namespace brook::ast
