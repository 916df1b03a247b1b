#include "common/value_codec.h"

#include <cstring>

namespace brook {

namespace {

void PutVarint(uint64_t n, std::string& out) {
  while (n >= 0x80) {
    out.push_back(static_cast<char>((n & 0x7F) | 0x80));
    n >>= 7;
  }
  out.push_back(static_cast<char>(n));
}

bool GetVarint(std::string_view& in, uint64_t& n) {
  n = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (in.empty()) return false;
    auto b = static_cast<uint8_t>(in[0]);
    in.remove_prefix(1);
    n |= static_cast<uint64_t>(b & 0x7F) << shift;
    if ((b & 0x80) == 0) return true;
  }
  return false;
}

template <typename T>
void PutFixed(T v, std::string& out) {
  char buf[sizeof(T)];
  std::memcpy(buf, &v, sizeof(T));
  out.append(buf, sizeof(T));
}

template <typename T>
bool GetFixed(std::string_view& in, T& v) {
  if (in.size() < sizeof(T)) return false;
  std::memcpy(&v, in.data(), sizeof(T));
  in.remove_prefix(sizeof(T));
  return true;
}

}  // namespace

void EncodeValue(const Value& v, std::string& out) {
  using K = Value::Kind;
  out.push_back(static_cast<char>(v.kind()));
  switch (v.kind()) {
    case K::kNull:
      return;
    case K::kBool:
      out.push_back(v.as_bool() ? 1 : 0);
      return;
    case K::kInt:
    case K::kBigint:
    case K::kDate:
    case K::kTime:
    case K::kTimestamp:
      PutFixed<int64_t>(v.as_int64(), out);
      return;
    case K::kDouble:
      PutFixed<double>(v.as_double(), out);
      return;
    case K::kDecimal:
      PutFixed<int128>(v.decimal_unscaled(), out);
      out.push_back(static_cast<char>(v.decimal_scale()));
      return;
    case K::kString:
    case K::kBytes:
      PutVarint(v.as_string().size(), out);
      out.append(v.as_string());
      return;
    case K::kArray:
    case K::kStruct:
    case K::kMap:
      PutVarint(v.list().size(), out);
      for (const Value& e : v.list()) EncodeValue(e, out);
      return;
  }
}

void EncodeValues(const Value* values, size_t n, std::string& out) {
  for (size_t i = 0; i < n; ++i) EncodeValue(values[i], out);
}

bool DecodeValue(std::string_view& in, Value& out, int depth) {
  using K = Value::Kind;
  if (in.empty() || depth > kMaxValueCodecDepth) return false;
  auto tag = static_cast<uint8_t>(in[0]);
  in.remove_prefix(1);
  if (tag > static_cast<uint8_t>(K::kStruct)) return false;
  auto kind = static_cast<K>(tag);
  switch (kind) {
    case K::kNull:
      out = Value();
      return true;
    case K::kBool: {
      if (in.empty()) return false;
      out = Value::Bool(in[0] != 0);
      in.remove_prefix(1);
      return true;
    }
    case K::kInt:
    case K::kBigint:
    case K::kDate:
    case K::kTime:
    case K::kTimestamp: {
      int64_t i;
      if (!GetFixed(in, i)) return false;
      out.SetInt64(kind, i);
      return true;
    }
    case K::kDouble: {
      double d;
      if (!GetFixed(in, d)) return false;
      out.SetDouble(d);
      return true;
    }
    case K::kDecimal: {
      int128 u;
      if (!GetFixed(in, u) || in.empty()) return false;
      int scale = static_cast<uint8_t>(in[0]);
      in.remove_prefix(1);
      out = Value::Decimal(u, scale);
      return true;
    }
    case K::kString:
    case K::kBytes: {
      uint64_t n;
      if (!GetVarint(in, n) || n > in.size()) return false;
      std::string s(in.substr(0, n));
      in.remove_prefix(n);
      out = kind == K::kString ? Value::String(std::move(s)) : Value::Bytes(std::move(s));
      return true;
    }
    case K::kArray:
    case K::kStruct:
    case K::kMap: {
      uint64_t n;
      // Each element takes at least its tag byte.
      if (!GetVarint(in, n) || n > in.size()) return false;
      Value::List elems(n);
      for (uint64_t i = 0; i < n; ++i) {
        if (!DecodeValue(in, elems[i], depth + 1)) return false;
      }
      out = kind == K::kArray    ? Value::Array(std::move(elems))
            : kind == K::kStruct ? Value::Struct(std::move(elems))
                                 : Value::Map(std::move(elems));
      return true;
    }
  }
  return false;
}

