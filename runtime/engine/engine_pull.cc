// Engine: pull queries — SELECT without EMIT, answered once and ended, as in ksqlDB:
//   - on a materialized table (CREATE TABLE AS SELECT, CREATE SOURCE TABLE): read from the
//     table's state (pull_query.h), by key lookups or a table scan;
//   - on a stream: a scan of its topic from the beginning up to the end offsets it had when the
//     query started, then "Query Completed".
// Validation and messages follow ksqlDB's PullQueryValidator.
#include <string>

#include "common/ascii.h"
#include "planner/query_planner.h"
#include "runtime/engine/engine.h"
#include "runtime/engine/persistent_query.h"
#include "runtime/engine/pull_query.h"

namespace brook {

namespace {

constexpr const char* kPullHelp =
    " See https://cnfl.io/queries for more info.\nAdd EMIT CHANGES if you intended to issue a "
    "push query.";

Status PullError(const std::string& what, SourceRange range) {
  return InvalidArgument(what + kPullHelp, range);
}

// The pseudo-columns pull queries cannot read (ROWTIME is fine).
bool Disallowed(const std::string& name) { return name == "ROWOFFSET" || name == "ROWPARTITION"; }

// Appends to `found` the disallowed pseudo-columns `e` references, each once. Depth is bounded
// by the parser's nesting limit; the guard keeps this function safe on its own.
void FindDisallowed(const ast::Expr& e, std::vector<std::string>& found, int depth = 0) {
  if (depth > 512) return;
  if (e.kind == ast::ExprKind::kColumnRef && Disallowed(e.name) &&
      std::find(found.begin(), found.end(), e.name) == found.end()) {
    found.push_back(e.name);
  }
  for (const ast::ExprPtr& c : e.children) {
    if (c) FindDisallowed(*c, found, depth + 1);
  }
}

std::string BacktickList(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) {
    if (!out.empty()) out += ", ";
    out += "`" + n + "`";
  }
  return out;
}

bool ConfigTrue(const Config& cfg, const std::string& key, bool fallback) {
  std::string v = ConfigOr(cfg, key, fallback ? "true" : "false");
  return EqualsIgnoreAsciiCase(v, "true");
}

}  // namespace

