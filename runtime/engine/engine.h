// Engine: executes statements against the catalog and runs the resulting queries.
//
// Two ways to drive queries:
//   - threaded (brookd): Start() gives each persistent query its own StreamThread that polls
//     its consumer until the query is terminated or the engine stops;
//   - deterministic (brook-test, unit tests): RunUntilIdle() polls every query in turn until
//     no query reads anything, so a chain of queries settles after each input record.
//
// Statement results are typed values (statement_result.h); how ksqlDB's REST API spells them
// is the server's business (server/ksql_entity.h).
// Thread-safety: all public methods are safe to call concurrently (one engine mutex).
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"
#include "parser/ast/statement.h"
#include "parser/statement_script.h"
#include "planner/analyzer/catalog.h"
#include "planner/analyzer/function_registry.h"
#include "planner/properties.h"
#include "planner/query_planner.h"
#include "runtime/engine/command_log.h"
#include "runtime/engine/processing_log.h"
#include "runtime/engine/statement_result.h"
#include "runtime/kafka/kafka.h"
#include "runtime/kafka/record_tap.h"
#include "runtime/topology/stream_thread.h"

namespace brook {

// ksql.streams.max.task.idle.ms in brook: how long a join task waits for an input that is behind
// before processing the others' earlier records without it (StreamThreadOptions::max_task_idle).
inline constexpr int64_t kDefaultMaxTaskIdleMs = 1000;
// ksql.query.pull.max.concurrent.requests: table pull queries answered at once (ksqlDB's
// default is unlimited; each holds a chunk of its answer and a share of the workers).
inline constexpr int64_t kDefaultMaxConcurrentPulls = 16;
// Rows of a table pull query's answer read per chunk (streamed as the client takes them).
inline constexpr size_t kPullChunkRows = 5000;

struct EngineOptions {
  Config config;                      // server-level ksql.* properties
  // The rest of the server's configuration (listeners, bootstrap.servers, brook.* knobs, with
  // their effective values), shown by SHOW PROPERTIES only. Default empty.
  Config server_properties;
  bool threaded = false;              // run persistent queries on their own threads
  // CREATE STREAM/TABLE over a missing topic: create it with 1 partition instead of failing
  // (the conformance runner's topics exist implicitly). Default false, as in ksqlDB.
  bool create_missing_source_topics = false;
  std::string service_id = "default_";  // ksql.service.id: prefix of consumer groups
  kafka::Millis admin_timeout{10000};   // bound on every topic admin call (default 10 s)
  size_t max_batch = 1000;              // records per poll per query (default 1000)
  // How often a threaded persistent query commits its offsets (ksql.streams.commit.interval.ms
  // overrides it per query). Default 2000 ms; unthreaded engines commit after every poll.
  kafka::Millis commit_interval{2000};
  // Run every query from its plan's JSON form: plan, serialize, read back, check the second
  // serialization equals the first, and run what was read (brook-test --plan-json). Default
  // false; it proves that a stored plan rebuilds the same query.
  bool plan_roundtrip = false;
  // Root of the stateful queries' task state (RocksDB), ksqlDB's ksql.streams.state.dir. Empty
  // (the default): a private directory under $TMPDIR (or /tmp), removed with the engine.
  std::string state_dir;
  // ksqlDB's record cache for EMIT CHANGES aggregations of persistent queries
  // (ksql.streams.cache.max.bytes.buffering or cache.max.bytes.buffering override it): updates
  // are coalesced per key and window until the query commits or this many bytes are held.
  // Default 10 000 000, ksqlDB's; 0 emits every update (what ksqlDB's conformance harness uses).
  size_t emit_cache_bytes = 10'000'000;
};

// Session state of one client: SET properties and DEFINE variables.
struct SessionState {
  Config properties;
  std::map<std::string, std::string> variables;
};

// A running transient query, owned by whoever serves it: a push query (SELECT ... EMIT
// CHANGES), a pull query on a stream (a scan of its topic up to the end offsets it had when the
// query started) or a pull query on a table (its rows were read when it was created).
class TransientQuery {
 public:
  enum class Kind { kPush, kPullStream, kPullTable };
  // `buffer` is where the task's RowSink puts rows; Poll drains it. `thread` is null for a
  // table pull query, whose rows are all in `buffer` already.
  TransientQuery(std::string id, std::unique_ptr<kafka::KafkaClientFactory> factory,
                 std::unique_ptr<StreamThread> thread,
                 std::shared_ptr<std::vector<OutputRow>> buffer, LogicalSchema schema,
                 std::vector<std::string> column_names, std::vector<TypePtr> column_types,
                 std::vector<bool> column_is_key);
  const std::string& id() const { return id_; }
  const std::string& sql() const { return sql_; }
  void set_sql(std::string sql) { sql_ = std::move(sql); }
  // The topics it reads (SHOW TOPICS EXTENDED counts it as a consumer of each).
  const std::vector<std::string>& source_topics() const { return source_topics_; }
  void set_source_topics(std::vector<std::string> topics) { source_topics_ = std::move(topics); }
  Kind kind() const { return kind_; }
  void set_kind(Kind kind) { kind_ = kind; }
  // Polls once; appends produced rows. Returns false once the query is complete: LIMIT reached,
  // or a pull query's rows all delivered.
  Result<bool> Poll(size_t max_records, kafka::Millis timeout, std::vector<OutputRow>& rows);
  // A table pull query answered in chunks: called by Poll, once the rows at hand are out, for
  // the next chunk; returns whether more follow.
  void set_pull_source(std::function<Result<bool>(std::vector<OutputRow>&)> next) {
    pull_next_ = std::move(next);
  }
  // Something the query holds while it lives (a slot of the concurrent pull queries).
  void set_resource(std::shared_ptr<void> resource) { resource_ = std::move(resource); }
  // The query ended because of its LIMIT (not because a pull query's scan ended).
  bool limit_reached() const { return thread_ && thread_->limit_reached(); }
  const std::vector<std::string>& column_names() const { return column_names_; }
  const std::vector<TypePtr>& column_types() const { return column_types_; }
  const std::vector<bool>& column_is_key() const { return column_is_key_; }
  // "`A` STRING KEY, `B` INTEGER" — the header schema of ksqlDB's /query responses.
  std::string SchemaString(bool mark_keys) const;

