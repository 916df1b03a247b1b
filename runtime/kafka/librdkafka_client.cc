#include "runtime/kafka/librdkafka_client.h"

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

#include "runtime/kafka/embedded_broker.h"

namespace brook::kafka {
namespace {

using Clock = std::chrono::steady_clock;

Status TimeoutError(std::string msg) { return Status(StatusCode::kTimeout, std::move(msg)); }

// Milliseconds for librdkafka's int timeouts: clamped to [0, INT_MAX].
int ToMs(Millis m) { return static_cast<int>(std::clamp<int64_t>(m.count(), 0, INT_MAX)); }

int RemainingMs(Clock::time_point deadline) {
  return ToMs(std::chrono::duration_cast<Millis>(deadline - Clock::now()));
}

struct ConfDeleter {
  void operator()(rd_kafka_conf_t* c) const { rd_kafka_conf_destroy(c); }
};
using ConfPtr = std::unique_ptr<rd_kafka_conf_t, ConfDeleter>;

struct QueueDeleter {
  void operator()(rd_kafka_queue_t* q) const { rd_kafka_queue_destroy(q); }
};
using QueuePtr = std::unique_ptr<rd_kafka_queue_t, QueueDeleter>;

struct EventDeleter {
  void operator()(rd_kafka_event_t* e) const { rd_kafka_event_destroy(e); }
};
using EventPtr = std::unique_ptr<rd_kafka_event_t, EventDeleter>;

struct PartitionListDeleter {
  void operator()(rd_kafka_topic_partition_list_t* l) const {
    rd_kafka_topic_partition_list_destroy(l);
  }
};
using PartitionListPtr = std::unique_ptr<rd_kafka_topic_partition_list_t, PartitionListDeleter>;

struct MetadataDeleter {
  void operator()(const rd_kafka_metadata_t* m) const { rd_kafka_metadata_destroy(m); }
};
using MetadataPtr = std::unique_ptr<const rd_kafka_metadata_t, MetadataDeleter>;

struct AdminOptionsDeleter {
  void operator()(rd_kafka_AdminOptions_t* o) const { rd_kafka_AdminOptions_destroy(o); }
};
using AdminOptionsPtr = std::unique_ptr<rd_kafka_AdminOptions_t, AdminOptionsDeleter>;

Status SetProperty(rd_kafka_conf_t* conf, const std::string& key, const std::string& value) {
  char errstr[512];
  if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), errstr, sizeof(errstr)) !=
      RD_KAFKA_CONF_OK) {
    return InvalidArgument("kafka property " + key + "=" + value + ": " + errstr);
  }
  return Status::Ok();
}

// Builds a conf from layers of properties; later layers win.
Result<ConfPtr> BuildConf(std::initializer_list<const std::map<std::string, std::string>*> layers) {
  ConfPtr conf(rd_kafka_conf_new());
  for (const auto* layer : layers) {
    for (const auto& [key, value] : *layer) RETURN_IF_ERROR(SetProperty(conf.get(), key, value));
  }
  return conf;
}

// Creates a client handle; takes ownership of `conf` only on success (librdkafka's contract).
Result<rd_kafka_t*> NewHandle(rd_kafka_type_t type, ConfPtr conf) {
  char errstr[512];
  rd_kafka_t* rk = rd_kafka_new(type, conf.get(), errstr, sizeof(errstr));
  if (rk == nullptr) return InvalidArgument(std::string("creating kafka client: ") + errstr);
  conf.release();  // now owned by rk
  return rk;
}

// Maps an error code from librdkafka to a Status, with `what` as context.
Status FromKafkaError(rd_kafka_resp_err_t err, const std::string& what,
                      const char* detail = nullptr) {
  std::string msg = what + ": " + (detail != nullptr && *detail ? detail : rd_kafka_err2str(err));
  switch (err) {
    case RD_KAFKA_RESP_ERR_NO_ERROR:
      return Status::Ok();
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
    case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
    case RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE:
    case RD_KAFKA_RESP_ERR__MSG_TIMED_OUT:
      return TimeoutError(std::move(msg));
    case RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS:
      return Status(StatusCode::kAlreadyExists, std::move(msg));
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
      return NotFound(std::move(msg));
    case RD_KAFKA_RESP_ERR__INVALID_ARG:
    case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
    case RD_KAFKA_RESP_ERR_INVALID_PARTITIONS:
    case RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR:
    case RD_KAFKA_RESP_ERR_INVALID_REPLICA_ASSIGNMENT:
    case RD_KAFKA_RESP_ERR_INVALID_CONFIG:
    case RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION:
    case RD_KAFKA_RESP_ERR_POLICY_VIOLATION:
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
      return InvalidArgument(std::move(msg));
    default:
      return IOError(std::move(msg));
  }
}

// Errors a consumer cannot recover from by retrying; everything else is skipped by Poll.
bool IsPermanentConsumerError(rd_kafka_resp_err_t err) {
  switch (err) {
    case RD_KAFKA_RESP_ERR__FATAL:
    case RD_KAFKA_RESP_ERR__AUTHENTICATION:
    case RD_KAFKA_RESP_ERR__SSL:
    case RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED:
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_INVALID_GROUP_ID:
      return true;
    default:
      return false;
  }
}

// Returns the client's fatal error, if any (idempotent/transactional producers, static group
// membership fencing).
std::optional<Status> FatalError(rd_kafka_t* rk, const std::string& what) {
  char errstr[512];
  rd_kafka_resp_err_t err = rd_kafka_fatal_error(rk, errstr, sizeof(errstr));
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return std::nullopt;
  return IOError(what + ": fatal error " + rd_kafka_err2name(err) + ": " + errstr);
}

