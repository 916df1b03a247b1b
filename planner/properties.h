// WITH-clause properties of CREATE statements, validated with ksqlDB's messages, and the
// session/server configuration keys the planner reads.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "parser/ast/statement.h"
#include "planner/analyzer/catalog.h"

namespace brook {

// Session + server configuration (ksql.* keys), string-valued as in ksqlDB.
using Config = std::map<std::string, std::string>;

// Config keys and their defaults.
inline constexpr const char* kDefaultKeyFormat = "ksql.persistence.default.format.key";  // KAFKA
inline constexpr const char* kDefaultValueFormat = "ksql.persistence.default.format.value";  // none
inline constexpr const char* kWrapSingleValues = "ksql.persistence.wrap.single.values";  // true
inline constexpr const char* kOutputTopicPrefix = "ksql.output.topic.name.prefix";  // ""
inline constexpr const char* kSinkPartitions = "ksql.sink.partitions";  // source's count
inline constexpr const char* kNewQueryPlanner = "ksql.new.query.planner.enabled";  // false

std::string ConfigOr(const Config& config, const std::string& key, const std::string& fallback);

// ksqlDB's ImmutableProperties: settings a client may not override per request (SET, REST
// streamsProperties); /is_valid_property refuses them.
bool IsImmutableProperty(const std::string& name);

// Whether a client may name `name` in an override: any ksql.* or brook.* key, and the Kafka
// Streams, consumer and producer settings (bare, or behind consumer./producer./admin./
// main.consumer./restore.consumer./global.consumer.), as ksqlDB's LocalPropertyParser resolves
// them.
bool IsKnownProperty(const std::string& name);

// Checks a client's property overrides — SET, or REST streamsProperties/properties — as ksqlDB
// does: prohibited keys (IsImmutableProperty) are refused together with ksqlDB's message ("One or
// more properties overrides set locally are prohibited by the KSQL server (use UNSET to reset
// their default value): [a, b]"); an unknown key with "Not recognizable as ksql, streams,
// consumer, or producer property: 'x'"; then each value with ValidateConfigValue.
Status ValidatePropertyOverrides(const std::map<std::string, std::string>& overrides);

// SET's check of one key and value: "Cannot override property 'x'" for a prohibited key, then as
// ValidatePropertyOverrides.
Status ValidateSetProperty(const std::string& name, const std::string& value);

// The documented configuration keys with their defaults (docs/configuration.md), for SHOW
// PROPERTIES. Keys without a default (unset unless configured) are not listed.
const std::vector<std::pair<std::string, std::string>>& DocumentedDefaults();

// Keys whose values SHOW PROPERTIES never shows (passwords, secrets, JAAS configurations).
bool IsSensitiveProperty(const std::string& name);

// Checks a configuration value as ksqlDB's ConfigDef would when it is SET or loaded: known keys
// with a numeric, boolean or enumerated type must parse ("Invalid value two for configuration
// ksql.sink.partitions: Not a number of type INT"). Unknown keys pass (ksqlDB forwards them to
// Kafka Streams). Used by SET, the server's property files and -D flags.
Status ValidateConfigValue(const std::string& key, const std::string& value);

// The integer value of `key`, or `fallback` when unset. A value that does not parse or lies
// outside [min, max] is an InvalidArgument naming the key (never an exception).
Result<int64_t> ConfigInt(const Config& config, const std::string& key, int64_t fallback,
                          int64_t min, int64_t max);

// Bounds of the WITH clause's PARTITIONS and REPLICAS (a topic brook creates). Kafka itself
// has no fixed partition limit; 10 000 keeps a typo from asking the cluster for billions, and
// replica counts are Java shorts.
inline constexpr int64_t kMaxTopicPartitions = 10000;
inline constexpr int64_t kMaxTopicReplicas = 32767;

// Kafka's rules for a topic name: 1 to 249 characters from [a-zA-Z0-9._-], not "." or "..".
// kInvalidArgument at `range` otherwise (a long name is shown shortened).
inline constexpr size_t kMaxTopicNameLength = 249;
Status ValidateTopicName(const std::string& topic, SourceRange range);

struct SourceProperties {
  std::optional<std::string> kafka_topic;
  std::optional<std::string> key_format;
  std::optional<std::string> value_format;
  std::optional<int> partitions;
  std::optional<int> replicas;
  std::optional<std::string> timestamp;
  std::optional<std::string> timestamp_format;
  std::optional<bool> wrap_single_value;
  std::optional<std::string> key_delimiter;
  std::optional<std::string> value_delimiter;
  std::optional<std::string> window_type;
  std::optional<int64_t> window_size_ms;
  std::optional<std::string> query_id;  // INSERT INTO ... WITH (QUERY_ID=...)
};

// Parses and validates. `for_query` disallows WINDOW_* (C*AS) as ksqlDB does.
Result<SourceProperties> ParseSourceProperties(const ast::Properties& props, bool for_query);


bool IsKnownFormat(const std::string& upper);

}  // namespace brook
