// LibrdkafkaClientFactory: the Consumer, Producer and Admin interfaces of kafka.h over
// librdkafka's C API, for a real Kafka cluster or for librdkafka's mock cluster (in-process as
// EmbeddedBroker, or in another process as brook-devbroker).
//
// Properties. Every client gets, in increasing precedence:
//   1. brook's defaults: client.id=brook; for consumers of an in-process EmbeddedBroker also
//      session.timeout.ms=6000 and heartbeat.interval.ms=1000 (see embedded_broker.h: the mock
//      keeps a group rebalancing for session.timeout.ms - 1 s after a member leaves);
//   2. the factory's `properties` (any librdkafka property, e.g. security.protocol);
//   3. for consumers, ConsumerConfig::extra;
//   4. settings brook relies on, which always win: bootstrap.servers; producers
//      partitioner=murmur2_random (Kafka's Java default, so records land on the partitions Java
//      clients pick; records without a key go to a random partition); consumers group.id,
//      enable.auto.commit=false, enable.auto.offset.store=false, auto.offset.reset from
//      ConsumerConfig::from_beginning (earliest / latest).
// An invalid property makes NewConsumer/NewProducer (or the first Admin call) return
// kInvalidArgument.
//
// Bounds. Every call that may wait is bounded: by its `timeout` argument, or by the
// LibrdkafkaOptions knob named in its comment. librdkafka's own timeouts (message.timeout.ms,
// 300000 by default, bounds how long a record may wait for delivery) still apply inside them.
//
// Thread-safety: as kafka.h. The factory and its Admin are thread-safe; each Consumer and
// Producer must be used by one thread at a time. Clients may outlive the factory, but not an
// EmbeddedBroker they talk to (they would only see connection errors).
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "common/status.h"
#include "runtime/kafka/kafka.h"

// librdkafka types, kept out of this header's includes.
struct rd_kafka_s;
struct rd_kafka_queue_s;
struct rd_kafka_message_s;

namespace brook::kafka {

class EmbeddedBroker;
class LibrdkafkaAdmin;

struct LibrdkafkaOptions {
  // How Admin::CreateTopic creates a topic when the factory has no in-process EmbeddedBroker
  // (with one, topics are always created directly in the mock, see the factory).
  enum class TopicCreation {
    // The CreateTopics admin API, bounded by the call's timeout. For real clusters.
    kAdminApi,
    // Ask the broker for the topic's metadata by name, which makes a broker with automatic topic
    // creation (Kafka's auto.create.topics.enable, and librdkafka's mock cluster, e.g. a remote
    // brook-devbroker) create it with its default partition count. Succeeds only if that count
    // equals TopicSpec::partitions (the mock's is 4); otherwise returns kInvalidArgument and the
    // topic exists with the default count. TopicSpec::replicas and config are ignored.
    // Topics with other counts must be created beforehand (brook-devbroker's command line or
    // its `create` command).
    kBrokerAutoCreate,
  };
  TopicCreation topic_creation = TopicCreation::kAdminApi;  // default: kAdminApi

  // Upper bound on Consumer::Commit waiting for the group coordinator's answer. Default 10 s.
  Millis commit_timeout{10000};
  // Upper bound on a Consumer's destructor leaving its group (rd_kafka_consumer_close_queue);
  // past it the consumer is destroyed without a clean leave and the group rebalances after
  // session.timeout.ms. Default 5 s.
  Millis consumer_close_timeout{5000};
  // Upper bound on Producer::Send waiting for room when librdkafka's local queue
  // (queue.buffering.max.messages / .kbytes) is full; then Send returns kTimeout. Default 5 s.
  Millis queue_full_timeout{5000};
};

class LibrdkafkaClientFactory final : public KafkaClientFactory {
 public:
  // `bootstrap_servers`: "host:port[,host:port...]". `properties`: extra librdkafka properties
  // for every client (see the file comment for precedence). `embedded`: when the cluster is an
  // in-process EmbeddedBroker, pass it (it must outlive the factory) so that Admin::CreateTopic
  // uses rd_kafka_mock_topic_create directly (the mock has no CreateTopics API) and
  // Admin::DeleteTopic fails fast with kUnsupported; `bootstrap_servers` may then be empty and
  // defaults to embedded->bootstrap_servers().
  explicit LibrdkafkaClientFactory(std::string bootstrap_servers,
                                   std::map<std::string, std::string> properties = {},
                                   EmbeddedBroker* embedded = nullptr,
                                   LibrdkafkaOptions options = {});
  ~LibrdkafkaClientFactory() override;

