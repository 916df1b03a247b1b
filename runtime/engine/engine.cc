#include "runtime/engine/engine.h"

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>

#include "common/ascii.h"
#include "common/value_cast.h"
#include "planner/analyzer/expression_binder.h"
#include "planner/ddl_planner.h"
#include "planner/physical/plan_json.h"
#include "planner/query_planner.h"
#include "runtime/engine/persistent_query.h"
#include "runtime/engine/state_directory.h"
#include "runtime/operators/aggregate_operator.h"
#include "runtime/operators/fk_subscribe_operator.h"
#include "runtime/operators/group_by_operator.h"
#include "runtime/operators/join_operator.h"
#include "runtime/operators/materialize_operator.h"
#include "runtime/state/changelog.h"
#include "runtime/topology/repartition.h"
#include "runtime/topology/topology.h"

namespace brook {

using json = nlohmann::json;


// ---------------------------------------------------------------------------------------------
// TransientQuery

TransientQuery::TransientQuery(std::string id, std::unique_ptr<kafka::KafkaClientFactory> factory,
                               std::unique_ptr<StreamThread> thread,
                               std::shared_ptr<std::vector<OutputRow>> buffer, LogicalSchema schema,
                               std::vector<std::string> column_names,
                               std::vector<TypePtr> column_types, std::vector<bool> column_is_key)
    : id_(std::move(id)),
      factory_(std::move(factory)),
      thread_(std::move(thread)),
      buffer_(std::move(buffer)),
      schema_(std::move(schema)),
      column_names_(std::move(column_names)),
      column_types_(std::move(column_types)),
      column_is_key_(std::move(column_is_key)) {}

Result<bool> TransientQuery::Poll(size_t max_records, kafka::Millis timeout,
                                  std::vector<OutputRow>& rows) {
  if (!thread_) {  // a table pull query: the first chunk was read at creation
    if (!buffer_->empty()) {
      for (auto& r : *buffer_) rows.push_back(std::move(r));
      buffer_->clear();
      return static_cast<bool>(pull_next_);
    }
    if (!pull_next_) return false;
    ASSIGN_OR_RETURN(bool more, pull_next_(rows));
    if (!more) pull_next_ = nullptr;
    return more;
  }
  if (!thread_->limit_reached() && !thread_->scan_complete()) {
    ASSIGN_OR_RETURN(size_t n, thread_->PollOnce(max_records, timeout));
    (void)n;
  }
  for (auto& r : *buffer_) rows.push_back(std::move(r));
  buffer_->clear();
  return !thread_->limit_reached() && !thread_->scan_complete();
}

std::string TransientQuery::SchemaString(bool mark_keys) const {
  std::string s;
  for (size_t i = 0; i < column_names_.size(); ++i) {
    if (i) s += ", ";
    s += "`" + column_names_[i] + "` " + TypeName(column_types_[i]);
    if (mark_keys && column_is_key_[i]) s += " KEY";
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// Engine

Engine::Engine(kafka::KafkaClientFactory& kafka, const FunctionRegistry& functions,
               EngineOptions options)
    : kafka_(kafka), functions_(functions), options_(std::move(options)) {}

Engine::~Engine() {
  processing_log_.SetSink(nullptr);  // the sink uses log_producer_, destroyed with the engine
  Stop();
  // Task state closes with its queries, before a private state directory is removed.
  queries_.clear();
  state_env_.reset();
  state_dir_.reset();
}

Result<std::shared_ptr<state::StateEnvironment>> Engine::StateEnv() {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  if (state_env_) return state_env_;
  std::string configured = !options_.state_dir.empty()
                               ? options_.state_dir
                               : ConfigOr(options_.config, "ksql.streams.state.dir", "");
  std::string cluster_id;
  if (configured.empty()) {
    // The default directory is kept across restarts, per service id and Kafka cluster.
    auto id = kafka_.admin().ClusterId(options_.admin_timeout);
    if (id.ok()) cluster_id = *id;
  }
  ASSIGN_OR_RETURN(state_dir_, StateDirectory::Acquire(configured, options_.service_id, cluster_id,
                                                       &state_dir_note_));
  const std::string dir = state_dir_->path();
  state::StateOptions so;
  so.state_dir = dir;
  ASSIGN_OR_RETURN(state_env_, state::StateEnvironment::Create(so));
  return state_env_;
}

Result<bool> Engine::EnsureChangelogs(const PhysicalPlan& plan, int partitions) {
  bool restore = false;
  // A task exists per partition of every topic the query reads: the changelogs need as many.
  for (const PhysicalStep& step : plan.steps) {
    if (const auto* src = step.As<SourceStep>(); src && plan.Find<JoinStep>()) {
      auto n = TopicPartitions(src->topic);
      if (n.ok()) partitions = std::max(partitions, *n);
    } else if (const auto* r = step.As<RepartitionStep>()) {
      partitions = std::max(partitions, r->partitions);
    }
  }
  for (const PhysicalStep& step : plan.steps) {
    std::vector<state::StoreSpec> stores;
    if (const auto* m = step.As<MaterializeStep>()) {
      stores.push_back(MaterializeOperator::Store(*m, step.id));
    } else if (const auto* j = step.As<JoinStep>()) {
      stores = JoinOperator::Stores(*j, step.id);
    } else if (const auto* r = step.As<RepartitionStep>()) {
      if (r->foreign_key) stores.push_back(FkSubscribeOperator::Store(step.id));
      std::string topic =
          JoinRepartitionTopicName(options_.service_id, plan.query_id, step.id, r->foreign_key);
      ASSIGN_OR_RETURN(auto info, kafka_.admin().DescribeTopic(topic, options_.admin_timeout));
      if (!info) RETURN_IF_ERROR(EnsureTopic(topic, r->partitions, 1));
    } else if (const auto* a = step.As<AggregateStep>()) {
      if (a->repartition) {
        std::string topic = RepartitionTopicName(options_.service_id, plan.query_id, step.id);
        ASSIGN_OR_RETURN(auto info, kafka_.admin().DescribeTopic(topic, options_.admin_timeout));
        if (!info) RETURN_IF_ERROR(EnsureTopic(topic, partitions, 1));
      }
      stores = GroupByOperator::Stores(*a, step.id);
      for (state::StoreSpec& s : AggregateOperator::Stores(*a, step.id)) stores.push_back(s);
    }
    for (const state::StoreSpec& store : stores) {
      if (!store.changelog) continue;
      std::string topic = state::ChangelogTopicName(options_.service_id, plan.query_id, store.name);
      ASSIGN_OR_RETURN(auto info, kafka_.admin().DescribeTopic(topic, options_.admin_timeout));
      if (!info) {
        RETURN_IF_ERROR(EnsureTopic(topic, partitions, 1));
        continue;
      }
      // Only a changelog with records has something to restore (a restore first waits for its
      // consumer group to form). A client that cannot tell restores.
      auto has = kafka_.admin().HasRecords(topic, options_.admin_timeout);
      if (!has.ok() || *has) restore = true;
    }
  }
  return restore;
}

Result<QueryPlanResult> Engine::Plan(const QueryPlanRequest& request, const Config& cfg) {
  QueryPlanRequest req = request;
  if (req.query && !req.query->joins.empty()) {
    // Co-partitioning: the partition count of every joined source.
    std::vector<std::string> names = {req.query->from.name};
    for (const ast::JoinClause& j : req.query->joins) names.push_back(j.right.name);
    for (const std::string& name : names) {
      DataSourcePtr src = catalog_.Find(name);
      if (!src) continue;
      auto parts = TopicPartitions(src->topic);
      if (parts.ok()) req.topic_partitions[src->topic] = *parts;
    }
  }
  ASSIGN_OR_RETURN(QueryPlanResult planned, PlanQuery(req, catalog_, functions_, cfg));
  if (!replay_plan_.empty()) {
    // Replaying the command log: the query runs from the plan stored with its command. The
    // statement was planned again only for its catalog effects; the stored plan must be the
    // same query (id, sink) or the fresh plan is kept and the difference reported.
    std::string stored_text = std::move(replay_plan_);
    replay_plan_.clear();
    Result<PhysicalPlan> stored = PlanFromJsonText(stored_text, functions_);
    std::string problem;
    if (!stored.ok()) {
      problem = "its stored plan cannot be read (" + stored.status().message() + ")";
    } else if (stored->query_id != planned.plan.query_id) {
      problem = "its stored plan is of query " + stored->query_id + ", not " + planned.plan.query_id;
    } else if ((stored->sink() == nullptr) != (planned.plan.sink() == nullptr) ||
               (stored->sink() && stored->sink()->topic != planned.plan.sink()->topic)) {
      problem = "its stored plan writes another topic";
    } else {
      planned.plan = std::move(stored).value();
      return planned;
    }
    if (replay_notes_) {
      replay_notes_->push_back("query " + planned.plan.query_id + " runs from a fresh plan: " +
                               problem);
    }
    return planned;
  }
  if (!options_.plan_roundtrip) return planned;
  json first = PlanToJson(planned.plan);
  ASSIGN_OR_RETURN(PhysicalPlan read, PlanFromJsonText(PlanToJsonText(planned.plan), functions_));
  json second = PlanToJson(read);
  if (first != second) {
    return Internal("The query plan changed in its JSON round trip:\n" +
                    first.dump(-1, ' ', false, json::error_handler_t::replace) + "\n" +
                    second.dump(-1, ' ', false, json::error_handler_t::replace));
  }
  planned.plan = std::move(read);
  return planned;
}

Config Engine::Merge(const Config& session) const {
  Config c = options_.config;
  for (const auto& [k, v] : session) {
    std::string key = k;
    // ksqlDB accepts both "ksql.streams.x" and "x" for Streams properties.
    c[key] = v;
  }
  return c;
}

std::string Engine::NextQueryId(const std::string& prefix, const std::string& sink) {
  std::string id = prefix + (sink.empty() ? "" : "_" + sink) + "_" + std::to_string(query_counter_++);
  return id;
}

CommandStatus Engine::MakeCommandStatus(const std::string& text, const std::string& command_id,
                                        const std::string& message, const std::string& query_id) {
  CommandStatus status;
  status.statement_text = text;
  status.command_id = command_id;
  status.message = message;
  if (!query_id.empty()) status.query_id = query_id;
  status.command_seq = ++command_seq_;
  if (command_statuses_.size() < 100000 || command_statuses_.count(command_id)) {
    command_statuses_[command_id] = status;
  }
  return status;
}

int64_t Engine::CommandSequence() const {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  return command_seq_;
}

std::map<std::string, CommandStatus> Engine::CommandStatuses() const {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  return command_statuses_;
}

bool Engine::SubstitutionEnabled(const SessionState& session) const {
  return ConfigOr(Merge(session.properties), "ksql.variable.substitution.enable", "true") !=
         "false";
}

Result<std::vector<ExecuteResult>> Engine::ExecuteScript(std::string_view sql,
                                                         SessionState& session,
                                                         std::vector<ExecuteResult>* done) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  const StatementScript script(sql);
  std::vector<ExecuteResult> results;
  for (size_t i = 0; i < script.size(); ++i) {
    Status st = RunPiece(script, i, session, results);
    if (!st.ok()) {
      if (done) *done = std::move(results);
      return st;
    }
  }
  return results;
}

Result<std::vector<ExecuteResult>> Engine::ExecutePiece(const StatementScript& script,
                                                        size_t index, SessionState& session,
                                                        std::vector<ExecuteResult>* done) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  std::vector<ExecuteResult> results;
  Status st = RunPiece(script, index, session, results);
  if (!st.ok()) {
    if (done) *done = std::move(results);
    return st;
  }
  return results;
}

Status Engine::RunPiece(const StatementScript& script, size_t index, SessionState& session,
                        std::vector<ExecuteResult>& results) {
  // Pieces are prepared one at a time, so a DEFINE affects the pieces after it.
  ASSIGN_OR_RETURN(StatementScript::Prepared prepared,
                   script.Prepare(index, session.variables, SubstitutionEnabled(session)));
  for (const ast::StatementPtr& stmt : prepared.statements) {
    current_statement_text_ = stmt->text;
    const int64_t counter_before = query_counter_;
    Result<ExecuteResult> r = Execute(*stmt, session);
    if (!r.ok()) return script.Rebase(r.status(), index, prepared);
    RETURN_IF_ERROR(Record(*stmt, session, counter_before, *r));
    results.push_back(std::move(r).value());
  }
  return Status::Ok();
}

namespace {

bool ChangesCatalog(ast::StatementKind k) {
  using K = ast::StatementKind;
  return k == K::kCreateSource || k == K::kCreateAsSelect || k == K::kInsertInto ||
         k == K::kDropSource || k == K::kRegisterType || k == K::kDropType || k == K::kTerminate ||
         k == K::kAlterSource;
}

}  // namespace

Status Engine::Record(const ast::Statement& stmt, const SessionState& session,
                      int64_t counter_before, const ExecuteResult& r) {
  if (!command_log_ || replaying_ || !ChangesCatalog(stmt.kind) || !r.result) return Status::Ok();
  const auto* status = std::get_if<CommandStatus>(&*r.result);
  if (!status) return Status::Ok();  // a warning (IF NOT EXISTS) or a transient TERMINATE
  Command c;
  c.seq = status->command_seq;
  c.statement = stmt.text;
  c.properties = session.properties;
  c.query_counter = counter_before;
  if (status->query_id) {
    auto q = queries_.find(*status->query_id);
    if (q != queries_.end()) c.plan = PlanToJsonText(q->second->plan());
  }
  Status st = command_log_->Append(c);
  if (!st.ok()) {
    return Status(StatusCode::kIOError,
                  "The statement ran but could not be written to the command log, so a restart "
                  "will not bring it back: " +
                      st.message());
  }
  return Status::Ok();
}

void Engine::SetCommandLog(CommandLog* log) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  command_log_ = log;
}

