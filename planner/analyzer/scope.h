// Scope: the columns an expression may reference, and where each lives in the input row.
#pragma once

#include <string>
#include <vector>

#include "common/schema.h"
#include "common/sql_type.h"

namespace brook {

struct ScopeColumn {
  std::string qualifier;  // source alias
  std::string name;
  TypePtr type;
  int index = 0;          // position in the flat input row
  ColumnNamespace ns = ColumnNamespace::kValue;
  bool pseudo = false;    // ROWTIME, ROWPARTITION, ROWOFFSET
  bool window_bound = false;  // WINDOWSTART / WINDOWEND
};

struct Scope {
  std::vector<ScopeColumn> columns;
  int row_width = 0;

  // Flat row layout of one source: key columns, value (and header) columns, ROWTIME,
  // ROWPARTITION, ROWOFFSET, then WINDOWSTART/WINDOWEND if windowed.
  static Scope ForSource(const std::string& alias, const LogicalSchema& schema, bool windowed,
                         int offset = 0);
  void Append(const Scope& other);
};

}  // namespace brook
