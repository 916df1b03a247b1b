// The JSON form of query plans: round trips, and hostile or stale plan JSON failing loudly.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "parser/parser.h"
#include "planner/ddl_planner.h"
#include "planner/physical/plan_json.h"
#include "planner/query_planner.h"
#include "runtime/functions/builtins.h"

namespace brook {
namespace {

using json = nlohmann::json;

class PlanJsonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RegisterBuiltinFunctions(functions_);
    auto stmts = Parser::Parse(
        "CREATE STREAM s (id INT KEY, a INT, b BIGINT, d DECIMAL(4, 2), name STRING, "
        "st STRUCT<f INT, g ARRAY<MAP<STRING, DOUBLE>>>, raw BYTES, h BYTES HEADER('x')) "
        "WITH (kafka_topic='s', value_format='JSON');");
    ASSERT_TRUE(stmts.ok());
    auto plan =
        PlanCreateSource(static_cast<const ast::CreateSource&>(*(*stmts)[0]), catalog_, {});
    ASSERT_TRUE(plan.ok()) << plan.status().ToString();
    catalog_.Put(plan->source);
  }

  PhysicalPlan PlanOf(const std::string& sql) {
    auto stmts = Parser::Parse(sql);
    EXPECT_TRUE(stmts.ok()) << stmts.status().ToString();
    const auto& c = static_cast<const ast::CreateAsSelect&>(*(*stmts)[0]);
    QueryPlanRequest req;
    req.kind = QueryPlanRequest::Kind::kCreateAs;
    req.query = &c.query;
    req.sink_name = c.name;
    req.sink_properties = &c.properties;
    req.query_id = "CSAS_" + c.name + "_0";
    req.sql = sql;
    auto r = PlanQuery(req, catalog_, functions_, {});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->plan : PhysicalPlan{};
  }

  Catalog catalog_;
  FunctionRegistry functions_;
};

TEST_F(PlanJsonTest, RoundTripKeepsEveryStep) {
  PhysicalPlan plan = PlanOf(
      "CREATE STREAM o WITH (kafka_topic='out', partitions=3) AS SELECT "
      "ABS(a) + 1 AS x, CASE WHEN name LIKE 'a!%%' ESCAPE '!' THEN d * 2 ELSE 0.5 END AS y, "
      "st->g[1]['k'] AS z, ARRAY[1, 2] AS arr, MAP('a' := TO_BYTES('AQI=', 'base64')) AS m, "
      "b BETWEEN 1 AND 10 AS between_, a IN (1, 2, 3) AS in_, CAST(a AS STRING) AS c, "
      "name, raw, h FROM s WHERE a > 0 AND NOT (b IS NULL) PARTITION BY name;");
  json first = PlanToJson(plan);
  auto read = PlanFromJson(json::parse(first.dump()), functions_);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(PlanToJson(*read), first);
  ASSERT_TRUE(read->filter());
  EXPECT_EQ(read->filter()->predicate->kind, BoundKind::kAnd);
  EXPECT_TRUE(read->rekey());
  ASSERT_TRUE(read->sink());
  EXPECT_EQ(read->sink()->topic, "out");
  EXPECT_EQ(read->sink()->partitions, 3);
  EXPECT_EQ(read->output_schema.ToString(), plan.output_schema.ToString());
  // Functions come back as the registry's own implementation.
  ASSERT_FALSE(read->project().value_exprs.empty());
  const BoundExpr& x = *read->project().value_exprs[0];
  ASSERT_EQ(x.kind, BoundKind::kArith);
  ASSERT_EQ(x.children[0]->kind, BoundKind::kFunction);
  EXPECT_EQ(x.children[0]->function, functions_.Find("ABS"));
  // Step ids and versions are in the JSON.
  std::vector<std::string> types;
  for (const json& step : first["steps"]) types.push_back(step["@type"]);
  EXPECT_EQ(types, (std::vector<std::string>{"source_v1", "filter_v1", "rekey_v1", "select_v1",
                                             "sink_v1"}));
}

TEST_F(PlanJsonTest, ValuesAndTypesRoundTripExactly) {
  std::vector<Value> values = {
      Value::Bool(true), Value::Int(-7), Value::Bigint(INT64_MIN), Value::Double(0.1),
      Value::Double(-1e308), Value::Decimal(-12345, 3), Value::String("é\"\\\n"),
      Value::Bytes(std::string("\0\xff", 2)), Value::Date(-1), Value::Time(86399999),
      Value::Timestamp(1700000000123), Value::Array({Value::Int(1), Value()}),
      Value::Map({Value::String("k"), Value::Double(2.5)}), Value::Struct({Value(), Value::Int(3)})};
  for (const Value& v : values) {
    auto back = ValueFromJson(json::parse(ValueToJson(v).dump()));
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(back->kind(), v.kind());
    EXPECT_EQ(back->Compare(v), 0) << ValueToJson(v).dump();
  }
  auto nan = ValueFromJson(ValueToJson(Value::Double(std::nan(""))));
  ASSERT_TRUE(nan.ok());
  EXPECT_TRUE(std::isnan(nan->as_double()));
  TypePtr t = SqlType::Struct({{"A", SqlType::Decimal(10, 2)},
                               {"B", SqlType::Map(SqlType::String(),
                                                  SqlType::Array(SqlType::Timestamp()))}});
  auto tb = TypeFromJson(json::parse(TypeToJson(t).dump()));
  ASSERT_TRUE(tb.ok());
  EXPECT_TRUE(TypesEqual(*tb, t));
}

