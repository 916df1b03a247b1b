#include "planner/properties.h"

#include <cctype>
#include <charconv>
#include <cstring>
#include <set>
#include <string_view>

#include "common/ascii.h"

namespace brook {

namespace {
// Parses "10 SECONDS" style durations for WINDOW_SIZE.
std::optional<int64_t> ParseDurationText(const std::string& text) {
  size_t i = 0;
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  size_t start = i;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
  if (i == start) return std::nullopt;
  int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data() + start, text.data() + i, n);
  if (ec != std::errc() || n > (int64_t{1} << 40)) return std::nullopt;
  std::string unit = AsciiUpper(text.substr(i));
  unit.erase(0, unit.find_first_not_of(' '));
  while (!unit.empty() && unit.back() == ' ') unit.pop_back();
  if (!unit.empty() && unit.back() == 'S') unit.pop_back();
  if (unit == "MILLISECOND") return n;
  if (unit == "SECOND") return n * 1000;
  if (unit == "MINUTE") return n * 60'000;
  if (unit == "HOUR") return n * 3'600'000;
  if (unit == "DAY") return n * 86'400'000;
  return std::nullopt;
}
}  // namespace

bool IsImmutableProperty(const std::string& name) {
  static const char* kImmutable[] = {"ksql.service.id",
                                     "ksql.extension.dir",
                                     "ksql.persistent.prefix",
                                     "ksql.transient.prefix",
                                     "ksql.udfs.enabled",
                                     "ksql.udf.enable.security.manager",
                                     "ksql.schema.registry.url",
                                     "ksql.connect.url",
                                     "ksql.internal.topic.replicas",
                                     "ksql.sink.window.change.log.additional.retention",
                                     "ksql.streams.state.dir",
                                     "ksql.query.pull.enable.standby.reads",
                                     "ksql.max.push.queries",
                                     "bootstrap.servers",
                                     "ksql.streams.bootstrap.servers"};
  for (const char* p : kImmutable) {
    if (name == p) return true;
  }
  return false;
}

bool IsKnownProperty(const std::string& name) {
  if (name.rfind("ksql.", 0) == 0 || name.rfind("brook.", 0) == 0) return true;
  // Kafka Streams', consumers' and producers' configuration names (Kafka 3.x ConfigDefs).
  static const std::set<std::string> kKafka = {
      // Kafka Streams
      "application.id", "application.server", "acceptable.recovery.lag",
      "buffered.records.per.partition", "built.in.metrics.version", "cache.max.bytes.buffering",
      "statestore.cache.max.bytes", "commit.interval.ms",
      "default.deserialization.exception.handler", "default.key.serde", "default.value.serde",
      "default.production.exception.handler", "default.timestamp.extractor", "default.dsl.store",
      "max.task.idle.ms", "max.warmup.replicas", "num.standby.replicas", "num.stream.threads",
      "poll.ms", "probing.rebalance.interval.ms", "processing.guarantee",
      "rack.aware.assignment.tags", "replication.factor", "rocksdb.config.setter",
      "state.cleanup.delay.ms", "state.dir", "task.timeout.ms", "topology.optimization",
      "upgrade.from", "window.size.ms", "windowed.inner.class.serde",
      "windowstore.changelog.additional.retention.ms", "repartition.purge.interval.ms",
      "auto.include.jmx.reporter", "enable.metrics.push",
      // shared by clients
      "bootstrap.servers", "client.id", "client.dns.lookup", "client.rack",
      "connections.max.idle.ms", "metadata.max.age.ms", "metric.reporters", "metrics.num.samples",
      "metrics.recording.level", "metrics.sample.window.ms", "receive.buffer.bytes",
      "send.buffer.bytes", "reconnect.backoff.ms", "reconnect.backoff.max.ms", "request.timeout.ms",
      "retry.backoff.ms", "retry.backoff.max.ms", "security.protocol",
      "socket.connection.setup.timeout.ms", "socket.connection.setup.timeout.max.ms",
      "interceptor.classes", "security.providers",
      // consumer
      "auto.commit.interval.ms", "auto.offset.reset", "check.crcs", "default.api.timeout.ms",
      "enable.auto.commit", "exclude.internal.topics", "fetch.max.bytes", "fetch.max.wait.ms",
      "fetch.min.bytes", "group.id", "group.instance.id", "heartbeat.interval.ms",
      "isolation.level", "key.deserializer", "value.deserializer", "max.partition.fetch.bytes",
      "max.poll.interval.ms", "max.poll.records", "partition.assignment.strategy",
      "session.timeout.ms", "allow.auto.create.topics", "group.protocol", "group.remote.assignor",
      // producer
      "acks", "batch.size", "buffer.memory", "compression.type", "delivery.timeout.ms",
      "enable.idempotence", "key.serializer", "value.serializer", "linger.ms", "max.block.ms",
      "max.in.flight.requests.per.connection", "max.request.size", "metadata.max.idle.ms",
      "partitioner.class", "partitioner.ignore.keys", "partitioner.adaptive.partitioning.enable",
      "partitioner.availability.timeout.ms", "retries", "transaction.timeout.ms",
      "transactional.id"};
  std::string base = name;
  for (const char* prefix : {"main.consumer.", "restore.consumer.", "global.consumer.", "consumer.",
                             "producer.", "admin.", "topic."}) {
    if (base.rfind(prefix, 0) == 0) {
      base = base.substr(std::strlen(prefix));
      break;
    }
  }
  if (base.rfind("sasl.", 0) == 0 || base.rfind("ssl.", 0) == 0) return true;
  return kKafka.count(base) > 0;
}