std::vector<std::string> Engine::Replay(const std::vector<Command>& commands) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  std::vector<std::string> failures;
  replaying_ = true;
  for (const Command& c : commands) {
    query_counter_ = std::max(query_counter_, c.query_counter);
    SessionState session;
    session.properties = c.properties;
    // Variables were substituted when the command first ran; never substitute again.
    session.properties["ksql.variable.substitution.enable"] = "false";
    replay_plan_ = c.plan;
    replay_notes_ = &failures;
    Result<std::vector<ExecuteResult>> run = ExecuteScript(c.statement, session);
    replay_plan_.clear();
    replay_notes_ = nullptr;
    if (!run.ok()) {
      failures.push_back("command " + std::to_string(c.seq) + " (" + c.statement +
                         "): " + run.status().message());
    }
    command_seq_ = std::max(command_seq_, c.seq);
    if (!command_statuses_.empty()) {
      // Keep /status numbering as it was.
      for (auto& [id, st] : command_statuses_) {
        if (st.statement_text == c.statement) st.command_seq = c.seq;
      }
    }
  }
  replaying_ = false;
  if (state_dir_) {
    // The state of queries that no longer run (terminated while this server was down) is not
    // needed again.
    std::set<std::string> live;
    for (const auto& [id, q] : queries_) live.insert(id);
    state_dir_->RemoveUnowned(live);
  }
  return failures;
}

