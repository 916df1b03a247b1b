// Pull queries over materialized tables: which keys a WHERE clause asks for, and reading them.
//
// A pull query on a table (SELECT ... FROM t [WHERE ...] [LIMIT n], no EMIT) is planned like a
// transient query over `t` — source, filter, projection — but its rows come from the table's
// materialization (materialize_v1, read through MaterializedView) instead of its topic:
//   1. PlanPullKeys looks at the WHERE clause: when every OR-branch fixes every key column with
//      `=` (or IN), the query is a set of key lookups; otherwise it is a table scan, which
//      ksql.query.pull.table.scan.enabled (default true) allows. With scans disabled, ksqlDB's
//      errors explain what the WHERE clause lacks.
//   2. RunTablePull reads those keys (or everything) from every partition's committed state,
//      rebuilds each stored row in the source's row layout (key, value, ROWTIME, ROWPARTITION,
//      ROWOFFSET, WINDOWSTART, WINDOWEND) and runs the plan's filter and projection over them —
//      the whole WHERE clause is applied to the rows read, so lookups only narrow the reading.
//
// Reads see each task's last commit (at most ksql.streams.commit.interval.ms old).
// Thread-safe: pure functions over their arguments; the view's readers are thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/value.h"
#include "planner/physical/physical_plan.h"
#include "planner/properties.h"
#include "runtime/engine/processing_log.h"
#include "runtime/topology/materialized_view.h"
#include "runtime/topology/sink_writer.h"

namespace brook {

struct PullKeys {
  bool scan = true;                      // read every row
  std::vector<std::vector<Value>> keys;  // else: these keys (each one value per key column)
};

// Decides lookups or scan from the plan's WHERE clause (the filter right after the source).
// `scan_enabled`: ksql.query.pull.table.scan.enabled; `range_scan_enabled`:
// ksql.query.pull.range.scan.enabled (a range on a single STRING or BYTES key needs no table
// scan). Errors are ksqlDB's, positioned at `where_range`, when the clause needs a scan that
// is disabled.
[[nodiscard]] Result<PullKeys> PlanPullKeys(const PhysicalPlan& plan, bool scan_enabled,
                                            bool range_scan_enabled, SourceRange where_range);

// Where a chunked table scan goes on (RunTablePull with a position): the partition and the
// first key not read yet in it, and how many rows were answered so far.
struct TablePullPosition {
  int32_t partition = 0;
  std::optional<std::string> next_key;  // nullopt: the partition's beginning
  size_t rows_so_far = 0;
  bool done = false;
};

// Reads the rows of `keys` from `view` and runs the plan's steps after the source over them,
// a chunk at a time, stopping at the LIMIT. Rows in SELECT order. Rows that fail an expression
// are logged to `log`. A result of more than `max_rows` rows is refused (kInvalidArgument).
// With `position`, a scan of a table without windows and without LIMIT stops once it has about
// `chunk_rows` rows and records where to go on (the next call resumes there, reading the
// partitions' then committed state); key lookups, windowed tables and LIMIT queries are read
// whole at the first call. position->done says the answer is complete.
[[nodiscard]] Result<std::vector<OutputRow>> RunTablePull(const PhysicalPlan& plan,
                                                          const MaterializedView& view,
                                                          const PullKeys& keys, ProcessingLog* log,
                                                          size_t max_rows,
                                                          TablePullPosition* position = nullptr,
                                                          size_t chunk_rows = 0);

}  // namespace brook
