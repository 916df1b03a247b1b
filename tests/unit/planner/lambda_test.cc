// Lambdas in TRANSFORM / FILTER / REDUCE: binder typing and errors, evaluator semantics.
#include <gtest/gtest.h>

#include "parser/parser.h"
#include "planner/analyzer/expression_binder.h"
#include "planner/ddl_planner.h"
#include "runtime/expr/evaluator.h"
#include "runtime/functions/builtins.h"

namespace brook {
namespace {

class LambdaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RegisterBuiltinFunctions(functions_);
    auto stmts = Parser::Parse(
        "CREATE STREAM s (id INT KEY, x INT, arr ARRAY<STRING>, m MAP<STRING, INT>) "
        "WITH (kafka_topic='s', value_format='JSON');");
    ASSERT_TRUE(stmts.ok()) << stmts.status().ToString();
    auto plan = PlanCreateSource(static_cast<const ast::CreateSource&>(*(*stmts)[0]), catalog_, {});
    ASSERT_TRUE(plan.ok()) << plan.status().ToString();
    catalog_.Put(plan->source);
  }

  Result<BoundExprPtr> Bind(const std::string& expr) {
    auto e = Parser::ParseExpression(expr);
    if (!e.ok()) return e.status();
    exprs_.push_back(*e);
    Scope scope = Scope::ForSource("S", catalog_.Find("S")->schema, false);
    ExpressionBinder binder(scope, functions_, catalog_, "SELECT");
    return binder.Bind(**e);
  }

  std::string TypeOf(const std::string& expr) {
    auto b = Bind(expr);
    return b.ok() ? TypeName((*b)->type) : "error: " + b.status().message();
  }

  // Evaluates an expression that references no column.
  Value Eval(const std::string& expr, EvalContext& ctx) {
    auto b = Bind(expr);
    EXPECT_TRUE(b.ok()) << b.status().ToString();
    if (!b.ok()) return Value::Null();
    return Evaluate(**b, nullptr, ctx);
  }

  FunctionRegistry functions_;
  Catalog catalog_;
  std::vector<ast::ExprPtr> exprs_;
};

TEST_F(LambdaTest, ParameterTypesComeFromTheCollectionAndTheState) {
  EXPECT_EQ(TypeOf("TRANSFORM(arr, s => LEN(s))"), "ARRAY<INTEGER>");
  EXPECT_EQ(TypeOf("FILTER(arr, s => s = 'a')"), "ARRAY<STRING>");
  EXPECT_EQ(TypeOf("REDUCE(arr, 0, (acc, s) => acc + LEN(s))"), "INTEGER");
  EXPECT_EQ(TypeOf("TRANSFORM(m, (k, v) => v, (k, v) => k)"), "MAP<INTEGER, STRING>");
  EXPECT_EQ(TypeOf("FILTER(m, (k, v) => v > 1)"), "MAP<STRING, INTEGER>");
  EXPECT_EQ(TypeOf("REDUCE(m, CAST(0 AS BIGINT), (acc, k, v) => acc + v)"), "BIGINT");
  // A parameter shadows the column X; the column is still visible elsewhere.
  EXPECT_EQ(TypeOf("TRANSFORM(arr, x => x)"), "ARRAY<STRING>");
  EXPECT_EQ(TypeOf("TRANSFORM(arr, s => x)"), "ARRAY<INTEGER>");
  // Nested lambdas see the outer parameters.
  EXPECT_EQ(TypeOf("TRANSFORM(arr, s => TRANSFORM(arr, t => CONCAT(s, t)))"),
            "ARRAY<ARRAY<STRING>>");
}