TEST_F(PlanJsonTest, StaleOrHostilePlansFailLoudly) {
  json good = PlanToJson(PlanOf("CREATE STREAM o AS SELECT id, UCASE(name) AS n FROM s;"));
  ASSERT_TRUE(PlanFromJson(good, functions_).ok());

  json newer = good;
  newer["planVersion"] = 2;
  auto r = PlanFromJson(newer, functions_);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("version 2"), std::string::npos);

  json unknown_step = good;
  unknown_step["steps"][1]["@type"] = "select_v9";
  r = PlanFromJson(unknown_step, functions_);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("select_v9"), std::string::npos);

  std::string text = good.dump();
  size_t at = text.find("\"UCASE\"");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 7, "\"NOPE_FN\"");
  r = PlanFromJsonText(text, functions_);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("NOPE_FN"), std::string::npos);

  // A stored signature this brook does not provide: UCASE(INTEGER).
  text = good.dump();
  const std::string string_arg = "\"argTypes\":[{\"type\":\"STRING\"}]";
  at = text.find(string_arg);
  ASSERT_NE(at, std::string::npos) << text;
  text.replace(at, string_arg.size(), "\"argTypes\":[{\"type\":\"INTEGER\"}]");
  r = PlanFromJsonText(text, functions_);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("UCASE(INTEGER)"), std::string::npos)
      << r.status().message()
      << r.status().message();

  EXPECT_FALSE(PlanFromJsonText("{not json", functions_).ok());
  EXPECT_FALSE(PlanFromJsonText("[]", functions_).ok());
  EXPECT_FALSE(PlanFromJsonText("{\"planVersion\":\"1\"}", functions_).ok());

  json bad_index = good;
  bad_index["steps"][1]["selectOrder"][0] = json::array({true, 99});
  ASSERT_EQ(bad_index["steps"][1]["@type"], "select_v1");
  EXPECT_FALSE(PlanFromJson(bad_index, functions_).ok());

  // Deep nesting is refused, not recursed into without bound.
  json deep = {{"kind", "LITERAL"}, {"type", {{"type", "INTEGER"}}}};
  for (int i = 0; i < 2000; ++i) {
    json parent = {{"kind", "NEGATE"}, {"children", json::array()}};
    parent["children"].push_back(std::move(deep));
    deep = std::move(parent);
  }
  auto e = ExprFromJson(deep, functions_);
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("nested too deeply"), std::string::npos);
}

TEST_F(PlanJsonTest, StoredPlansAreCheckedBeforeTheyRun) {
  json good = PlanToJson(PlanOf(
      "CREATE STREAM o AS SELECT name, UCASE(name) AS n, a + 1 AS a1 FROM s WHERE a > 0 "
      "PARTITION BY name;"));
  ASSERT_TRUE(PlanFromJson(good, functions_).ok());
  auto step = [&](json& plan, const std::string& type) -> json& {
    for (json& st : plan["steps"]) {
      if (st["@type"] == type) return st;
    }
    ADD_FAILURE() << "no " << type;
    return plan;
  };
  auto fails = [&](const json& plan, const std::string& words) {
    auto r = PlanFromJson(plan, functions_);
    ASSERT_FALSE(r.ok()) << plan.dump();
    EXPECT_NE(r.status().message().find(words), std::string::npos) << r.status().message();
  };
  // A column outside the row the expression reads.
  json wide = good;
  step(wide, "filter_v1")["predicate"]["children"][0]["index"] = 100000;
  fails(wide, "outside its input row");
  // Missing or null children.
  json empty_arith = good;
  step(empty_arith, "select_v1")["valueExpressions"][1].erase("children");
  fails(empty_arith, "needs two children");
  json null_child = good;
  step(null_child, "filter_v1")["predicate"]["children"][1] = nullptr;
  fails(null_child, "Invalid query plan JSON");
  json no_args = good;
  step(no_args, "select_v1")["valueExpressions"][0].erase("children");
  fails(no_args, "do not match its argument types");
  // Steps out of order: the projection may only read the step right before it.
  json reordered = good;
  std::swap(reordered["steps"][1], reordered["steps"][2]);
  fails(reordered, "Invalid query plan");
  // No silent narrowing of integers.
  json huge = good;
  huge["planVersion"] = 4294967297LL;
  fails(huge, "out of range");
}

}  // namespace
}  // namespace brook