std::string Engine::StateDirectoryNote() const {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  return state_dir_note_;
}

Status Engine::EnsureTopic(const std::string& topic, int partitions, int replicas) {
  kafka::TopicSpec spec;
  spec.name = topic;
  spec.partitions = partitions;
  spec.replicas = replicas;
  Status st = kafka_.admin().CreateTopic(spec, options_.admin_timeout);
  if (st.ok() || st.code() == StatusCode::kAlreadyExists) return Status::Ok();
  if (st.code() == StatusCode::kTimeout) {
    return Status(StatusCode::kTimeout,
                  "Could not create topic '" + topic + "': the Kafka cluster did not answer within " +
                      std::to_string(options_.admin_timeout.count()) + " ms (" + st.message() +
                      "). If the cluster is librdkafka's mock (brook-devbroker), it cannot create "
                      "topics through the admin API: start it with the topic on its command line "
                      "(brook-devbroker " + topic + ":" + std::to_string(partitions) +
                      ") or send it 'create " + topic + " " + std::to_string(partitions) +
                      "' on stdin.");
  }
  return st;
}

Result<int> Engine::TopicPartitions(const std::string& topic) {
  ASSIGN_OR_RETURN(auto info, kafka_.admin().DescribeTopic(topic, options_.admin_timeout));
  if (!info) return NotFound("Topic '" + topic + "' does not exist.");
  return info->partitions;
}

