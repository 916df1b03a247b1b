// Table functions (UDTFs): EXPLODE and CUBE_EXPLODE, as ksqlDB has them. A query calling them
// runs a flat_map_v1 step: each input row becomes one row per returned value (several table
// functions in one SELECT are zipped; the shorter ones are padded with NULL).
#include "runtime/functions/function_util.h"

namespace brook::functions {

namespace {

// CUBE_EXPLODE's output is 2^n rows; past this many elements it refuses. ksqlDB allows 20
// (a million rows, gigabytes for one record); brook stops at 16, the flat map's per-record
// bound of 65 536 rows (runtime/operators/flat_map_operator.h).
constexpr size_t kMaxCubeColumns = 16;

Result<TypePtr> ArrayElement(const std::string& name, const std::vector<TypePtr>& a) {
  if (a.size() != 1 || !a[0] || a[0]->kind() != TypeKind::kArray) {
    return NoMatchingSignature(name, a);
  }
  return a[0]->element();
}

// Every combination of the elements with some replaced by NULL, in ksqlDB's order: bit masks
// counted up from 0, bit 0 standing for the last element. An element that is already NULL has
// one possibility, not two, so masks that would set it are skipped.
void Cube(const Value::List& in, std::vector<Value>& out) {
  const size_t n = in.size();
  uint32_t present = 0;  // bits of the non-null elements
  for (size_t i = 0; i < n; ++i) {
    if (!in[i].is_null()) present |= 1u << (n - 1 - i);
  }
  for (uint32_t mask = 0; mask < (1u << n); ++mask) {
    if ((mask & present) != mask) continue;
    Value::List row(n);
    for (size_t i = 0; i < n; ++i) {
      if (mask & (1u << (n - 1 - i))) row[i] = in[i];
    }
    out.push_back(Value::Array(std::move(row)));
  }
}

}  // namespace

void RegisterTableFunctions(FunctionRegistry& r) {
  TableFunction explode;
  explode.name = "EXPLODE";
  explode.description = "Explodes an array: one output row per element.";
  explode.resolve = [](const std::vector<TypePtr>& a) { return ArrayElement("EXPLODE", a); };
  explode.impl = [](const std::vector<Value>& a, FunctionContext&, std::vector<Value>& out) {
    if (a[0].is_null()) return;
    for (const Value& v : a[0].list()) out.push_back(v);
  };
  r.RegisterTable(std::move(explode));

  TableFunction cube;
  cube.name = "CUBE_EXPLODE";
  cube.description =
      "All combinations of an array's elements with some of them NULL: 2^n rows for n elements.";
  cube.resolve = [](const std::vector<TypePtr>& a) -> Result<TypePtr> {
    if (a.size() != 1 || !a[0] || a[0]->kind() != TypeKind::kArray) {
      return NoMatchingSignature("CUBE_EXPLODE", a);
    }
    return a[0];
  };
  cube.impl = [](const std::vector<Value>& a, FunctionContext& ctx, std::vector<Value>& out) {
    if (a[0].is_null()) return;
    const Value::List& in = a[0].list();
    if (in.size() > kMaxCubeColumns) {
      ctx.error = "CUBE_EXPLODE input size (" + std::to_string(in.size()) +
                  ") exceeds the maximum of " + std::to_string(kMaxCubeColumns) +
                  " columns. The output cardinality is 2^N rows and would exhaust server memory.";
      return;
    }
    Cube(in, out);
  };
  r.RegisterTable(std::move(cube));
}

}  // namespace brook::functions
