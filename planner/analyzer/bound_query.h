// BoundQuery: a SELECT after analysis — sources with their aliases and row layouts, join
// criteria, WHERE, PARTITION BY, GROUP BY keys and aggregate calls, HAVING, WINDOW, and the
// projection with output names and key slots. Every expression is bound (typed, columns
// resolved to row slots); every ksqlDB naming and key rule has been applied. The logical
// planner builds its operator tree from this; nothing here knows about Kafka.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "parser/ast/statement.h"
#include "planner/analyzer/bound_expr.h"
#include "planner/analyzer/catalog.h"
#include "planner/analyzer/scope.h"
#include "planner/physical/aggregate_step.h"
#include "planner/physical/flat_map_step.h"

namespace brook {

// What the analyzer is asked to analyze.
struct QueryPlanRequest {
  enum class Kind { kCreateAs, kInsertInto, kTransient } kind = Kind::kTransient;
  const ast::Query* query = nullptr;
  std::string query_id;
  std::string sql;
  // kCreateAs: the new source's name, WITH properties and whether it is a TABLE.
  std::string sink_name;
  bool sink_is_table = false;
  const ast::Properties* sink_properties = nullptr;
  SourceRange sink_range;
  // kInsertInto: the existing target.
  DataSourcePtr insert_target;
  // Partition count of the source topic (sink default).
  int source_partitions = 1;
  // Joins: the partition count of every joined source's topic, by topic (co-partitioning
  // checks and repartition topics). A topic not listed counts as one partition.
  std::map<std::string, int> topic_partitions;
  // Keep the result table's latest row per key for pull queries (materialize_v1). CREATE TABLE
  // AS SELECT always does; the engine sets it for CREATE SOURCE TABLE's transient-shaped plan.
  bool materialize = false;
};

struct BoundSource {
  DataSourcePtr source;
  std::string alias;
  Scope scope;  // its columns and their slots in the query's input row
  SourceRange range;
};

struct BoundJoin {
  ast::JoinType type = ast::JoinType::kInner;
  BoundSource right;
  BoundExprPtr left_key;   // over the input row (left columns)
  BoundExprPtr right_key;  // over the input row (right columns)
  std::optional<int64_t> before_ms, after_ms, grace_ms;
  // The slot after the right source's columns where the join puts its key value (the left key,
  // or the right key where there is no left row): the result's key.
  int key_slot = 0;
  std::string left_text, right_text;  // the key expressions, qualified (for messages)
  std::string written_text;           // the criteria as written
  SourceRange range;
};

struct BoundRekey {
  std::vector<BoundExprPtr> key_exprs;  // empty: PARTITION BY NULL
  std::vector<std::string> key_names;
  std::vector<std::string> key_texts;   // qualified SQL text of each expression, for messages
  std::vector<int> carried;             // input slots copied after the new key columns
  LogicalSchema schema;                 // the rekeyed row's columns, without pseudo-columns
};

struct BoundAggregation {
  std::vector<BoundExprPtr> group_by;      // over the input row
  std::vector<std::string> key_names;      // the aggregate output's key columns
  std::vector<std::string> group_texts;    // SQL text of each GROUP BY expression
  std::vector<AggregateCall> calls;
  std::optional<WindowStepSpec> window;
  BoundExprPtr having;                     // over the aggregate output row
  Scope output_scope;                      // what HAVING and the projection see
};

struct ProjectionItem {
  std::string name;
  BoundExprPtr expr;  // over the projection's input row
  int key_slot = -1;  // the key column of the projection's input it reproduces, or -1
  SourceRange range;
};

struct BoundQuery {
  QueryPlanRequest::Kind kind = QueryPlanRequest::Kind::kTransient;
  std::string query_id;
  std::string sql;
  std::string target;  // the sink's name (CSAS/CTAS target or INSERT INTO target)
  BoundSource from;
  std::vector<BoundJoin> joins;
  // A join whose key is no source column (FULL OUTER, or expressions on both sides): the name of
  // its synthetic key column (ROWKEY, or ROWKEY_n when a source has a column of that name).
  std::string synthetic_key;
  // A join's key columns: projected, the first of them becomes the result's key column.
  std::vector<int> join_key_columns;
  std::vector<std::string> join_key_texts;  // their qualified names, in query order
  // A foreign-key table-table join (the left table joined on a column that is not its key): its
  // result is keyed by the left table's primary key, these slots.
  std::vector<int> fk_key_slots;
  int input_width = 0;  // slots of the row the WHERE clause sees (all sources)
  BoundExprPtr where;
  std::optional<BoundRekey> rekey;
  std::optional<BoundAggregation> aggregation;
  // Table functions of the SELECT: a flat map after the rekey (or the source) appends one slot
  // per call to the row the projection reads.
  std::vector<TableFunctionCall> table_functions;
  std::vector<ProjectionItem> projection;  // in SELECT order
  // The result: key columns first, then value columns.
  LogicalSchema output_schema;
  std::vector<BoundExprPtr> key_exprs;
  std::vector<BoundExprPtr> value_exprs;
  std::vector<std::pair<bool, int>> select_order;  // (is_key, index) per printed column
  bool output_is_table = false;
  std::optional<int64_t> limit;
  ast::EmitKind emit = ast::EmitKind::kNone;
  SourceRange range;

  bool persistent() const { return kind != QueryPlanRequest::Kind::kTransient; }
};

}  // namespace brook
