// sink_v1: encodes the projected key and value columns and writes them to the sink topic.
// The record time is the input's, or the sink's TIMESTAMP column when one is set.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>

#include "common/status.h"
#include "planner/analyzer/catalog.h"

namespace brook {

struct SinkStep {
  static constexpr const char* kName = "sink_v1";
  std::string name;   // target stream/table
  std::string topic;
  FormatInfo key_format;
  FormatInfo value_format;
  int partitions = 1;
  int timestamp_column = -1;      // index into the value (or key) columns, or -1
  bool timestamp_in_key = false;  // timestamp_column indexes the key columns instead
  std::optional<std::string> timestamp_format;

  nlohmann::json ToJson() const;
  static Result<SinkStep> FromJson(const nlohmann::json& j);
};

}  // namespace brook
