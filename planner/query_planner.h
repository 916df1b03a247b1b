// QueryPlanner: a SELECT (inside CSAS/CTAS, INSERT INTO, or a transient push query) -> QueryPlan.
// Applies ksqlDB's rules for keys (key columns must be projected, PARTITION BY rekeys before
// the projection), naming (aliases, KSQL_COL_n), formats and sink topics.
#pragma once

#include <string>

#include "common/status.h"
#include "parser/ast/statement.h"
#include "planner/analyzer/catalog.h"
#include "planner/analyzer/function_registry.h"
#include "planner/physical/plan.h"
#include "planner/properties.h"

namespace brook {

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
};

struct QueryPlanResult {
  QueryPlan plan;
  DataSourcePtr sink_source;  // kCreateAs: the catalog entry to register
  std::optional<int> sink_replicas;
};

Result<QueryPlanResult> PlanQuery(const QueryPlanRequest& request, const Catalog& catalog,
                                  const FunctionRegistry& functions, const Config& config);

}  // namespace brook
