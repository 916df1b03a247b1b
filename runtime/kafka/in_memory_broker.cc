#include "runtime/kafka/in_memory_broker.h"

#include <algorithm>
#include <iterator>
#include <set>

namespace brook::kafka {

namespace {

class InMemoryProducer : public Producer {
 public:
  explicit InMemoryProducer(InMemoryBroker* broker) : broker_(broker) {}
  Status Send(OutRecord record) override {
    Status st = broker_->Produce(std::move(record));
    if (!st.ok() && pending_error_.ok()) pending_error_ = st;
    return Status::Ok();
  }
  Status Flush(Millis) override {
    Status st = std::move(pending_error_);
    pending_error_ = Status::Ok();
    return st;
  }

 private:
  InMemoryBroker* broker_;
  Status pending_error_;
};

}  // namespace

class InMemoryConsumer : public Consumer {
 public:
  InMemoryConsumer(InMemoryBroker* broker, ConsumerConfig config)
      : broker_(broker), config_(std::move(config)) {
    std::lock_guard<std::mutex> lock(broker_->mu_);
    member_id_ = broker_->next_member_id_++;
    broker_->group_members_[config_.group_id].push_back(member_id_);
  }
  ~InMemoryConsumer() override {
    std::lock_guard<std::mutex> lock(broker_->mu_);
    auto& members = broker_->group_members_[config_.group_id];
    members.erase(std::remove(members.begin(), members.end(), member_id_), members.end());
    auto& owners = broker_->owners_[config_.group_id];
    for (auto it = owners.begin(); it != owners.end();) {
      it = it->second == member_id_ ? owners.erase(it) : std::next(it);
    }
  }

  Status Poll(size_t max_records, Millis, std::vector<RecordView>& out) override {
    out.clear();
    Rebalance();
    std::lock_guard<std::mutex> lock(broker_->mu_);
    // One cursor per assigned partition; pick the lowest sequence number each step.
    struct Cursor {
      const std::string* topic;
      int32_t partition;
      const std::deque<StoredRecord>* log;
      int64_t pos;
    };
    std::vector<Cursor> cursors;
    for (const TopicPartition& tp : assigned_) {
      if (paused_.count(tp)) continue;
      auto it = broker_->topics_.find(tp.topic);
      if (it == broker_->topics_.end()) continue;
      const auto& parts = it->second.partitions;
      if (tp.partition >= static_cast<int32_t>(parts.size())) continue;
      cursors.push_back({&it->first, tp.partition, &parts[tp.partition],
                         Position(tp.topic, tp.partition)});
    }
    while (out.size() < max_records) {
      Cursor* best = nullptr;
      const StoredRecord* best_rec = nullptr;
      for (Cursor& c : cursors) {
        if (c.log->empty()) continue;
        int64_t idx = c.pos - c.log->front().offset;
        if (idx < 0 || idx >= static_cast<int64_t>(c.log->size())) continue;
        const StoredRecord& r = (*c.log)[idx];
        if (!best_rec || r.seq < best_rec->seq) {
          best = &c;
          best_rec = &r;
        }
      }
      if (!best) break;
      RecordView v;
      v.topic = *best->topic;
      v.partition = best->partition;
      v.offset = best_rec->offset;
      v.timestamp = best_rec->timestamp;
      if (best_rec->key) v.key = std::string_view(*best_rec->key);
      if (best_rec->value) v.value = std::string_view(*best_rec->value);
      v.headers = best_rec->headers.empty() ? nullptr : &best_rec->headers;
      out.push_back(v);
      best->pos = best_rec->offset + 1;
    }
    for (const Cursor& c : cursors) positions_[{*c.topic, c.partition}] = c.pos;
    return Status::Ok();
  }

  Status Pause(const std::vector<TopicPartition>& partitions) override {
    for (const TopicPartition& tp : partitions) paused_.insert(tp);
    return Status::Ok();
  }
  Status Resume(const std::vector<TopicPartition>& partitions) override {
    for (const TopicPartition& tp : partitions) paused_.erase(tp);
    return Status::Ok();
  }

  Status Commit(const std::vector<TopicPartitionOffset>& offsets) override {
    std::lock_guard<std::mutex> lock(broker_->mu_);
    auto& g = broker_->committed_[config_.group_id];
    for (const auto& o : offsets) g[{o.topic, o.partition}] = o.offset;
    return Status::Ok();
  }

  Result<int64_t> Lag() override {
    ASSIGN_OR_RETURN(std::vector<PartitionLag> parts, LagByPartition());
    int64_t lag = 0;
    for (const PartitionLag& p : parts) lag += p.lag;
    return lag;
  }

