// Task: one (sub-topology, input partition) of a query. Single-threaded; owned and driven by a
// StreamThread. It owns a record decoder per source topic it reads, its operators, its stream
// time (the largest record time it has seen) and the offset it has consumed up to in each input
// topic, and — for stateful plans — its state stores. It decodes the records of its partition,
// runs them through its operators in offset order and leaves the result rows for the stream
// thread to produce.
//
// The operators form a tree (a join reads two inputs): each input's rows enter at one operator
// (and side) and flow towards the root, whose rows are the task's result. Operators without a
// step of their own (sources, sinks, a push query's repartitions) are not in the tree.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "runtime/kafka/kafka.h"
#include "runtime/operators/operator.h"
#include "runtime/state/task_state.h"
#include "runtime/topology/materialized_view.h"
#include "runtime/topology/record_decoder.h"
#include "runtime/topology/repartition.h"

namespace brook {

struct TaskContext {
  std::string query_id;
  ProcessingLog* log = nullptr;
  // Stateful plans only (aggregations, joins): where task state lives. Without it a stateful
  // task fails to start.
  std::shared_ptr<state::StateEnvironment> state_env;
  std::string service_id = "default_";            // ksql.service.id: the changelog topics' prefix
  kafka::Producer* changelog_producer = nullptr;  // null: no changelog (transient queries)
  // Restores a fresh state directory from the changelogs; null when the query is new (its
  // changelogs are empty) or transient.
  kafka::KafkaClientFactory* restore_from = nullptr;
  // Plans with a materialize_v1 step: where the task registers its materialization's reader
  // for pull queries. Null: not registered.
  std::shared_ptr<MaterializedView> view;
  // OperatorContext::emit_cache_bytes (ksql.streams.cache.max.bytes.buffering); 0: off.
  size_t emit_cache_bytes = 0;
  // A task reading several topics processes their records in record-time order (Task::Drain).
  // Off for the deterministic driver, which hands records over one by one in input order.
  bool order_inputs = false;
  // The task buffers its rows even with one input: the stream thread drains the tasks that feed
  // one repartition topic earliest-head-first across them (StreamThread::DrainGroups).
  bool buffer_rows = false;
  // A task reading repartition topics written by single-input tasks (a GROUP BY's, a join
  // side's), by topic: how many writers it has (the writing sub-topology's source partitions)
  // and whether the writer of source partition `p` runs in this stream thread (which orders
  // its tasks by time itself).
  struct RepartitionWriters {
    int32_t count = 0;
    std::function<bool(int32_t writer)> local;
  };
  std::map<std::string, RepartitionWriters> repartition_writers;
  // A task writing a GROUP BY repartition topic: keep processed_time() (progress records).
  bool track_processed_time = false;
};

class Task {
 public:
  ~Task();
  // Decodes and processes `records` of input `input` (the sub-topology's SubInput index; all of
  // this task's partition, in offset order). Result rows are appended to `out`. An ordered task
  // (below) only decodes and buffers them: Drain processes them.
  // `direct`: an ordered task processes the rows at once instead of buffering them (the caller
  // checked MayRunDirectly).
  Status Process(size_t input, const std::vector<const kafka::RecordView*>& records, RowBatch& out,
                 bool direct = false);
  // Whether new rows of `input` may skip an ordered task's buffers: nothing is buffered and no
  // other input is to be waited for, so Drain would process them whole at once.
  bool MayRunDirectly(size_t input, const std::function<bool(const std::string& topic)>& may_wait);
  // Ordered tasks (a task reading several topics, in a threaded engine): rows are processed in
  // record-time order across the inputs, as Kafka Streams picks the earliest head record among a
  // task's partitions, so one input's backlog cannot run stream time past the other's. Drain
  // processes buffered rows while every input has one, or the empty ones may not bring an
  // earlier row soon: `may_wait(topic)` says whether to wait for an empty input (the consumer
  // has not read it to its end).
  bool ordered() const { return ordered_; }
  bool buffered() const;
  // Rows buffered over all inputs, and the topics of the inputs.
  size_t buffered_rows() const;
  std::vector<std::string> input_topics() const;
  // `bound`: stop before a row later than it, once a row was processed (the stream thread's
  // earliest-head-first order across the tasks that feed one repartition topic).
  Status Drain(const std::function<bool(const std::string& topic)>& may_wait, RowBatch& out,
               int64_t bound = INT64_MAX);
  // The record time of the row Drain would process next (the earliest head over the inputs);
  // INT64_MAX when nothing is buffered.
  int64_t HeadTime() const;
  // Whether an empty input of this task may still bring a row (the consumer is behind on it).
  bool MayBringRows(const std::function<bool(const std::string& topic)>& may_wait) const;
  // Buffered rows processed by Drain so far.
  uint64_t rows_drained() const { return rows_drained_; }