Status ValidatePropertyOverrides(const std::map<std::string, std::string>& overrides) {
  std::string prohibited;
  for (const auto& [name, value] : overrides) {
    if (IsImmutableProperty(name)) prohibited += (prohibited.empty() ? "" : ", ") + name;
  }
  if (!prohibited.empty()) {
    return InvalidArgument(
        "One or more properties overrides set locally are prohibited by the KSQL server (use "
        "UNSET to reset their default value): [" +
        prohibited + "]");
  }
  for (const auto& [name, value] : overrides) {
    if (!IsKnownProperty(name)) {
      return InvalidArgument(
          "Not recognizable as ksql, streams, consumer, or producer property: '" + name + "'");
    }
    RETURN_IF_ERROR(ValidateConfigValue(name, value));
  }
  return Status::Ok();
}

Status ValidateSetProperty(const std::string& name, const std::string& value) {
  if (IsImmutableProperty(name)) return InvalidArgument("Cannot override property '" + name + "'");
  return ValidatePropertyOverrides({{name, value}});
}

const std::vector<std::pair<std::string, std::string>>& DocumentedDefaults() {
  // docs/configuration.md and docs/rest-api.md, in that order; unset-by-default keys are left out.
  static const std::vector<std::pair<std::string, std::string>> kDefaults = {
      {"ksql.service.id", "default_"},
      {kDefaultKeyFormat, "KAFKA"},
      {kWrapSingleValues, "true"},
      {kOutputTopicPrefix, ""},
      {kNewQueryPlanner, "false"},
      {"ksql.variable.substitution.enable", "true"},
      {"ksql.streams.auto.offset.reset", "earliest"},
      {"ksql.streams.num.stream.threads", "1"},
      {"ksql.streams.cache.max.bytes.buffering", "10000000"},
      {"ksql.streams.commit.interval.ms", "2000"},
      {"ksql.streams.max.task.idle.ms", "1000"},
      {"ksql.query.pull.table.scan.enabled", "true"},
      {"ksql.query.pull.range.scan.enabled", "true"},
      {"ksql.query.pull.limit.clause.enabled", "true"},
      {"ksql.query.pull.stream.enabled", "true"},
      {"ksql.functions.collect_list.limit", "1000"},
      {"ksql.functions.collect_set.limit", "1000"},
      {"ksql.max.push.queries", "100"},
      {"ksql.server.command.response.timeout.ms", "5000"},
      {"ksql.logging.processing.topic.auto.create", "false"},
      {"ksql.logging.processing.stream.auto.create", "false"},
      {"brook.query.pull.max.rows", "1000000"},
      {"brook.optimizer.filter_placement.enabled", "true"},
      {"brook.optimizer.column_pruning.enabled", "true"},
  };
  return kDefaults;
}

bool IsSensitiveProperty(const std::string& name) {
  std::string lower;
  for (char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const char* word : {"password", "secret", "jaas", "credentials", "token"}) {
    if (lower.find(word) != std::string::npos) return true;
  }
  return false;
}

std::string ConfigOr(const Config& config, const std::string& key, const std::string& fallback) {
  auto it = config.find(key);
  return it == config.end() ? fallback : it->second;
}

