// KAFKA format: one column, Kafka's standard serializers (big-endian INT/BIGINT/DOUBLE,
// UTF-8 STRING, raw BYTES).
#include <cstring>

#include "runtime/serde/serde.h"

namespace brook {

namespace {

class KafkaSerde : public Serde {
 public:
  explicit KafkaSerde(std::vector<Column> columns) : columns_(std::move(columns)) {}

  Status Decode(std::string_view data, Value* out) override {
    if (columns_.empty()) return Status::Ok();
    const TypePtr& t = columns_[0].type;
    auto be = [&](size_t n) {
      uint64_t v = 0;
      for (size_t i = 0; i < n; ++i) v = (v << 8) | static_cast<uint8_t>(data[i]);
      return v;
    };
    switch (t->kind()) {
      case TypeKind::kInt:
        if (data.size() != 4) {
          return InvalidArgument("Size of data received by IntegerDeserializer is not 4");
        }
        out[0] = Value::Int(static_cast<int32_t>(be(4)));
        return Status::Ok();
      case TypeKind::kBigint:
        if (data.size() != 8) {
          return InvalidArgument("Size of data received by LongDeserializer is not 8");
        }
        out[0] = Value::Bigint(static_cast<int64_t>(be(8)));
        return Status::Ok();
      case TypeKind::kDouble: {
        if (data.size() != 8) {
          return InvalidArgument("Size of data received by Deserializer is not 8");
        }
        uint64_t bits = be(8);
        double d;
        std::memcpy(&d, &bits, 8);
        out[0] = Value::Double(d);
        return Status::Ok();
      }
      case TypeKind::kString: out[0] = Value::String(std::string(data)); return Status::Ok();
      case TypeKind::kBytes: out[0] = Value::Bytes(std::string(data)); return Status::Ok();
      default: return InvalidArgument("The 'KAFKA' format does not support type " + TypeName(t));
    }
  }

  Result<std::optional<std::string>> Encode(const Value* values) override {
    if (columns_.empty() || values[0].is_null()) return std::optional<std::string>();
    const Value& v = values[0];
    std::string out;
    auto put_be = [&](uint64_t x, size_t n) {
      for (size_t i = 0; i < n; ++i) out += static_cast<char>((x >> (8 * (n - 1 - i))) & 0xff);
    };
    switch (columns_[0].type->kind()) {
      case TypeKind::kInt: put_be(static_cast<uint32_t>(v.as_int()), 4); break;
      case TypeKind::kBigint: put_be(static_cast<uint64_t>(v.as_int64()), 8); break;
      case TypeKind::kDouble: {
        uint64_t bits;
        double d = v.as_double();
        std::memcpy(&bits, &d, 8);
        put_be(bits, 8);
        break;
      }
      default: out = v.as_string(); break;
    }
    return std::optional<std::string>(std::move(out));
  }

 private:
  std::vector<Column> columns_;
};

class NoneSerde : public Serde {
 public:
  Status Decode(std::string_view, Value*) override { return Status::Ok(); }
  Result<std::optional<std::string>> Encode(const Value*) override {
    return std::optional<std::string>();
  }
};

}  // namespace

std::unique_ptr<Serde> MakeKafkaSerde(std::vector<Column> columns) {
  return std::make_unique<KafkaSerde>(std::move(columns));
}
std::unique_ptr<Serde> MakeNoneSerde() { return std::make_unique<NoneSerde>(); }

}  // namespace brook
