// DdlPlanner: CREATE STREAM/TABLE and CREATE TYPE -> catalog entries, with ksqlDB's checks.
// Pure: it does not touch Kafka; the engine creates topics as the result asks.
#pragma once

#include "common/status.h"
#include "parser/ast/statement.h"
#include "planner/analyzer/catalog.h"
#include "planner/properties.h"

namespace brook {

struct CreateSourcePlan {
  NewDataSourcePtr source;  // the new catalog entry
  std::optional<int> partitions;  // PARTITIONS from WITH: create the topic if missing
  std::optional<int> replicas;
};

Result<CreateSourcePlan> PlanCreateSource(const ast::CreateSource& stmt, const Catalog& catalog,
                                          const Config& config);

// CREATE OR REPLACE: the new schema must keep the key columns and extend the old value
// columns only by appending (ksqlDB's upgrade rules and messages).
Status CheckUpgradeCompatible(const std::string& name, const LogicalSchema& old_schema,
                              const LogicalSchema& new_schema, const SourceRange& range);

// Checks that `format` can serialize `columns` (KAFKA: one primitive; DELIMITED: no
// ARRAY/MAP/STRUCT; NONE: no columns), with ksqlDB's messages.
Status ValidateFormat(const FormatInfo& format, const std::vector<Column>& columns, bool is_key,
                      const SourceRange& range);

}  // namespace brook