Result<ExecuteResult> Engine::HandlePullQuery(const ast::QueryStatement& s, StatementContext& ctx) {
  const Config& cfg = ctx.config;
  const ast::Query& q = s.query;
  // What a pull query cannot have (ksqlDB's PullQueryValidator, in its order).
  if (!q.joins.empty())
    return PullError("Pull queries don't support JOIN clauses.", q.joins[0].range);
  if (q.window) return PullError("Pull queries don't support WINDOW clauses.", q.window->range);
  if (q.has_group_by) {
    return PullError("Pull queries don't support GROUP BY clauses.",
                     q.group_by.empty() ? q.range : q.group_by[0]->range);
  }
  if (q.has_partition_by) {
    return PullError("Pull queries don't support PARTITION BY clauses.",
                     q.partition_by.empty() ? q.range : q.partition_by[0]->range);
  }
  if (q.having) return PullError("Pull queries don't support HAVING clauses.", q.having->range);
  if (q.limit) {
    if (!ConfigTrue(cfg, "ksql.query.pull.limit.clause.enabled", true)) {
      return PullError(
          "LIMIT clause in pull queries is currently disabled. You can enable them by setting "
          "ksql.query.pull.limit.clause.enabled=true.",
          q.range);
    }
    if (*q.limit < 0) {
      return PullError("Pull queries don't support negative integers in the LIMIT clause.",
                       q.range);
    }
  }
  std::vector<std::string> in_select, in_where;
  for (const ast::SelectItem& item : q.select) {
    if (item.expr) FindDisallowed(*item.expr, in_select);
  }
  if (!in_select.empty()) {
    return InvalidArgument("Pull queries don't support the following columns in SELECT clauses: " +
                               BacktickList(in_select) + "\n",
                           q.select[0].range);
  }
  if (q.where) FindDisallowed(*q.where, in_where);
  if (!in_where.empty()) {
    return InvalidArgument("Pull queries don't support the following columns in WHERE clauses: " +
                               BacktickList(in_where) + "\n",
                           q.where->range);
  }

  // Planned as a transient query over the source: source, filter, projection.
  QueryPlanRequest req;
  req.kind = QueryPlanRequest::Kind::kTransient;
  req.query = &q;
  std::string id = NewTransientId(q.from.name);
  req.query_id = id;
  req.sql = s.text;
  ASSIGN_OR_RETURN(QueryPlanResult planned, Plan(req, cfg));
  if (planned.not_runnable) return *planned.not_runnable;
  const PhysicalPlan& plan = planned.plan;

  DataSourcePtr source = catalog_.Find(q.from.name);
  std::shared_ptr<MaterializedView> view;
  if (source && source->is_table) {
    for (const auto& [id, query] : queries_) {
      if (query->view && query->sink == source->name) view = query->view;
    }
    if (!view) {
      return PullError("The `" + source->name +
                           "` table isn't queryable. To derive a queryable "
                           "table, you can do 'CREATE TABLE QUERYABLE_" +
                           source->name + " AS SELECT * FROM " + source->name + "'.",
                       q.from.range);
    }
  } else if (source && !ConfigTrue(cfg, "ksql.query.pull.stream.enabled", true)) {
    return InvalidArgument(
        "Pull queries on streams are disabled. To create a push query on the stream, add EMIT "
        "CHANGES to the end. To enable pull queries on streams, set the "
        "ksql.query.pull.stream.enabled config to 'true'.",
        q.range);
  }

  if (view) {
    ASSIGN_OR_RETURN(PullKeys keys,
                     PlanPullKeys(plan, ConfigTrue(cfg, "ksql.query.pull.table.scan.enabled", true),
                                  ConfigTrue(cfg, "ksql.query.pull.range.scan.enabled", true),
                                  q.where ? q.where->range : q.range));
    // A request may lower the server's bound, never raise it.
    ASSIGN_OR_RETURN(
        int64_t server_max_rows,
        ConfigInt(options_.config, "brook.query.pull.max.rows", 1'000'000, 1, INT64_MAX));
    ASSIGN_OR_RETURN(int64_t max_rows,
                     ConfigInt(cfg, "brook.query.pull.max.rows", server_max_rows, 1, INT64_MAX));
    max_rows = std::min(max_rows, server_max_rows);
    // Never the rows of some partitions, or none, for a table still restoring.
    RETURN_IF_ERROR(view->Available(source->name));
    // A bounded number of table pull queries at once, each holding one chunk of its answer.
    ASSIGN_OR_RETURN(int64_t max_pulls,
                     ConfigInt(options_.config, "ksql.query.pull.max.concurrent.requests",
                               kDefaultMaxConcurrentPulls, 1, 1 << 20));
    std::shared_ptr<void> slot = TakePullSlot(static_cast<int>(max_pulls));
    if (!slot) {
      return Status(StatusCode::kResourceExhausted,
                    "Host is at maximum concurrent pull queries limit (" +
                        std::to_string(max_pulls) +
                        ", ksql.query.pull.max.concurrent.requests). Try again shortly.");
    }
    auto position = std::make_shared<TablePullPosition>();
    ASSIGN_OR_RETURN(std::vector<OutputRow> rows,
                     RunTablePull(plan, *view, keys, &processing_log_,
                                  static_cast<size_t>(max_rows), position.get(), kPullChunkRows));
    auto buffer = std::make_shared<std::vector<OutputRow>>(std::move(rows));
    std::vector<std::string> names;
    std::vector<TypePtr> types;
    std::vector<bool> is_key;
    // A windowed table's WINDOWSTART and WINDOWEND, selected as they are, are key columns of
    // the result (ksqlDB marks them KEY in a table pull query's header).
    const SourceStep& src = plan.source();
    const int bounds = static_cast<int>(src.schema.key.size() + src.schema.value.size()) + 3;
    for (const auto& [k, idx] : plan.project().select_order) {
      const Column& c = k ? plan.output_schema.key[idx] : plan.output_schema.value[idx];
      names.push_back(c.name);
      types.push_back(c.type);
      bool bound = false;
      if (!k && src.window) {
        const BoundExpr& e = *plan.project().value_exprs[idx];
        bound = e.kind == BoundKind::kColumn && (e.index == bounds || e.index == bounds + 1);
      }
      is_key.push_back(k || bound);
    }
    auto tq = std::make_shared<TransientQuery>(id, nullptr, nullptr, buffer, plan.output_schema,
                                               names, types, is_key);
    tq->set_sql(s.text);
    tq->set_kind(TransientQuery::Kind::kPullTable);
    tq->set_resource(std::move(slot));
    if (!position->done) {
      // The rest of a large scan comes a chunk at a time, as the client takes it.
      auto shared_plan = std::make_shared<PhysicalPlan>(plan);
      ProcessingLog* log = &processing_log_;
      const std::string table = source->name;
      tq->set_pull_source([shared_plan, view, keys, log, max_rows, position,
                           table](std::vector<OutputRow>& out) -> Result<bool> {
        if (position->done) return false;
        RETURN_IF_ERROR(view->Available(table));
        ASSIGN_OR_RETURN(std::vector<OutputRow> more,
                         RunTablePull(*shared_plan, *view, keys, log, static_cast<size_t>(max_rows),
                                      position.get(), kPullChunkRows));
        for (OutputRow& r : more) out.push_back(std::move(r));
        return !position->done;
      });
    }
    ExecuteResult result;
    result.transient = std::move(tq);
    return result;
  }

  // A stream: read from the beginning up to the end offsets of now.
  const std::string& topic = plan.source().topic;
  ASSIGN_OR_RETURN(std::vector<kafka::Watermarks> marks,
                   kafka_.admin().PartitionWatermarks(topic, options_.admin_timeout));
  std::map<int32_t, int64_t> ends;
  for (size_t p = 0; p < marks.size(); ++p) {
    if (marks[p].high > marks[p].low) ends[static_cast<int32_t>(p)] = marks[p].high;
  }
  StreamThreadOptions opts;
  opts.from_beginning = true;
  opts.scan_end = std::move(ends);
  ASSIGN_OR_RETURN(std::shared_ptr<TransientQuery> tq,
                   StartTransient(plan, id, s.text, std::move(opts)));
  tq->set_kind(TransientQuery::Kind::kPullStream);
  ExecuteResult result;
  result.transient = std::move(tq);
  return result;
}

std::shared_ptr<void> Engine::TakePullSlot(int limit) {
  std::shared_ptr<std::atomic<int>> counter = pulls_in_flight_;
  if (counter->fetch_add(1) >= limit) {
    counter->fetch_sub(1);
    return nullptr;
  }
  // The handle's deleter gives the slot back; it keeps the counter alive on its own.
  return std::shared_ptr<void>(counter.get(), [counter](void*) { counter->fetch_sub(1); });
}

}  // namespace brook
