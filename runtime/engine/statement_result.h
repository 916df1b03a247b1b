// StatementResult: what a statement produced, as typed values.
//
// The engine says *what* happened (a source was created, these are the streams, this is the
// plan); how ksqlDB's REST API spells it ("@type", "statementText", field order, schema JSON)
// is decided in server/ksql_entity.h only. One struct per kind of result; every struct carries
// the text of the statement that produced it (as ksqlDB echoes it, with its ';').
//
// All types are plain values: copyable, no references into the engine, safe to hand to
// another thread.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "common/sql_type.h"
#include "planner/physical/physical_plan.h"

namespace brook {

// A DDL or query-starting statement succeeded (ksqlDB's CommandStatusEntity).
struct CommandStatus {
  std::string statement_text;
  std::string command_id;      // e.g. "stream/S/create", "terminate/ALL/execute"
  std::string status = "SUCCESS";
  std::string message;         // e.g. "Stream created", "Created query with ID CSAS_S_0"
  std::optional<std::string> query_id;  // set when the statement started a query
  int64_t command_seq = 0;     // the engine's command sequence number, from 1
};

// The statement did nothing, for a reason the client should see (IF NOT EXISTS on an
// existing source).
struct WarningResult {
  std::string statement_text;
  std::string message;
};

// A column of a source or of a query's output.
struct FieldInfo {
  enum class Kind { kKey, kValue, kHeader };
  std::string name;
  TypePtr type;
  Kind kind = Kind::kValue;
  std::optional<std::string> header_key;  // kHeader: HEADER('key'); unset for HEADERS
};

// SHOW STREAMS / SHOW TABLES.
struct SourceList {
  struct Entry {
    std::string name;
    std::string topic;
    std::string key_format;
    std::string value_format;
    bool windowed = false;
  };
  std::string statement_text;
  bool tables = false;  // SHOW TABLES (else SHOW STREAMS)
  std::vector<Entry> sources;
};

// A running query as listed by SHOW QUERIES and DESCRIBE.
// One failure of a persistent query (ksqlDB's QueryError): when, what, and whose fault —
// USER (the query or its data), SYSTEM (Kafka, disks, time-outs) or UNKNOWN (a defect).
struct QueryError {
  int64_t timestamp_ms = 0;
  std::string message;
  std::string type;
};

struct RunningQuery {
  enum class Type { kPersistent, kPush };
  std::string id;
  std::string query_string;
  std::vector<std::string> sinks;
  std::vector<std::string> sink_topics;
  std::string state;  // RUNNING, ERROR
  Type type = Type::kPersistent;
};

// DESCRIBE <source> [EXTENDED], one per source for DESCRIBE STREAMS/TABLES.
struct SourceDetails {
  enum class WindowType { kTumbling, kHopping, kSession, kSliding };
  std::string name;
  bool is_table = false;
  std::optional<WindowType> window_type;
  std::vector<RunningQuery> read_queries;
  std::vector<RunningQuery> write_queries;
  std::vector<FieldInfo> fields;
  std::string timestamp_column;  // "" when none
  bool extended = false;
  std::string statistics;    // extended only, e.g. "records-consumed: 3"
  std::string error_stats;   // extended only, e.g. "failed-messages: 0"
  std::string key_format;
  std::string value_format;
  std::string topic;
  int partitions = 0;   // 0 when the topic could not be described
  int replication = 0;
  std::string statement;  // the SQL that created the source
};

// DESCRIBE <source>.
struct SourceDescription {
  std::string statement_text;
  SourceDetails source;
};

// DESCRIBE STREAMS / DESCRIBE TABLES.
struct SourceDescriptionList {
  std::string statement_text;
  std::vector<SourceDetails> sources;
};

// SHOW QUERIES.
struct QueryList {
  std::string statement_text;
  std::vector<RunningQuery> queries;
};

// EXPLAIN <query id>.
struct QueryDescription {
  std::string statement_text;
  std::string id;
  std::string query_sql;
  std::vector<FieldInfo> fields;  // the query's output columns
  std::vector<std::string> sources;
  std::vector<std::string> sinks;
  std::string consumer_group_id;
  std::string state;
  std::vector<QueryError> errors;  // the newest failures, oldest first
  PhysicalPlan plan;
};

// EXPLAIN <statement>: the plan the statement would run, without running it.
struct ExecutionPlan {
  std::string statement_text;
  PhysicalPlan plan;
};

// SHOW [ALL] TOPICS.
struct TopicList {
  struct Entry {
    std::string name;
    int partitions = 0;
    int replicas = 1;
    // SHOW TOPICS EXTENDED: consumers and consumer groups of brook's queries reading the topic.
    int consumers = 0;
    int consumer_groups = 0;
  };
  std::string statement_text;
  std::vector<Entry> topics;
  bool extended = false;
};

// SHOW PROPERTIES.
struct PropertyList {
  struct Entry {
    std::string name;
    std::string value;
    bool session = false;     // overridden by the session (else the server's value)
    bool editable = true;     // a session may SET it
    bool is_default = false;  // its documented default, set by nobody
  };
  std::string statement_text;
  std::vector<Entry> properties;         // by name
  std::vector<std::string> overwritten;  // names set by the session
  std::vector<std::string> defaults;     // names at their documented default
};

// SHOW FUNCTIONS.
struct FunctionList {
  struct Entry {
    std::string name;
    std::string category;
  };
  std::string statement_text;
  std::vector<Entry> functions;
};

// DESCRIBE FUNCTION.
struct FunctionDescription {
  std::string statement_text;
  std::string name;
  std::string description;
  std::vector<std::string> signatures;    // human-readable, one per variant (lambda functions)
  std::vector<FunctionVariant> variants;  // typed variants
  std::string type = "SCALAR";            // SCALAR, AGGREGATE or TABLE
};

// SHOW TYPES.
struct TypeList {
  std::string statement_text;
  std::map<std::string, TypePtr> types;
};

// SHOW VARIABLES.
struct VariableList {
  std::string statement_text;
  std::vector<std::pair<std::string, std::string>> variables;  // name, value
};

// TERMINATE of a push (transient) query; whoever serves its stream must end it.
struct TerminateResult {
  std::string statement_text;
  std::string query_id;
};

using StatementResult =
    std::variant<CommandStatus, WarningResult, SourceList, SourceDescription,
                 SourceDescriptionList, QueryList, QueryDescription, ExecutionPlan, TopicList,
                 PropertyList, FunctionList, FunctionDescription, TypeList, VariableList,
                 TerminateResult>;

}  // namespace brook
