#include <gtest/gtest.h>

#include "common/diagnostic.h"
#include "parser/parser.h"
#include "planner/analyzer/expression_binder.h"
#include "planner/ddl_planner.h"
#include "planner/query_planner.h"
#include "runtime/functions/builtins.h"

namespace brook {
namespace {

class PlannerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RegisterBuiltinFunctions(functions_);
    Create("CREATE STREAM s (id INT KEY, a INT, b BIGINT, c DOUBLE, d DECIMAL(4, 2), "
           "name STRING, st STRUCT<f INT>, arr ARRAY<STRING>) "
           "WITH (kafka_topic='s', value_format='JSON');");
  }

  void Create(const std::string& sql) {
    auto stmts = Parser::Parse(sql);
    ASSERT_TRUE(stmts.ok()) << stmts.status().ToString();
    auto plan = PlanCreateSource(static_cast<const ast::CreateSource&>(*(*stmts)[0]), catalog_, {});
    ASSERT_TRUE(plan.ok()) << plan.status().ToString();
    catalog_.Put(plan->source);
  }

  Result<TypePtr> TypeOf(const std::string& expr) {
    auto e = Parser::ParseExpression(expr);
    if (!e.ok()) return e.status();
    Scope scope = Scope::ForSource("S", catalog_.Find("S")->schema, false);
    ExpressionBinder binder(scope, functions_, catalog_, "SELECT");
    ASSIGN_OR_RETURN(BoundExprPtr b, binder.Bind(**e));
    return b->type;
  }

  Result<QueryPlanResult> Plan(const std::string& sql, Config config = {}) {
    auto stmts = Parser::Parse(sql);
    if (!stmts.ok()) return stmts.status();
    auto& cas = static_cast<const ast::CreateAsSelect&>(*(*stmts)[0]);
    QueryPlanRequest req;
    req.kind = QueryPlanRequest::Kind::kCreateAs;
    req.query = &cas.query;
    req.query_id = "CSAS_" + cas.name + "_0";
    req.sink_name = cas.name;
    req.sink_properties = &cas.properties;
    stmts_.push_back(*stmts);
    return PlanQuery(req, catalog_, functions_, config);
  }

  FunctionRegistry functions_;
  Catalog catalog_;
  std::vector<std::vector<ast::StatementPtr>> stmts_;  // keeps ASTs alive
};

TEST_F(PlannerTest, ArithmeticTypesFollowKsqlDb) {
  EXPECT_EQ(TypeName(*TypeOf("a + a")), "INTEGER");
  EXPECT_EQ(TypeName(*TypeOf("a + b")), "BIGINT");
  EXPECT_EQ(TypeName(*TypeOf("a * c")), "DOUBLE");
  EXPECT_EQ(TypeName(*TypeOf("d + d")), "DECIMAL(5, 2)");
  EXPECT_EQ(TypeName(*TypeOf("d * d")), "DECIMAL(9, 4)");
  EXPECT_EQ(TypeName(*TypeOf("d / d")), "DECIMAL(11, 7)");
  EXPECT_EQ(TypeName(*TypeOf("1.5")), "DECIMAL(2, 1)");
  EXPECT_EQ(TypeName(*TypeOf("1.5e0")), "DOUBLE");
  EXPECT_EQ(TypeName(*TypeOf("st->f")), "INTEGER");
  EXPECT_EQ(TypeName(*TypeOf("arr[1]")), "STRING");
  EXPECT_EQ(TypeName(*TypeOf("CASE WHEN a > 1 THEN a ELSE b END")), "BIGINT");
}

TEST_F(PlannerTest, TypeErrorsAreClearAndPositioned) {
  auto r = TypeOf("name + 1");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("Unsupported arithmetic types"), std::string::npos);
  auto c = TypeOf("a = 'x'");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("Cannot compare A (INTEGER) to 'x' (STRING) with EQUAL."),
            std::string::npos)
      << c.status().message();
  auto u = TypeOf("a + nope");
  ASSERT_FALSE(u.ok());
  ASSERT_TRUE(u.status().range().has_value());
  EXPECT_EQ(u.status().range()->column, 4);
  EXPECT_FALSE(TypeOf("NO_SUCH_FN(a)").ok());
  EXPECT_FALSE(TypeOf("st->nope").ok());
}

TEST_F(PlannerTest, KeyColumnMustBeProjected) {
  auto r = Plan("CREATE STREAM o AS SELECT a FROM s;");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "The query used to build `O` must include the key column ID in its projection (eg, "
            "SELECT ID...).");
  auto ok = Plan("CREATE STREAM o2 AS SELECT id AS k, a FROM s;");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->plan.output_schema.ToString(), "`K` INTEGER KEY, `A` INTEGER");
}

TEST_F(PlannerTest, PartitionByRekeysBeforeProjection) {
  auto r = Plan("CREATE STREAM o AS SELECT * FROM s PARTITION BY name;");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const LogicalSchema& out = r->plan.output_schema;
  ASSERT_EQ(out.key.size(), 1u);
  EXPECT_EQ(out.key[0].name, "NAME");
  EXPECT_EQ(out.value.back().name, "ID");  // the old key moved to the end of the value
  auto e = Plan("CREATE STREAM o3 AS SELECT a FROM s PARTITION BY ABS(a);");
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("partitioning expression ABS(S.A)"), std::string::npos)
      << e.status().message();
}

TEST_F(PlannerTest, SinkDefaultsAndFormats) {
  auto r = Plan("CREATE STREAM o WITH (value_format='DELIMITED') AS SELECT id, a, name FROM s;");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->plan.sink()->topic, "O");
  EXPECT_EQ(r->plan.sink()->value_format.name, "DELIMITED");
  auto bad = Plan("CREATE STREAM o4 WITH (value_format='DELIMITED') AS SELECT id, st FROM s;");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("The 'DELIMITED' format does not support type 'STRUCT'"),
            std::string::npos);
  auto prefixed = Plan("CREATE STREAM o5 AS SELECT * FROM s;", {{kOutputTopicPrefix, "p_"}});
  ASSERT_TRUE(prefixed.ok());
  EXPECT_EQ(prefixed->plan.sink()->topic, "p_O5");
}

TEST(DdlPlannerTest, TablesNeedPrimaryKeysAndStreamsUseKey) {
  Catalog catalog;
  auto plan = [&](const std::string& sql) {
    auto stmts = Parser::Parse(sql);
    EXPECT_TRUE(stmts.ok());
    return PlanCreateSource(static_cast<const ast::CreateSource&>(*(*stmts)[0]), catalog, {});
  };
  auto t = plan("CREATE TABLE t (id INT, v INT) WITH (kafka_topic='t', value_format='JSON');");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().message(), "Tables require a PRIMARY KEY. Please define the PRIMARY KEY.");
  auto s = plan("CREATE STREAM s (id INT PRIMARY KEY) WITH (kafka_topic='t', value_format='JSON');");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("please use 'KEY' for streams"), std::string::npos);
  auto f = plan("CREATE STREAM s (id INT KEY, v INT) WITH (kafka_topic='t');");
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.status().message().find("VALUE_FORMAT"), std::string::npos);
  auto r = plan("CREATE STREAM s (rowtime BIGINT) WITH (kafka_topic='t', value_format='JSON');");
  ASSERT_FALSE(r.ok());
  auto ok = plan("CREATE STREAM s (id INT KEY, v INT, ts BIGINT) WITH (kafka_topic='t', "
                 "value_format='JSON', timestamp='ts');");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(*ok->source->timestamp_column, "TS");
}

}  // namespace
}  // namespace brook