Status Engine::StartPersistent(const PhysicalPlan& plan, const std::string& sink_name,
                               const Config& cfg) {
  ASSIGN_OR_RETURN(bool restore, EnsureChangelogs(plan, 1));
  ASSIGN_OR_RETURN(auto q, BuildPersistent(plan, sink_name, cfg, restore));
  InstallPersistent(std::move(q));
  return Status::Ok();
}

Status Engine::CommitStartOffsets(const std::string& group_id,
                                  const std::vector<std::string>& topics) {
  std::vector<kafka::TopicPartitionOffset> offsets;
  for (const std::string& topic : topics) {
    ASSIGN_OR_RETURN(std::vector<kafka::Watermarks> marks,
                     kafka_.admin().PartitionWatermarks(topic, options_.admin_timeout));
    for (size_t p = 0; p < marks.size(); ++p) {
      offsets.push_back({topic, static_cast<int32_t>(p), marks[p].high});
    }
  }
  if (offsets.empty()) return Status::Ok();
  kafka::ConsumerConfig cc;
  cc.group_id = group_id;
  cc.topics = topics;
  cc.from_beginning = false;
  cc.assign_all = true;  // commits for the group without joining it
  ASSIGN_OR_RETURN(std::unique_ptr<kafka::Consumer> consumer, kafka_.NewConsumer(cc));
  return consumer->Commit(offsets);
}

