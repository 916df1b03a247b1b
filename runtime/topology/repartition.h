// The internal topic between a GroupByOperator and its AggregateOperator, when GROUP BY is not
// the input's key ("_confluent-ksql-<service id>query_<query id>-<step id>-GroupBy-repartition",
// created by the engine with the source's partition count).
//
// Records are brook's own (nothing outside a query reads them): key = the group key, value =
// the whole contribution row [op, key..., arguments...], both in common/value_codec.h's form;
// timestamp = the row's time. The producer partitions by key (murmur2, as Kafka's Java
// client), so each group is aggregated by exactly one task.
#pragma once

#include <compare>
#include <optional>
#include <string>
#include <string_view>

#include "planner/physical/repartition_step.h"
#include "runtime/expr/evaluator.h"
#include "runtime/kafka/kafka.h"
#include "runtime/operators/operator.h"
#include "runtime/serde/serde.h"

namespace brook {

std::string RepartitionTopicName(std::string_view service_id, std::string_view query_id,
                                 std::string_view step_id);
// The internal topic a repartition_v1 step writes ("...-<step id>-repartition"; a foreign-key
// join's subscriptions: "...-<step id>-subscription-registration-topic").
std::string JoinRepartitionTopicName(std::string_view service_id, std::string_view query_id,
                                     std::string_view step_id, bool foreign_key = false);

// Where a contribution row came from, so that the aggregating task counts it once although
// the writing task may send it again after a crash (it resumes from the group's committed
// offsets, at-least-once): header kRepartitionOriginHeader = "<partition> <offset> <index>",
// the input record's partition and offset and the row's index among that record's rows. Written
// only by a task with a single input (whose records it processes in offset order), so a
// partition's origins only grow; the reader skips a row whose origin is not above the last one
// it took from that partition (Task::Decode), and keeps those positions with its state.
inline constexpr std::string_view kRepartitionOriginHeader = "__brook.origin";
struct RepartitionOrigin {
  int32_t partition = 0;
  int64_t offset = -1;
  int64_t index = 0;
  auto operator<=>(const RepartitionOrigin&) const = default;
};
// Progress of one writer of a GROUP BY repartition topic (a task reading one source partition),
// for readers in other stream threads or servers: a record with no key and no value, header
// kRepartitionProgressHeader = "<writer partition> <time> <idle> <writers>", sent to every
// partition of the topic after the writer's data. <time>: the largest record time the writer
// has processed (-1: none yet), so it writes nothing earlier from then on unless its input is
// out of order; <idle> 1: it has nothing buffered and has read its partition to the end, so
// it holds no one back until it writes again; <writers>: how many writers the topic has (the
// source's partitions). A reader's stream time goes no further than the slowest writer of
// another thread (Task::UpstreamWatermark).
inline constexpr std::string_view kRepartitionProgressHeader = "__brook.progress";
struct RepartitionProgress {
  int32_t writer = 0;
  int64_t time = -1;
  bool idle = false;
  int32_t writers = 0;
};
kafka::OutRecord EncodeRepartitionProgress(const std::string& topic, int32_t partition,
                                           const RepartitionProgress& progress);
// The record's progress header, if it is a progress record; nullopt otherwise (a malformed one
// too: values out of range, more than kMaxRepartitionWriters writers).
inline constexpr int32_t kMaxRepartitionWriters = 100000;
inline constexpr int64_t kMaxRepartitionProgressTime = int64_t{1} << 60;  // far past any date
std::optional<RepartitionProgress> DecodeRepartitionProgress(const kafka::RecordView& record);

// The writer's running position: the index continues across calls for rows of one record.
struct RepartitionSequence {
  int64_t offset = -1;
  int64_t next_index = 0;
};

// Sends `rows` (contribution rows with `key_count` key values after the op) to `topic`; returns
// how many were sent. A producer refusing a record is logged per row. Clears `rows`. With
// `origins`, every record carries its origin header.
size_t WriteRepartition(RowBatch& rows, size_t key_count, const std::string& topic,
                        kafka::Producer& producer, const OperatorContext& ctx,
                        RepartitionSequence* origins = nullptr);

// Decodes one record of the internal topic into `row` (values and record metadata). False if
// the record is not a contribution row (then the caller logs and skips it).
[[nodiscard]] bool DecodeRepartition(const kafka::RecordView& record, Row& row);
// The record's origin header; nullopt when it has none or a malformed one.
std::optional<RepartitionOrigin> DecodeRepartitionOrigin(const kafka::RecordView& record);

// The writer of a repartition_v1 step's internal topic (a join side not partitioned by its join
// key). Record key: the join key, written in the step's key format, so the producer's murmur2
// partitioner puts it in the partition of the other side's records with that key. Value: the
// whole row in common/value_codec.h's form, then the row's Row::fk_change (INT) and whether it
// is a tombstone (BOOLEAN); timestamp: the row's time. A row whose key is NULL
// cannot meet anything and is dropped (logged to the processing log), as in ksqlDB.
class JoinRepartitionWriter {
 public:
  static Result<std::unique_ptr<JoinRepartitionWriter>> Create(const RepartitionStep& step,
                                                               std::string topic);
  // Sends every row of `rows` and clears it; returns how many were sent.
  size_t Write(RowBatch& rows, kafka::Producer& producer, const OperatorContext& ctx);

 private:
  JoinRepartitionWriter(const RepartitionStep& step, std::string topic)
      : step_(step), topic_(std::move(topic)) {}
  RepartitionStep step_;
  std::string topic_;
  std::unique_ptr<Serde> key_serde_;
  EvalContext eval_;
};

// Decodes one record of a repartition_v1 topic into `row`. False if the value is not a row.
[[nodiscard]] bool DecodeJoinRepartition(const kafka::RecordView& record, Row& row);

}  // namespace brook