TEST_F(LambdaTest, ErrorsUseKsqlDbMessagesAndPointAtTheLambda) {
  auto arity = Bind("TRANSFORM(arr, (a, b) => a)");
  ASSERT_FALSE(arity.ok());
  EXPECT_EQ(arity.status().message(),
            "Was expecting 1 arguments but found 2, [A, B]. Check your lambda statement.");
  ASSERT_TRUE(arity.status().range().has_value());
  EXPECT_EQ(arity.status().range()->column, 15);
  EXPECT_EQ(TypeOf("FILTER(arr, s => LEN(s))"),
            "error: Function 'filter' does not accept parameters "
            "(ARRAY<STRING>, LAMBDA (STRING) => INTEGER).");
  EXPECT_EQ(TypeOf("REDUCE(arr, 0, (acc, s) => s)"),
            "error: Function 'reduce' does not accept parameters "
            "(ARRAY<STRING>, INTEGER, LAMBDA (INTEGER, STRING) => STRING).");
  EXPECT_EQ(TypeOf("TRANSFORM(x, s => s)"),
            "error: Function 'transform' does not accept parameters (INTEGER, LAMBDA).");
  EXPECT_EQ(TypeOf("ABS(s => s)"), "error: Function 'abs' does not accept parameters (LAMBDA).");
  // A parameter is not visible outside its lambda.
  EXPECT_FALSE(Bind("ARRAY_CONCAT(TRANSFORM(arr, s => s), ARRAY[s])").ok());
}

TEST_F(LambdaTest, EvaluatesArraysMapsAndNestedLambdas) {
  EvalContext ctx;
  EXPECT_EQ(Eval("TRANSFORM(ARRAY[1, 2, 3], v => v * 10)", ctx),
            Value::Array({Value::Int(10), Value::Int(20), Value::Int(30)}));
  EXPECT_EQ(Eval("FILTER(ARRAY[1, 5, NULL, 7], v => v > 4)", ctx),
            Value::Array({Value::Int(5), Value::Int(7)}));
  EXPECT_EQ(Eval("REDUCE(ARRAY[1, 2, 3], 10, (acc, v) => acc + v)", ctx), Value::Int(16));
  EXPECT_EQ(Eval("REDUCE(MAP('a' := 1, 'bb' := 2), 0, (acc, k, v) => acc + LEN(k) * v)", ctx),
            Value::Int(5));
  EXPECT_EQ(Eval("TRANSFORM(MAP('a' := 1), (k, v) => UCASE(k), (k, v) => v + 1)", ctx),
            Value::Map({Value::String("A"), Value::Int(2)}));
  // The inner lambda reads the outer parameter `v` as its initial state.
  EXPECT_EQ(Eval("TRANSFORM(ARRAY[1, 2], v => REDUCE(ARRAY[10, 20], v, (acc, w) => acc + w))", ctx),
            Value::Array({Value::Int(31), Value::Int(32)}));
  EXPECT_FALSE(ctx.failed()) << ctx.error;
}

TEST_F(LambdaTest, FailuresInsideALambdaMakeTheCallNullAndAreRecorded) {
  EvalContext ctx;
  EXPECT_TRUE(Eval("TRANSFORM(ARRAY[1, NULL], v => v + 1)", ctx).is_null());
  EXPECT_TRUE(ctx.failed());
  ctx.Reset();
  // Functions of NULL are NULL, not failures.
  EXPECT_EQ(Eval("TRANSFORM(ARRAY['a', NULL], v => UCASE(v))", ctx),
            Value::Array({Value::String("A"), Value::Null()}));
  EXPECT_FALSE(ctx.failed());
  // Duplicate keys in a transformed map.
  EXPECT_TRUE(
      Eval("TRANSFORM(MAP('a' := 1, 'b' := 2), (k, v) => 'k', (k, v) => v)", ctx).is_null());
  EXPECT_TRUE(ctx.failed());
  ctx.Reset();
  // NULL initial state.
  EXPECT_TRUE(Eval("REDUCE(ARRAY[1], CAST(NULL AS INT), (acc, v) => acc + v)", ctx).is_null());
  EXPECT_FALSE(ctx.failed());
}

}  // namespace
}  // namespace brook