Result<std::unique_ptr<Engine::PersistentQuery>> Engine::BuildPersistent(
    const PhysicalPlan& plan, const std::string& sink_name, const Config& cfg, bool restore_state) {
  auto q = std::make_unique<PersistentQuery>();
  q->id = plan.query_id;
  q->sql = plan.sql;
  q->sink = sink_name;
  q->source = plan.source().source_name;
  ASSIGN_OR_RETURN(q->topology, TopologyBuilder::Build(plan, options_.service_id));
  StreamThreadOptions opts;
  opts.query_id = plan.query_id;
  opts.group_id = "_confluent-ksql-" + options_.service_id + "query_" + plan.query_id;
  if (plan.Find<AggregateStep>() || plan.Find<MaterializeStep>() || plan.Find<JoinStep>()) {
    ASSIGN_OR_RETURN(opts.state_env, StateEnv());
    opts.service_id = options_.service_id;
    opts.restore_state = restore_state;
  }
  if (const MaterializeStep* m = plan.Find<MaterializeStep>()) {
    // After a restart (state in the changelogs), the table is unreadable until its tasks open.
    q->view = std::make_shared<MaterializedView>(*m, restore_state);
    opts.view = q->view;
  }
  // A query without a sink only materializes its table (CREATE SOURCE TABLE): its rows stop at
  // the store, and it starts from its state's offsets, never the group's (see
  // StreamThreadOptions::commit_group_offsets).
  RowSink discard;
  if (!plan.sink()) {
    discard = [](OutputRow&&) {};
    opts.commit_group_offsets = false;
    opts.from_beginning = true;
  }
  // Session SET 'auto.offset.reset' applies, as in ksqlDB; brook's default for persistent
  // queries is earliest (ksqlDB's is latest; see docs/configuration.md).
  opts.from_beginning = ConfigOr(cfg, "auto.offset.reset",
                                 ConfigOr(cfg, "ksql.streams.auto.offset.reset", "earliest")) !=
                        "latest";
  if (!opts.from_beginning && options_.threaded && !replaying_ && plan.sink()) {
    // "latest" means the end of each source topic when the statement ran. The group forms
    // about 3 s later, and records written meanwhile would be skipped: the new group gets those
    // ends as its committed offsets before its consumer joins.
    RETURN_IF_ERROR(CommitStartOffsets(opts.group_id, q->topology->SourceTopics()));
  }
  ASSIGN_OR_RETURN(int64_t interval,
                   ConfigInt(cfg, "ksql.streams.commit.interval.ms",
                             options_.commit_interval.count(), 0, 24 * 3600 * 1000));
  // The deterministic driver commits after every poll, so each settled state is committed.
  opts.commit_interval = options_.threaded ? kafka::Millis(interval) : kafka::Millis(0);
  ASSIGN_OR_RETURN(int64_t cleanup, ConfigInt(cfg, "ksql.streams.state.cleanup.delay.ms", 600000, 0,
                                              INT64_MAX / 1000000));
  opts.state_cleanup_delay = kafka::Millis(cleanup);
  ASSIGN_OR_RETURN(int64_t idle, ConfigInt(cfg, "ksql.streams.max.task.idle.ms",
                                           kDefaultMaxTaskIdleMs, 0, 3600 * 1000));
  // The deterministic driver hands records over in input order: it must not reorder them.
  opts.max_task_idle = options_.threaded ? kafka::Millis(idle) : kafka::Millis(-1);
  // brook.streams.order.across.partitions (default true): docs/sql.md, "Time order".
  opts.order_across_partitions =
      EqualsIgnoreAsciiCase(ConfigOr(cfg, "brook.streams.order.across.partitions", "true"), "true");
  ASSIGN_OR_RETURN(int64_t max_buffered,
                   ConfigInt(cfg, "brook.streams.max.buffered.rows", 50000, 0, 1 << 30));
  opts.max_buffered_rows = static_cast<size_t>(max_buffered);
  ASSIGN_OR_RETURN(int64_t cache_fallback,
                   ConfigInt(cfg, "cache.max.bytes.buffering",
                             static_cast<int64_t>(options_.emit_cache_bytes), 0, INT64_MAX));
  ASSIGN_OR_RETURN(int64_t cache_bytes, ConfigInt(cfg, "ksql.streams.cache.max.bytes.buffering",
                                                  cache_fallback, 0, INT64_MAX));
  opts.emit_cache_bytes = static_cast<size_t>(cache_bytes);
  ASSIGN_OR_RETURN(int64_t fallback_threads, ConfigInt(cfg, "num.stream.threads", 1, 1, 64));
  ASSIGN_OR_RETURN(int64_t threads, ConfigInt(cfg, "ksql.streams.num.stream.threads",
                                              fallback_threads, 1, 64));
  ASSIGN_OR_RETURN(q->retry_initial_ms,
                   ConfigInt(cfg, "ksql.query.retry.backoff.initial.ms", 15000, 0, 86400000));
  ASSIGN_OR_RETURN(q->retry_max_ms,
                   ConfigInt(cfg, "ksql.query.retry.backoff.max.ms", 900000, 0, 86400000));
  for (int64_t i = 0; i < threads; ++i) {
    // Through the tap: scalable push queries see what the query writes.
    ASSIGN_OR_RETURN(auto thread, StreamThread::Create(q->topology, tap_factory_, discard,
                                                       &processing_log_, opts));
    q->threads.push_back(std::move(thread));
  }
  // A replacement after a failure resumes from what the failed thread's tasks committed: its
  // state is restored (local directory or changelog), never started empty.
  StreamThreadOptions retry_opts = opts;
  if (retry_opts.state_env) retry_opts.restore_state = true;
  q->new_thread = [this, topology = q->topology, discard, retry_opts] {
    return StreamThread::Create(topology, tap_factory_, discard, &processing_log_, retry_opts);
  };
  return q;
}

