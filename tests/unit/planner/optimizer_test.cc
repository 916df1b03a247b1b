// Each optimizer pass alone, on logical plans built from real statements.
#include <gtest/gtest.h>

#include "parser/parser.h"
#include "planner/analyzer/query_analyzer.h"
#include "planner/ddl_planner.h"
#include "planner/logical/logical_plan.h"
#include "planner/optimizer/optimizer.h"
#include "planner/query_planner.h"
#include "runtime/functions/builtins.h"

namespace brook {
namespace {

class OptimizerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RegisterBuiltinFunctions(functions_);
    Create("CREATE STREAM s (id STRING KEY, a INT, b STRING, c DOUBLE, d BIGINT, e STRING) "
           "WITH (kafka_topic='s', value_format='JSON');");
    Create("CREATE TABLE t (id STRING PRIMARY KEY, seg INT, name STRING) "
           "WITH (kafka_topic='t', value_format='JSON');");
  }
  void Create(const std::string& sql) {
    auto stmts = Parser::Parse(sql);
    ASSERT_TRUE(stmts.ok()) << stmts.status().ToString();
    auto plan = PlanCreateSource(static_cast<const ast::CreateSource&>(*(*stmts)[0]), catalog_, {});
    ASSERT_TRUE(plan.ok()) << plan.status().ToString();
    catalog_.Put(plan->source);
  }
  // The logical plan of a push query, before any pass.
  LogicalPlan Logical(const std::string& sql) {
    statements_ = *Parser::Parse(sql);
    QueryPlanRequest req;
    req.query = &static_cast<const ast::QueryStatement&>(*statements_[0]).query;
    req.query_id = "q";
    req.sql = sql;
    auto bound = AnalyzeQuery(req, catalog_, functions_, {});
    EXPECT_TRUE(bound.ok()) << bound.status().ToString();
    return BuildLogicalPlan(std::move(bound).value());
  }
  static const LogicalNode* FindKind(const LogicalPlan& p, LogicalKind k, int nth = 0) {
    for (const LogicalNode* n : PostOrder(p)) {
      if (n->kind == k && nth-- == 0) return n;
    }
    return nullptr;
  }

  Catalog catalog_;
  FunctionRegistry functions_;
  std::vector<ast::StatementPtr> statements_;
};

TEST_F(OptimizerTest, ColumnPruningMarksReadAndFilterColumns) {
  LogicalPlan plan = Logical("SELECT id, UCASE(b) AS ub FROM s WHERE a > 1 EMIT CHANGES;");
  const LogicalNode* src = FindKind(plan, LogicalKind::kSource);
  ASSERT_NE(src, nullptr);
  // Before the pass every slot counts as needed, and as needed before the filter.
  EXPECT_EQ(src->needed, std::vector<bool>(src->needed.size(), true));
  EXPECT_EQ(src->early, std::vector<bool>(src->early.size(), true));
  ColumnPruning(plan);
  // Row: ID, A, B, C, D, E, ROWTIME, ROWPARTITION, ROWOFFSET.
  EXPECT_EQ(src->needed, (std::vector<bool>{true, true, true, false, false, false, false, false,
                                            false}));
  EXPECT_EQ(src->early, (std::vector<bool>{false, true, false, false, false, false, false, false,
                                           false}));
}

TEST_F(OptimizerTest, ColumnPruningFollowsPartitionByAndTableFunctions) {
  LogicalPlan plan = Logical("SELECT e, EXPLODE(ARRAY[d]) AS x FROM s PARTITION BY e EMIT CHANGES;");
  ColumnPruning(plan);
  const LogicalNode* src = FindKind(plan, LogicalKind::kSource);
  EXPECT_EQ(src->needed, (std::vector<bool>{false, false, false, false, true, true, false, false,
                                            false}));
}

TEST_F(OptimizerTest, ColumnPruningCanBeSwitchedOff) {
  LogicalPlan plan = Logical("SELECT id, a FROM s EMIT CHANGES;");
  auto ran = Optimize(plan, {{"brook.optimizer.column_pruning.enabled", "false"}});
  EXPECT_EQ(ran, std::vector<std::string>{"filter_placement"});
  const LogicalNode* src = FindKind(plan, LogicalKind::kSource);
  EXPECT_EQ(src->needed, std::vector<bool>(src->needed.size(), true));
}

TEST_F(OptimizerTest, FilterPlacementPushesConjunctsBelowAnInnerJoin) {
  LogicalPlan plan = Logical(
      "SELECT s.id, s.a, t.seg FROM s JOIN t ON s.id = t.id "
      "WHERE s.a > 1 AND t.seg = 3 AND s.a < t.seg EMIT CHANGES;");
  ASSERT_EQ(plan.root->inputs[0]->kind, LogicalKind::kFilter);
  FilterPlacement(plan);
  // The cross-side conjunct stays above the join; each single-side one moves onto its side.
  const LogicalNode* above = plan.root->inputs[0].get();
  ASSERT_EQ(above->kind, LogicalKind::kFilter);
  EXPECT_EQ(above->predicate->text, "s.a < t.seg");
  const LogicalNode* join = above->inputs[0].get();
  ASSERT_EQ(join->kind, LogicalKind::kJoin);
  ASSERT_EQ(join->inputs[0]->kind, LogicalKind::kFilter);
  ASSERT_EQ(join->inputs[1]->kind, LogicalKind::kFilter);
  EXPECT_EQ(join->inputs[0]->predicate->text, "s.a > 1");
  EXPECT_EQ(join->inputs[1]->predicate->text, "t.seg = 3");
  // The right side's filter reads the right source's own row: SEG is its slot 1.
  const BoundExpr& right = *join->inputs[1]->predicate;
  ASSERT_EQ(right.children[0]->kind, BoundKind::kColumn);
  EXPECT_EQ(right.children[0]->index, 1);
}

TEST_F(OptimizerTest, FilterPlacementKeepsNullExtendedSideFiltersAboveALeftJoin) {
  LogicalPlan plan = Logical(
      "SELECT s.id, t.seg FROM s LEFT JOIN t ON s.id = t.id WHERE s.a > 1 AND t.seg = 3 "
      "EMIT CHANGES;");
  FilterPlacement(plan);
  const LogicalNode* above = plan.root->inputs[0].get();
  ASSERT_EQ(above->kind, LogicalKind::kFilter);
  EXPECT_EQ(above->predicate->text, "t.seg = 3");
  const LogicalNode* join = above->inputs[0].get();
  ASSERT_EQ(join->kind, LogicalKind::kJoin);
  EXPECT_EQ(join->inputs[0]->kind, LogicalKind::kFilter);
  EXPECT_EQ(join->inputs[1]->kind, LogicalKind::kSource);
}

TEST_F(OptimizerTest, FilterPlacementCanBeSwitchedOff) {
  LogicalPlan plan = Logical(
      "SELECT s.id FROM s JOIN t ON s.id = t.id WHERE s.a > 1 EMIT CHANGES;");
  Optimize(plan, {{"brook.optimizer.filter_placement.enabled", "false"}});
  EXPECT_EQ(plan.root->inputs[0]->kind, LogicalKind::kFilter);
  EXPECT_EQ(plan.root->inputs[0]->inputs[0]->kind, LogicalKind::kJoin);
}

}  // namespace
}  // namespace brook
