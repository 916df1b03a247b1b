// RecordTap: producers made by TapFactory hand what they send to the subscribers of the topic
// (scalable push queries), from the moment of subscribing, bounded, never blocking a producer.
#include "runtime/kafka/record_tap.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "runtime/kafka/in_memory_broker.h"

namespace brook::kafka {
namespace {

struct Listener : RebalanceListener {
  void OnPartitionsRevoked(const std::vector<TopicPartition>&) override {}
  void OnPartitionsAssigned(const std::vector<TopicPartition>& p) override { assigned = p; }
  void OnPartitionsLost(const std::vector<TopicPartition>&) override {}
  std::vector<TopicPartition> assigned;
};

OutRecord Rec(const std::string& topic, const std::string& key, const std::string& value) {
  OutRecord r;
  r.topic = topic;
  r.key = key;
  r.value = value;
  r.timestamp = 42;
  return r;
}

TEST(RecordTapTest, SubscribersSeeWhatProducersSendFromNowOn) {
  InMemoryBroker broker(0);
  ASSERT_TRUE(broker.CreateTopic({"out", 2, 1, {}}, Millis(0)).ok());
  auto tap = std::make_shared<RecordTap>();
  TapFactory factory(broker, tap);
  auto producer = factory.NewProducer();
  ASSERT_TRUE(producer.ok());
  ASSERT_TRUE((*producer)->Send(Rec("out", "k0", "before")).ok());  // nobody listens yet

  SubscriptionFactory subscriptions(broker, tap, 2);
  Listener listener;
  ConsumerConfig cc;
  cc.group_id = "spq";
  cc.topics = {"out"};
  cc.listener = &listener;
  auto consumer = subscriptions.NewConsumer(cc);
  ASSERT_TRUE(consumer.ok());
  EXPECT_TRUE(tap->has_subscribers());
  ASSERT_TRUE((*producer)->Send(Rec("out", "k1", "v1")).ok());
  ASSERT_TRUE((*producer)->Send(Rec("other", "k2", "not mine")).ok());
  ASSERT_TRUE((*producer)->Send(Rec("out", "k3", "v3")).ok());

  std::vector<RecordView> views;
  ASSERT_TRUE((*consumer)->Poll(10, Millis(100), views).ok());
  EXPECT_EQ(listener.assigned.size(), 2u);  // every partition, on the first poll
  ASSERT_EQ(views.size(), 2u);
  EXPECT_EQ(*views[0].value, "v1");
  EXPECT_EQ(*views[1].value, "v3");
  EXPECT_EQ(views[0].timestamp, 42);
  // The partition a producer would pick for the key.
  EXPECT_EQ(views[0].partition, DefaultPartition("k1", 2));
  // The records reached Kafka too.
  EXPECT_EQ(broker.ReadAll("out").size(), 3u);

  consumer->reset();
  EXPECT_FALSE(tap->has_subscribers());
}

TEST(RecordTapTest, ASlowSubscriberLosesRecordsInsteadOfBlocking) {
  auto tap = std::make_shared<RecordTap>();
  auto consumer = tap->Subscribe("out", 1, nullptr, /*capacity=*/3);
  for (int i = 0; i < 10; ++i) tap->Publish(Rec("out", "k", std::to_string(i)));
  std::vector<RecordView> views;
  ASSERT_TRUE(consumer->Poll(100, Millis(0), views).ok());
  ASSERT_EQ(views.size(), 3u);
  EXPECT_EQ(*views[0].value, "0");
  EXPECT_EQ(*views[2].value, "2");
  EXPECT_EQ(views[2].offset, 2);
}

}  // namespace
}  // namespace brook::kafka
