// Every registered function — scalar, aggregate and table, every overload — called with hostile
// values of its argument types: NULL, empty, 1 MiB strings, invalid UTF-8, "%zz", regex bombs,
// huge/negative/NaN/±Inf numbers, DECIMALs at their precision limit, dates and timestamps at the
// ends of their range, large and nested collections. A call may return anything or report an
// error (NULL + processing log in a query); it must not crash, throw, or run unbounded.
//
// The same binary runs under ASan and UBSan in the test command (tests/sanitize/), which turns
// undefined behaviour (signed overflow, out-of-range casts, bad reads) into a failure too.
//
// Coverage is by construction: the test walks the registry that SHOW FUNCTIONS lists, and fails
// for any function or overload it cannot find argument types for — a new function is covered, or
// this test says which one is not.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>

#include "common/diagnostic.h"
#include "runtime/engine/engine.h"
#include "runtime/functions/builtins.h"
#include "runtime/functions/function_util.h"
#include "runtime/kafka/in_memory_broker.h"

namespace brook {
namespace {

using Clock = std::chrono::steady_clock;

// Generous: one call must finish well inside it even under sanitizers on a slow machine.
constexpr auto kCallBudget = std::chrono::seconds(10);

TypePtr StructType() { return SqlType::Struct({{"A", SqlType::Int()}, {"B", SqlType::String()}}); }

// The concrete types argument positions are tried with.
std::vector<TypePtr> TypePool() {
  return {SqlType::Boolean(),
          SqlType::Int(),
          SqlType::Bigint(),
          SqlType::Double(),
          SqlType::String(),
          SqlType::Bytes(),
          SqlType::Date(),
          SqlType::Time(),
          SqlType::Timestamp(),
          SqlType::Decimal(38, 0),
          SqlType::Decimal(38, 10),
          SqlType::Decimal(4, 2),
          SqlType::Array(SqlType::Int()),
          SqlType::Array(SqlType::Bigint()),
          SqlType::Array(SqlType::Double()),
          SqlType::Array(SqlType::String()),
          SqlType::Array(SqlType::Boolean()),
          SqlType::Array(SqlType::Array(SqlType::Int())),
          SqlType::Array(StructType()),
          SqlType::Map(SqlType::String(), SqlType::Int()),
          SqlType::Map(SqlType::String(), SqlType::String()),
          SqlType::Map(SqlType::String(), SqlType::Double()),
          StructType()};
}

// Whether pool type `t` fits the parameter spelled `name` ("ANY", "NUMERIC", "ARRAY<ANY>", ...).
bool Fits(std::string_view name, const TypePtr& t) {
  if (name == "ANY") return true;
  if (name == "NUMERIC") {
    return t->kind() == TypeKind::kInt || t->kind() == TypeKind::kBigint ||
           t->kind() == TypeKind::kDouble || t->kind() == TypeKind::kDecimal;
  }
  if (name.rfind("DECIMAL", 0) == 0) return t->kind() == TypeKind::kDecimal;
  if (name.rfind("STRUCT", 0) == 0) return t->kind() == TypeKind::kStruct;
  if (name.rfind("ARRAY<", 0) == 0 && name.back() == '>') {
    return t->kind() == TypeKind::kArray && Fits(name.substr(6, name.size() - 7), t->element());
  }
  if (name.rfind("MAP<", 0) == 0 && name.back() == '>') {
    std::string_view inner = name.substr(4, name.size() - 5);
    int depth = 0;
    for (size_t i = 0; i < inner.size(); ++i) {
      if (inner[i] == '<') ++depth;
      if (inner[i] == '>') --depth;
      if (inner[i] == ',' && depth == 0) {
        std::string_view k = inner.substr(0, i), v = inner.substr(i + 1);
        while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
        return t->kind() == TypeKind::kMap && Fits(k, t->key()) && Fits(v, t->value());
      }
    }
    return false;
  }
  return functions::VariantTypeName(t) == name;
}

std::string Repeat(std::string_view s, size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (size_t i = 0; i < n; ++i) out.append(s);
  return out;
}

// Hostile values of type `t`; element 0 is an ordinary value, used where another argument is the
// hostile one. Strings come first with the ones that matter in pairs (patterns, subjects).
std::vector<Value> Hostile(const TypePtr& t, int depth = 0) {
  const int128 max38 = [] {
    int128 v = 1;
    for (int i = 0; i < 38; ++i) v *= 10;
    return v - 1;
  }();
  switch (t->kind()) {
    case TypeKind::kBoolean:
      return {Value::Bool(true), Value::Bool(false), Value::Null()};
    case TypeKind::kInt:
      return {Value::Int(2),          Value::Int(0),         Value::Int(-1),
              Value::Int(INT32_MIN),  Value::Int(INT32_MAX), Value::Int(1'000'000),
              Value::Int(-1'000'000), Value::Null()};
    case TypeKind::kBigint:
      return {Value::Bigint(3),
              Value::Bigint(0),
              Value::Bigint(-1),
              Value::Bigint(INT64_MIN),
              Value::Bigint(INT64_MAX),
              Value::Bigint(INT64_MIN + 1),
              Value::Bigint(1'000'000'000'000),
              Value::Null()};
    case TypeKind::kDouble:
      return {Value::Double(1.5),
              Value::Double(0.0),
              Value::Double(-0.0),
              Value::Double(std::numeric_limits<double>::quiet_NaN()),
              Value::Double(std::numeric_limits<double>::infinity()),
              Value::Double(-std::numeric_limits<double>::infinity()),
              Value::Double(1e308),
              Value::Double(-1e308),
              Value::Double(5e-324),
              Value::Double(9.3e18),
              Value::Null()};
    case TypeKind::kDecimal: {
      int p = t->precision();
      int128 max = 1;
      for (int i = 0; i < p; ++i) max *= 10;
      max -= 1;
      (void)max38;
      return {Value::Decimal(12, t->scale()),
              Value::Decimal(0, t->scale()),
              Value::Decimal(max, t->scale()),
              Value::Decimal(-max, t->scale()),
              Value::Decimal(1, t->scale()),
              Value::Decimal(-1, t->scale()),
              Value::Null()};
    }
    case TypeKind::kString: {
      std::vector<Value> v = {
          Value::String("ab,c=d"),
          Value::String("(a+)+$"),                   // a regex bomb ...
          Value::String(Repeat("a", 40'000) + "!"),  // ... and its subject
          Value::String("%zz"),
          Value::String("\xff\xfe\xc3(\xe2\x82"),  // invalid UTF-8
          Value::String(""),
          Value::String(Repeat("a", 1 << 20)),  // 1 MiB
          Value::String("((a*)*)*b"),
          Value::String("[unclosed"),
          Value::String("\\"),
          Value::String("$9${x}"),
          Value::String("%"),
          Value::String("%4"),
          Value::String("http://u@h:99999999999999/p?%zz=%&a=1#f"),
          Value::String("9999999999999999999999999"),
          Value::String("-9223372036854775809"),
          Value::String("NaN"),
          Value::String("1e999"),
          Value::String("999999999-12-31T23:59:59.999"),
          Value::String("yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"),
          Value::String("UTC+99:99"),
          Value::String(Repeat("9", 200)),
          Value::String(Repeat("[", 100'000)),  // deep JSON nesting
          Value::String(Repeat("{\"a\":", 50'000)),
          Value::String(std::string("a\0b", 3)),
          Value::String("U+110000"),
          Value::String("\xf0\x9f\x98\x80\xf0\x9f\x98"),  // an emoji, then a cut one
          Value::Null()};
      return v;
    }
    case TypeKind::kBytes:
      return {Value::Bytes("ab"), Value::Bytes(""), Value::Bytes(Repeat("\xff", 1 << 20)),
              Value::Bytes(std::string("\0\0", 2)), Value::Null()};
    case TypeKind::kDate:
      return {Value::Date(19000),     Value::Date(0),       Value::Date(INT32_MIN),
              Value::Date(INT32_MAX), Value::Date(-719162), Value::Date(2932896),
              Value::Null()};
    case TypeKind::kTime:
      return {Value::Time(3'600'000), Value::Time(0),         Value::Time(86'399'999),
              Value::Time(-1),        Value::Time(INT64_MAX), Value::Time(INT64_MIN),
              Value::Null()};
    case TypeKind::kTimestamp:
      return {Value::Timestamp(1'700'000'000'000),
              Value::Timestamp(0),
              Value::Timestamp(INT64_MIN),
              Value::Timestamp(INT64_MAX),
              Value::Timestamp(-62'135'596'800'000),
              Value::Timestamp(253'402'300'799'999),
              Value::Timestamp(-1),
              Value::Null()};
    case TypeKind::kArray: {
      std::vector<Value> elems =
          depth < 2 ? Hostile(t->element(), depth + 1) : std::vector<Value>{};
      std::vector<Value> out;
      out.push_back(Value::Array(elems.empty() ? Value::List{} : Value::List{elems[0], elems[0]}));
      out.push_back(Value::Array({}));
      out.push_back(Value::Array({Value::Null()}));
      if (depth == 0) {
        out.push_back(Value::Array(elems));  // every hostile element at once
        // Large: 20,000 ordinary elements (the hostile ones are in the array before).
        out.push_back(Value::Array(Value::List(20'000, elems.empty() ? Value() : elems[0])));
      }
      out.push_back(Value::Null());
      return out;
    }
    case TypeKind::kMap: {
      std::vector<Value> keys = depth < 2 ? Hostile(t->key(), depth + 1) : std::vector<Value>{};
      std::vector<Value> vals = depth < 2 ? Hostile(t->value(), depth + 1) : std::vector<Value>{};
      std::vector<Value> out;
      out.push_back(Value::Map(keys.empty() ? Value::List{} : Value::List{keys[0], vals[0]}));
      out.push_back(Value::Map({}));
      if (depth == 0) {
        Value::List all;
        for (size_t i = 0; i < std::min(keys.size(), size_t{6}); ++i) {
          all.push_back(keys[i]);
          all.push_back(vals[i % vals.size()]);
        }
        out.push_back(Value::Map(std::move(all)));
        Value::List big;
        for (int i = 0; i < 20'000; ++i) {
          big.push_back(Value::String("k" + std::to_string(i)));
          big.push_back(vals.empty() ? Value() : vals[0]);
        }
        out.push_back(Value::Map(std::move(big)));
      }
      out.push_back(Value::Null());
      return out;
    }
    case TypeKind::kStruct:
      return {Value::Struct({Value::Int(1), Value::String("x")}),
              Value::Struct({Value::Null(), Value::Null()}), Value::Null()};
    default:
      return {Value::Null()};
  }
}

// Argument tuples to call with: each position through all its hostile values while the others
// hold their ordinary value; every position NULL; and, for two or three arguments, every pair of
// positions through their first few values (pattern × subject, string × length, ...).
std::vector<std::vector<Value>> ArgumentTuples(const std::vector<TypePtr>& types) {
  std::vector<std::vector<Value>> values;
  for (const TypePtr& t : types) values.push_back(Hostile(t));
  std::vector<Value> ordinary;
  for (const auto& v : values) ordinary.push_back(v[0]);
  std::vector<std::vector<Value>> out;
  out.push_back(ordinary);
  out.push_back(std::vector<Value>(types.size(), Value::Null()));
  for (size_t i = 0; i < types.size(); ++i) {
    for (const Value& v : values[i]) {
      out.push_back(ordinary);
      out.back()[i] = v;
    }
  }
  if (types.size() >= 2 && types.size() <= 3) {
    constexpr size_t kPairValues = 7;
    for (size_t i = 0; i < types.size(); ++i) {
      for (size_t j = i + 1; j < types.size(); ++j) {
        for (size_t a = 0; a < std::min(kPairValues, values[i].size()); ++a) {
          for (size_t b = 0; b < std::min(kPairValues, values[j].size()); ++b) {
            out.push_back(ordinary);
            out.back()[i] = values[i][a];
            out.back()[j] = values[j][b];
          }
        }
      }
    }
  }
  return out;
}

// Type tuples of `arity` that `resolve` accepts, at most `max` of them, each position drawn from
// the pool types fitting `names` (when given).
std::vector<std::vector<TypePtr>> AcceptedTypes(const TypeResolver& resolve, size_t arity,
                                                const std::vector<std::string>* names, size_t max) {
  std::vector<TypePtr> pool = TypePool();
  std::vector<std::vector<TypePtr>> candidates(arity);
  for (size_t i = 0; i < arity; ++i) {
    const std::string* name =
        names && !names->empty() ? &(*names)[std::min(i, names->size() - 1)] : nullptr;
    for (const TypePtr& t : pool) {
      if (!name || Fits(*name, t)) candidates[i].push_back(t);
    }
  }
  std::vector<std::vector<TypePtr>> out;
  std::vector<TypePtr> cur(arity);
  std::function<void(size_t)> walk = [&](size_t i) {
    if (out.size() >= max) return;
    if (i == arity) {
      if (resolve(cur).ok()) out.push_back(cur);
      return;
    }
    for (const TypePtr& t : candidates[i]) {
      cur[i] = t;
      walk(i + 1);
    }
  };
  walk(0);
  return out;
}

std::string Describe(const std::string& fn, const std::vector<Value>& args) {
  std::string s = fn + "(";
  for (size_t i = 0; i < args.size(); ++i) {
    std::string d = args[i].DebugString();
    if (d.size() > 60) d = d.substr(0, 60) + "...";
    s += (i ? ", " : "") + d;
  }
  return s + ")";
}

class FunctionHostileTest : public ::testing::Test {
 protected:
  FunctionHostileTest() { RegisterBuiltinFunctions(registry_); }

  // Times one call; a call over budget fails the test with its arguments.
  template <typename F>
  void Timed(const std::string& what, F&& call) {
    auto start = Clock::now();
    call();
    auto took = Clock::now() - start;
    EXPECT_LT(took, kCallBudget)
        << what << " took " << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
        << " ms";
  }

  FunctionRegistry registry_;
};

TEST_F(FunctionHostileTest, EveryScalarFunctionSurvivesHostileValues) {
  size_t calls = 0;
  std::vector<std::string> uncovered;
  for (const ScalarFunction* fn : registry_.All()) {
    // Lambda functions run their bodies through the evaluator: HigherOrderFunctionsSurvive…
    if (fn->higher_order != HigherOrder::kNone) continue;
    std::vector<std::vector<TypePtr>> shapes;
    if (!fn->variants.empty()) {
      for (const FunctionVariant& v : fn->variants) {
        std::vector<size_t> arities = {v.argument_types.size()};
        if (v.variadic) arities = {v.argument_types.size() - 1, v.argument_types.size() + 1};
        size_t found = 0;
        for (size_t arity : arities) {
          auto accepted = AcceptedTypes(fn->resolve, arity, &v.argument_types, 6);
          found += accepted.size();
          shapes.insert(shapes.end(), accepted.begin(), accepted.end());
        }
        if (found == 0) {
          std::string sig;
          for (const auto& a : v.argument_types) sig += (sig.empty() ? "" : ", ") + a;
          uncovered.push_back(fn->name + "(" + sig + ")");
        }
      }
    } else {
      for (size_t arity = 0; arity <= 3; ++arity) {
        auto accepted = AcceptedTypes(fn->resolve, arity, nullptr, 8);
        shapes.insert(shapes.end(), accepted.begin(), accepted.end());
      }
      if (shapes.empty()) uncovered.push_back(fn->name);
    }
    const auto fn_start = Clock::now();
    if (std::getenv("BROOK_HOSTILE_VERBOSE")) std::fprintf(stderr, "%s\n", fn->name.c_str());
    for (const auto& types : shapes) {
      auto ret = fn->resolve(types);
      ASSERT_TRUE(ret.ok());
      for (const auto& args : ArgumentTuples(types)) {
        bool any_null = false;
        for (const Value& a : args) any_null = any_null || a.is_null();
        if (fn->null_if_any_null && any_null) continue;  // the evaluator never calls these
        FunctionContext ctx;
        ctx.arg_types = &types;
        ctx.return_type = *ret;
        ++calls;
        Timed(Describe(fn->name, args), [&] {
          try {
            Value v = fn->impl(args, ctx);
            (void)v;
          } catch (const std::exception& e) {
            ADD_FAILURE() << Describe(fn->name, args) << " threw: " << e.what();
          }
        });
      }
    }
    const auto fn_took = Clock::now() - fn_start;
    if (fn_took > std::chrono::seconds(2)) {
      std::printf("slow: %s took %lld ms\n", fn->name.c_str(),
                  static_cast<long long>(
                      std::chrono::duration_cast<std::chrono::milliseconds>(fn_took).count()));
    }
  }
  EXPECT_TRUE(uncovered.empty()) << "no argument types found for: "
                                 << ::testing::PrintToString(uncovered);
  EXPECT_GT(calls, 10'000u);
  std::printf("%zu calls\n", calls);
}

TEST_F(FunctionHostileTest, EveryAggregateFunctionSurvivesHostileValues) {
  std::vector<std::string> uncovered;
  size_t runs = 0;
  for (const AggregateFunction* fn : registry_.AllAggregates()) {
    size_t covered = 0;
    for (size_t arity = 1; arity <= 3; ++arity) {
      for (const auto& types : AcceptedTypes(fn->resolve, arity, nullptr, 30)) {
        auto ret = fn->resolve(types);
        ASSERT_TRUE(ret.ok());
        // Literal parameters (TOPK's k, ...): ordinary, then hostile constants.
        std::vector<std::vector<Value>> constant_sets = {{}};
        if (!fn->literal_params.empty()) {
          constant_sets.clear();
          for (int64_t k : {int64_t{2}, int64_t{0}, int64_t{-1}, int64_t{INT32_MAX}}) {
            std::vector<Value> c(types.size());
            for (size_t p : fn->literal_params) {
              if (p < types.size()) c[p] = Value::Int(static_cast<int32_t>(k));
            }
            constant_sets.push_back(std::move(c));
          }
        }
        for (const auto& constants : constant_sets) {
          auto made = fn->make(types, constants, *ret);
          if (!made.ok()) continue;  // a refused constant is a plan-time error: fine
          ++covered;
          const Aggregator& agg = **made;
          for (const auto& args : ArgumentTuples(types)) {
            ++runs;
            Timed(Describe(fn->name, args), [&] {
              try {
                Value acc = agg.Initial();
                for (int64_t seq = 0; seq < 3; ++seq) agg.Add(acc, args.data(), seq);
                Value other = agg.Initial();
                agg.Add(other, args.data(), 10);
                Value merged = agg.Merge(acc, other);
                agg.Undo(acc, args.data());
                (void)agg.Result(acc);
                (void)agg.Result(merged);
              } catch (const std::exception& e) {
                ADD_FAILURE() << Describe(fn->name, args) << " threw: " << e.what();
              }
            });
          }
        }
      }
    }
    if (covered == 0) uncovered.push_back(fn->name);
  }
  EXPECT_TRUE(uncovered.empty()) << "no argument types found for: "
                                 << ::testing::PrintToString(uncovered);
  EXPECT_GT(runs, 1'000u);
}

TEST_F(FunctionHostileTest, EveryTableFunctionSurvivesHostileValues) {
  std::vector<std::string> uncovered;
  for (const TableFunction* fn : registry_.AllTables()) {
    size_t covered = 0;
    for (size_t arity = 1; arity <= 3; ++arity) {
      for (const auto& types : AcceptedTypes(fn->resolve, arity, nullptr, 30)) {
        auto ret = fn->resolve(types);
        ASSERT_TRUE(ret.ok());
        ++covered;
        for (const auto& args : ArgumentTuples(types)) {
          FunctionContext ctx;
          ctx.arg_types = &types;
          ctx.return_type = *ret;
          std::vector<Value> out;
          Timed(Describe(fn->name, args), [&] {
            try {
              fn->impl(args, ctx, out);
            } catch (const std::exception& e) {
              ADD_FAILURE() << Describe(fn->name, args) << " threw: " << e.what();
            }
          });
        }
      }
    }
    if (covered == 0) uncovered.push_back(fn->name);
  }
  EXPECT_TRUE(uncovered.empty()) << "no argument types found for: "
                                 << ::testing::PrintToString(uncovered);
}

// The lambda (invocation) functions run their bodies through the evaluator, so they are called
// through a query: hostile arrays and maps (20,000 elements, NULL elements and values, extreme
// numbers, a 1 MiB key) through TRANSFORM, FILTER and REDUCE with arithmetic that overflows and
// divides by zero. Every record comes out (failures are NULLs), and this test names every
// higher-order function it covers, so a new one fails it until covered here.
TEST_F(FunctionHostileTest, LambdaFunctionsSurviveHostileCollections) {
  std::set<std::string> higher_order;
  for (const ScalarFunction* fn : registry_.All()) {
    if (fn->higher_order != HigherOrder::kNone) higher_order.insert(fn->name);
  }
  EXPECT_EQ(higher_order, (std::set<std::string>{"FILTER", "REDUCE", "TRANSFORM"}))
      << "a new lambda function: call it below";
  kafka::InMemoryBroker broker(1);
  EngineOptions opts;
  opts.create_missing_source_topics = true;
  Engine engine(broker, registry_, opts);
  SessionState session;
  const std::string sql =
      "CREATE STREAM s (k STRING KEY, a ARRAY<INT>, m MAP<STRING, BIGINT>) WITH "
      "(kafka_topic='s', value_format='JSON', partitions=1);"
      "CREATE STREAM o AS SELECT k, TRANSFORM(a, x => x * 2147483647) AS t, "
      "FILTER(a, x => 10 / x > 0) AS f, REDUCE(a, 0, (acc, x) => acc + x) AS r, "
      "TRANSFORM(m, (mk, mv) => CONCAT(mk, mk), (mk, mv) => mv * mv) AS tm, "
      "FILTER(m, (mk, mv) => mv % 0 = 0) AS fm, REDUCE(m, CAST(0 AS BIGINT), "
      "(acc, mk, mv) => acc + mv) AS rm FROM s;";
  auto created = engine.ExecuteScript(sql, session);
  ASSERT_TRUE(created.ok()) << RenderDiagnostic(created.status(), sql);
  std::string big = "[";
  for (int i = 0; i < 20'000; ++i) big += (i ? "," : "") + std::to_string(i % 7 - 3);
  big += "]";
  std::string big_map = "{";
  for (int i = 0; i < 20'000; ++i) {
    big_map += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":" + std::to_string(i - 10000);
  }
  big_map += "}";
  const std::vector<std::string> values = {
      R"({"a":[1,2,3],"m":{"x":1}})",
      R"({"a":null,"m":null})",
      R"({"a":[],"m":{}})",
      R"({"a":[null,0,-2147483648,2147483647],"m":{"x":null,"y":-9223372036854775808}})",
      "{\"a\":" + big + ",\"m\":" + big_map + "}",
      R"({"a":[0],"m":{")" + std::string(1 << 20, 'z') + R"(":9223372036854775807}})",
  };
  for (const std::string& v : values) {
    ASSERT_TRUE(broker.Produce({"s", -1, 0, "k", v, {}}).ok());
  }
  const auto start = Clock::now();
  ASSERT_TRUE(engine.RunUntilIdle().ok());
  EXPECT_LT(Clock::now() - start, kCallBudget * 3);
  auto out = broker.ReadAll("O");
  ASSERT_EQ(out.size(), values.size());
  // Ordinary values compute; the empty ones give empty results.
  auto first = nlohmann::json::parse(*out[0].value);
  EXPECT_EQ(first["R"], 6);
  EXPECT_EQ(first["F"], nlohmann::json::array({1, 2, 3}));
  EXPECT_EQ(first["RM"], 1);
  auto empty = nlohmann::json::parse(*out[2].value);
  EXPECT_EQ(empty["R"], 0);
  EXPECT_EQ(empty["T"], nlohmann::json::array());
  // 10 / 0 inside FILTER's lambda fails the call: NULL, not a stopped query.
  auto zero = nlohmann::json::parse(*out[3].value);
  EXPECT_TRUE(zero["F"].is_null()) << zero.dump();
}

// The failures the hostile walk must turn into errors, not results or crashes.
TEST_F(FunctionHostileTest, KnownHostileCallsFailCleanly) {
  auto call = [&](const std::string& name, std::vector<Value> args, std::vector<TypePtr> types) {
    const ScalarFunction* fn = registry_.Find(name);
    EXPECT_NE(fn, nullptr) << name;
    FunctionContext ctx;
    ctx.arg_types = &types;
    auto ret = fn->resolve(types);
    EXPECT_TRUE(ret.ok()) << name;
    ctx.return_type = *ret;
    Value v = fn->impl(args, ctx);
    return std::make_pair(v, ctx.error);
  };
  auto s = [](std::string x) { return Value::String(std::move(x)); };
  TypePtr S = SqlType::String(), I = SqlType::Int(), B = SqlType::Bigint();
  // The record that stopped brookd: URLDecoder's error, NULL.
  auto [decoded, why] = call("URL_DECODE_PARAM", {s("%zzz")}, {S});
  EXPECT_TRUE(decoded.is_null());
  EXPECT_NE(why.find("Illegal hex characters"), std::string::npos) << why;
  EXPECT_EQ(call("URL_DECODE_PARAM", {s("a%20b+c")}, {S}).first.as_string(), "a b c");
  EXPECT_NE(call("URL_DECODE_PARAM", {s("ab%4")}, {S}).second.find("Incomplete"),
            std::string::npos);
  // A regex bomb: bounded, NULL with the reason.
  auto [bomb, bomb_why] =
      call("REGEXP_EXTRACT", {s("(a+)+$"), s(std::string(40'000, 'a') + "!")}, {S, S});
  EXPECT_TRUE(bomb.is_null());
  EXPECT_NE(bomb_why.find("limit"), std::string::npos) << bomb_why;
  // Sizes past the bounds are errors, not 2 GiB strings.
  EXPECT_NE(call("LPAD", {s("a"), Value::Int(INT32_MAX), s("x")}, {S, I, S}).second.find("limit"),
            std::string::npos);
  EXPECT_NE(call("GENERATE_SERIES", {Value::Bigint(0), Value::Bigint(INT64_MAX)}, {B, B})
                .second.find("limit"),
            std::string::npos);
  EXPECT_NE(call("REPLACE", {s(std::string(1 << 20, 'a')), s(""), s(std::string(1 << 10, 'b'))},
                 {S, S, S})
                .second.find("limit"),
            std::string::npos);
  // GENERATE_SERIES across the whole BIGINT range in big steps: no overflow, the right count.
  auto series =
      call("GENERATE_SERIES",
           {Value::Bigint(INT64_MIN), Value::Bigint(INT64_MAX), Value::Int(INT32_MAX)}, {B, B, I});
  EXPECT_TRUE(series.first.is_null());  // 8.6e9 elements: over the bound
}

}  // namespace
}  // namespace brook
