// JSON format: decoded with simdjson's on-demand parser (fields matched case-insensitively,
// only needed columns converted), encoded by hand with Java-compatible number text.
#include <simdjson.h>

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstring>

#include "common/base64.h"
#include "common/java_format.h"
#include "common/time_util.h"
#include "common/value_cast.h"
#include "runtime/serde/serde.h"

namespace brook {

namespace {

namespace od = simdjson::ondemand;

inline char AsciiUpper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c; }

// ASCII case-insensitive equality (JSON field names match columns case-insensitively).
inline bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i] && AsciiUpper(a[i]) != AsciiUpper(b[i])) return false;
  }
  return true;
}

Status TypeError(const TypePtr& t, std::string_view got) {
  return InvalidArgument("Can't convert type. sourceType: " + std::string(got) +
                         ", requiredType: " + TypeName(t));
}

const char* JsonTypeName(od::json_type t) {
  switch (t) {
    case od::json_type::array: return "ArrayNode";
    case od::json_type::object: return "ObjectNode";
    case od::json_type::number: return "NumericNode";
    case od::json_type::string: return "TextNode";
    case od::json_type::boolean: return "BooleanNode";
    case od::json_type::null: return "NullNode";
  }
  return "?";
}

Result<Value> Convert(od::value v, const TypePtr& t);

Result<Value> ConvertText(std::string_view text, const TypePtr& t) {
  return CastValue(Value::String(std::string(text)), SqlType::String(), t);
}

// The common cases of Convert's fast paths, written straight into `out` (no temporary Value,
// and a string column reuses the buffer it had): false when `v` needs the general conversion.
bool ConvertInPlace(od::value& v, TypeKind kind, Value& out) {
  switch (kind) {
    case TypeKind::kBigint: {
      int64_t n;
      if (v.get_int64().get(n)) return false;
      out.SetInt64(Value::Kind::kBigint, n);
      return true;
    }
    case TypeKind::kInt: {
      int64_t n;
      if (v.get_int64().get(n)) return false;
      out.SetInt64(Value::Kind::kInt, static_cast<int32_t>(n));
      return true;
    }
    case TypeKind::kDouble: {
      double d;
      if (v.get_double().get(d)) return false;
      out.SetDouble(d);
      return true;
    }
    case TypeKind::kString: {
      std::string_view s;
      if (v.get_string().get(s)) return false;
      out.SetString(s);
      return true;
    }
    default:
      return false;
  }
}

