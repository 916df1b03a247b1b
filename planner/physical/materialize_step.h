// materialize_v1: keeps the latest row of every key of a table query's result in a state store,
// so that pull queries can read the table (ksqlDB's materialized tables: CREATE TABLE AS SELECT,
// and CREATE SOURCE TABLE). It follows the projection and passes its rows on unchanged.
//
// The store is named after the step id ("Materialize"), with the changelog topic
// _confluent-ksql-<service id>query_<query id>-Materialize-changelog (unless `changelog` is false).
// Its rows: key = the key columns, order-preserving (EncodeOrderedValues, common/value_codec.h);
// value = ROWTIME, then WINDOWEND for windowed tables, then the value columns. Windowed tables use
// a window store keyed by (key, WINDOWSTART); windows older than `retention_ms` behind the newest
// one are expired. Executed by runtime/operators/materialize_operator.h; read by pull queries
// (runtime/engine/pull_query.h).
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>

#include "common/status.h"

namespace brook {

struct MaterializeStep {
  static constexpr const char* kName = "materialize_v1";
  int key_count = 0;    // the projection's key columns come first in its rows
  int value_count = 0;  // then its value columns
  bool windowed = false;
  std::optional<int64_t> retention_ms;  // windowed only; none: windows are kept
  // Log changes to the store's changelog topic. CREATE SOURCE TABLE's store has none: its
  // source topic is its changelog (a lost store is rebuilt by reading the topic again).
  bool changelog = true;

  nlohmann::json ToJson() const;
  static Result<MaterializeStep> FromJson(const nlohmann::json& j);
};

}  // namespace brook