// Rebalance handling, defined with the consumer below.
void ApplyRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                    rd_kafka_topic_partition_list_t* partitions);
void OnRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                 rd_kafka_topic_partition_list_t* partitions, void* opaque);

}  // namespace

// ------------------------------------------------------------------------------------------
// Admin

class LibrdkafkaAdmin final : public Admin {
 public:
  LibrdkafkaAdmin(std::string bootstrap, std::map<std::string, std::string> properties,
                  EmbeddedBroker* embedded, LibrdkafkaOptions options)
      : bootstrap_(std::move(bootstrap)),
        properties_(std::move(properties)),
        embedded_(embedded),
        options_(options) {}

  ~LibrdkafkaAdmin() override {
    if (rk_ != nullptr) rd_kafka_destroy(rk_);
  }

  Status CreateTopic(const TopicSpec& spec, Millis timeout) override {
    if (spec.name.empty()) return InvalidArgument("topic name must not be empty");
    if (spec.partitions < 1) {
      return InvalidArgument("topic " + spec.name + ": partitions must be >= 1");
    }
    if (embedded_ != nullptr) {
      // The mock ignores topic configs (no compaction, no retention settings).
      return embedded_->CreateTopic(spec.name, spec.partitions, spec.replicas);
    }
    if (options_.topic_creation == LibrdkafkaOptions::TopicCreation::kBrokerAutoCreate) {
      return CreateByAutoCreation(spec, timeout);
    }
    return CreateWithAdminApi(spec, timeout);
  }