  Result<std::vector<PartitionLag>> LagByPartition() override {
    std::lock_guard<std::mutex> lock(broker_->mu_);
    std::vector<PartitionLag> out;
    for (const TopicPartition& tp : assigned_) {
      auto it = broker_->topics_.find(tp.topic);
      if (it == broker_->topics_.end()) continue;
      const auto& log = it->second.partitions[tp.partition];
      int64_t end = log.empty() ? 0 : log.back().offset + 1;
      out.push_back({tp.topic, tp.partition, end - Position(tp.topic, tp.partition)});
    }
    return out;
  }

 private:
  // Caller holds the broker lock.
  int64_t Position(const std::string& topic, int32_t p) {
    auto key = std::make_pair(topic, p);
    auto it = positions_.find(key);
    if (it != positions_.end()) return it->second;
    const auto& log = broker_->topics_[topic].partitions[p];
    int64_t start = log.empty() ? 0 : log.front().offset;
    if (!config_.from_beginning) start = log.empty() ? 0 : log.back().offset + 1;
    auto g = broker_->committed_.find(config_.group_id);
    if (g != broker_->committed_.end()) {
      auto c = g->second.find(key);
      if (c != g->second.end()) start = c->second;
    }
    positions_[key] = start;
    return start;
  }

  // The group's members share the subscribed partitions round-robin, in (topic, partition)
  // order by member age. A change (a member joined or left, a topic or partition appeared) is
  // applied at the next Poll and told to the listener outside the broker lock, so the listener
  // may commit.
  void Rebalance() {
    std::vector<TopicPartition> desired;
    {
      std::lock_guard<std::mutex> lock(broker_->mu_);
      const auto& members = broker_->group_members_[config_.group_id];
      size_t rank = std::find(members.begin(), members.end(), member_id_) - members.begin();
      std::vector<TopicPartition> all;
      for (const std::string& t : config_.topics) {
        auto it = broker_->topics_.find(t);
        if (it == broker_->topics_.end()) continue;
        for (int32_t p = 0; p < static_cast<int32_t>(it->second.partitions.size()); ++p) {
          all.push_back({t, p});
        }
      }
      std::sort(all.begin(), all.end());
      // A partition another member still owns stays with it until that member lets it go
      // (its next poll revokes it, committing first): no partition has two owners at once.
      const auto& owners = broker_->owners_[config_.group_id];
      for (size_t i = 0; i < all.size(); ++i) {
        if (members.empty() || i % members.size() != rank) continue;
        auto owner = owners.find({all[i].topic, all[i].partition});
        if (owner != owners.end() && owner->second != member_id_) continue;
        desired.push_back(all[i]);
      }
    }
    if (desired == assigned_) return;
    std::vector<TopicPartition> revoked, added;
    std::set_difference(assigned_.begin(), assigned_.end(), desired.begin(), desired.end(),
                        std::back_inserter(revoked));
    std::set_difference(desired.begin(), desired.end(), assigned_.begin(), assigned_.end(),
                        std::back_inserter(added));
    if (!revoked.empty() && config_.listener) config_.listener->OnPartitionsRevoked(revoked);
    {
      std::lock_guard<std::mutex> lock(broker_->mu_);
      auto& owners = broker_->owners_[config_.group_id];
      for (const TopicPartition& tp : revoked) {
        positions_.erase({tp.topic, tp.partition});
        owners.erase({tp.topic, tp.partition});
      }
      for (const TopicPartition& tp : added) {
        owners[{tp.topic, tp.partition}] = member_id_;
        paused_.erase(tp);  // a new assignment starts unpaused
      }
      assigned_ = desired;  // read by Lag() on other threads under the lock
    }
    if (!added.empty() && config_.listener) config_.listener->OnPartitionsAssigned(added);
  }

  InMemoryBroker* broker_;
  ConsumerConfig config_;
  uint64_t member_id_ = 0;
  std::vector<TopicPartition> assigned_;  // sorted
  std::map<std::pair<std::string, int32_t>, int64_t> positions_;
  std::set<TopicPartition> paused_;  // Pause()d partitions, skipped by Poll
};

InMemoryBroker::InMemoryBroker(int auto_create_partitions)
    : auto_create_partitions_(auto_create_partitions) {}

Result<std::unique_ptr<Consumer>> InMemoryBroker::NewConsumer(const ConsumerConfig& config) {
  return std::unique_ptr<Consumer>(new InMemoryConsumer(this, config));
}

Result<std::unique_ptr<Producer>> InMemoryBroker::NewProducer() {
  return std::unique_ptr<Producer>(new InMemoryProducer(this));
}

Status InMemoryBroker::CreateTopic(const TopicSpec& spec, Millis) {
  std::lock_guard<std::mutex> lock(mu_);
  if (topics_.count(spec.name)) {
    return Status(StatusCode::kAlreadyExists, "Topic '" + spec.name + "' already exists.");
  }
  if (spec.partitions < 1) return InvalidArgument("partitions must be >= 1");
  Topic t;
  t.name = spec.name;
  t.replicas = spec.replicas;
  t.partitions.resize(spec.partitions);
  topics_.emplace(spec.name, std::move(t));
  return Status::Ok();
}

Status InMemoryBroker::DeleteTopic(const std::string& name, Millis) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!topics_.erase(name)) return NotFound("Topic '" + name + "' does not exist.");
  return Status::Ok();
}

