// DELIMITED format: one CSV line per record (RFC 4180 quoting, configurable delimiter).
#include "common/base64.h"
#include "common/java_format.h"
#include "common/value_cast.h"
#include "runtime/serde/serde.h"

namespace brook {

namespace {

class DelimitedSerde : public Serde {
 public:
  // Apache Commons CSV's MINIMAL quoting, which ksqlDB's DELIMITED format uses.
  bool NeedsQuotes(const std::string& text, bool first_field) const {
    if (text.empty()) return first_field;
    unsigned char c = static_cast<unsigned char>(text[0]);
    if (first_field && !std::isalnum(c)) return true;
    if (c <= '#') return true;
    for (char ch : text) {
      if (ch == '\n' || ch == '\r' || ch == '"' || ch == delim_) return true;
    }
    return static_cast<unsigned char>(text.back()) <= ' ';
  }

  DelimitedSerde(std::vector<Column> columns, char delimiter)
      : columns_(std::move(columns)), delim_(delimiter) {}

  Status Decode(std::string_view data, Value* out) override {
    std::vector<std::optional<std::string>> fields;
    std::string cur;
    bool quoted_field = false;
    size_t i = 0;
    bool any = false;
    while (i <= data.size()) {
      if (i == data.size() || data[i] == delim_) {
        if (!(i == data.size() && !any && cur.empty() && fields.empty() && data.empty())) {
          fields.push_back(cur.empty() && !quoted_field ? std::nullopt
                                                        : std::optional<std::string>(cur));
        } else {
          fields.push_back(std::nullopt);
        }
        cur.clear();
        quoted_field = false;
        ++i;
        any = true;
        continue;
      }
      if (data[i] == '"' && cur.empty() && !quoted_field) {
        quoted_field = true;
        ++i;
        while (i < data.size()) {
          if (data[i] == '"') {
            if (i + 1 < data.size() && data[i + 1] == '"') {
              cur += '"';
              i += 2;
              continue;
            }
            ++i;
            break;
          }
          cur += data[i++];
        }
        continue;
      }
      if (data[i] == '\r' || data[i] == '\n') {
        ++i;
        continue;
      }
      cur += data[i++];
    }
    if (fields.size() != columns_.size()) {
      return InvalidArgument("Unexpected field count, csvFields:" + std::to_string(fields.size()) +
                             " schemaFields:" + std::to_string(columns_.size()));
    }
    for (size_t c = 0; c < columns_.size(); ++c) {
      if (!fields[c]) {
        out[c] = Value::Null();
        continue;
      }
      const TypePtr& t = columns_[c].type;
      if (t->kind() == TypeKind::kBytes) {
        auto b = Base64Decode(*fields[c]);
        if (!b) return InvalidArgument("Invalid Base64 in column " + columns_[c].name);
        out[c] = Value::Bytes(std::move(*b));
        continue;
      }
      TypePtr via = t;
      bool temporal = t->kind() == TypeKind::kDate || t->kind() == TypeKind::kTime ||
                      t->kind() == TypeKind::kTimestamp;
      if (temporal) via = SqlType::Bigint();
      auto r = CastValue(Value::String(*fields[c]), SqlType::String(), via);
      if (!r.ok()) {
        return InvalidArgument("Failed to deserialize DELIMITED column " + columns_[c].name +
                               ": " + r.status().message());
      }
      Value v = std::move(r).value();
      if (temporal) {
        int64_t n = v.as_int64();
        v = t->kind() == TypeKind::kDate ? Value::Date(static_cast<int32_t>(n))
            : t->kind() == TypeKind::kTime ? Value::Time(n) : Value::Timestamp(n);
      }
      out[c] = std::move(v);
    }
    return Status::Ok();
  }

  Result<std::optional<std::string>> Encode(const Value* values) override {
    std::string out;
    for (size_t c = 0; c < columns_.size(); ++c) {
      if (c) out += delim_;
      const Value& v = values[c];
      if (v.is_null()) continue;
      std::string text;
      switch (v.kind()) {
        case Value::Kind::kBytes: text = Base64Encode(v.as_string()); break;
        case Value::Kind::kDate:
        case Value::Kind::kTime:
        case Value::Kind::kTimestamp: text = std::to_string(v.as_int64()); break;
        default: text = ValueToText(v, columns_[c].type);
      }
      bool quote = NeedsQuotes(text, c == 0);
      if (quote) {
        out += '"';
        for (char ch : text) {
          if (ch == '"') out += '"';
          out += ch;
        }
        out += '"';
      } else {
        out += text;
      }
    }
    return std::optional<std::string>(std::move(out));
  }

 private:
  std::vector<Column> columns_;
  char delim_;
};

}  // namespace

std::unique_ptr<Serde> MakeDelimitedSerde(std::vector<Column> columns, char delimiter) {
  return std::make_unique<DelimitedSerde>(std::move(columns), delimiter);
}

}  // namespace brook