 private:
  std::string id_;
  std::string sql_;
  std::vector<std::string> source_topics_;
  Kind kind_ = Kind::kPush;
  // A scalable push query's consumer factory (a tap subscription); outlives thread_.
  std::unique_ptr<kafka::KafkaClientFactory> factory_;
  std::unique_ptr<StreamThread> thread_;
  std::shared_ptr<std::vector<OutputRow>> buffer_;
  std::function<Result<bool>(std::vector<OutputRow>&)> pull_next_;
  std::shared_ptr<void> resource_;
  LogicalSchema schema_;
  std::vector<std::string> column_names_;
  std::vector<TypePtr> column_types_;
  std::vector<bool> column_is_key_;
};

// What one statement produced: a result for the client, or a push query to serve, or neither
// (SET, UNSET, DEFINE, UNDEFINE, INSERT VALUES, REGISTER TYPE IF NOT EXISTS of a known type).
struct ExecuteResult {
  std::optional<StatementResult> result;
  std::shared_ptr<TransientQuery> transient;  // set for SELECT
};

struct QueryInfo {
  std::string id;
  std::string sql;
  std::string sink;
  std::string sink_topic;
  std::string source;
  std::string state;  // RUNNING, ERROR
  uint64_t records_in = 0;
  uint64_t records_out = 0;
};

// What /metrics shows of one persistent query.
struct QueryMetrics {
  std::string id;
  uint64_t records_in = 0;
  uint64_t records_out = 0;
  uint64_t processing_errors = 0;
  uint64_t skipped_by_broker = 0;  // source records deleted before the query read them
  uint64_t late_records = 0;       // dropped by windowed aggregations: their window had closed
  uint64_t backpressure_pauses = 0;  // input partitions paused while a task's buffer was full
  uint64_t state_bytes = 0;  // its state directory on disk
  std::vector<kafka::Consumer::PartitionLag> lag;
};

class StateDirectory;

class Engine {
 public:
  Engine(kafka::KafkaClientFactory& kafka, const FunctionRegistry& functions,
         EngineOptions options);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Parses and runs a script of statements in order, stopping at the first failure. On
  // failure the Status is positioned relative to `sql`; results of the statements that ran
  // before are in `done` if given.
  Result<std::vector<ExecuteResult>> ExecuteScript(std::string_view sql, SessionState& session,
                                                   std::vector<ExecuteResult>* done = nullptr);