  // A group consumer subscribed to config.topics. Requires a non-empty group_id and at least
  // one topic. Partitions are assigned asynchronously: the first Poll() calls return nothing
  // until the group has formed (about 3 s on the mock cluster).
  Result<std::unique_ptr<Consumer>> NewConsumer(const ConsumerConfig& config) override;
  Result<std::unique_ptr<Producer>> NewProducer() override;
  Admin& admin() override;
  // The bootstrap address, with " (embedded)" appended for an in-process EmbeddedBroker.
  std::string Describe() const override;

  const std::string& bootstrap_servers() const { return bootstrap_; }

 private:
  std::string bootstrap_;
  std::map<std::string, std::string> properties_;
  EmbeddedBroker* embedded_;
  LibrdkafkaOptions options_;
  std::unique_ptr<LibrdkafkaAdmin> admin_;
};

// The Consumer returned by LibrdkafkaClientFactory::NewConsumer.
class LibrdkafkaConsumer final : public Consumer {
 public:
  // Leaves the group (bounded by LibrdkafkaOptions::consumer_close_timeout) and releases the
  // records of the last Poll. If leaving did not finish in time (e.g. the coordinator is
  // unreachable), the librdkafka handle is destroyed on a detached thread, because librdkafka
  // waits up to session.timeout.ms for unanswered group requests.
  ~LibrdkafkaConsumer() override;
  LibrdkafkaConsumer(const LibrdkafkaConsumer&) = delete;
  LibrdkafkaConsumer& operator=(const LibrdkafkaConsumer&) = delete;

  // Returns as soon as at least one record is available (never waits to fill the batch), after
  // `timeout` with none, or at once with max_records == 0. The views point into librdkafka's
  // message buffers (no copy of keys or values); headers, when a record has any, are copied
  // into a per-poll arena. Everything stays valid until the next Poll() or destruction.
  // Partition EOF and transient errors (broker down, unknown topic, rebalance in progress) are
  // skipped and counted in skipped_errors(); fatal errors and authentication/authorization
  // failures are returned as kIOError. Timestamps are -1 when the record carries none.
  Status Poll(size_t max_records, Millis timeout, std::vector<RecordView>& out) override;

  // Synchronous commit of exactly `offsets` (next offset to read) for this consumer's group,
  // bounded by LibrdkafkaOptions::commit_timeout (kTimeout past it; the commit may still land).
  // A per-partition failure returns kIOError naming the partition. Empty `offsets`: no-op.
  Status Commit(const std::vector<TopicPartitionOffset>& offsets) override;
  Status Pause(const std::vector<TopicPartition>& partitions) override;
  Status Resume(const std::vector<TopicPartition>& partitions) override;

  // Sum over assigned partitions of (high watermark - position). No network round trip: uses
  // the high watermarks of the latest fetch responses, so it is cheap enough for metrics and
  // lags the broker by one fetch. Partitions with no position or no fetched watermark yet are
  // not counted.
  Result<int64_t> Lag() override;
  Result<std::vector<PartitionLag>> LagByPartition() override;
  Result<std::optional<int64_t>> LagOf(const std::string& topic, int32_t partition) override;

  // Gaps in a partition's offsets that the broker's log start had passed (checked with a
  // watermark query, at most once a second per partition for one-offset gaps, which transaction
  // markers make): records deleted before this consumer read them. Compaction and transaction
  // markers leave gaps too, but behind the log start; they are not reported.
  std::vector<SkippedRange> TakeSkippedRanges() override { return std::move(skipped_); }

