// Aggregate functions as the analyzer types them: COUNT, COUNT_DISTINCT, SUM, AVG, MIN, MAX,
// COLLECT_LIST, COLLECT_SET, EARLIEST_BY_OFFSET, LATEST_BY_OFFSET, TOPK, TOPKDISTINCT,
// HISTOGRAM, STDDEV_SAMP, CORRELATION, ATTR. Their result types follow ksqlDB's UDAF
// signatures; the per-key implementations arrive with stateful queries (the runtime rejects
// an aggregate_v1 step until then).
#include "runtime/functions/function_util.h"

namespace brook::functions {

namespace {

bool IsNumeric(const TypePtr& t) { return t && t->IsNumeric(); }

bool Comparable(const TypePtr& t) {
  if (!t) return false;
  switch (t->kind()) {
    case TypeKind::kInt: case TypeKind::kBigint: case TypeKind::kDouble: case TypeKind::kDecimal:
    case TypeKind::kString: case TypeKind::kBytes: case TypeKind::kDate: case TypeKind::kTime:
    case TypeKind::kTimestamp: case TypeKind::kBoolean:
      return true;
    default:
      return false;
  }
}

void Declare(FunctionRegistry& r, std::string name, std::string description,
             std::function<Result<TypePtr>(const std::vector<TypePtr>&)> resolve,
             std::vector<size_t> literal_params = {}, bool star = false,
             bool table_source_allowed = true) {
  AggregateFunction f;
  f.name = std::move(name);
  f.description = std::move(description);
  f.resolve = std::move(resolve);
  f.literal_params = std::move(literal_params);
  f.allows_star = star;
  f.table_source_allowed = table_source_allowed;
  r.RegisterAggregate(std::move(f));
}

}  // namespace

void RegisterAggregateFunctions(FunctionRegistry& r) {
  Declare(r, "COUNT", "Counts records (COUNT(*)) or non-null values.",
          [](const std::vector<TypePtr>& a) -> Result<TypePtr> {
            if (a.size() > 1) return NoMatchingSignature("COUNT", a);
            return SqlType::Bigint();
          },
          {}, true);
  Declare(r, "COUNT_DISTINCT", "Counts distinct non-null values (approximately, as ksqlDB).",
          [](const std::vector<TypePtr>& a) -> Result<TypePtr> {
            if (a.size() != 1 || (a[0] && !a[0]->IsPrimitive())) {
              return NoMatchingSignature("COUNT_DISTINCT", a);
            }
            return SqlType::Bigint();
          });
  Declare(r, "SUM", "Sums numeric values.", [](const std::vector<TypePtr>& a) -> Result<TypePtr> {
    if (a.size() != 1 || !IsNumeric(a[0])) return NoMatchingSignature("SUM", a);
    return a[0];
  });
  Declare(r, "AVG", "Averages numeric values.",
          [](const std::vector<TypePtr>& a) -> Result<TypePtr> {
            if (a.size() != 1 || !IsNumeric(a[0])) return NoMatchingSignature("AVG", a);
            if (a[0]->kind() == TypeKind::kDecimal) return a[0];
            return SqlType::Double();
          });
  for (const char* name : {"MIN", "MAX"}) {
    std::string n = name;
    Declare(r, n, "The " + std::string(n == "MIN" ? "smallest" : "largest") + " value.",
            [n](const std::vector<TypePtr>& a) -> Result<TypePtr> {
              if (a.size() != 1 || !Comparable(a[0]) || a[0]->kind() == TypeKind::kBoolean) {
                return NoMatchingSignature(n, a);
              }
              return a[0];
            },
            {}, false, /*table_source_allowed=*/false);
  }
  for (const char* name : {"COLLECT_LIST", "COLLECT_SET"}) {
    std::string n = name;
    Declare(r, n, "Collects values into an array.",
            [n](const std::vector<TypePtr>& a) -> Result<TypePtr> {
              if (a.size() != 1 || !a[0]) return NoMatchingSignature(n, a);
              return SqlType::Array(a[0]);
            });
  }
  for (const char* name : {"EARLIEST_BY_OFFSET", "LATEST_BY_OFFSET"}) {
    std::string n = name;
    Declare(r, n, "The value of the earliest/latest record by offset (optionally the first n).",
            [n](const std::vector<TypePtr>& a) -> Result<TypePtr> {
              if (a.empty() || a.size() > 3 || !a[0]) return NoMatchingSignature(n, a);
              if (a.size() == 2 && a[1] && a[1]->kind() == TypeKind::kBoolean) return a[0];
              if (a.size() >= 2) {
                if (!a[1] || a[1]->kind() != TypeKind::kInt) return NoMatchingSignature(n, a);
                if (a.size() == 3 && (!a[2] || a[2]->kind() != TypeKind::kBoolean)) {
                  return NoMatchingSignature(n, a);
                }
                return SqlType::Array(a[0]);
              }
              return a[0];
            },
            {1, 2}, false, /*table_source_allowed=*/n != "LATEST_BY_OFFSET");
  }
  for (const char* name : {"TOPK", "TOPKDISTINCT"}) {
    std::string n = name;
    Declare(r, n, "The k largest values.",
            [n](const std::vector<TypePtr>& a) -> Result<TypePtr> {
              if (a.size() != 2 || !Comparable(a[0]) || !a[1] ||
                  a[1]->kind() != TypeKind::kInt) {
                return NoMatchingSignature(n, a);
              }
              return SqlType::Array(a[0]);
            },
            {1});
  }
  Declare(r, "HISTOGRAM", "Counts each distinct string value.",
          [](const std::vector<TypePtr>& a) -> Result<TypePtr> {
            if (a.size() != 1 || !a[0] || a[0]->kind() != TypeKind::kString) {
              return NoMatchingSignature("HISTOGRAM", a);
            }
            return SqlType::Map(SqlType::String(), SqlType::Bigint());
          });
  for (const char* name : {"STDDEV_SAMP", "STDDEV_SAMPLE"}) {
    std::string n = name;
    Declare(r, n, "The sample standard deviation.",
            [n](const std::vector<TypePtr>& a) -> Result<TypePtr> {
              if (a.size() != 1 || !IsNumeric(a[0]) || a[0]->kind() == TypeKind::kDecimal) {
                return NoMatchingSignature(n, a);
              }
              return SqlType::Double();
            });
  }
  Declare(r, "CORRELATION", "The correlation coefficient of two columns.",
          [](const std::vector<TypePtr>& a) -> Result<TypePtr> {
            if (a.size() != 2 || !IsNumeric(a[0]) || !IsNumeric(a[1])) {
              return NoMatchingSignature("CORRELATION", a);
            }
            return SqlType::Double();
          });
  Declare(r, "ATTR", "The value, if every record of the group has the same one; else NULL.",
          [](const std::vector<TypePtr>& a) -> Result<TypePtr> {
            if (a.size() != 1 || !a[0]) return NoMatchingSignature("ATTR", a);
            return a[0];
          });
}

}  // namespace brook::functions