bool DecodeValues(std::string_view in, std::vector<Value>& out) {
  out.clear();
  while (!in.empty()) {
    out.emplace_back();
    if (!DecodeValue(in, out.back())) return false;
  }
  return true;
}

namespace {

void PutOrdered64(uint64_t bits, std::string& out) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(bits >> shift));
}

bool GetOrdered64(std::string_view& in, uint64_t& bits) {
  if (in.size() < 8) return false;
  bits = 0;
  for (int i = 0; i < 8; ++i) bits = (bits << 8) | static_cast<uint8_t>(in[i]);
  in.remove_prefix(8);
  return true;
}

constexpr uint64_t kSignBit = uint64_t{1} << 63;

}  // namespace

void EncodeOrderedValues(const Value* values, size_t n, std::string& out) {
  using K = Value::Kind;
  for (size_t i = 0; i < n; ++i) {
    const Value& v = values[i];
    switch (v.kind()) {
      case K::kNull:
        out.push_back(static_cast<char>(K::kNull));
        break;
      case K::kBool:
        out.push_back(static_cast<char>(K::kBool));
        out.push_back(v.as_bool() ? 1 : 0);
        break;
      case K::kInt:
      case K::kBigint:
      case K::kDate:
      case K::kTime:
      case K::kTimestamp:
        out.push_back(static_cast<char>(v.kind()));
        PutOrdered64(static_cast<uint64_t>(v.as_int64()) ^ kSignBit, out);
        break;
      case K::kDouble: {
        out.push_back(static_cast<char>(K::kDouble));
        double d = v.as_double();
        uint64_t bits;
        std::memcpy(&bits, &d, sizeof bits);
        PutOrdered64((bits & kSignBit) ? ~bits : bits ^ kSignBit, out);
        break;
      }
      case K::kString:
      case K::kBytes:
        out.push_back(static_cast<char>(v.kind()));
        for (char c : v.as_string()) {
          out.push_back(c);
          if (c == '\0') out.push_back('\xFF');
        }
        out.push_back('\0');
        out.push_back('\x01');
        break;
      default:
        EncodeValue(v, out);  // tagged by EncodeValue itself
        break;
    }
  }
}

bool DecodeOrderedValues(std::string_view in, std::vector<Value>& out) {
  using K = Value::Kind;
  out.clear();
  while (!in.empty()) {
    auto tag = static_cast<uint8_t>(in[0]);
    if (tag > static_cast<uint8_t>(K::kStruct)) return false;
    auto kind = static_cast<K>(tag);
    Value v;
    switch (kind) {
      case K::kNull:
        in.remove_prefix(1);
        break;
      case K::kBool:
        if (in.size() < 2) return false;
        v = Value::Bool(in[1] != 0);
        in.remove_prefix(2);
        break;
      case K::kInt:
      case K::kBigint:
      case K::kDate:
      case K::kTime:
      case K::kTimestamp: {
        in.remove_prefix(1);
        uint64_t bits;
        if (!GetOrdered64(in, bits)) return false;
        v.SetInt64(kind, static_cast<int64_t>(bits ^ kSignBit));
        break;
      }
      case K::kDouble: {
        in.remove_prefix(1);
        uint64_t bits;
        if (!GetOrdered64(in, bits)) return false;
        bits = (bits & kSignBit) ? bits ^ kSignBit : ~bits;
        double d;
        std::memcpy(&d, &bits, sizeof d);
        v.SetDouble(d);
        break;
      }
      case K::kString:
      case K::kBytes: {
        in.remove_prefix(1);
        std::string s;
        for (;;) {
          if (in.size() < 2) return false;
          char c = in[0];
          if (c == '\0') {
            if (in[1] == '\x01') {
              in.remove_prefix(2);
              break;
            }
            if (in[1] != '\xFF') return false;
            s.push_back('\0');
            in.remove_prefix(2);
            continue;
          }
          s.push_back(c);
          in.remove_prefix(1);
        }
        v = kind == K::kString ? Value::String(std::move(s)) : Value::Bytes(std::move(s));
        break;
      }
      default:
        if (!DecodeValue(in, v)) return false;
        break;
    }
    out.push_back(std::move(v));
  }
  return true;
}

}  // namespace brook
