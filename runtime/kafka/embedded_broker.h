// EmbeddedBroker: librdkafka's mock Kafka cluster, started in-process.
//
// brook uses it when no `bootstrap.servers` is configured (and for tests and brook-devbroker):
// real Kafka wire protocol on loopback sockets, so the same librdkafka clients that talk to a
// production cluster talk to it. It is a test double, not a Kafka:
//
//   - Memory only. Nothing survives the process.
//   - Bounded log. Each partition keeps about kRetainedBytesPerPartition (5 MiB) of record
//     batches (and, per librdkafka's source, at most 100000 batches); older batches are dropped
//     silently and the log start offset moves up. Verified: 200 x 100 KiB records produced to
//     one partition leave the last 47.
//   - No compaction, no retention by time, topic configs (cleanup.policy, ...) are ignored.
//   - Transactions are accepted but not enforced: the transactional producer API succeeds, yet
//     no commit/abort markers are written (offsets stay dense) and a read_committed consumer
//     reads records of aborted transactions (verified with librdkafka 2.0.2). It cannot prove
//     exactly-once behaviour.
//   - The CreateTopics and DeleteTopics admin APIs are not implemented: a librdkafka admin call
//     waits for a controller that never answers ("Failed while waiting for controller") until its
//     timeout. Create topics with CreateTopic() below instead. Topics cannot be deleted.
//   - Topics are auto-created with kAutoCreatePartitions (4) partitions and replication factor 1
//     when a client produces to them or asks for their metadata by name (verified with
//     librdkafka 2.0.2; `allow.auto.create.topics=false` on a producer does not prevent it).
//     Asking for the metadata of *all* topics creates nothing.
//   - Consumer groups are slow to form. The first join of an empty group waits 3 s (the mock
//     hard-codes Kafka's group.initial.rebalance.delay.ms), so session.timeout.ms must exceed
//     3000 or members expire while joining. After a member leaves, the group rebalances for
//     session.timeout.ms - 1 s before anyone (even a new member) gets an assignment: measured
//     5 s with 6000 (which LibrdkafkaClientFactory uses for consumers of an in-process
//     EmbeddedBroker), over 20 s with librdkafka's default 45000. Not configurable in 2.0.2.
//   - Listeners bind 127.0.0.1 on ephemeral ports chosen by the OS: the port cannot be chosen.
//
// Thread-safety: all methods are thread-safe (the mock runs its own thread; commands are queued
// to it). The broker stops when the object is destroyed, which can take up to ~1 s (the mock's
// I/O thread sometimes notices the stop only at its 1 s poll timeout); clients still connected
// then see connection errors.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"

// librdkafka types, kept out of this header's includes.
struct rd_kafka_s;
struct rd_kafka_mock_cluster_s;

namespace brook::kafka {

class EmbeddedBroker {
 public:
  // Partition count the mock gives topics it creates on first use (produce or metadata by name).
  static constexpr int kAutoCreatePartitions = 4;
  // Approximate bytes of record batches the mock keeps per partition before dropping old ones.
  static constexpr size_t kRetainedBytesPerPartition = 5 * 1024 * 1024;

  // Starts a mock cluster with `brokers` brokers (ids 1..brokers; default 1). Returns kIOError
  // if librdkafka cannot create it (e.g. no loopback socket).
  static Result<std::unique_ptr<EmbeddedBroker>> Start(int brokers = 1);

  ~EmbeddedBroker();
  EmbeddedBroker(const EmbeddedBroker&) = delete;
  EmbeddedBroker& operator=(const EmbeddedBroker&) = delete;

  // Comma-separated "127.0.0.1:port" list of the brokers, usable as bootstrap.servers.
  const std::string& bootstrap_servers() const { return bootstrap_; }
  int broker_count() const { return brokers_; }

  // Creates `name` with `partitions` partitions. `replication_factor` is clamped to the broker
  // count. Returns kAlreadyExists if the topic exists (also when it was auto-created),
  // kInvalidArgument for an empty name or partitions < 1. Immediate: the topic is visible to
  // metadata requests once this returns.
  Status CreateTopic(const std::string& name, int partitions, int replication_factor = 1);

  // The underlying mock cluster, for tests that inject errors with rdkafka_mock.h. Owned by this
  // object.
  rd_kafka_mock_cluster_s* mock_cluster() const { return cluster_; }

 private:
  EmbeddedBroker(rd_kafka_s* handle, rd_kafka_mock_cluster_s* cluster, int brokers);

  rd_kafka_s* handle_;                // dummy producer that owns the mock cluster
  rd_kafka_mock_cluster_s* cluster_;  // owned; destroyed before handle_
  int brokers_;
  std::string bootstrap_;
};

}  // namespace brook::kafka