  Status DeleteTopic(const std::string& name, Millis timeout) override {
    if (embedded_ != nullptr) {
      return Unsupported("the embedded broker (librdkafka mock cluster) cannot delete topics");
    }
    ASSIGN_OR_RETURN(rd_kafka_t * rk, Handle());
    const Clock::time_point deadline = Clock::now() + timeout;
    rd_kafka_DeleteTopic_t* topic = rd_kafka_DeleteTopic_new(name.c_str());
    AdminOptionsPtr opts(rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_DELETETOPICS));
    RETURN_IF_ERROR(SetTimeouts(opts.get(), timeout));
    QueuePtr queue(rd_kafka_queue_new(rk));
    rd_kafka_DeleteTopics(rk, &topic, 1, opts.get(), queue.get());
    rd_kafka_DeleteTopic_destroy(topic);
    EventPtr ev(rd_kafka_queue_poll(queue.get(), RemainingMs(deadline)));
    if (!ev) return TimeoutError("deleting topic " + name + ": no answer within timeout");
    RETURN_IF_ERROR(FromKafkaError(rd_kafka_event_error(ev.get()), "deleting topic " + name,
                                   rd_kafka_event_error_string(ev.get())));
    size_t count = 0;
    const rd_kafka_topic_result_t** results =
        rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(ev.get()), &count);
    for (size_t i = 0; i < count; ++i) {
      RETURN_IF_ERROR(FromKafkaError(rd_kafka_topic_result_error(results[i]),
                                     "deleting topic " + name,
                                     rd_kafka_topic_result_error_string(results[i])));
    }
    return Status::Ok();
  }

  Result<std::optional<TopicInfo>> DescribeTopic(const std::string& name, Millis timeout) override {
    // All-topics metadata on purpose: asking for one topic by name makes brokers with
    // auto-creation (and the mock, always) create it.
    ASSIGN_OR_RETURN(MetadataPtr md, AllMetadata(timeout));
    for (int i = 0; i < md->topic_cnt; ++i) {
      const rd_kafka_metadata_topic_t& t = md->topics[i];
      if (name != t.topic) continue;
      if (t.err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) return std::optional<TopicInfo>();
      if (t.err != RD_KAFKA_RESP_ERR_NO_ERROR && t.partition_cnt == 0) {
        return FromKafkaError(t.err, "describing topic " + name);
      }
      return std::optional<TopicInfo>(ToInfo(t));
    }
    return std::optional<TopicInfo>();
  }

  Result<std::string> ClusterId(Millis timeout) override {
    if (embedded_ != nullptr) return Unsupported("the embedded broker ends with the process");
    ASSIGN_OR_RETURN(rd_kafka_t * rk, Handle());
    char* id = rd_kafka_clusterid(rk, ToMs(timeout));
    if (id == nullptr) return TimeoutError("no cluster id from " + bootstrap_);
    std::string out(id);
    rd_kafka_mem_free(rk, id);
    if (out.empty()) return Unsupported("the cluster has no id");
    return out;
  }

  Result<std::vector<Watermarks>> PartitionWatermarks(const std::string& topic,
                                                      Millis timeout) override {
    std::vector<Watermarks> out;
    ASSIGN_OR_RETURN(std::optional<TopicInfo> info, DescribeTopic(topic, timeout));
    if (!info) return out;
    ASSIGN_OR_RETURN(rd_kafka_t * rk, Handle());
    const Clock::time_point deadline = Clock::now() + timeout;
    for (int p = 0; p < info->partitions; ++p) {
      Watermarks m;
      rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(
          rk, topic.c_str(), p, &m.low, &m.high, std::max(1, RemainingMs(deadline)));
      RETURN_IF_ERROR(FromKafkaError(err, "reading the offsets of " + topic, nullptr));
      out.push_back(m);
    }
    return out;
  }

  Result<std::vector<TopicInfo>> ListTopics(Millis timeout) override {
    ASSIGN_OR_RETURN(MetadataPtr md, AllMetadata(timeout));
    std::vector<TopicInfo> out;
    for (int i = 0; i < md->topic_cnt; ++i) {
      const rd_kafka_metadata_topic_t& t = md->topics[i];
      if (t.err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) continue;
      out.push_back(ToInfo(t));
    }
    std::sort(out.begin(), out.end(),
              [](const TopicInfo& a, const TopicInfo& b) { return a.name < b.name; });
    return out;
  }

 private:
  static TopicInfo ToInfo(const rd_kafka_metadata_topic_t& t) {
    TopicInfo info;
    info.name = t.topic;
    info.partitions = t.partition_cnt;
    info.replicas = t.partition_cnt > 0 ? t.partitions[0].replica_cnt : 0;
    return info;
  }

  static Status SetTimeouts(rd_kafka_AdminOptions_t* opts, Millis timeout) {
    char errstr[512];
    // librdkafka rejects 0; the queue poll below enforces the real bound anyway.
    const int ms = std::max(1, ToMs(timeout));
    if (rd_kafka_AdminOptions_set_request_timeout(opts, ms, errstr, sizeof(errstr)) ||
        rd_kafka_AdminOptions_set_operation_timeout(opts, ms, errstr, sizeof(errstr))) {
      return InvalidArgument(std::string("admin timeout: ") + errstr);
    }
    return Status::Ok();
  }

  // The admin client handle, created on first use. Thread-safe.
  Result<rd_kafka_t*> Handle() {
    std::lock_guard<std::mutex> lock(mu_);
    if (rk_ != nullptr) return rk_;
    const std::map<std::string, std::string> defaults = {{"client.id", "brook-admin"}};
    const std::map<std::string, std::string> forced = {{"bootstrap.servers", bootstrap_}};
    ASSIGN_OR_RETURN(ConfPtr conf, BuildConf({&defaults, &properties_, &forced}));
    ASSIGN_OR_RETURN(rk_, NewHandle(RD_KAFKA_PRODUCER, std::move(conf)));
    return rk_;
  }

  Result<MetadataPtr> AllMetadata(Millis timeout) {
    ASSIGN_OR_RETURN(rd_kafka_t * rk, Handle());
    const rd_kafka_metadata_t* md = nullptr;
    rd_kafka_resp_err_t err =
        rd_kafka_metadata(rk, /*all_topics=*/1, nullptr, &md, std::max(1, ToMs(timeout)));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return FromKafkaError(err, "reading topic metadata");
    return MetadataPtr(md);
  }

  Status CreateWithAdminApi(const TopicSpec& spec, Millis timeout) {
    ASSIGN_OR_RETURN(rd_kafka_t * rk, Handle());
    const Clock::time_point deadline = Clock::now() + timeout;
    const std::string what = "creating topic " + spec.name;
    char errstr[512];
    rd_kafka_NewTopic_t* topic = rd_kafka_NewTopic_new(spec.name.c_str(), spec.partitions,
                                                       spec.replicas, errstr, sizeof(errstr));
    if (topic == nullptr) return InvalidArgument(what + ": " + errstr);
    for (const auto& [key, value] : spec.config) {
      rd_kafka_resp_err_t err = rd_kafka_NewTopic_set_config(topic, key.c_str(), value.c_str());
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        rd_kafka_NewTopic_destroy(topic);
        return FromKafkaError(err, what + ": config " + key);
      }
    }
    AdminOptionsPtr opts(rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS));
    Status st = SetTimeouts(opts.get(), timeout);
    if (!st.ok()) {
      rd_kafka_NewTopic_destroy(topic);
      return st;
    }
    // A private queue per call: if we give up, the late result is dropped with the queue.
    QueuePtr queue(rd_kafka_queue_new(rk));
    rd_kafka_CreateTopics(rk, &topic, 1, opts.get(), queue.get());
    rd_kafka_NewTopic_destroy(topic);
    EventPtr ev(rd_kafka_queue_poll(queue.get(), RemainingMs(deadline)));
    if (!ev) return TimeoutError(what + ": no answer within timeout");
    RETURN_IF_ERROR(FromKafkaError(rd_kafka_event_error(ev.get()), what,
                                   rd_kafka_event_error_string(ev.get())));
    size_t count = 0;
    const rd_kafka_topic_result_t** results =
        rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev.get()), &count);
    for (size_t i = 0; i < count; ++i) {
      RETURN_IF_ERROR(FromKafkaError(rd_kafka_topic_result_error(results[i]), what,
                                     rd_kafka_topic_result_error_string(results[i])));
    }
    return Status::Ok();
  }

  Status CreateByAutoCreation(const TopicSpec& spec, Millis timeout) {
    const Clock::time_point deadline = Clock::now() + timeout;
    const std::string what = "creating topic " + spec.name + " by broker auto-creation";
    ASSIGN_OR_RETURN(std::optional<TopicInfo> existing, DescribeTopic(spec.name, timeout));
    if (existing) return Status(StatusCode::kAlreadyExists, "topic " + spec.name + " exists");
    ASSIGN_OR_RETURN(rd_kafka_t * rk, Handle());
    rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, spec.name.c_str(), nullptr);
    if (rkt == nullptr) return FromKafkaError(rd_kafka_last_error(), what);
    int partitions = 0;
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR__TIMED_OUT;
    // A broker may answer LEADER_NOT_AVAILABLE while the new topic settles: ask again.
    while (RemainingMs(deadline) > 0) {
      const rd_kafka_metadata_t* md = nullptr;
      err = rd_kafka_metadata(rk, /*all_topics=*/0, rkt, &md, std::max(1, RemainingMs(deadline)));
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR) break;
      MetadataPtr holder(md);
      err = md->topic_cnt == 1 ? md->topics[0].err : RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
      partitions = md->topic_cnt == 1 ? md->topics[0].partition_cnt : 0;
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR && partitions > 0) break;
      if (err != RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE && err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        break;
      }
      std::this_thread::sleep_for(
          std::min(Millis(50), std::chrono::duration_cast<Millis>(deadline - Clock::now())));
    }
    rd_kafka_topic_destroy(rkt);
    if (err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) {
      return Unsupported(what + ": the broker does not auto-create topics");
    }
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR || partitions == 0) {
      return FromKafkaError(err == RD_KAFKA_RESP_ERR_NO_ERROR ? RD_KAFKA_RESP_ERR__TIMED_OUT : err,
                            what);
    }
    if (partitions != spec.partitions) {
      return InvalidArgument(what + ": the broker created it with " + std::to_string(partitions) +
                             " partitions, not " + std::to_string(spec.partitions) +
                             "; create topics with other partition counts beforehand");
    }
    return Status::Ok();
  }

  const std::string bootstrap_;
  const std::map<std::string, std::string> properties_;
  EmbeddedBroker* const embedded_;
  const LibrdkafkaOptions options_;
  std::mutex mu_;
  rd_kafka_t* rk_ = nullptr;  // guarded by mu_ until set; never reset
};