void Engine::InstallPersistent(std::unique_ptr<PersistentQuery> q) {
  for (const PhysicalStep& step : q->plan().steps) {
    if (const auto* src = step.As<SourceStep>()) catalog_.AddReadingQuery(src->source_name, q->id);
  }
  catalog_.AddWritingQuery(q->sink, q->id);
  PersistentQuery* raw = q.get();
  queries_[q->id] = std::move(q);
  if (running_) StartThreads(raw);
}

void Engine::StartThreads(PersistentQuery* q) {
  if (!q->os_threads.empty()) return;
  for (size_t i = 0; i < q->threads.size(); ++i) {
    q->os_threads.emplace_back([this, q, i] { RunQueryThread(q, i); });
  }
}

namespace {

// Sleeps up to `ms`, waking every 100 ms to see whether `done` says to stop; false if it did.
template <typename Done>
bool WaitUnless(int64_t ms, const Done& done) {
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (!done()) {
    auto now = std::chrono::steady_clock::now();
    if (now >= until) return true;
    std::this_thread::sleep_for(
        std::min<std::chrono::steady_clock::duration>(until - now, std::chrono::milliseconds(100)));
  }
  return false;
}

}  // namespace

// Runs stream thread `i` of `q` until the query or the engine stops. A failure puts the query in
// ERROR (with the error in its queryErrors) and, after ksqlDB's retry backoff
// (ksql.query.retry.backoff.initial.ms, doubled per consecutive failure up to .max.ms), the
// failed thread is abandoned — nothing it did since its last commit is kept — and replaced by a
// new one that resumes from the last commit, as after a crash. The backoff starts again from
// the initial wait once a thread has run for the maximum backoff without failing. Never takes
// mu_: TERMINATE may be joining this thread under it.
void Engine::RunQueryThread(PersistentQuery* q, size_t i) {
  auto done = [&] { return q->stop.load() || !running_.load(); };
  int64_t backoff = q->retry_initial_ms;
  auto healthy_since = std::chrono::steady_clock::now();
  StreamThread* thread = q->threads[i].get();
  while (!done()) {
    auto r = thread->PollOnce(options_.max_batch, kafka::Millis(100));
    if (r.ok()) {
      if (std::chrono::steady_clock::now() - healthy_since >
          std::chrono::milliseconds(q->retry_max_ms)) {
        backoff = q->retry_initial_ms;
      }
      continue;
    }
    q->Fail(r.status());
    thread->Abandon();
    while (true) {
      if (!WaitUnless(backoff, done)) return;  // stopped while failed: nothing to commit
      backoff = std::min(q->retry_max_ms, std::max<int64_t>(1, backoff) * 2);
      Status st = q->ReplaceThread(i);
      if (st.ok()) break;
      q->RetryFailed(st);
    }
    q->Recovered();
    thread = q->threads[i].get();
    healthy_since = std::chrono::steady_clock::now();
  }
  // Leaving: what was processed is committed, so a restart does not produce it again.
  Status st = thread->Commit();
  if (!st.ok()) q->Fail(st);
}

}  // namespace brook
