// InMemoryBroker: a deterministic Kafka stand-in behind the same interfaces as librdkafka.
//
// Every record gets a global sequence number when produced; a consumer always returns the
// lowest-sequence record available among its assigned partitions, so records are read in the
// order they were produced — like Kafka Streams' TopologyTestDriver piping inputs one by one.
// Produce is synchronous: a record is readable as soon as Send() returns. Consumer groups track
// committed offsets; a new consumer of a group resumes from them.
//
// Consumers of one group share the subscribed partitions (round-robin by member age); a member
// joining or leaving moves partitions at the members' next polls, with the listener's
// callbacks: the old owner revokes (and commits) first, only then does the new owner take the
// partition, so no partition ever has two owners.
// Thread-safe (one mutex). Not a model of Kafka's failure modes: no session timeouts, no
// retention, no compaction, no transactions.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "runtime/kafka/kafka.h"

namespace brook::kafka {

struct StoredRecord {
  uint64_t seq = 0;
  int64_t offset = 0;
  int64_t timestamp = 0;
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<Header> headers;
};

class InMemoryBroker : public KafkaClientFactory, public Admin {
 public:
  // auto_create_partitions > 0: producing to a missing topic creates it with that many
  // partitions (Kafka's auto.create.topics.enable). 0: producing to a missing topic fails.
  explicit InMemoryBroker(int auto_create_partitions = 1);

  // KafkaClientFactory
  Result<std::unique_ptr<Consumer>> NewConsumer(const ConsumerConfig& config) override;
  Result<std::unique_ptr<Producer>> NewProducer() override;
  Admin& admin() override { return *this; }
  std::string Describe() const override { return "in-memory"; }

  // Admin
  Status CreateTopic(const TopicSpec& spec, Millis timeout) override;
  Status DeleteTopic(const std::string& name, Millis timeout) override;
  Result<std::optional<TopicInfo>> DescribeTopic(const std::string& name, Millis timeout) override;
  Result<std::vector<Watermarks>> PartitionWatermarks(const std::string& topic,
                                                      Millis timeout) override;
  Result<std::vector<TopicInfo>> ListTopics(Millis timeout) override;

  // Test helpers.
  Status Produce(OutRecord record);
  // Changes auto_create_partitions (0: producing to a missing topic fails from now on).
  void SetAutoCreatePartitions(int partitions);
  // All records of a topic, partitions concatenated in sequence order.
  std::vector<StoredRecord> ReadAll(const std::string& topic) const;
  uint64_t produced_count() const;

 private:
  friend class InMemoryConsumer;
  struct Topic {
    std::string name;
    int replicas = 1;
    std::vector<std::deque<StoredRecord>> partitions;
  };

  mutable std::mutex mu_;
  int auto_create_partitions_;
  uint64_t next_seq_ = 1;
  std::map<std::string, Topic> topics_;
  // group -> (topic, partition) -> committed offset
  std::map<std::string, std::map<std::pair<std::string, int32_t>, int64_t>> committed_;
  // group -> member ids in join order
  std::map<std::string, std::vector<uint64_t>> group_members_;
  // group -> (topic, partition) -> the member that owns it now
  std::map<std::string, std::map<std::pair<std::string, int32_t>, uint64_t>> owners_;
  uint64_t next_member_id_ = 1;
};

}  // namespace brook::kafka