// ------------------------------------------------------------------------------------------
// Factory

LibrdkafkaClientFactory::LibrdkafkaClientFactory(std::string bootstrap_servers,
                                                 std::map<std::string, std::string> properties,
                                                 EmbeddedBroker* embedded,
                                                 LibrdkafkaOptions options)
    : bootstrap_(bootstrap_servers.empty() && embedded != nullptr ? embedded->bootstrap_servers()
                                                                  : std::move(bootstrap_servers)),
      properties_(std::move(properties)),
      embedded_(embedded),
      options_(options),
      admin_(std::make_unique<LibrdkafkaAdmin>(bootstrap_, properties_, embedded_, options_)) {}

LibrdkafkaClientFactory::~LibrdkafkaClientFactory() = default;

Admin& LibrdkafkaClientFactory::admin() { return *admin_; }

std::string LibrdkafkaClientFactory::Describe() const {
  return embedded_ != nullptr ? bootstrap_ + " (embedded)" : bootstrap_;
}

Result<std::unique_ptr<Consumer>> LibrdkafkaClientFactory::NewConsumer(
    const ConsumerConfig& config) {
  if (config.group_id.empty()) return InvalidArgument("consumer needs a group id");
  if (config.topics.empty()) return InvalidArgument("consumer needs at least one topic");
  // librdkafka prefetches up to queued.max.messages.kbytes per consumer (64 MB by default)
  // whether or not the reader keeps up: with one consumer per push query that is the memory a
  // few slow clients could pin. 16 MB still holds many polls' worth. Overridable per property.
  std::map<std::string, std::string> defaults = {{"client.id", "brook"},
                                                 {"queued.max.messages.kbytes", "16384"}};
  if (embedded_ != nullptr) {
    // The mock keeps a group rebalancing for session.timeout.ms - 1 s after a member leaves.
    defaults["session.timeout.ms"] = "6000";
    defaults["heartbeat.interval.ms"] = "1000";
  }
  const std::map<std::string, std::string> forced = {
      {"bootstrap.servers", bootstrap_},
      {"group.id", config.group_id},
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      {"auto.offset.reset", config.from_beginning ? "earliest" : "latest"},
  };
  ASSIGN_OR_RETURN(ConfPtr conf, BuildConf({&defaults, &properties_, &config.extra, &forced}));
  std::unique_ptr<RebalanceListener*> listener;
  if (config.listener != nullptr) {
    // The callback finds the listener through the handle's opaque pointer.
    listener = std::make_unique<RebalanceListener*>(config.listener);
    rd_kafka_conf_set_rebalance_cb(conf.get(), &OnRebalance);
    rd_kafka_conf_set_opaque(conf.get(), listener.get());
  }
  ASSIGN_OR_RETURN(rd_kafka_t * rk, NewHandle(RD_KAFKA_CONSUMER, std::move(conf)));
  // From here on the consumer owns rk (its destructor closes and destroys it).
  std::unique_ptr<LibrdkafkaConsumer> consumer(new LibrdkafkaConsumer(rk, options_));
  consumer->listener_ = std::move(listener);

  if (config.assign_all) {
    // Every partition, at once, without a group join.
    PartitionListPtr assignment(rd_kafka_topic_partition_list_new(8));
    for (const std::string& t : config.topics) {
      ASSIGN_OR_RETURN(std::optional<TopicInfo> info,
                       admin_->DescribeTopic(t, options_.commit_timeout));
      if (!info) return NotFound("Topic '" + t + "' does not exist.");
      for (int32_t p = 0; p < info->partitions; ++p) {
        rd_kafka_topic_partition_list_add(assignment.get(), t.c_str(), p)->offset =
            config.from_beginning ? RD_KAFKA_OFFSET_BEGINNING : RD_KAFKA_OFFSET_END;
        consumer->pending_assigned_.push_back({t, p});
      }
    }
    rd_kafka_resp_err_t err = rd_kafka_assign(rk, assignment.get());
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return FromKafkaError(err, "assigning partitions");
    return std::unique_ptr<Consumer>(std::move(consumer));
  }

  PartitionListPtr topics(
      rd_kafka_topic_partition_list_new(static_cast<int>(config.topics.size())));
  for (const std::string& t : config.topics) {
    rd_kafka_topic_partition_list_add(topics.get(), t.c_str(), RD_KAFKA_PARTITION_UA);
  }
  rd_kafka_resp_err_t err = rd_kafka_subscribe(rk, topics.get());
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return FromKafkaError(err, "subscribing");
  return std::unique_ptr<Consumer>(std::move(consumer));
}

