#include "runtime/kafka/record_tap.h"

#include <algorithm>
#include <chrono>

namespace brook::kafka {

struct RecordTap::Queue {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<OutRecord> records;
  size_t capacity = 0;
  uint64_t dropped = 0;
  int partitions = 1;
};

class RecordTap::Subscription final : public Consumer {
 public:
  Subscription(std::shared_ptr<RecordTap> tap, std::string topic, std::shared_ptr<Queue> queue,
               RebalanceListener* listener)
      : tap_(std::move(tap)),
        topic_(std::move(topic)),
        queue_(std::move(queue)),
        listener_(listener),
        next_offset_(static_cast<size_t>(queue_->partitions), 0) {}

  ~Subscription() override { tap_->Unsubscribe(topic_, queue_.get()); }

  Status Poll(size_t max_records, Millis timeout, std::vector<RecordView>& out) override {
    out.clear();
    batch_.clear();
    if (!assigned_) {
      assigned_ = true;
      if (listener_ != nullptr) {
        std::vector<TopicPartition> all;
        for (int32_t p = 0; p < queue_->partitions; ++p) all.push_back({topic_, p});
        listener_->OnPartitionsAssigned(all);
      }
    }
    if (max_records == 0) return Status::Ok();
    {
      std::unique_lock<std::mutex> lock(queue_->mu);
      queue_->cv.wait_for(lock, timeout, [&] { return !queue_->records.empty(); });
      while (!queue_->records.empty() && batch_.size() < max_records) {
        batch_.push_back(std::move(queue_->records.front()));
        queue_->records.pop_front();
      }
    }
    out.reserve(batch_.size());
    for (OutRecord& r : batch_) {
      int32_t p = r.partition;
      if (p < 0 || p >= queue_->partitions) {
        p = r.key ? DefaultPartition(*r.key, queue_->partitions) : 0;
      }
      RecordView v;
      v.topic = topic_;
      v.partition = p;
      v.offset = next_offset_[static_cast<size_t>(p)]++;
      v.timestamp = r.timestamp;
      if (r.key) v.key = std::string_view(*r.key);
      if (r.value) v.value = std::string_view(*r.value);
      v.headers = r.headers.empty() ? nullptr : &r.headers;
      out.push_back(v);
    }
    return Status::Ok();
  }

  Status Commit(const std::vector<TopicPartitionOffset>&) override { return Status::Ok(); }

 private:
  std::shared_ptr<RecordTap> tap_;
  std::string topic_;
  std::shared_ptr<Queue> queue_;
  RebalanceListener* listener_;
  std::vector<int64_t> next_offset_;
  std::vector<OutRecord> batch_;  // the records the views of the last Poll point into
  bool assigned_ = false;
};

std::unique_ptr<Consumer> RecordTap::Subscribe(const std::string& topic, int partitions,
                                               RebalanceListener* listener, size_t capacity) {
  auto queue = std::make_shared<Queue>();
  queue->capacity = std::max<size_t>(1, capacity);
  queue->partitions = std::max(1, partitions);
  {
    std::lock_guard<std::mutex> lock(mu_);
    by_topic_[topic].push_back(queue);
  }
  subscribers_.fetch_add(1, std::memory_order_relaxed);
  return std::make_unique<Subscription>(shared_from_this(), topic, std::move(queue), listener);
}

void RecordTap::Unsubscribe(const std::string& topic, Queue* queue) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_topic_.find(topic);
  if (it == by_topic_.end()) return;
  auto& list = it->second;
  list.erase(std::remove_if(list.begin(), list.end(),
                            [&](const std::shared_ptr<Queue>& q) { return q.get() == queue; }),
             list.end());
  if (list.empty()) by_topic_.erase(it);
  subscribers_.fetch_sub(1, std::memory_order_relaxed);
}

void RecordTap::Publish(const OutRecord& record) {
  if (!has_subscribers()) return;
  std::vector<std::shared_ptr<Queue>> queues;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = by_topic_.find(record.topic);
    if (it == by_topic_.end()) return;
    queues = it->second;
  }
  for (const std::shared_ptr<Queue>& q : queues) {
    {
      std::lock_guard<std::mutex> lock(q->mu);
      if (q->records.size() >= q->capacity) {
        ++q->dropped;  // best effort: a subscriber too far behind loses records, nobody waits
        continue;
      }
      q->records.push_back(record);
    }
    q->cv.notify_one();
  }
}

namespace {

class TappingProducer final : public Producer {
 public:
  TappingProducer(std::unique_ptr<Producer> inner, std::shared_ptr<RecordTap> tap)
      : inner_(std::move(inner)), tap_(std::move(tap)) {}
  Status Send(OutRecord record) override {
    if (tap_->has_subscribers()) tap_->Publish(record);
    return inner_->Send(std::move(record));
  }
  Status Flush(Millis timeout) override { return inner_->Flush(timeout); }

 private:
  std::unique_ptr<Producer> inner_;
  std::shared_ptr<RecordTap> tap_;
};

}  // namespace

Result<std::unique_ptr<Producer>> TapFactory::NewProducer() {
  ASSIGN_OR_RETURN(std::unique_ptr<Producer> inner, inner_.NewProducer());
  return std::unique_ptr<Producer>(new TappingProducer(std::move(inner), tap_));
}

Result<std::unique_ptr<Consumer>> SubscriptionFactory::NewConsumer(const ConsumerConfig& config) {
  if (config.topics.empty()) return InvalidArgument("a subscription needs a topic");
  return tap_->Subscribe(config.topics[0], partitions_, config.listener);
}

}  // namespace brook::kafka