  // Runs piece `index` of `script` (its statements in order, stopping at the first failure),
  // for callers that handle a script piece by piece (the REST server reports which statement
  // of a request failed). On failure the Status is positioned relative to script.sql();
  // results of the piece's statements that ran before are in `done` if given.
  Result<std::vector<ExecuteResult>> ExecutePiece(const StatementScript& script, size_t index,
                                                  SessionState& session,
                                                  std::vector<ExecuteResult>* done = nullptr);

  // Whether ${name} references are substituted for `session`: the server's and the session's
  // ksql.variable.substitution.enable (default true).
  bool SubstitutionEnabled(const SessionState& session) const;

  // Sets up ksqlDB's processing-log topic and stream when the configuration asks for them:
  //   ksql.logging.processing.topic.auto.create   (default false) create the topic and write
  //                                               every processing-log entry to it as JSON
  //   ksql.logging.processing.topic.name          (default <service id>ksql_processing_log)
  //   ksql.logging.processing.topic.partitions    (default 1)
  //   ksql.logging.processing.stream.auto.create  (default false) register a stream over it
  //   ksql.logging.processing.stream.name         (default PROCESSING_LOG)
  Status ConfigureProcessingLog();

  // Deterministic driver: polls all persistent queries until none reads a record.
  Status RunUntilIdle();
  void Start();
  void Stop();

  const Catalog& catalog() const { return catalog_; }
  ProcessingLog& processing_log() { return processing_log_; }
  // Which state directory stateful queries use, and why (empty before the first one).
  std::string StateDirectoryNote() const;
  std::vector<QueryInfo> Queries() const;
  // The sequence number of the last command that changed the catalog (0 before any).
  int64_t CommandSequence() const;
  // The status of every such command by command id ("stream/`S`/create"), for /status.
  std::map<std::string, CommandStatus> CommandStatuses() const;
  // Counters of every persistent query (reads consumer positions and the state directory).
  std::vector<QueryMetrics> Metrics() const;
  const FunctionRegistry& functions() const { return functions_; }
  kafka::KafkaClientFactory& kafka() { return kafka_; }
  const EngineOptions& options() const { return options_; }
  // Records every later statement that changes the catalog in `log` (not owned; must
  // outlive the engine or be detached with nullptr). A failed append fails the statement's
  // request with kIOError (the statement has run; the log misses it).
  void SetCommandLog(CommandLog* log);
  // Re-runs `commands` in order (before SetCommandLog, at start-up), each with its properties
  // and query counter. A command that fails is reported in the returned list and skipped; the
  // rest still run. Queries resume from their committed offsets and state.
  std::vector<std::string> Replay(const std::vector<Command>& commands);
  // Inserts JSON objects (one row each; column names matched as the JSON format matches them)
  // into stream `target` (REST /inserts-stream): decoded with the target's schema, encoded in
  // its key and value formats, produced, and flushed once at the end. `ack(i, status)` is
  // called for row i in order; the first failing row ends the insert (its error is acked and
  // returned). An unknown or read-only target fails before any row.
  Status InsertJsonRows(const std::string& target, const std::vector<std::string_view>& rows,
                        const std::function<void(size_t, const Status&)>& ack);
  // Terminates a transient query by id (REST /close-query). Returns false if unknown.
  bool CloseTransient(const std::string& id);

 private:
  struct PersistentQuery;

  // Appends the command of a statement that changed the catalog to the command log.
  Status Record(const ast::Statement& stmt, const SessionState& session, int64_t counter_before,
                const ExecuteResult& r);
  // Prepares and runs piece `index` of `script`, appending to `results`.
  Status RunPiece(const StatementScript& script, size_t index, SessionState& session,
                  std::vector<ExecuteResult>& results);
  // What a statement handler may use besides the engine: the session (SET and DEFINE change
  // it) and the server configuration merged with the session's properties.
  struct StatementContext {
    SessionState& session;
    const Config& config;
  };
  // Runs one statement with the handler of its kind (statement_handlers.cc).
  Result<ExecuteResult> Execute(const ast::Statement& stmt, SessionState& session);
  using StatementHandler = Result<ExecuteResult> (*)(Engine&, const ast::Statement&,
                                                     StatementContext&);
  // The handler of every statement kind; the one place a kind is mapped to its node type.
  static const std::map<ast::StatementKind, StatementHandler>& Handlers();
  // A handler of a node type as a StatementHandler; Handlers() guarantees that `stmt` is a
  // `Node` (the kind-to-type mapping lives there only).
  template <typename Node, Result<ExecuteResult> (Engine::*Handle)(const Node&, StatementContext&)>
  static Result<ExecuteResult> Dispatch(Engine& engine, const ast::Statement& stmt,
                                        StatementContext& ctx) {
    return (engine.*Handle)(static_cast<const Node&>(stmt), ctx);
  }

