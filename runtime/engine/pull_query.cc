#include "runtime/engine/pull_query.h"

#include <map>
#include <memory>
#include <set>

#include "common/value_cast.h"
#include "common/value_codec.h"
#include "runtime/expr/evaluator.h"
#include "runtime/operators/filter_operator.h"
#include "runtime/operators/flat_map_operator.h"
#include "runtime/operators/materialize_operator.h"
#include "runtime/operators/project_operator.h"

namespace brook {

namespace {

// Disjunctive normal forms larger than this are not expanded: the query becomes a table scan.
constexpr size_t kMaxDisjuncts = 1024;

// One conjunct of a WHERE clause, as far as key lookups care.
struct Term {
  enum class Kind {
    kKeyEq,     // key column = constant
    kKeyRange,  // key column <, <=, >, >= constant (or BETWEEN)
    kKeyOther,  // mentions a key column in any other way
    kOther,     // no key column (value columns, window bounds, constants)
  } kind = Kind::kOther;
  int key = -1;  // the key column, for kKeyEq / kKeyRange / kKeyOther
  Value value;   // kKeyEq: the constant, cast to the key's type
  std::string text;
  std::string why;  // kKeyOther: why it cannot serve a lookup (ksqlDB's message)
};

constexpr const char* kNotResolvable =
    "A comparison must be between a key column and a resolvable expression.";
constexpr const char* kNotDirect = "A comparison must directly reference a key column.";
using Conjunction = std::vector<Term>;

class KeyAnalyzer {
 public:
  explicit KeyAnalyzer(const SourceStep& source) : source_(source) {}

  // The DNF of `e`; false when it would exceed kMaxDisjuncts.
  bool Dnf(const BoundExpr& e, std::vector<Conjunction>& out) {
    if (e.kind == BoundKind::kOr && e.children.size() == 2) {
      std::vector<Conjunction> left, right;
      if (!Dnf(*e.children[0], left) || !Dnf(*e.children[1], right)) return false;
      if (left.size() + right.size() > kMaxDisjuncts) return false;
      out = std::move(left);
      for (Conjunction& c : right) out.push_back(std::move(c));
      return true;
    }
    if (e.kind == BoundKind::kAnd && e.children.size() == 2) {
      std::vector<Conjunction> left, right;
      if (!Dnf(*e.children[0], left) || !Dnf(*e.children[1], right)) return false;
      if (left.size() * right.size() > kMaxDisjuncts) return false;
      out.clear();
      for (const Conjunction& l : left) {
        for (const Conjunction& r : right) {
          Conjunction c = l;
          c.insert(c.end(), r.begin(), r.end());
          out.push_back(std::move(c));
        }
      }
      return true;
    }
    if (e.kind == BoundKind::kIn && !e.negated && !e.children.empty()) {
      int key = KeyColumn(*e.children[0]);
      if (key >= 0) {
        // ksqlDB rewrites `K IN (a, b)` to `K = a OR K = b`.
        out.clear();
        for (size_t i = 1; i < e.children.size(); ++i) {
          const BoundExpr& item = *e.children[i];
          std::string text =
              "(" + e.children[0]->text + " = " +
              (item.kind == BoundKind::kLiteral && item.literal.is_null() ? std::string("null")
                                                                          : item.text) +
              ")";
          std::optional<Value> v = Constant(item, key);
          if (!v) {
            out = {{Term{Term::Kind::kKeyOther, key, Value(), e.text, kNotResolvable}}};
            return true;
          }
          out.push_back({Term{Term::Kind::kKeyEq, key, std::move(*v), text, ""}});
        }
        if (out.size() > kMaxDisjuncts) return false;
        return true;
      }
    }
    out = {{Classify(e)}};
    return true;
  }

 private:
  // The key column `e` is (a bare column reference), or -1.
  int KeyColumn(const BoundExpr& e) const {
    if (e.kind != BoundKind::kColumn) return -1;
    return e.index < static_cast<int>(source_.schema.key.size()) ? e.index : -1;
  }

