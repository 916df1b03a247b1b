// StreamThread: one consumer and (for persistent queries) one producer, and the tasks of the
// partitions the consumer group gave this thread. PollOnce polls a batch, routes each record to
// its partition's task, produces the tasks' result rows, and commits when the commit interval
// has passed: first the producer is flushed (every output acknowledged), then the consumed
// offsets are committed — at-least-once. Partition assignment and revocation arrive through
// the consumer's RebalanceListener: assigned partitions get new tasks; revoked ones are
// committed and their tasks dropped.
//
// Single-threaded: the owner (an OS thread per stream thread in brookd, the deterministic
// driver in tests, or an HTTP request serving a push query) calls PollOnce in a loop. The
// counters may be read from other threads.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "runtime/engine/processing_log.h"
#include "runtime/kafka/kafka.h"
#include "runtime/topology/repartition.h"
#include "runtime/topology/sink_writer.h"
#include "runtime/topology/topology.h"

namespace brook {

struct StreamThreadOptions {
  std::string query_id;
  std::string group_id;
  bool from_beginning = true;          // auto.offset.reset=earliest
  kafka::Millis flush_timeout{30000};  // bound on the producer flush before a commit (30 s)
  // How often offsets are committed (ksql.streams.commit.interval.ms). 0 commits after every
  // poll that read something (the deterministic driver and tests). Default 2000 ms.
  kafka::Millis commit_interval{2000};
  // How long the state directory of a task taken away by a rebalance is kept in case the task
  // comes back (ksql.streams.state.cleanup.delay.ms, Kafka Streams' state.cleanup.delay.ms).
  // Then it is removed. Default 10 minutes.
  kafka::Millis state_cleanup_delay{600000};
  // Stateful plans: where task state lives (null: a stateful plan fails when a task starts),
  // the changelog topics' prefix, and whether fresh state directories are restored from the
  // changelogs (a query resumed after a restart; a new query has nothing to restore).
  std::shared_ptr<state::StateEnvironment> state_env;
  std::string service_id = "default_";
  bool restore_state = false;
  // One task for every partition of every topic (a transient query whose aggregation would
  // otherwise repartition: its single consumer sees all partitions, so one task sees every
  // group). Offsets are not committed in this mode.
  bool single_task = false;
  // Plans with a materialize_v1 step: where tasks register their materialization for pull
  // queries (null: not readable).
  std::shared_ptr<MaterializedView> view;
  // Commit the consumed offsets to the consumer group (default true). False for a query whose
  // state alone says where it is (CREATE SOURCE TABLE's materialization: a lost state directory
  // must re-read its topic from the beginning, which the group's offsets would prevent).
  bool commit_group_offsets = true;
  // Read every partition without joining a consumer group (kafka::ConsumerConfig::assign_all):
  // transient queries, which commit nothing and must not wait for a group to form. Default false.
  bool assign_all = false;
  // ksql.streams.cache.max.bytes.buffering for the tasks (OperatorContext::emit_cache_bytes);
  // 0 (the default here) emits every update.
  size_t emit_cache_bytes = 0;
  // A bounded scan (pull queries on streams): the offset each partition of the source topic
  // ends before, captured when the query started. Records at or past their partition's end, or
  // of partitions not listed, are ignored; scan_complete() turns true once every listed
  // partition was read to its end (at once when none is listed). The last offsets of a partition
  // may hold no record a consumer sees (transaction markers, compaction): once the scan has
  // read a record, `scan_idle_polls` empty polls in a row also end it.
  std::optional<std::map<int32_t, int64_t>> scan_end;
  int scan_idle_polls = 5;
  // A task reading several topics (a join) processes their records in record-time order; while
  // one input has nothing buffered but its consumer has not read it to its end, the task waits
  // for it up to this long (ksqlDB's max.task.idle.ms, used as a ceiling). Negative: no ordering
  // (records are processed as they are polled: the deterministic driver). Default 1000 ms.
  kafka::Millis max_task_idle{1000};
  // Drain the tasks of a sub-topology where partitions meet (a repartition topic, state)
  // earliest-head-first across them (brook.streams.order.across.partitions). Default true;
  // false processes each partition's records as the consumer hands them over, as Kafka
  // Streams does across tasks.
  bool order_across_partitions = true;
  // Back-pressure (brook.streams.max.buffered.rows): when an ordered task holds this many rows
  // waiting for their turn, its input partitions are paused until it is down to half. 0: never.
  // Default 50000.
  size_t max_buffered_rows = 50000;
};

class StreamThread : public kafka::RebalanceListener {
 public:
  // Persistent plans (with a sink) get their own producer from `kafka`; transient ones deliver
  // rows to `sink`.
  static Result<std::unique_ptr<StreamThread>> Create(std::shared_ptr<const Topology> topology,
                                                      kafka::KafkaClientFactory& kafka,
                                                      RowSink sink, ProcessingLog* log,
                                                      StreamThreadOptions options);
  ~StreamThread() override;