Result<std::unique_ptr<Producer>> LibrdkafkaClientFactory::NewProducer() {
  const std::map<std::string, std::string> defaults = {{"client.id", "brook"}};
  const std::map<std::string, std::string> forced = {
      {"bootstrap.servers", bootstrap_},
      {"partitioner", "murmur2_random"},
  };
  ASSIGN_OR_RETURN(ConfPtr conf, BuildConf({&defaults, &properties_, &forced}));
  std::unique_ptr<LibrdkafkaProducer> producer(new LibrdkafkaProducer(options_));
  rd_kafka_conf_set_dr_msg_cb(conf.get(), &LibrdkafkaProducer::OnDelivery);
  rd_kafka_conf_set_opaque(conf.get(), producer.get());
  ASSIGN_OR_RETURN(producer->rk_, NewHandle(RD_KAFKA_PRODUCER, std::move(conf)));
  return std::unique_ptr<Producer>(std::move(producer));
}

// ------------------------------------------------------------------------------------------
// Consumer

LibrdkafkaConsumer::LibrdkafkaConsumer(rd_kafka_t* rk, const LibrdkafkaOptions& options)
    : rk_(rk), queue_(nullptr), options_(options) {
  // Route the main queue (errors, logs) to the consumer queue and read that one.
  rd_kafka_poll_set_consumer(rk_);
  queue_ = rd_kafka_queue_get_consumer(rk_);
}

LibrdkafkaConsumer::~LibrdkafkaConsumer() {
  ReleaseBatch();
  // Leave the group with a bound: close asynchronously and serve the close queue until done.
  QueuePtr close_queue(rd_kafka_queue_new(rk_));
  if (rd_kafka_error_t* error = rd_kafka_consumer_close_queue(rk_, close_queue.get())) {
    rd_kafka_error_destroy(error);
  } else {
    const Clock::time_point deadline = Clock::now() + options_.consumer_close_timeout;
    if (listener_) *listener_ = nullptr;  // the owner is going away: apply, tell no one
    while (!rd_kafka_consumer_closed(rk_) && RemainingMs(deadline) > 0) {
      EventPtr ev(rd_kafka_queue_poll(close_queue.get(), std::min(50, RemainingMs(deadline))));
      if (ev && rd_kafka_event_type(ev.get()) == RD_KAFKA_EVENT_REBALANCE) {
        ApplyRebalance(rk_, rd_kafka_event_error(ev.get()),
                       rd_kafka_event_topic_partition_list(ev.get()));
      }
    }
  }
  const bool closed = rd_kafka_consumer_closed(rk_);
  close_queue.reset();
  if (queue_ != nullptr) rd_kafka_queue_destroy(queue_);
  if (closed) {
    rd_kafka_destroy_flags(rk_, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
  } else {
    // librdkafka's destroy waits for unanswered group requests (e.g. a commit to an unreachable
    // coordinator) for up to session.timeout.ms; do not hold the caller that long.
    std::thread([rk = rk_] {
      rd_kafka_destroy_flags(rk, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
    }).detach();
  }
}

namespace {

std::vector<TopicPartition> ToTopicPartitions(const rd_kafka_topic_partition_list_t* list) {
  std::vector<TopicPartition> out;
  for (int i = 0; list != nullptr && i < list->cnt; ++i) {
    out.push_back({list->elems[i].topic, list->elems[i].partition});
  }
  return out;
}

bool Cooperative(rd_kafka_t* rk) {
  const char* protocol = rd_kafka_rebalance_protocol(rk);
  return protocol != nullptr && std::string_view(protocol) == "COOPERATIVE";
}

// Applies a rebalance without telling anyone (used while closing).
void ApplyRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                    rd_kafka_topic_partition_list_t* partitions) {
  bool cooperative = Cooperative(rk);
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    if (cooperative) {
      if (rd_kafka_error_t* e = rd_kafka_incremental_assign(rk, partitions)) {
        rd_kafka_error_destroy(e);
      }
    } else {
      rd_kafka_assign(rk, partitions);
    }
  } else if (cooperative) {
    if (rd_kafka_error_t* e = rd_kafka_incremental_unassign(rk, partitions)) {
      rd_kafka_error_destroy(e);
    }
  } else {
    rd_kafka_assign(rk, nullptr);
  }
}

// librdkafka's rebalance callback (served inside Poll): applies the assignment and tells the
// listener that `opaque` points to.
void OnRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                 rd_kafka_topic_partition_list_t* partitions, void* opaque) {
  RebalanceListener* listener = *static_cast<RebalanceListener**>(opaque);
  std::vector<TopicPartition> tps = ToTopicPartitions(partitions);
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    ApplyRebalance(rk, err, partitions);
    if (listener != nullptr) listener->OnPartitionsAssigned(tps);
    return;
  }
  if (listener != nullptr && err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
    if (rd_kafka_assignment_lost(rk)) {
      listener->OnPartitionsLost(tps);
    } else {
      listener->OnPartitionsRevoked(tps);
    }
  }
  ApplyRebalance(rk, err, partitions);
}

}  // namespace

void LibrdkafkaConsumer::ReleaseBatch() {
  for (rd_kafka_message_t* m : batch_) rd_kafka_message_destroy(m);
  batch_.clear();
  headers_.clear();
}

