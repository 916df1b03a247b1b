// Kafka access for the runtime: three small interfaces (Admin, Producer, Consumer) created by a
// KafkaClientFactory. Implementations:
//   - LibrdkafkaClientFactory (librdkafka_client.h): a real cluster, or the embedded broker
//     (librdkafka's mock cluster, see embedded_broker.h).
//   - InMemoryBroker (in_memory_broker.h): deterministic, synchronous, for tests and brook-test.
//
// No call blocks without a bound: every potentially waiting call takes a timeout.
// Thread-safety: a Consumer or Producer is used by one thread at a time; Admin and the factory
// are thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace brook::kafka {

using Millis = std::chrono::milliseconds;

struct Header {
  std::string key;
  std::optional<std::string> value;  // null header value allowed
};

// A record as read. Views stay valid until the next Poll() on the consumer that returned it.
struct RecordView {
  std::string_view topic;
  int32_t partition = 0;
  int64_t offset = 0;
  int64_t timestamp = 0;  // ms since epoch (CreateTime or LogAppendTime)
  std::optional<std::string_view> key;
  std::optional<std::string_view> value;  // nullopt = tombstone
  const std::vector<Header>* headers = nullptr;  // may be null when there are none
};

// A record to write. Owned bytes: the producer may copy or move them.
struct OutRecord {
  std::string topic;
  int32_t partition = -1;  // -1: by key, with Kafka's Java default partitioner (murmur2)
  int64_t timestamp = 0;
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<Header> headers;
};

struct TopicSpec {
  std::string name;
  int partitions = 1;   // default partition count for topics brook creates
  int replicas = 1;
  std::map<std::string, std::string> config;  // e.g. cleanup.policy
};

struct TopicInfo {
  std::string name;
  int partitions = 0;
  int replicas = 1;
};

// The offsets of one partition: `low` is the first one held, `high` the next one to be written.
struct Watermarks {
  int64_t low = 0;
  int64_t high = 0;
};

struct TopicPartitionOffset {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;  // the next offset to read (Kafka's committed-offset convention)
};

class Admin {
 public:
  virtual ~Admin() = default;
  // Creates a topic. Returns kAlreadyExists if it exists; kTimeout if the cluster does not answer
  // within `timeout`.
  virtual Status CreateTopic(const TopicSpec& spec, Millis timeout) = 0;
  virtual Status DeleteTopic(const std::string& name, Millis timeout) = 0;
  // nullopt when the topic does not exist.
  virtual Result<std::optional<TopicInfo>> DescribeTopic(const std::string& name, Millis timeout) = 0;
  virtual Result<std::vector<TopicInfo>> ListTopics(Millis timeout) = 0;
  // Whether `topic` holds any record (a high watermark above its low one). Used to skip
  // restoring state from empty changelogs. kUnsupported where the client cannot tell.
  virtual Result<bool> HasRecords(const std::string& topic, Millis timeout) {
    ASSIGN_OR_RETURN(std::vector<Watermarks> marks, PartitionWatermarks(topic, timeout));
    for (const Watermarks& m : marks) {
      if (m.high > m.low) return true;
    }
    return false;
  }
  // The watermarks of every partition of `topic`, by partition (empty when the topic does not
  // exist). Used to bound a scan of a topic (pull queries on streams) and by HasRecords.
  // kUnsupported where the client cannot tell.
  virtual Result<std::vector<Watermarks>> PartitionWatermarks(const std::string& topic,
                                                              Millis timeout) {
    return Unsupported("PartitionWatermarks");
  }
  // The cluster's id (Kafka's cluster.id), stable for the cluster's life: the default state
  // directory is kept per cluster. kUnsupported where the client cannot tell or the cluster
  // does not outlive the process (the embedded broker).
  virtual Result<std::string> ClusterId(Millis timeout) { return Unsupported("ClusterId"); }
};

class Producer {
 public:
  virtual ~Producer() = default;
  // Enqueues a record; delivery is acknowledged asynchronously.
  virtual Status Send(OutRecord record) = 0;
  // Waits until every record sent so far is acknowledged. Returns the first delivery error since
  // the previous Flush, or kTimeout.
  virtual Status Flush(Millis timeout) = 0;
};

struct TopicPartition {
  std::string topic;
  int32_t partition = 0;
  bool operator==(const TopicPartition&) const = default;
  auto operator<=>(const TopicPartition&) const = default;
};

