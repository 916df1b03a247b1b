// JSON functions over STRING values: EXTRACTJSONFIELD, IS_JSON_STRING, JSON_ARRAY_LENGTH,
// JSON_ARRAY_CONTAINS, JSON_KEYS, JSON_RECORDS, JSON_ITEMS, JSON_CONCAT, TO_JSON_STRING.
#include "common/json_text.h"
#include "common/time_util.h"

#include "runtime/functions/function_util.h"
#include "runtime/serde/serde.h"

namespace brook::functions {

namespace {

TypePtr Str() { return SqlType::String(); }
using Node = JsonNode;

// Jackson reads the first JSON value and ignores what follows; so do we.
std::optional<Node> ParseJson(const std::string& s) {
  auto r = ParseJsonPrefix(s);
  if (!r.ok()) return std::nullopt;
  return std::move(r).value();
}

// "$.a.b[0]['c']" -> the node, or null.
const Node* Walk(const Node& root, const std::string& path) {
  const Node* cur = &root;
  size_t i = 0;
  if (i < path.size() && path[i] == '$') ++i;
  while (i < path.size()) {
    if (path[i] == '.') {
      ++i;
      size_t e = path.find_first_of(".[", i);
      std::string key = path.substr(i, e == std::string::npos ? std::string::npos : e - i);
      if (cur->type != Node::Type::kObject) return nullptr;
      cur = cur->Get(key);
      if (!cur) return nullptr;
      i = e == std::string::npos ? path.size() : e;
    } else if (path[i] == '[') {
      size_t e = path.find(']', i);
      if (e == std::string::npos) return nullptr;
      std::string inner = path.substr(i + 1, e - i - 1);
      if (!inner.empty() && (inner[0] == '\'' || inner[0] == '"')) {
        if (cur->type != Node::Type::kObject) return nullptr;
        cur = cur->Get(inner.substr(1, inner.size() - 2));
        if (!cur) return nullptr;
      } else {
        if (cur->type != Node::Type::kArray) return nullptr;
        size_t idx = std::strtoul(inner.c_str(), nullptr, 10);
        if (idx >= cur->items.size()) return nullptr;
        cur = &cur->items[idx];
      }
      i = e + 1;
    } else {
      return nullptr;
    }
  }
  return cur;
}

// A node as ksqlDB's JSON functions return it: strings bare, everything else as JSON text.
std::string NodeText(const Node& n) { return n.type == Node::Type::kString ? n.text : n.Dump(); }

}  // namespace

void RegisterJsonFunctions(FunctionRegistry& r) {
  Add(r, "EXTRACTJSONFIELD", "JSON", "EXTRACTJSONFIELD(json, path): the field's text, or NULL.",
      Overloads("EXTRACTJSONFIELD", {{{Str(), Str()}, Returns(Str())}}),
      [](const std::vector<Value>& a, FunctionContext&) -> Value {
        auto j = ParseJson(a[0].as_string());
        if (!j) return Value();
        const Node* f = Walk(*j, a[1].as_string());
        if (!f || f->IsNull()) return Value();
        return Value::String(NodeText(*f));
      });
  Add(r, "IS_JSON_STRING", "JSON", "Whether a string is valid JSON.",
      Overloads("IS_JSON_STRING", {{{Str()}, Returns(SqlType::Boolean())}}),
      [](const std::vector<Value>& a, FunctionContext&) -> Value {
        if (a[0].is_null()) return Value::Bool(false);
        return Value::Bool(ParseJsonText(a[0].as_string()).ok());
      },
      false);
  Add(r, "JSON_ARRAY_LENGTH", "JSON", "The length of a JSON array, or NULL.",
      Overloads("JSON_ARRAY_LENGTH", {{{Str()}, Returns(SqlType::Int())}}),
      [](const std::vector<Value>& a, FunctionContext&) -> Value {
        auto j = ParseJson(a[0].as_string());
        if (!j || j->type != Node::Type::kArray) return Value();
        return Value::Int(static_cast<int32_t>(j->items.size()));
      });
  Add(r, "JSON_KEYS", "JSON", "The keys of a JSON object, or NULL.",
      Overloads("JSON_KEYS", {{{Str()}, Returns(SqlType::Array(Str()))}}),
      [](const std::vector<Value>& a, FunctionContext&) -> Value {
        auto j = ParseJson(a[0].as_string());
        if (!j || j->type != Node::Type::kObject) return Value();
        Value::List out;
        for (const auto& [k, _] : j->fields) out.push_back(Value::String(k));
        return Value::Array(std::move(out));
      });
  Add(r, "JSON_ITEMS", "JSON", "The elements of a JSON array as strings.",
      Overloads("JSON_ITEMS", {{{Str()}, Returns(SqlType::Array(Str()))}}),
      [](const std::vector<Value>& a, FunctionContext&) -> Value {
        auto j = ParseJson(a[0].as_string());
        if (!j || j->type != Node::Type::kArray) return Value();
        Value::List out;
        for (const auto& x : j->items) out.push_back(Value::String(x.Dump()));
        return Value::Array(std::move(out));
      });
  Add(r, "JSON_RECORDS", "JSON", "The fields of a JSON object as a MAP of JSON strings.",
      Overloads("JSON_RECORDS", {{{Str()}, Returns(SqlType::Map(Str(), Str()))}}),
      [](const std::vector<Value>& a, FunctionContext&) -> Value {
        auto j = ParseJson(a[0].as_string());
        if (!j || j->type != Node::Type::kObject) return Value();
        Value::List out;
        for (const auto& [k, v] : j->fields) {
          out.push_back(Value::String(k));
          out.push_back(Value::String(NodeText(v)));
        }
        return Value::Map(std::move(out));
      });
  Add(r, "JSON_ARRAY_CONTAINS", "JSON", "Whether a JSON array contains a value.",
      Overloads("JSON_ARRAY_CONTAINS", {{{Str(), Any()}, Returns(SqlType::Boolean())}}),
      [](const std::vector<Value>& a, FunctionContext& ctx) -> Value {
        if (a[0].is_null()) return Value::Bool(false);
        auto j = ParseJson(a[0].as_string());
        if (!j || j->type != Node::Type::kArray) return Value::Bool(false);
        const Value& v = a[1];
        for (const auto& x : j->items) {
          if (v.is_null() && x.IsNull()) return Value::Bool(true);
          if (v.is_null()) continue;
          switch (v.kind()) {
            case Value::Kind::kString:
              if (x.type == Node::Type::kString && x.text == v.as_string()) return Value::Bool(true);
              break;
            case Value::Kind::kBool:
              if (x.type == Node::Type::kBool && x.boolean == v.as_bool()) return Value::Bool(true);
              break;
            case Value::Kind::kInt:
            case Value::Kind::kBigint:
              if (x.type == Node::Type::kNumber && x.text.find_first_of(".eE") == std::string::npos &&
                  x.text == std::to_string(v.as_int64())) {
                return Value::Bool(true);
              }
              break;
            case Value::Kind::kDouble:
              if (x.type == Node::Type::kNumber && x.text.find_first_of(".eE") != std::string::npos &&
                  std::strtod(x.text.c_str(), nullptr) == v.as_double()) {
                return Value::Bool(true);
              }
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
        std::optional<Node> acc;
        for (const Value& v : a) {
          if (v.is_null()) return Value();
          auto j = ParseJson(v.as_string());
          if (!j) return Value();
          if (!acc) {
            acc = *j;
            continue;
          }
          if (acc->type == Node::Type::kObject && j->type == Node::Type::kObject) {
            for (const auto& [k, x] : j->fields) {
              bool replaced = false;
              for (auto& [ak, av] : acc->fields) {
                if (ak == k) {
                  av = x;
                  replaced = true;
                }
              }
              if (!replaced) acc->fields.emplace_back(k, x);
            }
          } else {
            Node arr;
            arr.type = Node::Type::kArray;
            if (acc->type == Node::Type::kArray) arr.items = acc->items;
            else arr.items.push_back(*acc);
            if (j->type == Node::Type::kArray) {
              for (const auto& x : j->items) arr.items.push_back(x);
            } else {
              arr.items.push_back(*j);
            }
            acc = arr;
          }
        }
        return acc ? Value::String(acc->Dump()) : Value();
      },
      false);
  Add(r, "TO_JSON_STRING", "JSON", "Any value as JSON text.",
      [](const std::vector<TypePtr>& a) -> Result<TypePtr> {
        if (a.size() != 1) return NoMatchingSignature("TO_JSON_STRING", a);
        return SqlType::String();
      },
      [](const std::vector<Value>& a, FunctionContext& ctx) -> Value {
        std::string out;
        AppendJson(a[0], ctx.arg_types ? (*ctx.arg_types)[0] : nullptr, out, TemporalJson::kIsoText);
        return Value::String(out);
      },
      false);
}

}  // namespace brook::functions