  // Transient errors skipped by Poll() since creation, and the text of the last one.
  uint64_t skipped_errors() const { return skipped_errors_; }
  const std::string& last_skipped_error() const { return last_skipped_error_; }

 private:
  friend class LibrdkafkaClientFactory;
  LibrdkafkaConsumer(rd_kafka_s* rk, const LibrdkafkaOptions& options);
  void ReleaseBatch();

  std::unique_ptr<RebalanceListener*> listener_;  // the callback's opaque; null: no listener
  rd_kafka_s* rk_;           // owned
  rd_kafka_queue_s* queue_;  // the consumer queue; owned reference
  LibrdkafkaOptions options_;
  std::vector<rd_kafka_message_s*> batch_;  // records handed out by the last Poll
  std::vector<rd_kafka_message_s*> scratch_;
  std::deque<std::vector<Header>> headers_;  // deque: stable addresses while appending
  uint64_t skipped_errors_ = 0;
  std::string last_skipped_error_;
  // Looks at a jump from `expected` to `got` in a partition's offsets (see TakeSkippedRanges).
  void CheckGap(const std::string& topic, int32_t partition, int64_t expected, int64_t got);
  // Per partition: the offset after the last record handed out.
  std::map<std::pair<std::string, int32_t>, int64_t> next_offset_;
  std::map<std::pair<std::string, int32_t>, std::chrono::steady_clock::time_point> last_low_query_;
  std::vector<SkippedRange> skipped_;
  // ConsumerConfig::assign_all: the partitions assigned at creation, for the listener's first
  // OnPartitionsAssigned (delivered by the next Poll).
  std::vector<TopicPartition> pending_assigned_;
};

// The Producer returned by LibrdkafkaClientFactory::NewProducer.
class LibrdkafkaProducer final : public Producer {
 public:
  // Records not yet acknowledged are purged (their delivery is not awaited): Flush() first.
  ~LibrdkafkaProducer() override;
  LibrdkafkaProducer(const LibrdkafkaProducer&) = delete;
  LibrdkafkaProducer& operator=(const LibrdkafkaProducer&) = delete;

  // Copies the record into librdkafka's queue. partition -1 picks the partition from the key
  // (Kafka's Java murmur2 partitioner; random when the key is null). timestamp 0 means "now".
  // A null header value stays null. Waits at most LibrdkafkaOptions::queue_full_timeout when
  // the local queue is full (then kTimeout). Also serves pending delivery reports.
  // kInvalidArgument for an empty topic or a partition known to be out of range.
  Status Send(OutRecord record) override;

  // rd_kafka_flush: waits up to `timeout` for every record sent so far. Returns the first
  // delivery error since the previous Flush (kIOError with topic, partition and reason), else
  // kTimeout if records are still in flight, else OK. A fatal producer error is kIOError.
  Status Flush(Millis timeout) override;

  // Delivery reports received since creation: acknowledged records and failed ones.
  uint64_t delivered() const { return delivered_; }
  uint64_t failed() const { return failed_; }

 private:
  friend class LibrdkafkaClientFactory;
  explicit LibrdkafkaProducer(const LibrdkafkaOptions& options);
  static void OnDelivery(rd_kafka_s* rk, const rd_kafka_message_s* msg, void* opaque);

  rd_kafka_s* rk_ = nullptr;  // owned
  // Fetches `topic`'s metadata once, before its first record (see Send).
  void WarmUpTopic(const std::string& topic);
  std::string last_topic_;
  std::unordered_set<std::string> known_topics_;
  LibrdkafkaOptions options_;
  // Written by OnDelivery, which runs inside rd_kafka_poll/flush on the caller's thread.
  uint64_t delivered_ = 0;
  uint64_t failed_ = 0;
  Status first_error_;
};

}  // namespace brook::kafka
