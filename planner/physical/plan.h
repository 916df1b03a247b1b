// QueryPlan: the immutable, versioned description of one query's steps, produced by the
// QueryPlanner and turned into running operators by the runtime. Step names carry versions
// ("source_v1", "filter_v1", ...) so a stored plan from an older brook fails loudly.
//
// A stateless query is a straight pipeline:
//   source_v1 -> filter_v1? -> select_v1 (key and value projections) -> sink_v1 | transient
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/schema.h"
#include "planner/analyzer/bound_expr.h"
#include "planner/analyzer/catalog.h"

namespace brook {

struct SourceStep {
  static constexpr const char* kName = "source_v1";
  std::string source_name;
  std::string topic;
  FormatInfo key_format;
  FormatInfo value_format;
  LogicalSchema schema;
  bool is_table = false;
  std::optional<WindowInfo> window;
  int row_width = 0;              // flat row: key, value, ROWTIME, ROWPARTITION, ROWOFFSET, [window]
  int timestamp_index = -1;       // flat-row index of the TIMESTAMP column, or -1 for ROWTIME
  std::optional<std::string> timestamp_format;
  std::vector<bool> needed;       // per flat-row column: does the query read it?
};

struct SinkStep {
  static constexpr const char* kName = "sink_v1";
  std::string name;   // target stream/table
  std::string topic;
  FormatInfo key_format;
  FormatInfo value_format;
  int partitions = 1;
  int timestamp_column = -1;  // index into value columns whose value becomes the record time
  bool timestamp_in_key = false;  // timestamp_column indexes the key columns instead
  std::optional<std::string> timestamp_format;
};

struct QueryPlan {
  std::string query_id;
  std::string sql;
  SourceStep source;
  BoundExprPtr filter;                    // filter_v1; null = no filter
  // rekey_v1 (PARTITION BY): new key expressions over the source row. The rekeyed row is
  // [new keys..., source value columns not promoted to key..., old key columns not kept...,
  //  ROWTIME, ROWPARTITION, ROWOFFSET]; `rekey_sources[i]` is the source-row index copied into
  // position rekey_exprs.size() + i.
  bool has_rekey = false;
  std::vector<BoundExprPtr> rekey_exprs;
  std::vector<int> rekey_sources;
  std::vector<BoundExprPtr> key_exprs;    // select_v1: output key columns over the input row
  std::vector<BoundExprPtr> value_exprs;  // select_v1: output value columns over the input row
  LogicalSchema output_schema;            // key columns + value columns, in order
  bool output_is_table = false;
  bool rekeyed = false;                   // PARTITION BY changed the key
  std::optional<SinkStep> sink;           // absent for transient (push) queries
  std::optional<int64_t> limit;
  // Projection order for transient output: (is_key, index into key_exprs/value_exprs).
  std::vector<std::pair<bool, int>> select_order;

  // A short readable description of the steps, for EXPLAIN.
  std::string Describe() const;
};

}  // namespace brook