  // Statement handlers, one per kind, by topic. Each runs under mu_.
  // DDL (engine_ddl.cc).
  Result<ExecuteResult> HandleCreateSource(const ast::CreateSource& s, StatementContext& ctx);
  Result<ExecuteResult> HandleAlterSource(const ast::AlterSource& s, StatementContext& ctx);
  Result<ExecuteResult> HandleDropSource(const ast::DropSource& s, StatementContext& ctx);
  Result<ExecuteResult> HandleRegisterType(const ast::RegisterType& s, StatementContext& ctx);
  Result<ExecuteResult> HandleDropType(const ast::DropType& s, StatementContext& ctx);
  // Queries (engine_queries.cc).
  Result<ExecuteResult> HandleCreateAsSelect(const ast::CreateAsSelect& s, StatementContext& ctx);
  Result<ExecuteResult> HandleInsertInto(const ast::InsertInto& s, StatementContext& ctx);
  Result<ExecuteResult> HandleInsertValues(const ast::InsertValues& s, StatementContext& ctx);
  Result<ExecuteResult> HandleQuery(const ast::QueryStatement& s, StatementContext& ctx);
  // Pull queries: SELECT without EMIT (engine_pull.cc).
  Result<ExecuteResult> HandlePullQuery(const ast::QueryStatement& s, StatementContext& ctx);
  // Creates a transient query over `plan` reading with `opts` (ids, group and commit settings
  // are set here) and registers it for /close-query and TERMINATE. `factory`: where its
  // consumer comes from instead of the engine's Kafka (a scalable push query's tap); the
  // query owns it.
  Result<std::shared_ptr<TransientQuery>> StartTransient(
      const PhysicalPlan& plan, const std::string& id, const std::string& sql,
      StreamThreadOptions opts, std::unique_ptr<kafka::KafkaClientFactory> factory = nullptr);
  static std::string NewTransientId(const std::string& source);
  // Commits the current end of every partition of `topics` as `group_id`'s offsets (a new
  // persistent query reading from "latest").
  [[nodiscard]] Status CommitStartOffsets(const std::string& group_id,
                                          const std::vector<std::string>& topics);
  Result<ExecuteResult> HandleTerminate(const ast::SimpleStatement& s, StatementContext& ctx);
  // Listing and describing (engine_describe.cc).
  Result<ExecuteResult> HandleListSources(const ast::SimpleStatement& s, StatementContext& ctx);
  Result<ExecuteResult> HandleListTopics(const ast::SimpleStatement& s, StatementContext& ctx);
  Result<ExecuteResult> HandleListQueries(const ast::SimpleStatement& s, StatementContext& ctx);
  Result<ExecuteResult> HandleListProperties(const ast::SimpleStatement& s,
                                             StatementContext& ctx);
  Result<ExecuteResult> HandleListFunctions(const ast::SimpleStatement& s, StatementContext& ctx);
  Result<ExecuteResult> HandleListTypes(const ast::SimpleStatement& s, StatementContext& ctx);
  Result<ExecuteResult> HandleListVariables(const ast::SimpleStatement& s, StatementContext& ctx);
  Result<ExecuteResult> HandleDescribeSource(const ast::SimpleStatement& s,
                                             StatementContext& ctx);
  Result<ExecuteResult> HandleDescribeStreams(const ast::SimpleStatement& s,
                                              StatementContext& ctx);
  Result<ExecuteResult> HandleDescribeFunction(const ast::SimpleStatement& s,
                                               StatementContext& ctx);
  Result<ExecuteResult> HandleExplain(const ast::Explain& s, StatementContext& ctx);
  // Session (engine_session.cc).
  Result<ExecuteResult> HandleSetProperty(const ast::SimpleStatement& s, StatementContext& ctx);
  Result<ExecuteResult> HandleUnsetProperty(const ast::SimpleStatement& s, StatementContext& ctx);
  Result<ExecuteResult> HandleDefineVariable(const ast::SimpleStatement& s,
                                             StatementContext& ctx);
  Result<ExecuteResult> HandleUndefineVariable(const ast::SimpleStatement& s,
                                               StatementContext& ctx);
  Result<ExecuteResult> HandlePrintTopic(const ast::SimpleStatement& s, StatementContext& ctx);