// Told when the consumer group moves partitions to or away from a consumer. Called on the
// thread that calls Consumer::Poll, from inside Poll, before records of newly assigned
// partitions are returned and after the last records of revoked ones. A listener may call
// Commit on the same consumer from OnPartitionsRevoked (to commit what it processed).
class RebalanceListener {
 public:
  virtual ~RebalanceListener() = default;
  virtual void OnPartitionsRevoked(const std::vector<TopicPartition>& partitions) = 0;
  virtual void OnPartitionsAssigned(const std::vector<TopicPartition>& partitions) = 0;
  // The partitions were taken away without an orderly revocation (the member was considered
  // dead, e.g. after max.poll.interval.ms): committing for them is no longer possible.
  virtual void OnPartitionsLost(const std::vector<TopicPartition>& partitions) = 0;
};

struct ConsumerConfig {
  std::string group_id;
  std::vector<std::string> topics;
  bool from_beginning = true;   // auto.offset.reset=earliest (ksqlDB's default for queries)
  std::map<std::string, std::string> extra;  // passed through to the client
  RebalanceListener* listener = nullptr;     // optional; must outlive the consumer
  // No group membership: the consumer is assigned every partition of `topics` when it is
  // created (from the beginning or the end, as `from_beginning` says) and tells `listener` on
  // its first Poll. Joining a group costs group.initial.rebalance.delay.ms (3 s on Kafka and on
  // the mock), which readers that commit nothing need not wait: transient queries, state
  // restore, the command log. Every topic must exist. Default false.
  bool assign_all = false;
};

class Consumer {
 public:
  virtual ~Consumer() = default;
  // Appends up to `max_records` records to `out` (cleared first). Waits at most `timeout` when
  // nothing is available. Records of one partition come in offset order.
  virtual Status Poll(size_t max_records, Millis timeout, std::vector<RecordView>& out) = 0;
  // Commits offsets synchronously for this consumer's group.
  virtual Status Commit(const std::vector<TopicPartitionOffset>& offsets) = 0;
  // Stops fetching the given assigned partitions until Resume, keeping their positions: no
  // record of them is lost or delivered twice (back-pressure while a task's buffer is full).
  // A new assignment of a partition starts unpaused. Optional (kUnsupported).
  virtual Status Pause(const std::vector<TopicPartition>& partitions) {
    return Unsupported("pause");
  }
  virtual Status Resume(const std::vector<TopicPartition>& partitions) {
    return Unsupported("resume");
  }
  // Current end offsets minus committed/position, for lag metrics. Optional.
  virtual Result<int64_t> Lag() { return Unsupported("lag not supported"); }
  // The same per assigned partition (partitions with nothing consumed yet are left out).
  // Callable from other threads than the one polling. Optional.
  struct PartitionLag {
    std::string topic;
    int32_t partition = 0;
    int64_t lag = 0;
  };
  virtual Result<std::vector<PartitionLag>> LagByPartition() {
    return Unsupported("lag not supported");
  }
  // The lag of one assigned partition; nullopt when nothing of it was consumed yet or it is not
  // assigned. Cheaper than LagByPartition where a client can ask for one partition.
  // Offsets [from, to) of a partition that the consumer jumped over because the broker no longer
  // had them when it fetched (deleted by retention, or trimmed by the embedded broker, which
  // keeps about 5 MiB per partition): those records were never delivered.
  struct SkippedRange {
    std::string topic;
    int32_t partition = 0;
    int64_t from = 0;
    int64_t to = 0;
  };
  // The ranges found by Poll since the last call. Optional (none by default).
  virtual std::vector<SkippedRange> TakeSkippedRanges() { return {}; }
  virtual Result<std::optional<int64_t>> LagOf(const std::string& topic, int32_t partition) {
    ASSIGN_OR_RETURN(std::vector<PartitionLag> parts, LagByPartition());
    for (const PartitionLag& p : parts) {
      if (p.partition == partition && p.topic == topic) return std::optional<int64_t>(p.lag);
    }
    return std::optional<int64_t>();
  }
};

class KafkaClientFactory {
 public:
  virtual ~KafkaClientFactory() = default;
  virtual Result<std::unique_ptr<Consumer>> NewConsumer(const ConsumerConfig& config) = 0;
  virtual Result<std::unique_ptr<Producer>> NewProducer() = 0;
  virtual Admin& admin() = 0;
  // Bootstrap address, or "in-memory".
  virtual std::string Describe() const = 0;
};

// Kafka's Java default partitioner: murmur2(key) & 0x7fffffff % partitions.
int32_t DefaultPartition(std::string_view key, int32_t partitions);
uint32_t Murmur2(std::string_view data);

}  // namespace brook::kafka