  int32_t partition() const { return partition_; }
  // The largest record time seen, or -1.
  int64_t stream_time() const { return stream_time_; }
  // The next offset to read in each input that has read something (what a commit records).
  std::vector<kafka::TopicPartitionOffset> Consumed() const;
  // Whether anything was read since Consumed() was last committed (MarkCommitted).
  bool dirty() const { return dirty_; }
  void MarkCommitted() { dirty_ = false; }
  uint64_t records_in() const { return records_in_; }
  const OperatorContext& context() const { return ctx_; }
  // Emits what operators hold back (the record cache) through the rest of the pipeline into
  // `out`; call before PrepareCommit.
  Status Flush(RowBatch& out);
  // Flushes operator caches into the state and sends the changes to the changelogs.
  Status PrepareCommit();
  // After the changelog producer was flushed: writes the state with the consumed offsets.
  Status CommitState();
  bool stateful() const { return state_ != nullptr; }
  // The task's state directory ("" without state).
  std::string state_directory() const { return state_ ? state_->directory() : std::string(); }
  // The pseudo-topics under which CommitState stores the repartition origins with the offsets
  // ('@' is not valid in a Kafka topic name, so they never meet a real one).
  static constexpr std::string_view kOriginOffsetTopic = "@repartition-origin-offset";
  static constexpr std::string_view kOriginIndexTopic = "@repartition-origin-index";
  // ... and the writers' progress (RepartitionProgress) of each repartition topic it reads:
  // "<prefix><topic>", by writer partition (offset: (time + 1) * 2 + idle).
  static constexpr std::string_view kWriterProgressTopic = "@repartition-writer-progress:";
  // Restores the origins and the writers' progress from the state's committed offsets
  // (Topology::NewTask).
  void SeedOrigins(const std::vector<kafka::TopicPartitionOffset>& committed);
  // The largest record time of the rows this task processed (not those it only buffered), or
  // -1; kept when TaskContext::track_processed_time.
  int64_t processed_time() const { return processed_time_; }
  // A task reading repartition topics of single-input writers: per topic, INT64_MAX when every
  // writer runs in this stream thread (which orders them itself); else the progress of its
  // slowest writer that is not idle, as far as this task has read it (the progress records in
  // this partition, taken once the rows before them are processed: a writer's own state may be
  // ahead of what reached here), -1 while a writer was not heard of yet. The minimum over the
  // topics; its operators' stream time goes no further (OperatorContext).
  int64_t UpstreamWatermark();
  // Late records its operators dropped since the previous call (windows already closed).
  uint64_t TakeLateRecords();
  // The origin sequence of the contribution rows this task writes to a repartition topic.
  RepartitionSequence& repartition_sequence() { return repartition_sequence_; }
  // Contribution rows skipped because their origin was counted already (written again by a
  // task that restarted from older offsets).
  uint64_t duplicates_skipped() const { return duplicates_skipped_; }

 private:
  friend class Topology;
  Task(int32_t partition, TaskContext context);

  struct Input {
    std::string topic;
    bool repartition = false;       // an aggregation's internal topic (contribution rows)
    bool join_repartition = false;  // a repartition_v1 topic (whole rows)
    std::unique_ptr<RecordDecoder> decoder;
    bool is_table = false;
    bool has_key = false;
    int entry = -1;  // the node its rows enter (-1: straight to the task's output)
    int side = 0;
    int64_t next_offset = -1;
    // What a commit records: the offset after the last processed row (rows still buffered by
    // an ordered task are not processed yet).
    int64_t done_offset = -1;
    RowQueue buffer;  // ordered tasks: decoded rows not processed yet
    // Records below this offset are already in the task's committed state (the group's offset
    // lagged behind the state's at a crash): they are skipped, so the state counts each once.
    int64_t skip_below = -1;
  };
  struct Node {
    std::unique_ptr<Operator> op;
    int next = -1;  // the node its output feeds (-1: the task's output)
    int side = 0;   // which input of `next`
    RowBatch out;
  };
  void Decode(Input& input, const std::vector<const kafka::RecordView*>& records,
              RowBatch& decoded);
  // Takes the progress records of `input` whose preceding rows are all processed (offset below
  // input.done_offset) into its track, and the watermark into ctx_.
  void ApplyProgress(const Input& input);
  // After the watermark rose: lets every operator close what it closes by stream time
  // (Operator::OnStreamTime), its rows flowing through the rest of the pipeline into `out`.
  Status Punctuate(RowBatch& out);
  // Runs `rows` through node `node` (entering at `side`) and every node after it.
  Status Run(int node, int side, RowBatch& rows, RowBatch& out);

  int32_t partition_;
  OperatorContext ctx_;
  std::unique_ptr<state::TaskState> state_;  // before the operators: they point into it
  std::vector<Input> inputs_;
  std::vector<Node> nodes_;  // in plan order: a node's inputs come before it
  RowBatch decoded_;
  bool ordered_ = false;
  int64_t stream_time_ = -1;
  bool dirty_ = false;
  uint64_t records_in_ = 0;
  uint64_t rows_drained_ = 0;
  uint64_t late_reported_ = 0;
  RepartitionSequence repartition_sequence_;
  // A stateful task reading a repartition topic: the last origin taken per writing partition.
  // Committed with the state as pseudo-offsets (kOriginOffsetTopic / kOriginIndexTopic).
  std::map<int32_t, RepartitionOrigin> origins_;       // the last taken (decoded)
  std::map<int32_t, RepartitionOrigin> done_origins_;  // the last processed: what is committed
  std::deque<std::pair<int64_t, RepartitionOrigin>> pending_origins_;  // by repartition offset
  uint64_t duplicates_skipped_ = 0;
  // Progress of the writers of the repartition topics this task reads, from their progress
  // records; committed with the state (kWriterProgressTopic).
  struct WriterState {
    int64_t time = -1;  // -1: no progress known yet
    bool idle = false;
  };
  struct WriterTrack {
    int32_t count = 0;
    std::function<bool(int32_t)> local;
    std::map<int32_t, WriterState> writers;
    std::deque<std::pair<int64_t, RepartitionProgress>> pending;  // by offset
    int64_t Watermark() const;
  };
  std::map<std::string, WriterTrack> tracks_;  // by input topic
  bool punctuate_ = false;                     // the watermark rose since the last Punctuate
  bool track_processed_time_ = false;
  int64_t processed_time_ = -1;
  // The materialization reader this task registered, to remove when it closes.
  std::shared_ptr<MaterializedView> view_;
  std::shared_ptr<state::StoreReader> view_reader_;
};

}  // namespace brook