Status LibrdkafkaConsumer::Poll(size_t max_records, Millis timeout, std::vector<RecordView>& out) {
  ReleaseBatch();
  out.clear();
  if (!pending_assigned_.empty()) {
    std::vector<TopicPartition> assigned = std::move(pending_assigned_);
    pending_assigned_.clear();
    if (listener_ && *listener_ != nullptr) (*listener_)->OnPartitionsAssigned(assigned);
  }
  if (max_records == 0) return Status::Ok();
  if (scratch_.size() < max_records) scratch_.resize(max_records);
  const Clock::time_point deadline = Clock::now() + timeout;
  while (true) {
    // Take what is already there; only if nothing is, wait for a single message (a full-size
    // batch call would wait out the timeout to fill the batch), then top up without waiting.
    ssize_t n = rd_kafka_consume_batch_queue(queue_, 0, scratch_.data(), max_records);
    if (n == 0 && RemainingMs(deadline) > 0) {
      n = rd_kafka_consume_batch_queue(queue_, RemainingMs(deadline), scratch_.data(), 1);
      if (n == 1 && max_records > 1) {
        ssize_t more =
            rd_kafka_consume_batch_queue(queue_, 0, scratch_.data() + 1, max_records - 1);
        if (more > 0) n += more;
      }
    }
    if (n < 0) return FromKafkaError(rd_kafka_last_error(), "polling consumer");
    Status fatal;
    for (ssize_t i = 0; i < n; ++i) {
      rd_kafka_message_t* m = scratch_[i];
      if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        batch_.push_back(m);
        continue;
      }
      if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        std::string text = rd_kafka_message_errstr(m);
        if (m->rkt != nullptr) {
          text = std::string(rd_kafka_topic_name(m->rkt)) + "[" + std::to_string(m->partition) +
                 "]: " + text;
        }
        if (IsPermanentConsumerError(m->err) && fatal.ok()) {
          fatal = IOError("consumer: " + std::string(rd_kafka_err2name(m->err)) + ": " + text);
          if (auto f = FatalError(rk_, "consumer")) fatal = *std::move(f);
        } else {
          ++skipped_errors_;
          last_skipped_error_ = std::move(text);
        }
      }
      rd_kafka_message_destroy(m);
    }
    if (!fatal.ok()) {
      ReleaseBatch();
      return fatal;
    }
    // Offsets a partition jumped over: checked at the start of each run of one partition's
    // records (a string key per run, not per record).
    {
      const rd_kafka_topic_t* run_topic = nullptr;
      int32_t run_partition = -1;
      int64_t* next = nullptr;
      for (rd_kafka_message_t* m : batch_) {
        if (m->rkt != run_topic || m->partition != run_partition) {
          run_topic = m->rkt;
          run_partition = m->partition;
          auto [it, fresh] = next_offset_.try_emplace(
              {std::string(rd_kafka_topic_name(m->rkt)), m->partition}, m->offset);
          next = &it->second;
          if (!fresh && m->offset > *next) {
            CheckGap(it->first.first, m->partition, *next, m->offset);
          }
        } else if (m->offset > *next) {
          CheckGap(rd_kafka_topic_name(m->rkt), m->partition, *next, m->offset);
        }
        *next = m->offset + 1;
      }
    }
    out.reserve(batch_.size());
    for (rd_kafka_message_t* m : batch_) {
      RecordView& r = out.emplace_back();
      r.topic = rd_kafka_topic_name(m->rkt);
      r.partition = m->partition;
      r.offset = m->offset;
      rd_kafka_timestamp_type_t ts_type;
      r.timestamp = rd_kafka_message_timestamp(m, &ts_type);
      if (m->key != nullptr) r.key.emplace(static_cast<const char*>(m->key), m->key_len);
      if (m->payload != nullptr) r.value.emplace(static_cast<const char*>(m->payload), m->len);
      rd_kafka_headers_t* hdrs = nullptr;
      if (rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR && hdrs != nullptr &&
          rd_kafka_header_cnt(hdrs) > 0) {
        std::vector<Header>& copy = headers_.emplace_back();
        const size_t count = rd_kafka_header_cnt(hdrs);
        copy.reserve(count);
        for (size_t h = 0; h < count; ++h) {
          const char* name = nullptr;
          const void* value = nullptr;
          size_t size = 0;
          if (rd_kafka_header_get_all(hdrs, h, &name, &value, &size) !=
              RD_KAFKA_RESP_ERR_NO_ERROR) {
            break;
          }
          Header& header = copy.emplace_back();
          header.key = name;
          if (value != nullptr) header.value.emplace(static_cast<const char*>(value), size);
        }
        r.headers = &copy;
      }
    }
    // Only errors so far: keep waiting for records until the deadline.
    if (!out.empty() || RemainingMs(deadline) <= 0) break;
  }
  return Status::Ok();
}

void LibrdkafkaConsumer::CheckGap(const std::string& topic, int32_t partition, int64_t expected,
                                  int64_t got) {
  const auto now = std::chrono::steady_clock::now();
  auto& last = last_low_query_[{topic, partition}];
  // A one-offset gap is what a transaction marker leaves: look at most once a second.
  if (got - expected == 1 && now - last < std::chrono::seconds(1)) return;
  last = now;
  int64_t low = -1, high = -1;
  if (rd_kafka_query_watermark_offsets(rk_, topic.c_str(), partition, &low, &high, 2000) !=
      RD_KAFKA_RESP_ERR_NO_ERROR) {
    return;  // cannot tell; compaction or markers are the likelier cause
  }
  if (low > expected) skipped_.push_back({topic, partition, expected, std::min(got, low)});
}

