// The internal topic between a GroupByOperator and its AggregateOperator, when GROUP BY is not
// the input's key ("<service id>query_<query id>-<step id>-GroupBy-repartition", created by the
// engine with the source's partition count).
//
// Records are brook's own (nothing outside a query reads them): key = the group key, value =
// the whole contribution row [op, key..., arguments...], both in common/value_codec.h's form;
// timestamp = the row's time. The producer partitions by key (murmur2, as Kafka's Java
// client), so each group is aggregated by exactly one task.
#pragma once

#include <string>
#include <string_view>

#include "runtime/kafka/kafka.h"
#include "runtime/operators/operator.h"

namespace brook {

std::string RepartitionTopicName(std::string_view service_id, std::string_view query_id,
                                 std::string_view step_id);

// Sends `rows` (contribution rows with `key_count` key values after the op) to `topic`; returns
// how many were sent. A producer refusing a record is logged per row. Clears `rows`.
size_t WriteRepartition(RowBatch& rows, size_t key_count, const std::string& topic,
                        kafka::Producer& producer, const OperatorContext& ctx);

// Decodes one record of the internal topic into `row` (values and record metadata). False if
// the record is not a contribution row (then the caller logs and skips it).
[[nodiscard]] bool DecodeRepartition(const kafka::RecordView& record, Row& row);

}  // namespace brook