namespace {

enum class ConfigType { kInt, kLong, kBoolean, kEnum };
struct ConfigDef {
  const char* key;
  ConfigType type;
  const char* allowed;  // kEnum: comma-separated lower-case values
  int64_t min = INT64_MIN;  // kInt / kLong: the allowed range
  int64_t max = INT64_MAX;
};
// The ksql.* and Streams keys brook reads whose values are typed.
constexpr ConfigDef kTypedConfigs[] = {
    {kSinkPartitions, ConfigType::kInt, nullptr, 1, 100000},
    {"ksql.sink.replicas", ConfigType::kInt, nullptr, 1, 32767},
    {"ksql.logging.processing.topic.partitions", ConfigType::kInt, nullptr, 1, 100000},
    {"ksql.logging.processing.topic.replication.factor", ConfigType::kInt, nullptr, 1, 32767},
    {"ksql.max.push.queries", ConfigType::kInt, nullptr, 1, INT32_MAX},
    {"ksql.streams.num.stream.threads", ConfigType::kInt, nullptr, 1, 64},
    {"num.stream.threads", ConfigType::kInt, nullptr, 1, 64},
    {"ksql.streams.cache.max.bytes.buffering", ConfigType::kLong, nullptr, 0, INT64_MAX},
    {"cache.max.bytes.buffering", ConfigType::kLong, nullptr, 0, INT64_MAX},
    {"ksql.streams.commit.interval.ms", ConfigType::kLong, nullptr, 0, 86400000},
    {"commit.interval.ms", ConfigType::kLong, nullptr, 0, 86400000},
    {"ksql.streams.max.task.idle.ms", ConfigType::kLong, nullptr, 0, 3600000},
    {"ksql.streams.state.cleanup.delay.ms", ConfigType::kLong, nullptr, 0, INT64_MAX / 1000000},
    {"ksql.query.retry.backoff.initial.ms", ConfigType::kLong, nullptr, 0, 86400000},
    {"ksql.query.retry.backoff.max.ms", ConfigType::kLong, nullptr, 0, 86400000},
    {kWrapSingleValues, ConfigType::kBoolean, nullptr},
    {kNewQueryPlanner, ConfigType::kBoolean, nullptr},
    {"brook.streams.order.across.partitions", ConfigType::kBoolean, nullptr},
    {"brook.streams.max.buffered.rows", ConfigType::kLong, nullptr, 0, 1 << 30},
    {"ksql.variable.substitution.enable", ConfigType::kBoolean, nullptr},
    {"ksql.logging.processing.topic.auto.create", ConfigType::kBoolean, nullptr},
    {"ksql.logging.processing.stream.auto.create", ConfigType::kBoolean, nullptr},
    {"auto.offset.reset", ConfigType::kEnum, "latest,earliest,none"},
    {"ksql.streams.auto.offset.reset", ConfigType::kEnum, "latest,earliest,none"},
};

std::optional<int64_t> ParseInteger(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return n;
}

}  // namespace

Status ValidateConfigValue(const std::string& key, const std::string& value) {
  for (const ConfigDef& def : kTypedConfigs) {
    if (key != def.key) continue;
    auto invalid = [&](const std::string& why) {
      return InvalidArgument("Invalid value " + value + " for configuration " + key + ": " + why);
    };
    switch (def.type) {
      case ConfigType::kInt:
      case ConfigType::kLong: {
        auto n = ParseInteger(value);
        bool is_int = def.type == ConfigType::kInt;
        if (!n || (is_int && (*n < INT32_MIN || *n > INT32_MAX))) {
          return invalid(is_int ? "Not a number of type INT" : "Not a number of type LONG");
        }
        // Kafka's ConfigDef.Range wording.
        if (*n < def.min) return invalid("Value must be at least " + std::to_string(def.min));
        if (*n > def.max) return invalid("Value must be no more than " + std::to_string(def.max));
        break;
      }
      case ConfigType::kBoolean: {
        std::string v = AsciiUpper(value);
        if (v != "TRUE" && v != "FALSE") return invalid("Expected value to be either true or false");
        break;
      }
      case ConfigType::kEnum: {
        std::string allowed = def.allowed;
        std::string v = value;
        AsciiLowerInPlace(v);
        bool ok = false;
        size_t start = 0;
        while (start <= allowed.size()) {
          size_t comma = allowed.find(',', start);
          if (comma == std::string::npos) comma = allowed.size();
          ok = ok || allowed.compare(start, comma - start, v) == 0;
          start = comma + 1;
        }
        if (!ok) {
          std::string listed = allowed;
          for (size_t at = 0; (at = listed.find(',', at)) != std::string::npos; at += 2) {
            listed.replace(at, 1, ", ");
          }
          return invalid("String must be one of: " + listed);
        }
        break;
      }
    }
  }
  return Status::Ok();
}

