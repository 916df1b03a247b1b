// Value: one SQL value at run time. Small scalars live inline; strings and bytes in `str`;
// ARRAY elements, STRUCT fields (in the struct type's field order) and MAP entries (key, value,
// key, value, ...) live in a shared, immutable vector so copying a row is cheap.
//
// A Value does not carry its SqlType except for the kind; serializers and functions get the
// type from the plan. Not thread-safe for mutation; immutable values may be shared.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace brook {

using int128 = __int128;

class Value {
 public:
  enum class Kind : uint8_t {
    kNull, kBool, kInt, kBigint, kDouble, kDecimal, kString, kBytes,
    kDate, kTime, kTimestamp, kArray, kMap, kStruct,
  };
  using List = std::vector<Value>;

  Value() = default;
  static Value Null() { return Value(); }
  static Value Bool(bool b) { Value v(Kind::kBool); v.i_ = b; return v; }
  static Value Int(int32_t i) { Value v(Kind::kInt); v.i_ = i; return v; }
  static Value Bigint(int64_t i) { Value v(Kind::kBigint); v.i_ = i; return v; }
  static Value Double(double d) { Value v(Kind::kDouble); v.d_ = d; return v; }
  static Value Decimal(int128 unscaled, int scale) {
    Value v(Kind::kDecimal); v.dec_ = unscaled; v.scale_ = scale; return v;
  }
  static Value String(std::string s) { Value v(Kind::kString); v.str_ = std::move(s); return v; }
  static Value Bytes(std::string b) { Value v(Kind::kBytes); v.str_ = std::move(b); return v; }
  static Value Date(int32_t days) { Value v(Kind::kDate); v.i_ = days; return v; }
  static Value Time(int64_t ms) { Value v(Kind::kTime); v.i_ = ms; return v; }
  static Value Timestamp(int64_t ms) { Value v(Kind::kTimestamp); v.i_ = ms; return v; }
  static Value Array(List elems) { return Composite(Kind::kArray, std::move(elems)); }
  static Value Struct(List fields) { return Composite(Kind::kStruct, std::move(fields)); }
  // entries: key0, value0, key1, value1, ...
  static Value Map(List entries) { return Composite(Kind::kMap, std::move(entries)); }

  // In-place setters for hot loops (decoders): they keep the string's buffer for reuse instead
  // of building a temporary Value and moving it in.
  // Makes this NULL; a string buffer it held stays allocated for the next SetString.
  void Reset() {
    kind_ = Kind::kNull;
    scale_ = 0;
    dec_ = 0;
    str_.clear();
    if (list_) list_.reset();
  }
  // INT, BIGINT, DATE, TIME or TIMESTAMP (`k`) holding `i`.
  void SetInt64(Kind k, int64_t i) {
    Reset();
    kind_ = k;
    i_ = i;
  }
  void SetDouble(double d) {
    Reset();
    kind_ = Kind::kDouble;
    d_ = d;
  }
  void SetString(std::string_view s) {
    Reset();
    kind_ = Kind::kString;
    str_.assign(s.data(), s.size());
  }

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::kNull; }

  bool as_bool() const { return i_ != 0; }
  int32_t as_int() const { return static_cast<int32_t>(i_); }
  int64_t as_int64() const { return i_; }  // INT, BIGINT, DATE, TIME, TIMESTAMP
  double as_double() const { return d_; }
  int128 decimal_unscaled() const { return dec_; }
  int decimal_scale() const { return scale_; }
  const std::string& as_string() const { return str_; }  // STRING and BYTES
  std::string& mutable_string() { return str_; }
  const List& list() const { return list_ ? *list_ : EmptyList(); }
  size_t map_size() const { return list().size() / 2; }

  // Numeric view for arithmetic across INT/BIGINT/DOUBLE/DECIMAL.
  double ToDouble() const;

  // Deep equality (NULL == NULL is true here; SQL semantics are handled by the evaluator).
  bool operator==(const Value& o) const;
  // Total order for values of the same kind (used by sorting, MIN/MAX, comparisons).
  int Compare(const Value& o) const;
  size_t Hash() const;

  // Debug rendering (not a wire format).
  std::string DebugString() const;

 private:
  explicit Value(Kind k) : kind_(k) {}
  static Value Composite(Kind k, List elems) {
    Value v(k);
    v.list_ = std::make_shared<const List>(std::move(elems));
    return v;
  }
  static const List& EmptyList();

  Kind kind_ = Kind::kNull;
  int32_t scale_ = 0;
  union {
    int64_t i_ = 0;
    double d_;
    int128 dec_;
  };
  std::string str_;
  std::shared_ptr<const List> list_;
};

}  // namespace brook