Result<Value> Convert(od::value v, const TypePtr& t) {
  // Fast paths for the common case of a JSON number in a numeric column.
  switch (t->kind()) {
    case TypeKind::kBigint: {
      int64_t n;
      if (!v.get_int64().get(n)) return Value::Bigint(n);
      break;
    }
    case TypeKind::kInt: {
      int64_t n;
      if (!v.get_int64().get(n)) return Value::Int(static_cast<int32_t>(n));
      break;
    }
    case TypeKind::kDouble: {
      double d;
      if (!v.get_double().get(d)) return Value::Double(d);
      break;
    }
    case TypeKind::kString: {
      std::string_view s;
      if (!v.get_string().get(s)) return Value::String(std::string(s));
      break;
    }
    default: break;
  }
  od::json_type jt;
  if (v.type().get(jt)) return InvalidArgument("malformed JSON");
  if (jt == od::json_type::null) return Value::Null();
  switch (t->kind()) {
    case TypeKind::kBoolean:
      if (jt == od::json_type::boolean) {
        bool b;
        if (v.get_bool().get(b)) return InvalidArgument("malformed JSON boolean");
        return Value::Bool(b);
      }
      if (jt == od::json_type::string) {
        std::string_view s;
        if (v.get_string().get(s)) return InvalidArgument("malformed JSON string");
        if (EqualsIgnoreCase(s, "true")) return Value::Bool(true);
        if (EqualsIgnoreCase(s, "false")) return Value::Bool(false);
      }
      return TypeError(t, JsonTypeName(jt));
    case TypeKind::kInt:
    case TypeKind::kBigint:
    case TypeKind::kTime:
    case TypeKind::kDate:
    case TypeKind::kTimestamp: {
      int64_t n = 0;
      if (jt == od::json_type::number) {
        od::number_type nt;
        if (v.get_number_type().get(nt)) return InvalidArgument("malformed JSON number");
        if (nt == od::number_type::floating_point_number) {
          double d;
          if (v.get_double().get(d)) return InvalidArgument("malformed JSON number");
          n = JavaDoubleToLong(d);
        } else if (v.get_int64().get(n)) {
          return InvalidArgument("JSON number out of range for " + TypeName(t));
        }
      } else if (jt == od::json_type::string) {
        std::string_view s;
        if (v.get_string().get(s)) return InvalidArgument("malformed JSON string");
        if (t->kind() == TypeKind::kInt || t->kind() == TypeKind::kBigint ||
            t->kind() == TypeKind::kTimestamp) {
          auto c = ConvertText(s, t->kind() == TypeKind::kTimestamp ? SqlType::Bigint() : t);
          if (c.ok()) {
            n = c->as_int64();
          } else if (t->kind() == TypeKind::kTimestamp) {
            return ConvertText(s, t);
          } else {
            return c;
          }
        } else {
          return ConvertText(s, t);
        }
      } else {
        return TypeError(t, JsonTypeName(jt));
      }
      switch (t->kind()) {
        case TypeKind::kInt: return Value::Int(static_cast<int32_t>(n));
        case TypeKind::kBigint: return Value::Bigint(n);
        case TypeKind::kTime: return Value::Time(n);
        case TypeKind::kDate: return Value::Date(static_cast<int32_t>(n));
        default: return Value::Timestamp(n);
      }
    }
    case TypeKind::kDouble: {
      if (jt == od::json_type::number) {
        double d;
        if (v.get_double().get(d)) return InvalidArgument("malformed JSON number");
        return Value::Double(d);
      }
      if (jt == od::json_type::string) {
        std::string_view s;
        if (v.get_string().get(s)) return InvalidArgument("malformed JSON string");
        return ConvertText(s, t);
      }
      return TypeError(t, JsonTypeName(jt));
    }
    case TypeKind::kDecimal: {
      std::string_view text;
      if (jt == od::json_type::number) {
        text = v.raw_json_token();
        while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
          text.remove_suffix(1);
        }
      } else if (jt == od::json_type::string) {
        if (v.get_string().get(text)) return InvalidArgument("malformed JSON string");
      } else {
        return TypeError(t, JsonTypeName(jt));
      }
      return ConvertText(text, t);
    }
    case TypeKind::kString: {
      if (jt == od::json_type::string) {
        std::string_view s;
        if (v.get_string().get(s)) return InvalidArgument("malformed JSON string");
        return Value::String(std::string(s));
      }
      if (jt == od::json_type::number || jt == od::json_type::boolean) {
        std::string_view raw = v.raw_json_token();
        while (!raw.empty() && std::isspace(static_cast<unsigned char>(raw.back()))) raw.remove_suffix(1);
        return Value::String(std::string(raw));
      }
      std::string_view raw;
      if (simdjson::to_json_string(v).get(raw)) return InvalidArgument("malformed JSON");
      return Value::String(std::string(raw));
    }
    case TypeKind::kBytes: {
      if (jt != od::json_type::string) return TypeError(t, JsonTypeName(jt));
      std::string_view s;
      if (v.get_string().get(s)) return InvalidArgument("malformed JSON string");
      auto b = Base64Decode(s);
      if (!b) return InvalidArgument("Value is not a valid Base64 encoded string: " + std::string(s));
      return Value::Bytes(std::move(*b));
    }
    case TypeKind::kArray: {
      if (jt != od::json_type::array) return TypeError(t, JsonTypeName(jt));
      od::array arr;
      if (v.get_array().get(arr)) return InvalidArgument("malformed JSON array");
      Value::List l;
      for (auto el : arr) {
        od::value ev;
        if (el.get(ev)) return InvalidArgument("malformed JSON array");
        ASSIGN_OR_RETURN(Value x, Convert(ev, t->element()));
        l.push_back(std::move(x));
      }
      return Value::Array(std::move(l));
    }
    case TypeKind::kMap: {
      if (jt != od::json_type::object) return TypeError(t, JsonTypeName(jt));
      od::object obj;
      if (v.get_object().get(obj)) return InvalidArgument("malformed JSON object");
      Value::List l;
      for (auto field : obj) {
        std::string_view k;
        if (field.unescaped_key().get(k)) return InvalidArgument("malformed JSON object");
        std::string key(k);
        od::value fv;
        if (field.value().get(fv)) return InvalidArgument("malformed JSON object");
        ASSIGN_OR_RETURN(Value x, Convert(fv, t->value()));
        ASSIGN_OR_RETURN(Value kv, ConvertText(key, t->key()));
        l.push_back(std::move(kv));
        l.push_back(std::move(x));
      }
      return Value::Map(std::move(l));
    }
    case TypeKind::kStruct: {
      if (jt != od::json_type::object) return TypeError(t, JsonTypeName(jt));
      od::object obj;
      if (v.get_object().get(obj)) return InvalidArgument("malformed JSON object");
      Value::List l(t->fields().size());
      for (auto field : obj) {
        std::string_view k;
        if (field.unescaped_key().get(k)) return InvalidArgument("malformed JSON object");
        std::string key(k);
        for (size_t i = 0; i < t->fields().size(); ++i) {
          if (EqualsIgnoreCase(key, t->fields()[i].name)) {
            od::value fv;
            if (field.value().get(fv)) return InvalidArgument("malformed JSON object");
            ASSIGN_OR_RETURN(l[i], Convert(fv, t->fields()[i].type));
            break;
          }
        }
      }
      return Value::Struct(std::move(l));
    }
  }
  return Internal("unhandled type");
}