namespace {

// rd_kafka_pause_partitions / rd_kafka_resume_partitions over `partitions`; per-partition
// errors (e.g. not assigned any more) are reported as the first one.
Status PauseOrResume(rd_kafka_t* rk, const std::vector<TopicPartition>& partitions, bool pause) {
  if (partitions.empty()) return Status::Ok();
  PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size())));
  for (const TopicPartition& tp : partitions) {
    rd_kafka_topic_partition_list_add(list.get(), tp.topic.c_str(), tp.partition);
  }
  rd_kafka_resp_err_t err = pause ? rd_kafka_pause_partitions(rk, list.get())
                                  : rd_kafka_resume_partitions(rk, list.get());
  const char* what = pause ? "pausing partitions" : "resuming partitions";
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return FromKafkaError(err, what);
  for (int i = 0; i < list->cnt; ++i) {
    if (list->elems[i].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return FromKafkaError(list->elems[i].err, what);
    }
  }
  return Status::Ok();
}

}  // namespace

Status LibrdkafkaConsumer::Pause(const std::vector<TopicPartition>& partitions) {
  return PauseOrResume(rk_, partitions, /*pause=*/true);
}

Status LibrdkafkaConsumer::Resume(const std::vector<TopicPartition>& partitions) {
  return PauseOrResume(rk_, partitions, /*pause=*/false);
}

Status LibrdkafkaConsumer::Commit(const std::vector<TopicPartitionOffset>& offsets) {
  if (offsets.empty()) return Status::Ok();
  PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(offsets.size())));
  for (const TopicPartitionOffset& o : offsets) {
    rd_kafka_topic_partition_list_add(list.get(), o.topic.c_str(), o.partition)->offset = o.offset;
  }
  // Commit on a private queue so the wait is bounded (rd_kafka_commit's sync mode is not).
  QueuePtr queue(rd_kafka_queue_new(rk_));
  rd_kafka_resp_err_t err = rd_kafka_commit_queue(rk_, list.get(), queue.get(), nullptr, nullptr);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return FromKafkaError(err, "committing offsets");
  EventPtr ev(rd_kafka_queue_poll(queue.get(), ToMs(options_.commit_timeout)));
  if (!ev) return TimeoutError("committing offsets: no answer within commit timeout");
  RETURN_IF_ERROR(FromKafkaError(rd_kafka_event_error(ev.get()), "committing offsets",
                                 rd_kafka_event_error_string(ev.get())));
  if (const rd_kafka_topic_partition_list_t* result =
          rd_kafka_event_topic_partition_list(ev.get())) {
    for (int i = 0; i < result->cnt; ++i) {
      const rd_kafka_topic_partition_t& p = result->elems[i];
      if (p.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return FromKafkaError(p.err, std::string("committing offset of ") + p.topic + "[" +
                                         std::to_string(p.partition) + "]");
      }
    }
  }
  return Status::Ok();
}

Result<int64_t> LibrdkafkaConsumer::Lag() {
  ASSIGN_OR_RETURN(std::vector<PartitionLag> parts, LagByPartition());
  int64_t lag = 0;
  for (const PartitionLag& p : parts) lag += p.lag;
  return lag;
}

Result<std::vector<Consumer::PartitionLag>> LibrdkafkaConsumer::LagByPartition() {
  rd_kafka_topic_partition_list_t* raw = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_assignment(rk_, &raw);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return FromKafkaError(err, "reading assignment");
  PartitionListPtr assignment(raw);
  err = rd_kafka_position(rk_, assignment.get());
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return FromKafkaError(err, "reading positions");
  std::vector<PartitionLag> out;
  for (int i = 0; i < assignment->cnt; ++i) {
    const rd_kafka_topic_partition_t& p = assignment->elems[i];
    if (p.offset < 0) continue;  // nothing consumed yet
    int64_t low = -1;
    int64_t high = -1;
    if (rd_kafka_get_watermark_offsets(rk_, p.topic, p.partition, &low, &high) !=
            RD_KAFKA_RESP_ERR_NO_ERROR ||
        high < 0) {
      continue;
    }
    out.push_back({p.topic, p.partition, std::max<int64_t>(0, high - p.offset)});
  }
  return out;
}