  // Polls up to `max_records` and processes them; returns how many input records were read.
  // An exception escaping the engine's code (a defect: record data must never cause one) is
  // caught here and returned as an Internal error, so the query fails visibly (state ERROR)
  // while the server and the other queries keep running.
  Result<size_t> PollOnce(size_t max_records, kafka::Millis timeout);
  // Flushes the producer and commits every task's consumed offset.
  Status Commit();
  // Gives up this thread after a failure, committing nothing: its tasks are dropped with what
  // they did since the last commit (their state directories stay, for the thread that replaces
  // this one to reopen), and revocations while the consumer leaves the group commit nothing.
  // The next owner of the partitions resumes from the last commit, as after a crash. Only
  // destruction may follow.
  void Abandon();

  bool limit_reached() const { return transient_ && transient_->limit_reached(); }
  // A bounded scan read every partition to its end (see StreamThreadOptions::scan_end).
  bool scan_complete() const { return scan_remaining_ == 0; }
  // Source records processed (internal repartition records are not counted).
  uint64_t records_in() const { return records_in_.load(std::memory_order_relaxed); }
  uint64_t records_out() const { return records_out_.load(std::memory_order_relaxed); }
  // Source records the broker deleted before this thread's consumer read them (a jump past the
  // log start: retention, or the embedded broker's per-partition limit).
  uint64_t skipped_by_broker() const { return skipped_by_broker_.load(std::memory_order_relaxed); }
  // Records dropped by windowed aggregations because their window had closed.
  uint64_t late_records() const { return late_records_.load(std::memory_order_relaxed); }
  // Times an input partition was paused because its task's buffer was full (back-pressure).
  uint64_t backpressure_pauses() const { return paused_total_.load(std::memory_order_relaxed); }
  // Stream time of one input partition owned by this thread (-1: none or not owned).
  int64_t stream_time(int32_t partition) const;
  Result<int64_t> Lag() { return consumer_->Lag(); }
  Result<std::vector<kafka::Consumer::PartitionLag>> LagByPartition() {
    return consumer_->LagByPartition();
  }
  const PhysicalPlan& plan() const { return topology_->plan(); }

  // kafka::RebalanceListener (called from inside the consumer's Poll).
  void OnPartitionsRevoked(const std::vector<kafka::TopicPartition>& partitions) override;
  // Whether sub-topology `sub` holds the materialize step (the view's tasks).
  bool Materializes(int sub) const;
  void OnPartitionsAssigned(const std::vector<kafka::TopicPartition>& partitions) override;
  void OnPartitionsLost(const std::vector<kafka::TopicPartition>& partitions) override;
  // Commits that failed while partitions were being revoked (their work is redone by the new
  // owner, as at-least-once allows); the query keeps running.
  uint64_t failed_revocation_commits() const { return failed_revocation_commits_; }

 private:
  Result<size_t> PollOnceUnguarded(size_t max_records, kafka::Millis timeout);
  StreamThread(std::shared_ptr<const Topology> topology, ProcessingLog* log,
               StreamThreadOptions options);
  // A task's identity: (sub-topology, input partition).
  using TaskKey = std::pair<int, int32_t>;
  TaskKey KeyFor(std::string_view topic, int32_t partition) const;
  Status CommitTasks(const std::vector<TaskKey>& keys);
  // Drops the tasks; `release`: their state directories are removed after
  // state_cleanup_delay unless the tasks come back first.
  void DropTasks(const std::vector<TaskKey>& keys, bool release = true);
  // Removes the released state directories whose delay is over.
  void CleanReleased();
  // Hands a task's result rows to the repartition topic, the sink or the transient output.
  size_t WriteResults(int sub, Task& task);
  // Bounded scans: drops the records past their partition's end and notes finished partitions.
  void TrimToScan();
  // Ordered tasks: processes what their buffers allow (Task::Drain) and writes the results.
  Status DrainOrdered();
  // Whether the tasks of sub-topology `sub` are drained together: their rows are processed
  // earliest-head-first across them, so what they write (a repartition topic, an aggregation's
  // sink another stage reads) receives records in time order even when the consumer hands over
  // one partition's backlog at a time. Threaded, partitioned queries; sub-topologies that write
  // a repartition topic or keep state (see grouped_).
  bool Grouped(int sub) const;
  // Drains the grouped tasks: repeatedly the task with the earliest buffered row, up to the next
  // task's earliest row; stops while a task with nothing buffered may still bring an earlier one.
  Status DrainGroups();
  Status DrainTask(const TaskKey& key, Task& task);
  // After `task` processed rows into results_: its late drops counted, the results written, its
  // stream time published (first sub-topology).
  void AfterRun(const TaskKey& key, Task& task);
  // Whether an ordered task should wait for `topic` (its partition of the task's) before
  // processing its other inputs' rows: the topic is behind in the consumer and has not been
  // waited for ksql.streams.max.task.idle.ms yet.
  bool MayWait(const TaskKey& key, const std::string& topic);
  // Pauses the inputs of tasks whose buffers are full, resumes those drained to half.
  Status ApplyBackPressure();
  // Sends the progress of this thread's writers of GROUP BY repartition topics that tasks of
  // other threads or servers read (RepartitionProgress), when it changed, at most every
  // kProgressInterval.
  void SendProgress();
  // Whether `sub` writes a repartition topic with progress records: a GROUP BY's or a join
  // side's (not a foreign-key join's subscriptions). Its tasks process their rows in time
  // order (by partition, across inputs), so what they processed bounds what they write later.
  bool SendsProgress(const SubTopology& sub) const;
  // Whether writer task `key` of `sub` has nothing buffered, has read its partition of every
  // input to the end (a partition with nothing consumed yet: once waited for max.task.idle.ms)
  // and waits on no other thread's writer.
  bool CaughtUp(const TaskKey& key, const Task& task, const SubTopology& sub);
  // Partition count of `topic` (cached; 0 if unknown).
  int32_t PartitionsOf(const std::string& topic);

