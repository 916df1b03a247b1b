// source_v1: reads one stream or table topic and decodes each record into the flat input row
// (key columns, value and header columns, ROWTIME, ROWPARTITION, ROWOFFSET, and WINDOWSTART /
// WINDOWEND for windowed sources; see planner/analyzer/scope.h).
//
// Column pruning (planner/optimizer/column_pruning.cc) decides `needed` — the row slots any
// later step reads — and `early`: the slots a filter right after the source reads. A decoder
// may decode `early` first and the rest of `needed` only for records that pass the filter.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/schema.h"
#include "common/status.h"
#include "planner/analyzer/catalog.h"
#include "planner/analyzer/function_registry.h"

namespace brook {

struct SourceStep {
  static constexpr const char* kName = "source_v1";
  std::string source_name;
  std::string alias;
  std::string topic;
  FormatInfo key_format;
  FormatInfo value_format;
  LogicalSchema schema;
  bool is_table = false;
  std::optional<WindowInfo> window;
  int row_width = 0;
  int timestamp_index = -1;  // flat-row slot of the TIMESTAMP column, or -1 for the record time
  std::optional<std::string> timestamp_format;
  std::vector<bool> needed;  // per row slot: read by a later step (all true before pruning)
  std::vector<bool> early;   // per row slot: read by the filter that follows the source

  nlohmann::json ToJson() const;
  static Result<SourceStep> FromJson(const nlohmann::json& j);
};

}  // namespace brook
