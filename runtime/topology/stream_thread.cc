#include "runtime/topology/stream_thread.h"

#include <exception>
#include <filesystem>
#include <set>

#include "runtime/topology/repartition.h"

namespace brook {

StreamThread::StreamThread(std::shared_ptr<const Topology> topology, ProcessingLog* log,
                           StreamThreadOptions options)
    : topology_(std::move(topology)), log_(log), options_(std::move(options)) {}

StreamThread::~StreamThread() {
  // Destroy the consumer first: it may still call the listener (this) while leaving the group.
  consumer_.reset();
}

Result<std::unique_ptr<StreamThread>> StreamThread::Create(
    std::shared_ptr<const Topology> topology, kafka::KafkaClientFactory& kafka, RowSink sink,
    ProcessingLog* log, StreamThreadOptions options) {
  std::unique_ptr<StreamThread> t(new StreamThread(std::move(topology), log, std::move(options)));
  t->kafka_ = &kafka;
  const PhysicalPlan& plan = t->topology_->plan();
  if (plan.sink()) {
    ASSIGN_OR_RETURN(t->producer_, kafka.NewProducer());
    ASSIGN_OR_RETURN(t->sink_writer_, SinkWriter::Create(plan));
    const auto& subs = t->topology_->sub_topologies();
    t->join_repartition_.resize(subs.size());
    for (size_t i = 0; i < subs.size(); ++i) {
      if (subs[i].join_repartition_step < 0) continue;
      ASSIGN_OR_RETURN(t->join_repartition_[i],
                       JoinRepartitionWriter::Create(
                           *plan.steps[subs[i].join_repartition_step].As<RepartitionStep>(),
                           subs[i].repartition_topic));
    }
  } else {
    t->transient_ = std::make_unique<TransientOutput>(plan, std::move(sink));
    if (!t->topology_->InternalTopics().empty()) {
      return Internal(
          "a transient query cannot write internal topics; build its topology with "
          "inline_repartition");
    }
  }
  // Sub-topologies whose tasks are drained earliest-head-first across them: those where rows of
  // several input partitions meet — a repartition topic they write, or state (an aggregation's
  // output, keyed by its groups and windows, goes to other partitions than its input's, and the
  // next stage reads it). A stateless source-to-sink sub-topology keeps each partition's order
  // as it is and is not buffered.
  if (!t->options_.single_task && t->options_.max_task_idle.count() >= 0 &&
      t->options_.order_across_partitions) {
    const auto& subs = t->topology_->sub_topologies();
    t->grouped_.resize(subs.size());
    for (size_t i = 0; i < subs.size(); ++i) {
      t->grouped_[i] = !subs[i].repartition_topic.empty() || subs[i].join_repartition_step >= 0 ||
                       !t->topology_->Stores(i).empty();
    }
  }
  kafka::ConsumerConfig cc;
  cc.group_id = t->options_.group_id;
  cc.topics = t->topology_->SourceTopics();
  cc.from_beginning = t->options_.from_beginning;
  cc.listener = t.get();
  cc.assign_all = t->options_.assign_all;
  ASSIGN_OR_RETURN(t->consumer_, kafka.NewConsumer(cc));
  t->last_commit_ = std::chrono::steady_clock::now();
  if (t->options_.scan_end) {
    t->scan_remaining_ = 0;
    for (const auto& [partition, end] : *t->options_.scan_end) {
      bool done = end <= 0;
      t->scan_done_[partition] = done;
      if (!done) ++t->scan_remaining_;
    }
  }
  return t;
}

StreamThread::TaskKey StreamThread::KeyFor(std::string_view topic, int32_t partition) const {
  if (options_.single_task) return {0, 0};
  return {topology_->SubFor(topic), partition};
}

bool StreamThread::Materializes(int sub) const {
  for (const SubStep& ss : topology_->sub_topologies()[sub].steps) {
    if (topology_->plan().steps[ss.step].As<MaterializeStep>()) return true;
  }
  return false;
}

Status StreamThread::ApplyBackPressure() {
  if (!can_pause_ || options_.max_buffered_rows == 0) return Status::Ok();
  std::vector<kafka::TopicPartition> pause, resume;
  for (const auto& [key, task] : tasks_) {
    if (!task->ordered()) continue;
    const size_t rows = task->buffered_rows();
    const bool full = rows >= options_.max_buffered_rows;
    const bool drained = rows <= options_.max_buffered_rows / 2;
    if (!full && !drained) continue;
    for (const std::string& topic : task->input_topics()) {
      kafka::TopicPartition tp{topic, task->partition()};
      if (full && !paused_.count(tp)) pause.push_back(tp);
      if (drained && paused_.count(tp)) resume.push_back(tp);
    }
  }
  if (!pause.empty()) {
    Status st = consumer_->Pause(pause);
    if (st.code() == StatusCode::kUnsupported) {
      can_pause_ = false;  // this consumer cannot: buffers grow as before
      return Status::Ok();
    }
    RETURN_IF_ERROR(st);
    paused_.insert(pause.begin(), pause.end());
    paused_total_ += pause.size();
  }
  if (!resume.empty()) {
    RETURN_IF_ERROR(consumer_->Resume(resume));
    for (const kafka::TopicPartition& tp : resume) paused_.erase(tp);
  }
  return Status::Ok();
}

void StreamThread::CleanReleased() {
  const auto now = std::chrono::steady_clock::now();
  for (auto it = released_.begin(); it != released_.end();) {
    if (tasks_.count(it->first)) {
      it = released_.erase(it);  // the task came back: its directory is in use
      continue;
    }
    if (now - it->second.second < options_.state_cleanup_delay) {
      ++it;
      continue;
    }
    // Unless another stream thread of this process opened it meanwhile (the task moved there).
    state::TaskState::RemoveDirectoryIfUnused(it->second.first);
    it = released_.erase(it);
  }
}

void StreamThread::OnPartitionsAssigned(const std::vector<kafka::TopicPartition>& partitions) {
  // A partition paused before it was taken away starts unpaused when it comes back.
  std::vector<kafka::TopicPartition> unpause;
  for (const kafka::TopicPartition& tp : partitions) {
    if (paused_.erase(tp)) unpause.push_back(tp);
  }
  if (!unpause.empty()) {
    Status st = consumer_->Resume(unpause);
    (void)st;  // best effort: a fresh assignment is not paused in any client brook uses
  }
  // Every new task of a materialized table with state to restore is unreadable until it is
  // open: mark them all first, as they open one after the other. (A new query has no state to
  // miss: its tasks open empty.)
  std::set<TaskKey> opening;
  for (const kafka::TopicPartition& tp : partitions) {
    TaskKey key = KeyFor(tp.topic, tp.partition);
    if (key.first < 0 || tasks_.count(key) || !options_.view || !options_.restore_state ||
        !Materializes(key.first)) {
      continue;
    }
    if (opening.insert(key).second) options_.view->Opening(key.second);
  }
  for (const kafka::TopicPartition& tp : partitions) {
    TaskKey key = KeyFor(tp.topic, tp.partition);
    if (key.first < 0 || tasks_.count(key)) continue;
    TaskContext ctx;
    ctx.query_id = options_.query_id;
    ctx.log = log_;
    ctx.state_env = options_.state_env;
    ctx.service_id = options_.service_id;
    ctx.changelog_producer = producer_.get();
    ctx.restore_from = options_.restore_state ? kafka_ : nullptr;
    ctx.view = options_.view;
    ctx.emit_cache_bytes = options_.emit_cache_bytes;
    ctx.order_inputs = options_.max_task_idle.count() >= 0;
    ctx.buffer_rows = Grouped(key.first);
    const SubTopology& sub = topology_->sub_topologies()[key.first];
    for (const SubInput& in : sub.inputs) {
      if (in.kind == SubInput::Kind::kSource) continue;
      // The writers of this topic, and which of them run here (their rows come in time order
      // already).
      const auto& subs = topology_->sub_topologies();
      for (size_t w = 0; w < subs.size(); ++w) {
        if (subs[w].repartition_topic != in.topic || !SendsProgress(subs[w])) continue;
        TaskContext::RepartitionWriters& writers = ctx.repartition_writers[in.topic];
        writers.count = PartitionsOf(subs[w].inputs[0].topic);
        writers.local = [this, w](int32_t p) { return tasks_.count({static_cast<int>(w), p}) > 0; };
      }
    }
    ctx.track_processed_time = SendsProgress(sub);
    auto task = topology_->NewTask(key.first, key.second, std::move(ctx));
    if (opening.erase(key) && !task.ok()) options_.view->OpenFailed(key.second);
    if (!task.ok()) {
      if (rebalance_error_.ok()) rebalance_error_ = task.status();
      continue;
    }
    tasks_[key] = std::move(task).value();
  }
  // Partitions named twice, or whose task failed to build before the mark was cleared.
  for (const TaskKey& key : opening) options_.view->OpenFailed(key.second);
}

void StreamThread::OnPartitionsRevoked(const std::vector<kafka::TopicPartition>& partitions) {
  if (options_.single_task) return;  // the one task stays; its state is the query's
  std::vector<TaskKey> revoked;
  for (const kafka::TopicPartition& tp : partitions)
    revoked.push_back(KeyFor(tp.topic, tp.partition));
  if (abandoned_) {
    DropTasks(revoked, /*release=*/false);
    return;
  }
  // What was processed for these partitions is committed before another member takes them. A
  // commit that fails here (e.g. the group moved on) is not fatal: the new owner redoes the
  // work from the last committed offsets, as at-least-once allows.
  if (!CommitTasks(revoked).ok()) failed_revocation_commits_.fetch_add(1);
  DropTasks(revoked);
}

void StreamThread::OnPartitionsLost(const std::vector<kafka::TopicPartition>& partitions) {
  if (options_.single_task) return;
  // Another member may already own them: nothing can be committed for them any more.
  std::vector<TaskKey> lost;
  for (const kafka::TopicPartition& tp : partitions) lost.push_back(KeyFor(tp.topic, tp.partition));
  DropTasks(lost);
}

void StreamThread::Abandon() {
  abandoned_ = true;
  std::vector<TaskKey> all;
  for (const auto& [key, task] : tasks_) all.push_back(key);
  // The directories are not released: the replacing thread of this query reopens them.
  DropTasks(all, /*release=*/false);
}

void StreamThread::DropTasks(const std::vector<TaskKey>& keys, bool release) {
  for (const TaskKey& k : keys) {
    auto it = tasks_.find(k);
    if (it == tasks_.end()) continue;
    if (release && !it->second->state_directory().empty()) {
      released_[k] = {it->second->state_directory(), std::chrono::steady_clock::now()};
    }
    tasks_.erase(it);
  }
  for (const TaskKey& k : keys) progress_sent_.erase(k);
  std::lock_guard<std::mutex> lock(stream_time_mu_);
  for (const TaskKey& k : keys) {
    if (k.first == 0) stream_time_.erase(k.second);
  }
}

int64_t StreamThread::stream_time(int32_t partition) const {
  std::lock_guard<std::mutex> lock(stream_time_mu_);
  auto it = stream_time_.find(partition);
  return it == stream_time_.end() ? -1 : it->second;
}

size_t StreamThread::WriteResults(int sub, Task& task) {
  const SubTopology& s = topology_->sub_topologies()[sub];
  if (s.join_repartition_step >= 0) {
    return join_repartition_[sub]->Write(results_, *producer_, task.context());
  }
  if (!s.repartition_topic.empty()) {
    // A task reading one topic writes origins the aggregating task can deduplicate on.
    return WriteRepartition(results_, s.repartition_key_count, s.repartition_topic, *producer_,
                            task.context(),
                            s.inputs.size() == 1 ? &task.repartition_sequence() : nullptr);
  }
  return sink_writer_ ? sink_writer_->Write(results_, *producer_, task.context())
                      : transient_->Write(results_);
}

Result<size_t> StreamThread::PollOnce(size_t max_records, kafka::Millis timeout) {
  try {
    return PollOnceUnguarded(max_records, timeout);
  } catch (const std::exception& ex) {
    return Internal(std::string("the query's stream thread failed: ") + ex.what());
  } catch (...) {
    return Internal("the query's stream thread failed with an unknown exception");
  }
}

Result<size_t> StreamThread::PollOnceUnguarded(size_t max_records, kafka::Millis timeout) {
  if (limit_reached() || scan_complete()) return size_t{0};
  RETURN_IF_ERROR(consumer_->Poll(max_records, timeout, batch_));
  if (!rebalance_error_.ok()) return std::exchange(rebalance_error_, Status::Ok());
  for (const kafka::Consumer::SkippedRange& gap : consumer_->TakeSkippedRanges()) {
    // Records the broker deleted before this query read them: counted and logged, never silent.
    const uint64_t n = static_cast<uint64_t>(gap.to - gap.from);
    skipped_by_broker_.fetch_add(n, std::memory_order_relaxed);
    if (log_ != nullptr) {
      ProcessingLogEntry e;
      e.type = ProcessingLogEntry::Type::kDeserializationError;
      e.query_id = options_.query_id;
      e.step = "source";
      e.topic = gap.topic;
      e.partition = gap.partition;
      e.offset = gap.from;
      e.message = std::to_string(n) + " records (offsets " + std::to_string(gap.from) + " to " +
                  std::to_string(gap.to - 1) +
                  ") were deleted by the broker before this query read them (retention, or the "
                  "embedded broker's limit of about 5 MiB per partition): skipped";
      log_->Log(std::move(e));
    }
  }
  if (options_.scan_end) TrimToScan();
  poll_lag_.reset();
  last_run_end_.clear();
  group_tasks_in_poll_.clear();
  if (!batch_.empty() && options_.max_task_idle.count() >= 0 && !options_.single_task) {
    for (size_t b = 0, e = 0; b < batch_.size(); b = e) {
      e = b + 1;
      while (e < batch_.size() && batch_[e].partition == batch_[b].partition &&
             batch_[e].topic == batch_[b].topic) {
        ++e;
      }
      const TaskKey key = KeyFor(batch_[b].topic, batch_[b].partition);
      if (last_run_end_.emplace(key, e).second) {
        if (key.first >= 0) ++group_tasks_in_poll_[key.first];
      } else {
        last_run_end_[key] = e;
      }
    }
  }
  if (!batch_.empty()) {
    // Runs of consecutive records of one task input, in the order the consumer returned them.
    size_t begin = 0;
    while (begin < batch_.size()) {
      const kafka::RecordView& first = batch_[begin];
      TaskKey key = KeyFor(first.topic, first.partition);
      size_t end = begin + 1;
      while (end < batch_.size() && batch_[end].partition == first.partition &&
             batch_[end].topic == first.topic) {
        ++end;
      }
      if (options_.single_task) {
        // One task reads every partition: runs break only where the topic changes.
        while (end < batch_.size() && batch_[end].topic == first.topic) ++end;
      }
      run_.clear();
      for (size_t i = begin; i < end; ++i) run_.push_back(&batch_[i]);
      if (!waiting_since_.empty()) {
        waiting_since_.erase({std::string(first.topic), first.partition});  // it delivered
      }
      begin = end;
      if (key.first < 0) continue;
      const SubTopology& sub = topology_->sub_topologies()[key.first];
      int input = sub.InputFor(first.topic);
      if (input < 0) continue;
      auto it = tasks_.find(key);
      if (it == tasks_.end()) {
        // A record of a partition the group did not announce (a consumer without rebalance
        // callbacks): create its task on first sight.
        OnPartitionsAssigned({{std::string(first.topic), first.partition}});
        if (!rebalance_error_.ok()) return std::exchange(rebalance_error_, Status::Ok());
        it = tasks_.find(key);
        if (it == tasks_.end()) continue;
      }
      Task& task = *it->second;
      // An ordered task's last run in this poll, with nothing buffered and no other input to
      // wait for, is processed at once: Drain would take it whole anyway, and its rows skip the
      // buffers.
      bool direct = false;
      const bool grouped = Grouped(key.first);
      if (task.ordered() && !options_.single_task && options_.max_task_idle.count() >= 0) {
        auto last = last_run_end_.find(key);
        direct = last != last_run_end_.end() && last->second == end &&
                 task.MayRunDirectly(static_cast<size_t>(input),
                                     [&](const std::string& topic) { return MayWait(key, topic); });
        // A grouped task also goes straight through only when no other task of its group has
        // records in this poll, buffered rows, or a backlog that may hold earlier ones (the live
        // steady state).
        if (direct && grouped) {
          direct = group_tasks_in_poll_[key.first] == 1;
          for (auto other = tasks_.lower_bound({key.first, INT32_MIN});
               direct && other != tasks_.end() && other->first.first == key.first; ++other) {
            if (other->first == key) continue;
            const TaskKey other_key = other->first;
            direct = !other->second->buffered() &&
                     !other->second->MayBringRows(
                         [&](const std::string& topic) { return MayWait(other_key, topic); });
          }
        }
      }
      RETURN_IF_ERROR(task.Process(static_cast<size_t>(input), run_, results_, direct));
      // Input records are the query's source records; an internal topic's are not counted.
      if (sub.inputs[input].kind == SubInput::Kind::kSource) {
        records_in_.fetch_add(run_.size(), std::memory_order_relaxed);
      }
      AfterRun(key, task);
      if (task.ordered() && !options_.single_task && !grouped) {
        auto last = last_run_end_.find(key);
        if (last != last_run_end_.end() && last->second == end)
          RETURN_IF_ERROR(DrainTask(key, task));
      }
      if (limit_reached()) break;
    }
    uncommitted_ = true;
  }
  RETURN_IF_ERROR(DrainGroups());
  RETURN_IF_ERROR(DrainOrdered());
  RETURN_IF_ERROR(ApplyBackPressure());
  SendProgress();
  // Commit every commit_interval while busy, and as soon as a poll finds nothing new: an idle
  // query's state is then readable by pull queries at once instead of an interval later.
  if (uncommitted_ && (batch_.empty() || std::chrono::steady_clock::now() - last_commit_ >=
                                             options_.commit_interval)) {
    RETURN_IF_ERROR(Commit());
  }
  if (!released_.empty()) CleanReleased();
  return batch_.size();
}

int32_t StreamThread::PartitionsOf(const std::string& topic) {
  auto it = partition_counts_.find(topic);
  if (it != partition_counts_.end()) return it->second;
  auto info = kafka_->admin().DescribeTopic(topic, kafka::Millis(5000));
  if (!info.ok() || !info->has_value() || (*info)->partitions <= 0) return 0;  // asked again
  return partition_counts_[topic] = (*info)->partitions;
}

bool StreamThread::SendsProgress(const SubTopology& sub) const {
  if (sub.repartition_topic.empty()) return false;
  if (sub.join_repartition_step < 0) return true;  // a GROUP BY's
  // A join side's; not a foreign-key join's subscriptions (no stream time there).
  const auto* step =
      topology_->plan().steps[static_cast<size_t>(sub.join_repartition_step)].As<RepartitionStep>();
  return step != nullptr && !step->foreign_key;
}

bool StreamThread::CaughtUp(const TaskKey& key, const Task& task, const SubTopology& sub) {
  if (task.buffered()) return false;
  // Nothing it reads is behind, and what it reads from other threads' writers is complete.
  if (task.context().upstream_watermark != INT64_MAX) return false;
  for (const SubInput& in : sub.inputs) {
    // A partition with nothing consumed yet (lag unknown: perhaps empty) counts as caught up
    // once it was waited for as long as ksql.streams.max.task.idle.ms allows, so an empty
    // partition holds no one back.
    auto lag = consumer_->LagOf(in.topic, key.second);
    if (lag.ok() && lag->has_value()) {
      if (**lag != 0) return false;
    } else if (options_.max_task_idle.count() < 0 || MayWait(key, in.topic)) {
      return false;
    }
  }
  return true;
}

void StreamThread::SendProgress() {
  if (!producer_ || options_.single_task) return;
  const auto now = std::chrono::steady_clock::now();
  // At most every kProgressInterval, or every commit if they are more frequent (the
  // deterministic driver commits after every poll).
  if (now - last_progress_ <
      std::min<std::chrono::milliseconds>(kProgressInterval, options_.commit_interval)) {
    return;
  }
  last_progress_ = now;
  const auto& subs = topology_->sub_topologies();
  for (size_t w = 0; w < subs.size(); ++w) {
    const SubTopology& sub = subs[w];
    if (!SendsProgress(sub)) continue;
    const int reader = topology_->SubFor(sub.repartition_topic);
    const int32_t readers = PartitionsOf(sub.repartition_topic);
    const int32_t writers = PartitionsOf(sub.inputs[0].topic);
    if (reader < 0 || readers <= 0 || writers <= 0 || writers > kMaxRepartitionWriters) continue;
    // When this thread runs every writer and every reader, it orders the writers itself and
    // needs no progress records. Otherwise every writer sends them (also to the readers here,
    // which read another thread's writers too and judge all writers by what reached them).
    bool shared = false;
    for (int32_t q = 0; q < readers && !shared; ++q) shared = tasks_.count({reader, q}) == 0;
    for (int32_t p = 0; p < writers && !shared; ++p) {
      shared = tasks_.count({static_cast<int>(w), p}) == 0;
    }
    if (!shared) continue;
    for (auto it = tasks_.lower_bound({static_cast<int>(w), INT32_MIN});
         it != tasks_.end() && it->first.first == static_cast<int>(w); ++it) {
      const TaskKey key = it->first;
      const Task& task = *it->second;
      RepartitionProgress progress;
      progress.writer = key.second;
      // Rows it writes later are no earlier than what it processed, nor than what its own
      // inputs from other threads' writers may still bring (a join or an aggregation reading
      // a repartition topic).
      progress.time = std::min(task.processed_time(), task.context().upstream_watermark);
      progress.idle = CaughtUp(key, task, sub);
      progress.writers = writers;
      auto [sent, fresh] = progress_sent_.try_emplace(key, progress.time, progress.idle);
      if (!fresh && sent->second == std::make_pair(progress.time, progress.idle)) continue;
      sent->second = {progress.time, progress.idle};
      for (int32_t q = 0; q < readers; ++q) {
        Status st = producer_->Send(EncodeRepartitionProgress(sub.repartition_topic, q, progress));
        if (!st.ok()) {
          progress_sent_.erase(key);  // sent again next time
          break;
        }
      }
    }
  }
}

Status StreamThread::DrainOrdered() {
  if (options_.max_task_idle.count() < 0) return Status::Ok();
  for (auto& [key, task] : tasks_) {
    if (task->ordered() && task->buffered() && !Grouped(key.first)) {
      RETURN_IF_ERROR(DrainTask(key, *task));
    }
  }
  return Status::Ok();
}

void StreamThread::AfterRun(const TaskKey& key, Task& task) {
  if (uint64_t late = task.TakeLateRecords()) {
    late_records_.fetch_add(late, std::memory_order_relaxed);
  }
  if (!results_.empty()) {
    records_out_.fetch_add(WriteResults(key.first, task), std::memory_order_relaxed);
    results_.Clear();
  }
  if (key.first == 0) {
    std::lock_guard<std::mutex> lock(stream_time_mu_);
    stream_time_[key.second] = task.stream_time();
  }
}

bool StreamThread::Grouped(int sub) const {
  return sub >= 0 && static_cast<size_t>(sub) < grouped_.size() && grouped_[sub];
}

Status StreamThread::DrainGroups() {
  if (options_.max_task_idle.count() < 0 || options_.single_task) return Status::Ok();
  const int subs = static_cast<int>(topology_->sub_topologies().size());
  for (int sub = 0; sub < subs; ++sub) {
    if (!Grouped(sub)) continue;
    while (true) {
      Task* pick = nullptr;
      TaskKey pick_key;
      int64_t earliest = INT64_MAX, next = INT64_MAX;
      bool blocked = false;
      for (auto it = tasks_.lower_bound({sub, INT32_MIN});
           it != tasks_.end() && it->first.first == sub; ++it) {
        const TaskKey key = it->first;
        Task& task = *it->second;
        const int64_t head = task.HeadTime();
        if (head == INT64_MAX) {
          // Nothing buffered: wait while its consumer is behind (it may hold an earlier row).
          if (task.MayBringRows([&](const std::string& topic) { return MayWait(key, topic); })) {
            blocked = true;
            break;
          }
          continue;
        }
        if (head < earliest) {
          next = earliest;
          earliest = head;
          pick = &task;
          pick_key = key;
        } else {
          next = std::min(next, head);
        }
      }
      if (blocked || pick == nullptr) break;
      const uint64_t before = pick->rows_drained();
      RETURN_IF_ERROR(pick->Drain(
          [&](const std::string& topic) { return MayWait(pick_key, topic); }, results_, next));
      AfterRun(pick_key, *pick);
      if (pick->rows_drained() == before) break;  // the task waits on one of its own inputs
      uncommitted_ = true;
    }
  }
  return Status::Ok();
}

bool StreamThread::MayWait(const TaskKey& key, const std::string& topic) {
  const int32_t partition = key.second;
  // Unknown (nothing consumed yet) counts as behind: its records may be on their way.
  bool behind;
  if (options_.single_task) {
    // A single task reads every partition of the topic: any of them behind counts. The lag of
    // every partition is read once per poll.
    if (!poll_lag_) {
      poll_lag_.emplace();
      auto parts = consumer_->LagByPartition();
      if (parts.ok()) {
        for (const auto& p : *parts) (*poll_lag_)[{p.topic, p.partition}] = p.lag;
      }
    }
    const auto& lag = *poll_lag_;
    behind = false;
    bool known = false;
    for (auto it = lag.lower_bound({topic, INT32_MIN}); it != lag.end() && it->first.first == topic;
         ++it) {
      known = true;
      behind = behind || it->second > 0;
    }
    behind = behind || !known;
  } else {
    auto lag = consumer_->LagOf(topic, partition);
    behind = !lag.ok() || !lag->has_value() || **lag > 0;
  }
  if (!behind) {
    waiting_since_.erase({topic, partition});
    return false;
  }
  const auto now = std::chrono::steady_clock::now();
  auto [since, fresh] = waiting_since_.emplace(std::make_pair(topic, partition), now);
  return now - since->second < options_.max_task_idle;  // else: waited long enough, go on
}

Status StreamThread::DrainTask(const TaskKey& key, Task& task) {
  if (options_.max_task_idle.count() < 0 || !task.buffered()) return Status::Ok();
  const uint64_t before = task.rows_drained();
  RETURN_IF_ERROR(
      task.Drain([&](const std::string& topic) { return MayWait(key, topic); }, results_));
  if (!results_.empty()) {
    records_out_.fetch_add(WriteResults(key.first, task), std::memory_order_relaxed);
    results_.Clear();
  }
  // Rows drained in a poll that read nothing new still need a commit (and their held-back
  // updates a flush).
  if (task.rows_drained() != before) uncommitted_ = true;
  return Status::Ok();
}

void StreamThread::TrimToScan() {
  const std::map<int32_t, int64_t>& ends = *options_.scan_end;
  if (batch_.empty()) {
    if (scan_started_ && ++scan_idle_ >= options_.scan_idle_polls) scan_remaining_ = 0;
    return;
  }
  scan_started_ = true;
  scan_idle_ = 0;
  size_t kept = 0;
  for (size_t i = 0; i < batch_.size(); ++i) {
    const kafka::RecordView& r = batch_[i];
    auto end = ends.find(r.partition);
    if (end == ends.end() || r.offset >= end->second) continue;
    if (r.offset + 1 >= end->second && !scan_done_[r.partition]) {
      scan_done_[r.partition] = true;
      --scan_remaining_;
    }
    if (kept != i) batch_[kept] = batch_[i];
    ++kept;
  }
  batch_.resize(kept);
}

Status StreamThread::Commit() {
  if (abandoned_) return Status::Ok();
  std::vector<TaskKey> all;
  for (const auto& [k, task] : tasks_) all.push_back(k);
  RETURN_IF_ERROR(CommitTasks(all));
  uncommitted_ = false;
  last_commit_ = std::chrono::steady_clock::now();
  return Status::Ok();
}

Status StreamThread::CommitTasks(const std::vector<TaskKey>& keys) {
  // One task over every partition (single_task) has no per-partition offsets to commit.
  if (options_.single_task) return Status::Ok();
  std::vector<kafka::TopicPartitionOffset> offsets;
  std::vector<Task*> committing;
  for (const TaskKey& k : keys) {
    auto it = tasks_.find(k);
    if (it == tasks_.end() || !it->second->dirty()) continue;
    // Held-back updates go out with this commit, before the producer is flushed.
    RETURN_IF_ERROR(it->second->Flush(results_));
    if (!results_.empty()) {
      records_out_.fetch_add(WriteResults(k.first, *it->second), std::memory_order_relaxed);
      results_.Clear();
    }
    RETURN_IF_ERROR(it->second->PrepareCommit());
    for (kafka::TopicPartitionOffset& o : it->second->Consumed()) offsets.push_back(std::move(o));
    committing.push_back(it->second.get());
  }
  if (committing.empty()) return Status::Ok();
  // Outputs and changelog records first; then the state with the offsets it reflects, whose
  // commit markers go to the changelogs (runtime/state/commit_marker.h: a marker must not be
  // durable before its commit's data in every store); then, once the markers are durable too,
  // the offsets to the group (a restore resumes from the newest marker, never behind the group).
  if (producer_) RETURN_IF_ERROR(producer_->Flush(options_.flush_timeout));
  bool markers = false;
  for (Task* t : committing) {
    RETURN_IF_ERROR(t->CommitState());
    markers = markers || t->stateful();
  }
  if (producer_ && markers) RETURN_IF_ERROR(producer_->Flush(options_.flush_timeout));
  if (options_.commit_group_offsets && !offsets.empty()) {
    RETURN_IF_ERROR(consumer_->Commit(offsets));
  }
  for (Task* t : committing) t->MarkCommitted();
  return Status::Ok();
}

}  // namespace brook
