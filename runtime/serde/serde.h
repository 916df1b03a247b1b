// Serdes: record bytes <-> column values for one side (key or value) of a topic.
//
// A Serde is built for a format (JSON, KAFKA, DELIMITED, NONE) and an ordered list of columns.
// Decode writes column i to out[i]; columns whose `needed` flag is false may be skipped (left
// NULL) — that is how a query decodes only the fields it uses. Not thread-safe: one per task.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/json_text.h"
#include "common/schema.h"
#include "common/status.h"
#include "common/value.h"
#include "planner/analyzer/catalog.h"

namespace brook {

class Serde {
 public:
  virtual ~Serde() = default;
  // `data` is the record's key or value bytes (never null here: null keys/values are handled
  // by the caller). Fills out[0..columns) .
  virtual Status Decode(std::string_view data, Value* out) = 0;
  // Encodes one row; nullopt means "write a null key/value".
  virtual Result<std::optional<std::string>> Encode(const Value* values) = 0;
};

// `needed` may be empty (all columns needed). `is_key` selects key unwrapping rules: a single
// key column is always unwrapped; a single value column is unwrapped if !format.wrap_single.
Result<std::unique_ptr<Serde>> MakeSerde(const FormatInfo& format, std::vector<Column> columns,
                                         bool is_key, std::vector<bool> needed = {});

// How DATE/TIME/TIMESTAMP appear in JSON text: as numbers (the JSON serde: days, ms of day,
// epoch ms) or as ISO text ("2020-01-31", "12:34:56", "2020-01-31T12:34:56.789", as ksqlDB's
// REST rows and TO_JSON_STRING print them).
enum class TemporalJson { kNumbers, kIsoText };

// Java-compatible JSON text of a value (DOUBLE like Double.toString, DECIMAL plain with its
// scale, BYTES base64, MAP keys as text).
void AppendJson(const Value& v, const TypePtr& type, std::string& out,
                TemporalJson temporal = TemporalJson::kNumbers);

}  // namespace brook