Result<int64_t> ConfigInt(const Config& config, const std::string& key, int64_t fallback,
                          int64_t min, int64_t max) {
  auto it = config.find(key);
  if (it == config.end()) return fallback;
  auto n = ParseInteger(it->second);
  if (!n) {
    return InvalidArgument("Invalid value " + it->second + " for configuration " + key +
                           ": Not a number of type INT");
  }
  if (*n < min || *n > max) {
    return InvalidArgument("Invalid value " + it->second + " for configuration " + key +
                           ": Value must be between " + std::to_string(min) + " and " +
                           std::to_string(max));
  }
  return *n;
}

Status ValidateTopicName(const std::string& topic, SourceRange range) {
  std::string shown = topic.size() > 64 ? topic.substr(0, 64) + "..." : topic;
  if (topic.empty() || topic == "." || topic == "..") {
    return InvalidArgument("Topic name \"" + shown + "\" is illegal: it cannot be empty, '.' or '..'",
                           range);
  }
  if (topic.size() > kMaxTopicNameLength) {
    return InvalidArgument("Topic name \"" + shown + "\" is illegal: it is " +
                               std::to_string(topic.size()) + " characters long, the limit is " +
                               std::to_string(kMaxTopicNameLength),
                           range);
  }
  for (char c : topic) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) {
      return InvalidArgument("Topic name \"" + shown + "\" is illegal: it contains a character "
                             "other than ASCII alphanumerics, '.', '_' and '-'",
                             range);
    }
  }
  return Status::Ok();
}

bool IsKnownFormat(const std::string& f) {
  return f == "JSON" || f == "KAFKA" || f == "DELIMITED" || f == "NONE" || f == "AVRO" ||
         f == "PROTOBUF" || f == "PROTOBUF_NOSR" || f == "JSON_SR";
}

