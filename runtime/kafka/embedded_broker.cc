#include "runtime/kafka/embedded_broker.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <algorithm>

namespace brook::kafka {

Result<std::unique_ptr<EmbeddedBroker>> EmbeddedBroker::Start(int brokers) {
  if (brokers < 1) return InvalidArgument("embedded broker needs at least one broker");
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  // The handle only owns the mock cluster and never connects anywhere; silence its
  // "no bootstrap.servers" notice.
  if (rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK) {
    rd_kafka_conf_destroy(conf);
    return Internal(std::string("embedded broker conf: ") + errstr);
  }
  rd_kafka_t* handle = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
  if (handle == nullptr) {
    rd_kafka_conf_destroy(conf);
    return IOError(std::string("embedded broker: cannot create librdkafka handle: ") + errstr);
  }
  rd_kafka_mock_cluster_t* cluster = rd_kafka_mock_cluster_new(handle, brokers);
  if (cluster == nullptr) {
    rd_kafka_destroy(handle);
    return IOError("embedded broker: rd_kafka_mock_cluster_new failed (see librdkafka log)");
  }
  return std::unique_ptr<EmbeddedBroker>(new EmbeddedBroker(handle, cluster, brokers));
}

EmbeddedBroker::EmbeddedBroker(rd_kafka_t* handle, rd_kafka_mock_cluster_t* cluster, int brokers)
    : handle_(handle),
      cluster_(cluster),
      brokers_(brokers),
      bootstrap_(rd_kafka_mock_cluster_bootstraps(cluster)) {}

EmbeddedBroker::~EmbeddedBroker() {
  // librdkafka requires the mock cluster to be destroyed before the handle it was created on.
  rd_kafka_mock_cluster_destroy(cluster_);
  rd_kafka_destroy(handle_);
}

Status EmbeddedBroker::CreateTopic(const std::string& name, int partitions,
                                   int replication_factor) {
  if (name.empty()) return InvalidArgument("topic name must not be empty");
  if (partitions < 1) {
    return InvalidArgument("topic " + name + ": partitions must be >= 1, got " +
                           std::to_string(partitions));
  }
  const int replicas = std::clamp(replication_factor, 1, brokers_);
  rd_kafka_resp_err_t err =
      rd_kafka_mock_topic_create(cluster_, name.c_str(), partitions, replicas);
  switch (err) {
    case RD_KAFKA_RESP_ERR_NO_ERROR:
      return Status::Ok();
    case RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS:
      return Status(StatusCode::kAlreadyExists, "topic " + name + " already exists");
    default:
      return IOError("embedded broker: creating topic " + name + ": " + rd_kafka_err2str(err));
  }
}

}  // namespace brook::kafka
