// JSON functions over STRING values: EXTRACTJSONFIELD, IS_JSON_STRING, JSON_ARRAY_LENGTH,
// JSON_ARRAY_CONTAINS, JSON_KEYS, JSON_RECORDS, JSON_ITEMS, JSON_CONCAT, TO_JSON_STRING.
#include <nlohmann/json.hpp>

#include "runtime/functions/function_util.h"
#include "runtime/serde/serde.h"

namespace brook::functions {

namespace {

using nlohmann::json;
TypePtr Str() { return SqlType::String(); }

std::optional<json> ParseJson(const std::string& s) {
  json j = json::parse(s, nullptr, false);
  if (j.is_discarded()) return std::nullopt;
  return j;
}

// "$.a.b[0]['c']" -> walk.
const json* Walk(const json& root, const std::string& path) {
  const json* cur = &root;
  size_t i = 0;
  if (i < path.size() && path[i] == '$') ++i;
  while (i < path.size()) {
    if (path[i] == '.') {
      ++i;
      size_t e = path.find_first_of(".[", i);
      std::string key = path.substr(i, e == std::string::npos ? std::string::npos : e - i);
      if (!cur->is_object() || !cur->contains(key)) return nullptr;
      cur = &(*cur)[key];
      i = e == std::string::npos ? path.size() : e;
    } else if (path[i] == '[') {
      size_t e = path.find(']', i);
      if (e == std::string::npos) return nullptr;
      std::string inner = path.substr(i + 1, e - i - 1);
      if (!inner.empty() && (inner[0] == '\'' || inner[0] == '"')) {
        std::string key = inner.substr(1, inner.size() - 2);
        if (!cur->is_object() || !cur->contains(key)) return nullptr;
        cur = &(*cur)[key];
      } else {
        if (!cur->is_array()) return nullptr;
        size_t idx = std::strtoul(inner.c_str(), nullptr, 10);
        if (idx >= cur->size()) return nullptr;
        cur = &(*cur)[idx];
      }
      i = e + 1;
    } else {
      return nullptr;
    }
  }
  return cur;
}

}  // namespace

void RegisterJsonFunctions(FunctionRegistry& r) {
  Add(r, "EXTRACTJSONFIELD", "JSON", "EXTRACTJSONFIELD(json, path): the field's text, or NULL.",
      Overloads("EXTRACTJSONFIELD", {{{Str(), Str()}, Returns(Str())}}),
      [](const std::vector<Value>& a, FunctionContext&) -> Value {
        auto j = ParseJson(a[0].as_string());
        if (!j) return Value();
        const json* f = Walk(*j, a[1].as_string());
        if (!f || f->is_null()) return Value();
        if (f->is_string()) return Value::String(f->get<std::string>());
        return Value::String(f->dump());
      });
  Add(r, "IS_JSON_STRING", "JSON", "Whether a string is valid JSON.",
      Overloads("IS_JSON_STRING", {{{Str()}, Returns(SqlType::Boolean())}}),
      [](const std::vector<Value>& a, FunctionContext&) -> Value {
        if (a[0].is_null()) return Value::Bool(false);
        return Value::Bool(ParseJson(a[0].as_string()).has_value() && !a[0].as_string().empty());
      },
      false);
  Add(r, "JSON_ARRAY_LENGTH", "JSON", "The length of a JSON array, or NULL.",
      Overloads("JSON_ARRAY_LENGTH", {{{Str()}, Returns(SqlType::Int())}}),
      [](const std::vector<Value>& a, FunctionContext&) -> Value {
        auto j = ParseJson(a[0].as_string());
        if (!j || !j->is_array()) return Value();
        return Value::Int(static_cast<int32_t>(j->size()));
      });
  Add(r, "JSON_KEYS", "JSON", "The keys of a JSON object, or NULL.",
      Overloads("JSON_KEYS", {{{Str()}, Returns(SqlType::Array(Str()))}}),
      [](const std::vector<Value>& a, FunctionContext&) -> Value {
        json j = json::parse(a[0].as_string(), nullptr, false);
        if (j.is_discarded() || !j.is_object()) return Value();
        Value::List out;
        for (auto it = j.begin(); it != j.end(); ++it) out.push_back(Value::String(it.key()));
        return Value::Array(std::move(out));
      });
  Add(r, "JSON_ITEMS", "JSON", "The elements of a JSON array as strings.",
      Overloads("JSON_ITEMS", {{{Str()}, Returns(SqlType::Array(Str()))}}),
      [](const std::vector<Value>& a, FunctionContext&) -> Value {
        auto j = ParseJson(a[0].as_string());
        if (!j || !j->is_array()) return Value();
        Value::List out;
        for (const auto& x : *j) out.push_back(Value::String(x.dump()));
        return Value::Array(std::move(out));
      });
  Add(r, "JSON_RECORDS", "JSON", "The fields of a JSON object as a MAP of JSON strings.",
      Overloads("JSON_RECORDS", {{{Str()}, Returns(SqlType::Map(Str(), Str()))}}),
      [](const std::vector<Value>& a, FunctionContext&) -> Value {
        json j = json::parse(a[0].as_string(), nullptr, false);
        if (j.is_discarded() || !j.is_object()) return Value();
        Value::List out;
        for (auto it = j.begin(); it != j.end(); ++it) {
          out.push_back(Value::String(it.key()));
          out.push_back(Value::String(it.value().dump()));
        }
        return Value::Map(std::move(out));
      });
  Add(r, "JSON_ARRAY_CONTAINS", "JSON", "Whether a JSON array contains a value.",
      Overloads("JSON_ARRAY_CONTAINS", {{{Str(), Any()}, Returns(SqlType::Boolean())}}),
      [](const std::vector<Value>& a, FunctionContext& ctx) -> Value {
        if (a[0].is_null()) return Value::Bool(false);
        auto j = ParseJson(a[0].as_string());
        if (!j || !j->is_array()) return Value::Bool(false);
        for (const auto& x : *j) {
          const Value& v = a[1];
          if (v.is_null() && x.is_null()) return Value::Bool(true);
          if (v.is_null()) continue;
          switch (v.kind()) {
            case Value::Kind::kString:
              if (x.is_string() && x.get<std::string>() == v.as_string()) return Value::Bool(true);
              break;
            case Value::Kind::kBool:
              if (x.is_boolean() && x.get<bool>() == v.as_bool()) return Value::Bool(true);
              break;
            case Value::Kind::kInt:
            case Value::Kind::kBigint:
              if (x.is_number_integer() && x.get<int64_t>() == v.as_int64()) return Value::Bool(true);
              break;
            case Value::Kind::kDouble:
              if (x.is_number_float() && x.get<double>() == v.as_double()) return Value::Bool(true);
              break;
            default: break;
          }
        }
        return Value::Bool(false);
      },
      false);
  Add(r, "JSON_CONCAT", "JSON", "Merges JSON objects, or concatenates JSON arrays.",
      Overloads("JSON_CONCAT", {{{Str()}, Returns(Str()), true}}),
      [](const std::vector<Value>& a, FunctionContext&) -> Value {
        std::optional<json> acc;
        for (const Value& v : a) {
          if (v.is_null()) return Value();
          auto j = ParseJson(v.as_string());
          if (!j) return Value();
          if (!acc) {
            acc = *j;
            continue;
          }
          if (acc->is_object() && j->is_object()) {
            for (auto it = j->begin(); it != j->end(); ++it) (*acc)[it.key()] = it.value();
          } else {
            json arr = acc->is_array() ? *acc : json::array({*acc});
            if (j->is_array()) {
              for (const auto& x : *j) arr.push_back(x);
            } else {
              arr.push_back(*j);
            }
            acc = arr;
          }
        }
        return acc ? Value::String(acc->dump()) : Value();
      },
      false);
  Add(r, "TO_JSON_STRING", "JSON", "Any value as JSON text.",
      [](const std::vector<TypePtr>& a) -> Result<TypePtr> {
        if (a.size() != 1) return NoMatchingSignature("TO_JSON_STRING", a);
        return SqlType::String();
      },
      [](const std::vector<Value>& a, FunctionContext& ctx) -> Value {
        std::string out;
        AppendJson(a[0], ctx.arg_types ? (*ctx.arg_types)[0] : nullptr, out);
        return Value::String(out);
      },
      false);
}

}  // namespace brook::functions