Result<SourceProperties> ParseSourceProperties(const ast::Properties& props, bool for_query) {
  SourceProperties out;
  std::optional<std::string> format;
  for (const auto& [name, v] : props.entries) {
    auto str = [&]() -> Result<std::string> {
      if (v.value.kind() == Value::Kind::kString) return v.value.as_string();
      return v.raw;
    };
    auto integer = [&]() -> Result<int64_t> {
      if (v.value.kind() == Value::Kind::kInt || v.value.kind() == Value::Kind::kBigint) {
        return v.value.as_int64();
      }
      if (v.value.kind() == Value::Kind::kString) {
        try {
          return static_cast<int64_t>(std::stoll(v.value.as_string()));
        } catch (...) {
        }
      }
      return InvalidArgument("Invalid value for property " + name + ": " + v.raw, v.range);
    };
    if (name == "KAFKA_TOPIC") {
      ASSIGN_OR_RETURN(out.kafka_topic, str());
    } else if (name == "KEY_FORMAT") {
      ASSIGN_OR_RETURN(std::string s, str());
      out.key_format = AsciiUpper(s);
    } else if (name == "VALUE_FORMAT") {
      ASSIGN_OR_RETURN(std::string s, str());
      out.value_format = AsciiUpper(s);
    } else if (name == "FORMAT") {
      ASSIGN_OR_RETURN(std::string s, str());
      format = AsciiUpper(s);
    } else if (name == "PARTITIONS") {
      ASSIGN_OR_RETURN(int64_t n, integer());
      if (n < 1 || n > kMaxTopicPartitions) {
        return InvalidArgument("Invalid number of partitions: " + v.raw +
                                   ". PARTITIONS must be between 1 and " +
                                   std::to_string(kMaxTopicPartitions) + ".",
                               v.range);
      }
      out.partitions = static_cast<int>(n);
    } else if (name == "REPLICAS") {
      ASSIGN_OR_RETURN(int64_t n, integer());
      if (n < 1 || n > kMaxTopicReplicas) {
        return InvalidArgument("Invalid number of replicas: " + v.raw +
                                   ". REPLICAS must be between 1 and " +
                                   std::to_string(kMaxTopicReplicas) + ".",
                               v.range);
      }
      out.replicas = static_cast<int>(n);
    } else if (name == "TIMESTAMP") {
      ASSIGN_OR_RETURN(std::string s, str());
      out.timestamp = AsciiUpper(s);
      if (s.size() > 1 && (s.front() == '`' || s.front() == '"')) out.timestamp = s.substr(1, s.size() - 2);
    } else if (name == "TIMESTAMP_FORMAT") {
      ASSIGN_OR_RETURN(out.timestamp_format, str());
    } else if (name == "WRAP_SINGLE_VALUE") {
      if (v.value.kind() == Value::Kind::kBool) {
        out.wrap_single_value = v.value.as_bool();
      } else {
        ASSIGN_OR_RETURN(std::string s, str());
        out.wrap_single_value = AsciiUpper(s) == "TRUE";
      }
    } else if (name == "KEY_DELIMITER" || name == "VALUE_DELIMITER") {
      ASSIGN_OR_RETURN(std::string s, str());
      std::string d = s;
      if (AsciiUpper(s) == "SPACE") d = " ";
      else if (AsciiUpper(s) == "TAB") d = "\t";
      else if (s.empty() || s == " " || s == "\t") {
        return InvalidArgument(
            "Failed to prepare statement: Configuration " + name +
                " is invalid: Delimiter cannot be empty, if you meant to have a tab or space for "
                "delimiter, please use the special values 'TAB' or 'SPACE'\nExample valid value: "
                "';'",
            v.range);
      } else if (s.size() != 1) {
        return InvalidArgument("Failed to prepare statement: Configuration " + name +
                                   " is invalid: Invalid delimiter value: '" + s +
                                   "'. Delimiter must be a single character or TAB,SPACE\n"
                                   "Example valid value: ';'",
                               v.range);
      }
      (name == "KEY_DELIMITER" ? out.key_delimiter : out.value_delimiter) = d;
    } else if (name == "WINDOW_TYPE") {
      if (for_query) return InvalidArgument("Invalid config variable(s) in the WITH clause: WINDOW_TYPE", v.range);
      ASSIGN_OR_RETURN(std::string s, str());
      out.window_type = AsciiUpper(s);
      if (*out.window_type != "TUMBLING" && *out.window_type != "HOPPING" &&
          *out.window_type != "SESSION") {
        return InvalidArgument("Invalid value for WINDOW_TYPE: " + s, v.range);
      }
    } else if (name == "WINDOW_SIZE") {
      if (for_query) return InvalidArgument("Invalid config variable(s) in the WITH clause: WINDOW_SIZE", v.range);
      ASSIGN_OR_RETURN(std::string s, str());
      out.window_size_ms = ParseDurationText(s);
      if (!out.window_size_ms) return InvalidArgument("Invalid duration for WINDOW_SIZE: " + s, v.range);
    } else if (name == "QUERY_ID") {
      ASSIGN_OR_RETURN(std::string s, str());
      out.query_id = AsciiUpper(s);
    } else if (name == "RETENTION_MS" || name == "CLEANUP_POLICY" || name == "VALUE_SCHEMA_ID" ||
               name == "KEY_SCHEMA_ID" || name == "VALUE_AVRO_SCHEMA_FULL_NAME" ||
               name == "KEY_SCHEMA_FULL_NAME" || name == "VALUE_SCHEMA_FULL_NAME" ||
               name == "SOURCE_CONNECTOR" || name == "SOURCED_BY_CONNECTOR") {
      // Accepted; not used by the formats brook supports today.
    } else {
      return InvalidArgument("Invalid config variable(s) in the WITH clause: " + name, v.range);
    }
  }
  if (format) {
    if (out.key_format || out.value_format) {
      return InvalidArgument(
          "Cannot supply both 'KEY_FORMAT' and 'FORMAT' properties, as 'FORMAT' sets both key and "
          "value formats. Either use just 'FORMAT', or use 'KEY_FORMAT' and 'VALUE_FORMAT'.",
          props.range);
    }
    out.key_format = format;
    out.value_format = format;
  }
  for (const auto* f : {&out.key_format, &out.value_format}) {
    if (*f && !IsKnownFormat(**f)) return InvalidArgument("Unknown format: " + **f, props.range);
  }
  if (out.window_type == "SESSION" && out.window_size_ms) {
    // A ParseFailedException in ksqlDB (raised while its AstBuilder reads the WITH clause).
    return Status(StatusCode::kParseError, "'WINDOW_SIZE' should not be set for SESSION windows.",
                  props.range);
  }
  if (out.window_type && out.window_type != "SESSION" && !out.window_size_ms) {
    return InvalidArgument("'WINDOW_SIZE' is required for TUMBLING and HOPPING windows.",
                           props.range);
  }
  return out;
}

}  // namespace brook