  static bool References(const BoundExpr& e, const std::function<bool(int)>& slot) {
    if (e.kind == BoundKind::kColumn && slot(e.index)) return true;
    for (const BoundExprPtr& c : e.children) {
      if (c && References(*c, slot)) return true;
    }
    return false;
  }
  bool MentionsKey(const BoundExpr& e) const {
    int keys = static_cast<int>(source_.schema.key.size());
    return References(e, [keys](int i) { return i >= 0 && i < keys; });
  }
  static bool IsConstant(const BoundExpr& e) {
    if (e.kind == BoundKind::kColumn || e.kind == BoundKind::kLambdaVar) return false;
    for (const BoundExprPtr& c : e.children) {
      if (c && !IsConstant(*c)) return false;
    }
    return true;
  }
  // `e` evaluated (it has no column) and cast to key column `key`'s type; nullopt if `e` is not
  // constant or does not convert.
  std::optional<Value> Constant(const BoundExpr& e, int key) const {
    if (!IsConstant(e)) return std::nullopt;
    EvalContext ctx;
    Value v = Evaluate(e, nullptr, ctx);
    if (ctx.failed()) return std::nullopt;
    if (v.is_null()) return v;
    const TypePtr& to = source_.schema.key[key].type;
    auto cast = CastValue(v, e.type ? e.type : to, to);
    if (!cast.ok()) return std::nullopt;
    return std::move(cast).value();
  }

  Term Classify(const BoundExpr& e) const {
    Term t;
    t.text = e.text;
    if (e.kind == BoundKind::kCompare && e.children.size() == 2) {
      int left = KeyColumn(*e.children[0]);
      int right = KeyColumn(*e.children[1]);
      int key = left >= 0 ? left : right;
      const BoundExpr& other = *e.children[left >= 0 ? 1 : 0];
      if (key >= 0 && (left < 0 || right < 0)) {
        std::optional<Value> v = Constant(other, key);
        t.key = key;
        if (!v) {
          t.kind = Term::Kind::kKeyOther;
          t.why = kNotResolvable;
        } else if (e.compare == CompareOp::kEq) {
          t.kind = Term::Kind::kKeyEq;
          t.value = std::move(*v);
        } else if (e.compare == CompareOp::kNe) {
          t.kind = Term::Kind::kKeyOther;
          t.why = "Bound on key columns '[`" + source_.schema.key[key].name + "` " +
                  TypeName(source_.schema.key[key].type) + " KEY]' must currently be '='.";
        } else {
          t.kind = Term::Kind::kKeyRange;
        }
        return t;
      }
    }
    if (e.kind == BoundKind::kBetween && !e.negated && e.children.size() == 3) {
      int key = KeyColumn(*e.children[0]);
      if (key >= 0 && IsConstant(*e.children[1]) && IsConstant(*e.children[2])) {
        t.kind = Term::Kind::kKeyRange;
        t.key = key;
        return t;
      }
    }
    if (MentionsKey(e)) {
      t.kind = Term::Kind::kKeyOther;
      t.why = kNotDirect;
      for (size_t k = 0; k < source_.schema.key.size(); ++k) {
        int slot = static_cast<int>(k);
        if (References(e, [slot](int i) { return i == slot; })) t.key = slot;
      }
    }
    return t;
  }

