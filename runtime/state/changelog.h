// Changelog topic naming, following ksqlDB / Kafka Streams:
//   _confluent-ksql-<service_id>query_<query_id>-<store>-changelog
// e.g. ChangelogTopicName("default_", "CTAS_X_0", "Aggregate-Aggregate-Materialize")
//   == "_confluent-ksql-default_query_CTAS_X_0-Aggregate-Aggregate-Materialize-changelog".
// Pure function; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace brook::state {

// ksqlDB's default ksql.service.id.
inline constexpr std::string_view kDefaultServiceId = "default_";

std::string ChangelogTopicName(std::string_view service_id, std::string_view query_id,
                               std::string_view store_name);

}  // namespace brook::state