Result<std::optional<TopicInfo>> InMemoryBroker::DescribeTopic(const std::string& name, Millis) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = topics_.find(name);
  if (it == topics_.end()) return std::optional<TopicInfo>();
  return std::optional<TopicInfo>(
      TopicInfo{name, static_cast<int>(it->second.partitions.size()), it->second.replicas});
}

Result<std::vector<Watermarks>> InMemoryBroker::PartitionWatermarks(const std::string& topic,
                                                                    Millis) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Watermarks> out;
  auto it = topics_.find(topic);
  if (it == topics_.end()) return out;
  for (const auto& p : it->second.partitions) {
    out.push_back({0, static_cast<int64_t>(p.size())});
  }
  return out;
}

Result<std::vector<TopicInfo>> InMemoryBroker::ListTopics(Millis) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<TopicInfo> out;
  for (const auto& [name, t] : topics_) {
    out.push_back({name, static_cast<int>(t.partitions.size()), t.replicas});
  }
  return out;
}

void InMemoryBroker::SetAutoCreatePartitions(int partitions) {
  std::lock_guard<std::mutex> lock(mu_);
  auto_create_partitions_ = partitions;
}

Status InMemoryBroker::Produce(OutRecord r) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = topics_.find(r.topic);
  if (it == topics_.end()) {
    if (auto_create_partitions_ <= 0) {
      return NotFound("Topic '" + r.topic + "' does not exist.");
    }
    Topic t;
    t.name = r.topic;
    t.partitions.resize(auto_create_partitions_);
    it = topics_.emplace(r.topic, std::move(t)).first;
  }
  auto& parts = it->second.partitions;
  int32_t p = r.partition;
  if (p < 0) {
    p = r.key ? DefaultPartition(*r.key, static_cast<int32_t>(parts.size())) : 0;
  }
  if (p >= static_cast<int32_t>(parts.size())) {
    return InvalidArgument("partition " + std::to_string(p) + " out of range for " + r.topic);
  }
  auto& log = parts[p];
  StoredRecord s;
  s.seq = next_seq_++;
  s.offset = log.empty() ? 0 : log.back().offset + 1;
  s.timestamp = r.timestamp;
  s.key = std::move(r.key);
  s.value = std::move(r.value);
  s.headers = std::move(r.headers);
  log.push_back(std::move(s));
  return Status::Ok();
}

std::vector<StoredRecord> InMemoryBroker::ReadAll(const std::string& topic) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<StoredRecord> out;
  auto it = topics_.find(topic);
  if (it == topics_.end()) return out;
  for (const auto& log : it->second.partitions) out.insert(out.end(), log.begin(), log.end());
  std::sort(out.begin(), out.end(),
            [](const StoredRecord& a, const StoredRecord& b) { return a.seq < b.seq; });
  return out;
}

uint64_t InMemoryBroker::produced_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return next_seq_ - 1;
}

uint32_t Murmur2(std::string_view data) {
  const uint32_t seed = 0x9747b28c;
  const uint32_t m = 0x5bd1e995;
  const int r = 24;
  size_t length = data.size();
  uint32_t h = seed ^ static_cast<uint32_t>(length);
  size_t length4 = length / 4;
  const auto* d = reinterpret_cast<const uint8_t*>(data.data());
  for (size_t i = 0; i < length4; i++) {
    size_t i4 = i * 4;
    uint32_t k = d[i4] | (d[i4 + 1] << 8) | (d[i4 + 2] << 16) | (uint32_t(d[i4 + 3]) << 24);
    k *= m;
    k ^= k >> r;
    k *= m;
    h *= m;
    h ^= k;
  }
  switch (length % 4) {
    case 3: h ^= d[(length & ~3) + 2] << 16; [[fallthrough]];
    case 2: h ^= d[(length & ~3) + 1] << 8; [[fallthrough]];
    case 1:
      h ^= d[length & ~3];
      h *= m;
  }
  h ^= h >> 13;
  h *= m;
  h ^= h >> 15;
  return h;
}

int32_t DefaultPartition(std::string_view key, int32_t partitions) {
  if (partitions <= 1) return 0;
  return static_cast<int32_t>((Murmur2(key) & 0x7fffffff) % static_cast<uint32_t>(partitions));
}

}  // namespace brook::kafka