  std::shared_ptr<const Topology> topology_;
  ProcessingLog* log_;
  StreamThreadOptions options_;
  kafka::KafkaClientFactory* kafka_ = nullptr;
  std::unique_ptr<kafka::Consumer> consumer_;
  std::unique_ptr<kafka::Producer> producer_;
  std::unique_ptr<SinkWriter> sink_writer_;
  std::unique_ptr<TransientOutput> transient_;
  std::map<TaskKey, std::unique_ptr<Task>> tasks_;
  std::vector<kafka::RecordView> batch_;
  std::vector<const kafka::RecordView*> run_;  // records of one task input, being processed
  // Ordered tasks: since when each (topic, partition) has been waited for while empty.
  std::map<std::pair<std::string, int32_t>, std::chrono::steady_clock::time_point> waiting_since_;
  // Ordered tasks: the consumer's lag per (topic, partition), read once per poll when a drain
  // first needs it (reset by PollOnce).
  std::optional<std::map<std::pair<std::string, int32_t>, int64_t>> poll_lag_;
  // Progress records: what each writer task sent last, when they were last looked at, and the
  // partition counts they needed.
  static constexpr std::chrono::milliseconds kProgressInterval{200};
  std::map<TaskKey, std::pair<int64_t, bool>> progress_sent_;
  std::chrono::steady_clock::time_point last_progress_{};
  std::map<std::string, int32_t> partition_counts_;
  // Ordered tasks: the batch index after each task's last run in this poll; a task is drained
  // right after it (its buffers stay small and warm) instead of after the whole batch.
  std::map<TaskKey, size_t> last_run_end_;
  // Per sub-topology: drained earliest-head-first across its tasks (Grouped).
  std::vector<bool> grouped_;
  // Per sub-topology: how many of its tasks have records in the current poll.
  std::map<int, int> group_tasks_in_poll_;
  // By sub-topology: the writer of a sub-topology that ends with a repartition_v1 step.
  std::vector<std::unique_ptr<JoinRepartitionWriter>> join_repartition_;
  RowBatch results_;
  Status rebalance_error_;  // a failure inside a listener callback, reported by PollOnce
  bool abandoned_ = false;  // Abandon() was called: nothing is committed any more
  std::chrono::steady_clock::time_point last_commit_;
  // State directories of tasks taken away, by task, with when they were released.
  std::map<TaskKey, std::pair<std::string, std::chrono::steady_clock::time_point>> released_;
  // Partitions paused for back-pressure; false once the consumer said it cannot pause.
  std::set<kafka::TopicPartition> paused_;
  bool can_pause_ = true;
  bool uncommitted_ = false;
  std::atomic<uint64_t> failed_revocation_commits_{0};
  std::atomic<uint64_t> records_in_{0};
  std::atomic<uint64_t> records_out_{0};
  std::atomic<uint64_t> paused_total_{0};
  std::atomic<uint64_t> late_records_{0};
  std::atomic<uint64_t> skipped_by_broker_{0};
  mutable std::mutex stream_time_mu_;
  std::map<int32_t, int64_t> stream_time_;  // first sub-topology's, by partition, for readers
  // Bounded scans: partitions not yet read to their end (-1: not a bounded scan).
  int64_t scan_remaining_ = -1;
  bool scan_started_ = false;
  int scan_idle_ = 0;
  std::map<int32_t, bool> scan_done_;
};

}  // namespace brook