Result<std::optional<int64_t>> LibrdkafkaConsumer::LagOf(const std::string& topic,
                                                         int32_t partition) {
  PartitionListPtr one(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(one.get(), topic.c_str(), partition);
  rd_kafka_resp_err_t err = rd_kafka_position(rk_, one.get());
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return FromKafkaError(err, "reading a position");
  const int64_t position = one->elems[0].offset;
  if (position < 0) return std::optional<int64_t>();  // nothing consumed yet (or not assigned)
  int64_t low = -1;
  int64_t high = -1;
  if (rd_kafka_get_watermark_offsets(rk_, topic.c_str(), partition, &low, &high) !=
          RD_KAFKA_RESP_ERR_NO_ERROR ||
      high < 0) {
    return std::optional<int64_t>();
  }
  return std::optional<int64_t>(std::max<int64_t>(0, high - position));
}

// ------------------------------------------------------------------------------------------
// Producer

LibrdkafkaProducer::LibrdkafkaProducer(const LibrdkafkaOptions& options) : options_(options) {}

LibrdkafkaProducer::~LibrdkafkaProducer() {
  if (rk_ == nullptr) return;
  rd_kafka_purge(rk_, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  // Serve the purged records' delivery reports (they reference this object).
  rd_kafka_poll(rk_, 0);
  rd_kafka_destroy(rk_);
}

void LibrdkafkaProducer::OnDelivery(rd_kafka_t* rk, const rd_kafka_message_t* msg, void* opaque) {
  auto* self = static_cast<LibrdkafkaProducer*>(opaque);
  if (msg->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    ++self->delivered_;
    return;
  }
  ++self->failed_;
  if (self->first_error_.ok()) {
    std::string where = msg->rkt != nullptr ? rd_kafka_topic_name(msg->rkt) : "?";
    where += "[" + std::to_string(msg->partition) + "]";
    self->first_error_ =
        IOError("delivery to " + where + " failed: " + rd_kafka_err2name(msg->err) + ": " +
                rd_kafka_err2str(msg->err));
  }
}

Status LibrdkafkaProducer::Send(OutRecord record) {
  if (record.topic.empty()) return InvalidArgument("record without topic");
  if (record.topic != last_topic_) {
    last_topic_ = record.topic;
    if (known_topics_.insert(record.topic).second) WarmUpTopic(record.topic);
  }
  rd_kafka_headers_t* headers = nullptr;
  if (!record.headers.empty()) {
    headers = rd_kafka_headers_new(record.headers.size());
    for (const Header& h : record.headers) {
      rd_kafka_header_add(headers, h.key.data(), static_cast<ssize_t>(h.key.size()),
                          h.value ? h.value->data() : nullptr,
                          h.value ? static_cast<ssize_t>(h.value->size()) : 0);
    }
  }
  rd_kafka_vu_t vus[7];
  size_t cnt = 0;
  vus[cnt].vtype = RD_KAFKA_VTYPE_TOPIC;
  vus[cnt++].u.cstr = record.topic.c_str();
  vus[cnt].vtype = RD_KAFKA_VTYPE_PARTITION;
  vus[cnt++].u.i32 = record.partition < 0 ? RD_KAFKA_PARTITION_UA : record.partition;
  vus[cnt].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
  vus[cnt++].u.i = RD_KAFKA_MSG_F_COPY;
  vus[cnt].vtype = RD_KAFKA_VTYPE_KEY;
  // A null pointer is a null key; an empty string stays an empty (non-null) key.
  vus[cnt].u.mem.ptr = record.key ? const_cast<char*>(record.key->data()) : nullptr;
  vus[cnt++].u.mem.size = record.key ? record.key->size() : 0;
  vus[cnt].vtype = RD_KAFKA_VTYPE_VALUE;
  vus[cnt].u.mem.ptr = record.value ? const_cast<char*>(record.value->data()) : nullptr;
  vus[cnt++].u.mem.size = record.value ? record.value->size() : 0;
  vus[cnt].vtype = RD_KAFKA_VTYPE_TIMESTAMP;
  vus[cnt++].u.i64 = record.timestamp;
  if (headers != nullptr) {
    vus[cnt].vtype = RD_KAFKA_VTYPE_HEADERS;
    vus[cnt++].u.headers = headers;
  }

  const Clock::time_point deadline = Clock::now() + options_.queue_full_timeout;
  while (true) {
    rd_kafka_error_t* error = rd_kafka_produceva(rk_, vus, cnt);
    if (error == nullptr) break;  // headers are owned by librdkafka now
    const rd_kafka_resp_err_t err = rd_kafka_error_code(error);
    const std::string text = rd_kafka_error_string(error);
    rd_kafka_error_destroy(error);
    if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL && RemainingMs(deadline) > 0) {
      rd_kafka_poll(rk_, std::min(10, RemainingMs(deadline)));  // let deliveries drain
      continue;
    }
    if (headers != nullptr) rd_kafka_headers_destroy(headers);
    if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      return TimeoutError("producing to " + record.topic + ": local queue stayed full");
    }
    if (err == RD_KAFKA_RESP_ERR__FATAL) {
      if (auto f = FatalError(rk_, "producer")) return *std::move(f);
    }
    return FromKafkaError(err, "producing to " + record.topic, text.c_str());
  }
  rd_kafka_poll(rk_, 0);  // serve delivery reports
  return Status::Ok();
}

void LibrdkafkaProducer::WarmUpTopic(const std::string& topic) {
  // librdkafka learns a new topic's leaders only at its next topic scan (once a second), so the
  // first records to each topic would wait up to a second; ask for its metadata now, once.
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk_, topic.c_str(), nullptr);
  if (rkt == nullptr) return;
  const struct rd_kafka_metadata* md = nullptr;
  // Bounded tightly: on a reachable cluster the answer takes one round trip; on an unreachable
  // one the record just takes the slow path instead of holding the caller.
  const int timeout_ms = 250;
  if (rd_kafka_metadata(rk_, 0, rkt, &md, timeout_ms) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    rd_kafka_metadata_destroy(md);
  }  // on failure the record takes librdkafka's own (slower) path
  rd_kafka_topic_destroy(rkt);
}

Status LibrdkafkaProducer::Flush(Millis timeout) {
  rd_kafka_resp_err_t err = rd_kafka_flush(rk_, ToMs(timeout));
  Status first = std::move(first_error_);
  first_error_ = Status::Ok();
  if (!first.ok()) return first;
  if (auto fatal = FatalError(rk_, "producer")) return *std::move(fatal);
  if (err == RD_KAFKA_RESP_ERR__TIMED_OUT) {
    return TimeoutError("flush: " + std::to_string(rd_kafka_outq_len(rk_)) +
                        " records/requests still in flight");
  }
  return FromKafkaError(err, "flush");
}

}  // namespace brook::kafka