  // PlanQuery, plus the JSON round trip when options_.plan_roundtrip is set.
  Result<QueryPlanResult> Plan(const QueryPlanRequest& req, const Config& cfg);
  Status StartPersistent(const PhysicalPlan& plan, const std::string& sink_name,
                         const Config& cfg);
  // Creates a query's topology and stream threads without starting or registering it.
  // `restore_state`: fresh task directories are rebuilt from the changelogs (they existed
  // before this query started).
  Result<std::unique_ptr<PersistentQuery>> BuildPersistent(const PhysicalPlan& plan,
                                                           const std::string& sink_name,
                                                           const Config& cfg,
                                                           bool restore_state = false);
  // The process's state environment, created on first use (see EngineOptions::state_dir).
  Result<std::shared_ptr<state::StateEnvironment>> StateEnv();
  // Creates the internal topics of `plan` (repartition topics, state stores' changelogs) that
  // do not exist; true if a changelog holds records (so a fresh state directory is restored).
  Result<bool> EnsureChangelogs(const PhysicalPlan& plan, int partitions);
  void InstallPersistent(std::unique_ptr<PersistentQuery> q);
  // Stops persistent query `id` (its threads commit and leave) and forgets it; no-op if unknown.
  void StopQuery(const std::string& id);
  // Starts CREATE SOURCE TABLE's query that materializes the table for pull queries; its id.
  Result<std::string> MaterializeSourceTable(const ast::CreateSource& s, const Config& cfg);
  Status EnsureTopic(const std::string& topic, int partitions, int replicas);
  Result<int> TopicPartitions(const std::string& topic);
  std::string NextQueryId(const std::string& prefix, const std::string& sink);
  Config Merge(const Config& session) const;
  // A CommandStatus with the next command sequence number; `query_id` empty for none.
  CommandStatus MakeCommandStatus(const std::string& text, const std::string& command_id,
                                  const std::string& message, const std::string& query_id);
  // DESCRIBE's view of a source and of the queries that read or write it.
  SourceDetails DescribeSource(const DataSource& src, bool extended);
  std::vector<RunningQuery> RunningQueries(const std::set<std::string>& ids) const;
  void RunQueryThread(PersistentQuery* q, size_t i);
  void StartThreads(PersistentQuery* q);

  kafka::KafkaClientFactory& kafka_;
  // Scalable push queries (ksql.query.push.v2.enabled) read persistent queries' output from
  // this tap; persistent queries write through tap_factory_ (runtime/kafka/record_tap.h).
  std::shared_ptr<kafka::RecordTap> tap_ = std::make_shared<kafka::RecordTap>();
  kafka::TapFactory tap_factory_{kafka_, tap_};
  const FunctionRegistry& functions_;
  EngineOptions options_;
  Catalog catalog_;
  ProcessingLog processing_log_;
  std::unique_ptr<kafka::Producer> producer_;
  std::unique_ptr<kafka::Producer> log_producer_;
  std::mutex log_producer_mu_;
  mutable std::recursive_mutex mu_;
  std::map<std::string, std::unique_ptr<PersistentQuery>> queries_;
  std::map<std::string, std::weak_ptr<TransientQuery>> transients_;
  int64_t query_counter_ = 0;
  int64_t command_seq_ = 0;
  CommandLog* command_log_ = nullptr;
  bool replaying_ = false;
  // During Replay: the stored physical plan of the command being replayed ("" when it started
  // no query). Plan() runs it instead of the statement's fresh plan, so a restart runs exactly
  // the queries that ran before, even if the planner changed meanwhile.
  std::string replay_plan_;
  std::vector<std::string>* replay_notes_ = nullptr;
  std::map<std::string, CommandStatus> command_statuses_;
  std::atomic<bool> running_{false};
  // Table pull queries in flight (ksql.query.pull.max.concurrent.requests).
  std::shared_ptr<std::atomic<int>> pulls_in_flight_ = std::make_shared<std::atomic<int>>(0);
  // A slot for one more table pull query, released when the returned handle is dropped; null
  // when `limit` are in flight.
  std::shared_ptr<void> TakePullSlot(int limit);
  std::string current_statement_text_;
  std::shared_ptr<state::StateEnvironment> state_env_;
  // Chosen with the first stateful query (state_directory.h); a private one is removed with it.
  std::unique_ptr<StateDirectory> state_dir_;
  std::string state_dir_note_;  // which directory, and why (DESCRIBE/logs)
};

}  // namespace brook