  const SourceStep& source_;
};

std::string Parenthesized(const std::string& text) {
  if (text.size() >= 2 && text.front() == '(' && text.back() == ')') return text;
  return "(" + text + ")";
}

std::string DisjunctText(const Conjunction& c) {
  std::string out;
  for (const Term& t : c) {
    if (!out.empty()) out += " AND ";
    out += Parenthesized(t.text);
  }
  return c.size() == 1 ? out : "(" + out + ")";
}

std::string KeySchemaText(const SourceStep& source) {
  std::string out = "[";
  for (size_t i = 0; i < source.schema.key.size(); ++i) {
    if (i) out += ", ";
    out += "`" + source.schema.key[i].name + "` " + TypeName(source.schema.key[i].type) + " KEY";
  }
  return out + "]";
}

constexpr const char* kScanDisabled =
    "Query requires table scan to be enabled. Table scans can be enabled by setting "
    "ksql.query.pull.table.scan.enabled=true";

// Why one disjunct cannot be answered without a table scan (ksqlDB's messages), or OK when it
// is a range on a single string key, which a range scan serves.
Status CheckDisjunct(const Conjunction& c, const SourceStep& source, bool range_scan_enabled,
                     SourceRange range) {
  const size_t keys = source.schema.key.size();
  std::vector<int> uses(keys, 0);
  bool any_key = false, ranged = false;
  for (const Term& t : c) {
    if (t.kind == Term::Kind::kOther) continue;
    any_key = true;
    if (t.key >= 0) ++uses[t.key];
    ranged = ranged || t.kind == Term::Kind::kKeyRange;
  }
  for (int n : uses) {
    if (n > 1) {
      return InvalidArgument(
          "A comparison condition on the key column cannot be combined with other comparisons "
          "such as an IN predicate.",
          range);
    }
  }
  if (!any_key) {
    return InvalidArgument("WHERE clause missing key column for disjunct: " + DisjunctText(c) + ".",
                           range);
  }
  for (const Term& t : c) {
    if (t.kind == Term::Kind::kKeyOther) return InvalidArgument(t.why, range);
  }
  std::string specified;
  for (size_t k = 0; k < keys; ++k) {
    if (uses[k] == 0) continue;
    if (!specified.empty()) specified += ", ";
    specified += "`" + source.schema.key[k].name + "`";
  }
  for (int n : uses) {
    if (n == 0) {
      return InvalidArgument(
          "Multi-column sources must specify every key in the WHERE clause. "
          "Specified: [" +
              specified + "] Expected: " + KeySchemaText(source),
          range);
    }
  }
  if (ranged) {
    TypeKind kind = source.schema.key[0].type->kind();
    if (!range_scan_enabled || source.window ||
        (kind != TypeKind::kString && kind != TypeKind::kBytes)) {
      return InvalidArgument(kScanDisabled, range);
    }
  }
  return Status::Ok();
}

const char* CompareSymbol(CompareOp op) {
  switch (op) {
    case CompareOp::kEq:
      return "=";
    case CompareOp::kNe:
      return "<>";
    case CompareOp::kLt:
      return "<";
    case CompareOp::kLe:
      return "<=";
    case CompareOp::kGt:
      return ">";
    case CompareOp::kGe:
      return ">=";
  }
  return "=";
}

// Pull queries refuse comparisons with NULL (`K = NULL` is never true), as ksqlDB does.
Status CheckNullComparisons(const BoundExpr& e, int depth = 0) {
  if (depth > 512) return Status::Ok();  // bounded by the parser's nesting limit anyway
  if (e.kind == BoundKind::kCompare && e.children.size() == 2) {
    const BoundExpr& l = *e.children[0];
    const BoundExpr& r = *e.children[1];
    bool l_null = !l.type, r_null = !r.type;
    if (l_null != r_null) {
      const BoundExpr& typed = l_null ? r : l;
      std::string op = CompareSymbol(e.compare);
      std::string shown = l_null ? "NULL " + op + " " + TypeName(typed.type)
                                 : TypeName(typed.type) + " " + op + " NULL";
      std::string statement =
          l_null ? "(null " + op + " " + typed.text + ")" : "(" + typed.text + " " + op + " null)";
      return InvalidArgument(
          "Error in WHERE expression: Comparison with NULL not supported: " + shown +
              "\nUse 'IS NULL' or 'IS NOT NULL' instead.\nStatement: " + statement,
          e.range);
    }
  }
  for (const BoundExprPtr& c : e.children) {
    if (c) RETURN_IF_ERROR(CheckNullComparisons(*c, depth + 1));
  }
  return Status::Ok();
}

}  // namespace

Result<PullKeys> PlanPullKeys(const PhysicalPlan& plan, bool scan_enabled, bool range_scan_enabled,
                              SourceRange where_range) {
  PullKeys keys;
  const SourceStep& source = plan.source();
  const size_t key_count = source.schema.key.size();
  // The WHERE clause is the filter right after the source.
  const FilterStep* filter = plan.steps.size() > 1 ? plan.steps[1].As<FilterStep>() : nullptr;
  if (filter) RETURN_IF_ERROR(CheckNullComparisons(*filter->predicate));
  if (!filter || key_count == 0) {
    if (!scan_enabled) return InvalidArgument(kScanDisabled, where_range);
    return keys;
  }
  std::vector<Conjunction> dnf;
  KeyAnalyzer analyzer(source);
  if (!analyzer.Dnf(*filter->predicate, dnf)) {
    if (!scan_enabled) return InvalidArgument(kScanDisabled, where_range);
    return keys;
  }
  // Lookups when every disjunct fixes every key column with '='.
  std::vector<std::vector<Value>> lookups;
  bool all_lookups = true;
  for (const Conjunction& c : dnf) {
    std::vector<std::optional<Value>> tuple(key_count);
    bool twice = false;
    for (const Term& t : c) {
      if (t.kind != Term::Kind::kKeyEq) continue;
      if (t.value.is_null()) {
        return InvalidArgument("Primary key columns can not be NULL: " + Parenthesized(t.text),
                               where_range);
      }
      twice = twice || tuple[t.key].has_value();
      tuple[t.key] = t.value;
    }
    // A key fixed twice in one branch (`K = 1 AND K IN (1, 2)`) is left to a scan, as ksqlDB
    // does (it refuses it when scans are disabled).
    if (twice) {
      all_lookups = false;
      break;
    }
    std::vector<Value> key;
    for (auto& v : tuple) {
      if (!v) break;
      key.push_back(std::move(*v));
    }
    if (key.size() != key_count) {
      all_lookups = false;
      break;
    }
    lookups.push_back(std::move(key));
  }
  if (all_lookups) {
    keys.scan = false;
    keys.keys = std::move(lookups);
    return keys;
  }
  if (!scan_enabled) {
    for (const Conjunction& c : dnf) {
      RETURN_IF_ERROR(CheckDisjunct(c, source, range_scan_enabled, where_range));
    }
  }
  return keys;  // a scan, filtered by the whole WHERE clause
}

Result<std::vector<OutputRow>> RunTablePull(const PhysicalPlan& plan, const MaterializedView& view,
                                            const PullKeys& keys, ProcessingLog* log,
                                            size_t max_rows, TablePullPosition* position,
                                            size_t chunk_rows) {
  const SourceStep& source = plan.source();
  const MaterializeStep& m = view.step();
  const size_t k = source.schema.key.size();
  const size_t v = source.schema.value.size();
  if (m.key_count != static_cast<int>(k) || m.value_count != static_cast<int>(v) ||
      m.windowed != source.window.has_value()) {
    return Internal("the materialization of " + source.source_name + " does not match its schema");
  }
  // The operators of the steps after the source (filter, table functions, projection).
  OperatorContext ctx;
  ctx.query_id = plan.query_id;
  ctx.topic = source.topic;
  ctx.log = log;
  std::vector<std::unique_ptr<Operator>> ops;
  for (size_t i = 1; i < plan.steps.size(); ++i) {
    const PhysicalStep& step = plan.steps[i];
    if (const auto* f = step.As<FilterStep>()) {
      ops.push_back(std::make_unique<FilterOperator>(*f, /*over_table=*/false, nullptr));
    } else if (const auto* fm = step.As<FlatMapStep>()) {
      ops.push_back(std::make_unique<FlatMapOperator>(*fm));
    } else if (const auto* p = step.As<ProjectStep>()) {
      ops.push_back(std::make_unique<ProjectOperator>(*p));
    } else {
      return Internal("a pull query's plan has a " + std::string(step.name()) + " step");
    }
    RETURN_IF_ERROR(ops.back()->Open(ctx));
  }

  // Stored rows, rebuilt in the source's row layout, go through the filter, table functions and
  // projection a chunk at a time; reading stops at the LIMIT.
  constexpr size_t kChunk = 1000;
  // A chunked scan: only for scans of tables without windows and without LIMIT (a LIMIT counts
  // over the whole answer; a window scan has no key order to resume in).
  const bool chunked =
      position != nullptr && chunk_rows > 0 && keys.scan && !m.windowed && !plan.limit;
  const size_t rows_before = position ? position->rows_so_far : 0;
  bool chunk_full = false;
  RowBatch input;
  RowBatch scratch;
  std::vector<OutputRow> rows;
  TransientOutput output(plan, [&rows](OutputRow&& r) { rows.push_back(std::move(r)); });
  Status failure;
  auto drain = [&]() -> bool {
    RowBatch* in = &input;
    RowBatch* out = &scratch;
    for (auto& op : ops) {
      out->Clear();
      failure = op->Process(*in, *out);
      if (!failure.ok()) return false;
      std::swap(in, out);
    }
    output.Write(*in);
    input.Clear();
    scratch.Clear();
    if (rows.size() + rows_before > max_rows) {
      failure = InvalidArgument(
          "The pull query's result has more than " + std::to_string(max_rows) +
          " rows (brook.query.pull.max.rows). Add a LIMIT or a more selective WHERE clause, or "
          "raise the bound.");
      return false;
    }
    return !output.limit_reached();
  };
  MaterializedRow stored;
  auto add = [&](int32_t partition, std::string_view key, std::string_view value,
                 int64_t window_start) {
    if (!failure.ok() || output.limit_reached()) return false;
    if (!DecodeMaterializedRow(m, key, value, window_start, stored)) {
      failure = Internal("a stored row of " + source.source_name + " cannot be decoded");
      return false;
    }
    Row& row = input.Append();
    row.values.assign(static_cast<size_t>(source.row_width), Value());
    for (size_t i = 0; i < k; ++i) row.values[i] = std::move(stored.key[i]);
    for (size_t i = 0; i < v; ++i) row.values[k + i] = std::move(stored.values[i]);
    row.values[k + v] = Value::Bigint(stored.rowtime);
    row.values[k + v + 1] = Value::Int(partition);
    row.values[k + v + 2] = Value::Bigint(0);
    if (m.windowed) {
      row.values[k + v + 3] = Value::Bigint(stored.window_start);
      row.values[k + v + 4] = Value::Bigint(stored.window_end);
    }
    row.rowtime = stored.rowtime;
    row.partition = partition;
    row.offset = 0;
    row.null_key = row.null_value = row.tombstone = false;
    row.windowed = m.windowed;
    row.window_start = stored.window_start;
    row.window_end = stored.window_end;
    row.record = nullptr;
    return input.size() < kChunk || drain();
  };
  std::vector<std::string> encoded;
  std::set<std::string> seen;
  for (const std::vector<Value>& key : keys.keys) {
    std::string bytes;
    EncodeMaterializedKey(key.data(), key.size(), bytes);
    if (seen.insert(bytes).second) encoded.push_back(std::move(bytes));
  }
  for (const auto& [partition, reader] : view.Readers()) {
    if (!failure.ok() || output.limit_reached() || chunk_full) break;
    if (chunked && partition < position->partition) continue;  // read in an earlier chunk
    int32_t p = partition;
    auto visit_window = [&](std::string_view key, int64_t start, std::string_view value) {
      return add(p, key, value, start);
    };
    if (keys.scan) {
      if (m.windowed) {
        RETURN_IF_ERROR(reader->FetchAll(visit_window));
      } else {
        std::string begin;
        if (chunked && partition == position->partition && position->next_key) {
          begin = *position->next_key;
        }
        RETURN_IF_ERROR(
            reader->Range(begin, std::nullopt, [&](std::string_view key, std::string_view value) {
              if (chunked && rows.size() >= chunk_rows) {
                chunk_full = true;  // this key is the next chunk's first
                position->partition = p;
                position->next_key = std::string(key);
                return false;
              }
              return add(p, key, value, 0);
            }));
        if (chunked && !chunk_full) {
          position->partition = p + 1;  // this partition is read to its end
          position->next_key.reset();
        }
      }
    } else {
      for (const std::string& key : encoded) {
        if (m.windowed) {
          RETURN_IF_ERROR(reader->Fetch(key, INT64_MIN, INT64_MAX, visit_window));
        } else {
          ASSIGN_OR_RETURN(std::optional<std::string> value, reader->Get(key));
          if (value && !add(p, key, *value, 0)) break;
        }
        if (!failure.ok() || output.limit_reached()) break;
      }
    }
    RETURN_IF_ERROR(failure);
  }
  if (failure.ok() && !output.limit_reached() && !input.empty()) drain();
  RETURN_IF_ERROR(failure);
  if (position) {
    position->rows_so_far += rows.size();
    position->done = !chunked || !chunk_full || output.limit_reached();
  }
  return rows;
}

}  // namespace brook
