// Engine: DDL statement handlers — CREATE STREAM/TABLE, ALTER, DROP, REGISTER/DROP TYPE.
#include <set>
#include <string>

#include "planner/analyzer/expression_binder.h"
#include "planner/ddl_planner.h"
#include "planner/query_planner.h"
#include "runtime/engine/engine.h"
#include "runtime/engine/persistent_query.h"

namespace brook {
namespace {

std::string Join(const std::set<std::string>& s) {
  std::string out;
  for (const auto& x : s) out += (out.empty() ? "" : ", ") + x;
  return out;
}

}  // namespace

Result<ExecuteResult> Engine::HandleCreateSource(const ast::CreateSource& s,
                                                 StatementContext& ctx) {
  const Config& cfg = ctx.config;
  const char* what = s.is_table ? "table" : "stream";
  if (DataSourcePtr existing = catalog_.Find(s.name)) {
    if (s.if_not_exists) {
      return ExecuteResult{WarningResult{s.text, std::string("Cannot add ") + what + " '" +
                                                     s.name + "': A " +
                                                     (existing->is_table ? "table" : "stream") +
                                                     " with the same name already exists"}};
    }
    if (!s.or_replace) {
      return InvalidArgument(std::string("Cannot add ") + what + " '" + s.name + "': A " +
                                 (existing->is_table ? "table" : "stream") +
                                 " with the same name already exists",
                             s.name_range);
    }
    if (s.is_source || existing->read_only) {
      return InvalidArgument(std::string("Cannot add ") + what + " '" + s.name +
                                 "': CREATE OR REPLACE is not supported on source " + what + "s.",
                             s.range);
    }
  }
  if (s.or_replace && s.is_source) {
    return InvalidArgument(std::string("Cannot add ") + what + " '" + s.name +
                               "': CREATE OR REPLACE is not supported on source " + what + "s.",
                           s.range);
  }
  ASSIGN_OR_RETURN(CreateSourcePlan plan, PlanCreateSource(s, catalog_, cfg));
  if (DataSourcePtr existing = catalog_.Find(s.name); existing && s.or_replace) {
    RETURN_IF_ERROR(CheckUpgradeCompatible(s.name, existing->schema, plan.source->schema, s.range));
    plan.source->reading_queries = existing->reading_queries;
    plan.source->writing_queries = existing->writing_queries;
  }
  ASSIGN_OR_RETURN(auto info, kafka_.admin().DescribeTopic(plan.source->topic, options_.admin_timeout));
  if (!info) {
    if (plan.partitions || options_.create_missing_source_topics) {
      RETURN_IF_ERROR(EnsureTopic(plan.source->topic, plan.partitions.value_or(1),
                                  plan.replicas.value_or(1)));
    } else {
      return InvalidArgument("Topic '" + plan.source->topic + "' does not exist. If you want to "
                             "create a new topic for the " + what + " please re-run the statement "
                             "providing the required 'PARTITIONS' configuration in the WITH clause "
                             "(and optionally 'REPLICAS'). For example: CREATE STREAM FOO (ID INT, "
                             "VALUE STRING) WITH (KAFKA_TOPIC='" + plan.source->topic +
                                 "', PARTITIONS=2, REPLICAS=1, FORMAT='JSON');",
                             s.range);
    }
  } else if (plan.partitions && *plan.partitions != info->partitions) {
    return InvalidArgument("A Kafka topic with the name '" + plan.source->topic +
                               "' already exists, with different partition/replica configuration "
                               "than required. KSQL expects " + std::to_string(*plan.partitions) +
                               " partitions (topic has " + std::to_string(info->partitions) +
                               "), 1 replication factor (topic has 1).",
                           s.range);
  }
  catalog_.Put(plan.source);
  std::string query_id;
  if (s.is_source && s.is_table) {
    // A source table is materialized for pull queries by a query of its own, as in ksqlDB.
    auto started = MaterializeSourceTable(s, cfg);
    if (!started.ok()) {
      catalog_.Remove(s.name);
      return started.status();
    }
    query_id = *started;
  }
  return ExecuteResult{MakeCommandStatus(s.text, std::string(what) + "/" + s.name + "/create",
                                         s.is_table ? "Table created" : "Stream created",
                                         query_id)};
}

Result<ExecuteResult> Engine::HandleAlterSource(const ast::AlterSource& s,
                                                StatementContext& /*ctx*/) {
  const char* what = s.is_table ? "table" : "stream";
  DataSourcePtr src = catalog_.Find(s.name);
  if (!src || src->is_table != s.is_table) {
    return InvalidArgument(std::string("Source ") + s.name + " does not exist.", s.name_range);
  }
  if (src->read_only) {
    return InvalidArgument(std::string("Cannot alter ") + what + " '" + s.name + "': ALTER "
                               "operations are not supported on source " + what + "s.",
                           s.range);
  }
  if (src->is_cas) {
    return InvalidArgument(std::string("ALTER command is not supported for CREATE ") +
                               (s.is_table ? "TABLE" : "STREAM") + " AS SELECT statements.",
                           s.range);
  }
  auto updated = std::make_shared<DataSource>(*src);
  for (const ast::TableElement& el : s.columns) {
    if (updated->schema.FindKey(el.name) || updated->schema.FindValue(el.name)) {
      return InvalidArgument("Cannot add column `" + el.name + "` to schema. A column with the "
                                 "same name already exists.",
                             el.range);
    }
    ASSIGN_OR_RETURN(TypePtr t, ResolveType(*el.type, catalog_));
    updated->schema.value.push_back({el.name, t, ColumnNamespace::kValue, std::nullopt});
  }
  RETURN_IF_ERROR(ValidateFormat(updated->value_format, updated->schema.value, false, s.range));
  catalog_.Put(updated);
  return ExecuteResult{MakeCommandStatus(s.text, std::string(what) + "/" + s.name + "/alter",
                                    std::string(s.is_table ? "Table" : "Stream") + " " + s.name +
                                        " altered.",
                                    "")};
}

Result<ExecuteResult> Engine::HandleDropSource(const ast::DropSource& s,
                                               StatementContext& /*ctx*/) {
  DataSourcePtr src = catalog_.Find(s.name);
  if (!src) {
    if (s.if_exists) {
      return ExecuteResult{MakeCommandStatus(s.text, std::string(s.is_table ? "table/" : "stream/") + s.name + "/drop",
                                        "Source " + s.name + " does not exist.", "")};
    }
    return InvalidArgument(std::string(s.is_table ? "Table " : "Stream ") + s.name + " does not exist.", s.name_range);
  }
  if (src->is_table != s.is_table) {
    return InvalidArgument(std::string("Incompatible data source type is ") +
                               (src->is_table ? "TABLE" : "STREAM") + ", but statement was DROP " +
                               (s.is_table ? "TABLE" : "STREAM"),
                           s.range);
  }
  if (s.delete_topic && src->read_only) {
    return InvalidArgument("Cannot delete topic for read-only source: " + s.name, s.range);
  }
  // A source table's own materializing query goes with it.
  std::string own_query;
  for (const auto& id : src->writing_queries) {
    if (src->read_only && id.rfind("CST_", 0) == 0 && queries_.count(id)) own_query = id;
  }
  std::set<std::string> writers, readers;
  for (const auto& id : src->writing_queries) {
    if (queries_.count(id) && id != own_query) writers.insert(id);
  }
  for (const auto& id : src->reading_queries) {
    if (queries_.count(id) && id != own_query) readers.insert(id);
  }
  if (!writers.empty() || !readers.empty()) {
    std::string msg = "Cannot drop " + s.name + ".";
    if (!readers.empty()) msg += "\nThe following queries read from this source: [" + Join(readers) + "].";
    if (!writers.empty()) msg += "\nThe following queries write into this source: [" + Join(writers) + "].";
    msg += "\nYou need to terminate them before dropping " + s.name + ".";
    return InvalidArgument(msg, s.range);
  }
  if (s.delete_topic) {
    // As ksqlDB: the topic goes first; when it cannot, the source stays and the client is told
    // why. A topic that is already gone is not an error.
    ASSIGN_OR_RETURN(auto info, kafka_.admin().DescribeTopic(src->topic, options_.admin_timeout));
    if (info) {
      Status st = kafka_.admin().DeleteTopic(src->topic, options_.admin_timeout);
      if (!st.ok() && st.code() != StatusCode::kNotFound) {
        return Status(
            st.code() == StatusCode::kTimeout ? StatusCode::kTimeout : StatusCode::kIOError,
            "Could not delete the corresponding kafka topic: " + src->topic + "\n" + st.message(),
            s.range);
      }
    }
  }
  if (!own_query.empty()) StopQuery(own_query);
  catalog_.Remove(s.name);
  return ExecuteResult{MakeCommandStatus(s.text, std::string(s.is_table ? "table/" : "stream/") + s.name + "/drop",
                                    "Source " + s.name + " (topic: " + src->topic + ") was dropped.",
                                    "")};
}

Result<ExecuteResult> Engine::HandleRegisterType(const ast::RegisterType& s,
                                                 StatementContext& /*ctx*/) {
  if (catalog_.FindType(s.name)) {
    if (s.if_not_exists) return ExecuteResult{};
    return InvalidArgument("Cannot register custom type '" + s.name +
                               "' since it is already registered with type: " +
                               TypeName(catalog_.FindType(s.name)),
                           s.range);
  }
  ASSIGN_OR_RETURN(TypePtr t, ResolveType(*s.type, catalog_));
  catalog_.PutType(s.name, t);
  return ExecuteResult{MakeCommandStatus(s.text, "type/" + s.name + "/create",
                                         "Registered custom type with name '" + s.name +
                                             "' and SQL type " + TypeName(t),
                                         "")};
}

Result<ExecuteResult> Engine::HandleDropType(const ast::DropType& s, StatementContext& /*ctx*/) {
  if (!catalog_.RemoveType(s.name) && !s.if_exists) {
    return InvalidArgument("Type " + s.name + " does not exist.", s.range);
  }
  return ExecuteResult{
      MakeCommandStatus(s.text, "type/" + s.name + "/drop", "Dropped type '" + s.name + "'", "")};
}

}  // namespace brook