class JsonSerde : public Serde {
 public:
  JsonSerde(std::vector<Column> columns, bool unwrapped, std::vector<bool> needed)
      : columns_(std::move(columns)), unwrapped_(unwrapped), needed_(std::move(needed)) {
    if (needed_.empty()) needed_.assign(columns_.size(), true);
    for (bool n : needed_) needed_count_ += n;
    for (const Column& c : columns_) {
      std::string prefix;
      AppendJsonString(c.name, prefix);
      prefix += ':';
      encoded_names_.push_back(std::move(prefix));
    }
  }

  Status Decode(std::string_view data, Value* out) override {
    // simdjson is built with exceptions enabled; none may escape a serde.
    try {
      return DecodeImpl(data, out);
    } catch (const std::exception& e) {
      return InvalidArgument(std::string("Failed to deserialize JSON: ") + e.what());
    }
  }

  Status DecodeImpl(std::string_view data, Value* out) {
    size_t cap = data.size() + simdjson::SIMDJSON_PADDING;
    if (buffer_.size() < cap) buffer_.resize(cap);
    std::memcpy(buffer_.data(), data.data(), data.size());
    auto doc = parser_.iterate(buffer_.data(), data.size(), buffer_.size());
    if (doc.error()) return InvalidArgument("Failed to deserialize JSON: malformed document");
    if (unwrapped_) {
      od::value root;
      od::json_type jt;
      if (doc.type().get(jt)) return InvalidArgument("Failed to deserialize JSON: malformed document");
      // Scalars at the root need the document API.
      if (jt == od::json_type::null) {
        out[0] = Value::Null();
        return Status::Ok();
      }
      if (jt == od::json_type::array || jt == od::json_type::object) {
        if (doc.get_value().get(root)) return InvalidArgument("Failed to deserialize JSON");
        auto r = Convert(root, columns_[0].type);
        if (!r.ok()) return InvalidArgument("Failed to deserialize JSON: " + r.status().message());
        out[0] = std::move(r).value();
        return Status::Ok();
      }
      return DecodeScalarRoot(doc, jt, out);
    }
    od::object obj;
    if (doc.get_object().get(obj)) {
      return InvalidArgument("Failed to deserialize JSON: expected a JSON object");
    }
    // Every field is visited, also after the needed columns were found: skipping an unread
    // value is cheap, and only a walk to the end sees malformed input there (a trailing comma,
    // a missing value), which ksqlDB's parser refuses.
    size_t remaining = needed_count_;
    for (auto field_result : obj) {
      od::field field;
      if (std::move(field_result).get(field)) {
        return InvalidArgument("Failed to deserialize JSON: malformed object");
      }
      std::string_view key;
      // Fast path: the raw key up to its closing quote, when it has no escapes.
      const char* raw = field.key().raw();
      const char* end = static_cast<const char*>(
          std::memchr(raw, '"', buffer_.data() + data.size() - raw));
      if (end && !std::memchr(raw, '\\', end - raw)) {
        key = std::string_view(raw, end - raw);
      } else if (field.unescaped_key().get(key)) {
        return InvalidArgument("Failed to deserialize JSON");
      }
      if (remaining == 0) continue;  // every needed column found: skip the value
      for (size_t i = 0; i < columns_.size(); ++i) {
        if (!needed_[i] || !EqualsIgnoreCase(key, columns_[i].name)) continue;
        --remaining;
        od::value fv = field.value();
        if (ConvertInPlace(fv, columns_[i].type->kind(), out[i])) break;
        auto r = Convert(fv, columns_[i].type);
        if (!r.ok()) {
          return InvalidArgument("Failed to deserialize JSON field '" + columns_[i].name +
                                 "': " + r.status().message());
        }
        out[i] = std::move(r).value();
        break;
      }
    }
    return Status::Ok();
  }

