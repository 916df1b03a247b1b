// RecordTap: in-process copies of the records brook's persistent queries write, for scalable
// push queries (ksql.query.push.v2.enabled): a push query on a C*AS result subscribes to the
// result's topic here instead of consuming it from Kafka, so it starts at once and costs no
// consumer. Best effort, as in ksqlDB: a subscriber sees the records written while it is
// subscribed (from "latest"), a record is handed over when it is sent (before the broker has
// acknowledged it), and a subscriber that falls `capacity` records behind loses the newest ones
// (counted in dropped()). Nothing is ever blocked by a subscriber.
//
// TapFactory wraps a KafkaClientFactory: its producers publish every record they send to the
// tap; consumers and admin calls go to the wrapped factory. With no subscriber, publishing is
// one atomic load per record.
//
// Thread-safety: Publish and Subscribe from any thread; a Subscription (a Consumer) is
// single-owner like every Consumer.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "runtime/kafka/kafka.h"

namespace brook::kafka {

class RecordTap : public std::enable_shared_from_this<RecordTap> {
 public:
  // The records of one topic, as a Consumer: its first Poll assigns every partition (tells the
  // listener), later Polls return what was published since. Commit does nothing.
  class Subscription;

  // Subscribes to `topic` (with `partitions` partitions, for records sent without one). The tap
  // must be owned by a shared_ptr (the subscription keeps it alive).
  std::unique_ptr<Consumer> Subscribe(const std::string& topic, int partitions,
                                      RebalanceListener* listener, size_t capacity = 10000);
  // Hands a copy of `record` to the subscribers of its topic.
  void Publish(const OutRecord& record);
  bool has_subscribers() const { return subscribers_.load(std::memory_order_relaxed) > 0; }

 private:
  friend class Subscription;
  struct Queue;
  void Unsubscribe(const std::string& topic, Queue* queue);

  std::mutex mu_;
  std::map<std::string, std::vector<std::shared_ptr<Queue>>> by_topic_;
  std::atomic<int> subscribers_{0};
};

// Producers that publish to a tap; everything else from the wrapped factory.
class TapFactory final : public KafkaClientFactory {
 public:
  TapFactory(KafkaClientFactory& inner, std::shared_ptr<RecordTap> tap)
      : inner_(inner), tap_(std::move(tap)) {}
  Result<std::unique_ptr<Consumer>> NewConsumer(const ConsumerConfig& config) override {
    return inner_.NewConsumer(config);
  }
  Result<std::unique_ptr<Producer>> NewProducer() override;
  Admin& admin() override { return inner_.admin(); }
  std::string Describe() const override { return inner_.Describe(); }

 private:
  KafkaClientFactory& inner_;
  std::shared_ptr<RecordTap> tap_;
};

// A factory whose consumers read one tap subscription (a scalable push query's): NewConsumer
// subscribes to the first topic of the config. No producers; admin calls go to `inner`.
class SubscriptionFactory final : public KafkaClientFactory {
 public:
  SubscriptionFactory(KafkaClientFactory& inner, std::shared_ptr<RecordTap> tap, int partitions)
      : inner_(inner), tap_(std::move(tap)), partitions_(partitions) {}
  Result<std::unique_ptr<Consumer>> NewConsumer(const ConsumerConfig& config) override;
  Result<std::unique_ptr<Producer>> NewProducer() override {
    return Unsupported("a scalable push query writes nothing");
  }
  Admin& admin() override { return inner_.admin(); }
  std::string Describe() const override { return "tap of " + inner_.Describe(); }

 private:
  KafkaClientFactory& inner_;
  std::shared_ptr<RecordTap> tap_;
  int partitions_;
};

}  // namespace brook::kafka
