// ksqlDB's KsqlEntity JSON for the engine's typed statement results: the one place that knows
// how /ksql spells a result ("@type", "statementText", "commandStatus", schema JSON, ...).
//
// Objects are nlohmann::json (keys in sorted order), which is the order brookd has always
// sent; the wire bytes are pinned by tests/unit/server/ksql_entity_test.cc.
//
// Thread-safety: stateless.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "common/sql_type.h"
#include "runtime/engine/statement_result.h"

namespace brook::server {

// The KsqlEntity of a result, e.g. {"@type":"currentStatus","commandId":...,...}.
nlohmann::json ToKsqlEntity(const StatementResult& result);

// ToKsqlEntity serialized as brookd sends it (invalid UTF-8 replaced by U+FFFD).
std::string KsqlEntityJson(const StatementResult& result);

// ksqlDB's schema JSON of a type: {"type":"ARRAY","fields":null,"memberSchema":{...}}, with
// "parameters" for DECIMAL and "fields" for STRUCT.
nlohmann::json SchemaJson(const TypePtr& type);

}  // namespace brook::server