  Result<std::optional<std::string>> Encode(const Value* values) override {
    std::string out;
    if (unwrapped_) {
      AppendJson(values[0], columns_[0].type, out);
      return std::optional<std::string>(std::move(out));
    }
    out.reserve(64 + 16 * columns_.size());
    out += '{';
    for (size_t i = 0; i < columns_.size(); ++i) {
      if (i) out += ',';
      out += encoded_names_[i];
      AppendJson(values[i], columns_[i].type, out);
    }
    out += '}';
    return std::optional<std::string>(std::move(out));
  }

 private:
  Status DecodeScalarRoot(simdjson::simdjson_result<od::document>& doc, od::json_type jt, Value* out) {
    const TypePtr& t = columns_[0].type;
    std::string_view raw;
    if (doc.raw_json_token().get(raw)) return InvalidArgument("Failed to deserialize JSON");
    while (!raw.empty() && std::isspace(static_cast<unsigned char>(raw.back()))) raw.remove_suffix(1);
    Result<Value> r = Value::Null();
    if (jt == od::json_type::string) {
      std::string_view s;
      if (doc.get_string().get(s)) return InvalidArgument("Failed to deserialize JSON");
      if (t->kind() == TypeKind::kBytes) {
        auto b = Base64Decode(s);
        if (!b) return InvalidArgument("Failed to deserialize JSON: invalid base64");
        out[0] = Value::Bytes(std::move(*b));
        return Status::Ok();
      }
      r = ConvertText(s, t);
    } else if (jt == od::json_type::boolean) {
      if (t->kind() != TypeKind::kBoolean && t->kind() != TypeKind::kString) {
        return InvalidArgument("Failed to deserialize JSON: " + TypeError(t, "BooleanNode").message());
      }
      r = ConvertText(raw, t);
    } else {
      if (t->kind() == TypeKind::kBoolean || t->kind() == TypeKind::kBytes) {
        return InvalidArgument("Failed to deserialize JSON: " + TypeError(t, "NumericNode").message());
      }
      TypePtr via = t;
      if (t->kind() == TypeKind::kDate || t->kind() == TypeKind::kTime ||
          t->kind() == TypeKind::kTimestamp) {
        via = SqlType::Bigint();
      }
      r = ConvertText(raw, via);
      if (r.ok() && via != t) {
        int64_t n = r->as_int64();
        r = t->kind() == TypeKind::kDate ? Value::Date(static_cast<int32_t>(n))
            : t->kind() == TypeKind::kTime ? Value::Time(n) : Value::Timestamp(n);
      }
    }
    if (!r.ok()) return InvalidArgument("Failed to deserialize JSON: " + r.status().message());
    out[0] = std::move(r).value();
    return Status::Ok();
  }

  std::vector<Column> columns_;
  bool unwrapped_;
  std::vector<bool> needed_;
  size_t needed_count_ = 0;
  std::vector<std::string> encoded_names_;  // "\"NAME\":" per column, built once
  od::parser parser_;
  std::string buffer_;
};

}  // namespace

void AppendJson(const Value& v, const TypePtr& type, std::string& out, TemporalJson temporal) {
  if (temporal == TemporalJson::kIsoText) {
    switch (v.kind()) {
      case Value::Kind::kDate: AppendJsonString(FormatDate(v.as_int64()), out); return;
      case Value::Kind::kTime: AppendJsonString(FormatTime(v.as_int64()), out); return;
      case Value::Kind::kTimestamp: AppendJsonString(FormatTimestamp(v.as_int64()), out); return;
      default: break;
    }
  }
  switch (v.kind()) {
    case Value::Kind::kNull: out += "null"; return;
    case Value::Kind::kBool: out += v.as_bool() ? "true" : "false"; return;
    case Value::Kind::kInt:
    case Value::Kind::kBigint:
    case Value::Kind::kDate:
    case Value::Kind::kTime:
    case Value::Kind::kTimestamp: {
      char buf[24];
      auto r = std::to_chars(buf, buf + sizeof buf, v.as_int64());
      out.append(buf, r.ptr);
      return;
    }
    case Value::Kind::kDouble: {
      double d = v.as_double();
      if (std::isnan(d) || std::isinf(d)) {
        AppendJsonString(JavaDoubleToString(d), out);
      } else {
        out += JavaDoubleToString(d);
      }
      return;
    }
    case Value::Kind::kDecimal:
      AppendDecimal(v.decimal_unscaled(), v.decimal_scale(), out);
      return;
    case Value::Kind::kString: AppendJsonString(v.as_string(), out); return;
    case Value::Kind::kBytes: AppendJsonString(Base64Encode(v.as_string()), out); return;
    case Value::Kind::kArray: {
      out += '[';
      const auto& l = v.list();
      for (size_t i = 0; i < l.size(); ++i) {
        if (i) out += ',';
        AppendJson(l[i], type ? type->element() : nullptr, out, temporal);
      }
      out += ']';
      return;
    }
    case Value::Kind::kMap: {
      out += '{';
      const auto& l = v.list();
      for (size_t i = 0; i + 1 < l.size(); i += 2) {
        if (i) out += ',';
        AppendJsonString(ValueToText(l[i], type ? type->key() : nullptr), out);
        out += ':';
        AppendJson(l[i + 1], type ? type->value() : nullptr, out, temporal);
      }
      out += '}';
      return;
    }
    case Value::Kind::kStruct: {
      out += '{';
      const auto& l = v.list();
      for (size_t i = 0; i < l.size(); ++i) {
        if (i) out += ',';
        AppendJsonString(type && i < type->fields().size() ? type->fields()[i].name : "?", out);
        out += ':';
        AppendJson(l[i], type && i < type->fields().size() ? type->fields()[i].type : nullptr, out,
                   temporal);
      }
      out += '}';
      return;
    }
  }
}

std::unique_ptr<Serde> MakeJsonSerde(std::vector<Column> columns, bool unwrapped,
                                     std::vector<bool> needed) {
  return std::make_unique<JsonSerde>(std::move(columns), unwrapped, std::move(needed));
}

}  // namespace brook
