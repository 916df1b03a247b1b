// BYTES and encoding functions: TO_BYTES, FROM_BYTES, INT/BIGINT/DOUBLE_FROM_BYTES, ENCODE, MD5.
#include <openssl/evp.h>

#include <cstring>

#include "common/base64.h"
#include "runtime/functions/function_util.h"
#include "common/ascii.h"

namespace brook::functions {

namespace {

TypePtr Str() { return SqlType::String(); }
TypePtr Bytes() { return SqlType::Bytes(); }

std::optional<std::string> HexDecode(const std::string& s) {
  std::string in = s;
  if (in.size() >= 2 && in[0] == '0' && (in[1] == 'x' || in[1] == 'X')) in = in.substr(2);
  if (in.size() % 2) in = "0" + in;
  std::string out;
  for (size_t i = 0; i < in.size(); i += 2) {
    int hi = HexDigitValue(in[i]);
    int lo = HexDigitValue(in[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
  }
  return out;
}

std::string HexEncode(const std::string& s, bool upper = false) {
  const char* kHex = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

// Text -> bytes in an encoding; nullopt if the text is not valid in it.
std::optional<std::string> Decode(const std::string& text, const std::string& enc) {
  std::string e = AsciiLower(enc);
  if (e == "hex") return HexDecode(text);
  if (e == "utf8") return text;
  if (e == "ascii") {
    // Java's US_ASCII encoder: every non-ASCII character becomes '?'.
    std::string out;
    for (size_t i = 0; i < text.size();) {
      unsigned char c = static_cast<unsigned char>(text[i]);
      size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : 4;
      out += c < 0x80 ? static_cast<char>(c) : '?';
      i += n;
    }
    return out;
  }
  if (e == "base64") return Base64Decode(text);
  return std::nullopt;
}

std::optional<std::string> Encode(const std::string& bytes, const std::string& enc) {
  std::string e = AsciiLower(enc);
  if (e == "hex") return HexEncode(bytes);
  if (e == "utf8") return bytes;
  if (e == "ascii") {
    // Java's new String(bytes, US_ASCII): every byte above 0x7F decodes to U+FFFD.
    std::string out;
    for (unsigned char c : bytes) {
      if (c < 0x80) out += static_cast<char>(c);
      else out += "\xEF\xBF\xBD";
    }
    return out;
  }
  if (e == "base64") return Base64Encode(bytes);
  return std::nullopt;
}

// Java's new String(bytes, UTF_8): malformed bytes decode to U+FFFD, one per byte that does
// not start a well-formed sequence.
std::string Utf8Sanitize(const std::string& in) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size();) {
    unsigned char c = static_cast<unsigned char>(in[i]);
    size_t n = c < 0x80 ? 1 : (c >= 0xC2 && c <= 0xDF) ? 2 : (c >= 0xE0 && c <= 0xEF) ? 3
               : (c >= 0xF0 && c <= 0xF4) ? 4 : 0;
    bool ok = n > 0 && i + n <= in.size();
    for (size_t k = 1; ok && k < n; ++k) {
      ok = (static_cast<unsigned char>(in[i + k]) & 0xC0) == 0x80;
    }
    if (ok && n == 3) {  // no overlong forms or surrogates
      unsigned char d = static_cast<unsigned char>(in[i + 1]);
      ok = !(c == 0xE0 && d < 0xA0) && !(c == 0xED && d >= 0xA0);
    }
    if (ok && n == 4) {
      unsigned char d = static_cast<unsigned char>(in[i + 1]);
      ok = !(c == 0xF0 && d < 0x90) && !(c == 0xF4 && d >= 0x90);
    }
    if (!ok) {
      out += "\xEF\xBF\xBD";
      ++i;
      continue;
    }
    out.append(in, i, n);
    i += n;
  }
  return out;
}

// ENCODE's hex input, as ksqlDB strips it: "0x..." (odd digit counts get a leading 0) and
// "X'...'"; any other text must be an even number of hex digits.
std::optional<std::string> EncodeHexInput(const std::string& s) {
  std::string in = s;
  if (in.size() >= 2 && in[0] == '0' && in[1] == 'x') {
    in = (in.size() % 2 ? "0" : "") + in.substr(2);
  } else if (in.size() >= 3 && (in[0] == 'x' || in[0] == 'X') && in[1] == '\'' &&
             in.back() == '\'') {
    in = in.substr(2, in.size() - 3);
  }
  if (in.size() % 2) return std::nullopt;
  return HexDecode(in);
}

bool ValidEncoding(const std::string& enc) {
  std::string e = AsciiLower(enc);
  return e == "hex" || e == "utf8" || e == "ascii" || e == "base64";
}

uint64_t ReadInt(const std::string& b, size_t n, bool little) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) {
    size_t idx = little ? n - 1 - i : i;
    v = (v << 8) | static_cast<uint8_t>(b[idx]);
  }
  return v;
}

ScalarImpl FromBytes(size_t width, Value (*make)(uint64_t)) {
  return [width, make](const std::vector<Value>& a, FunctionContext& ctx) -> Value {
    const std::string& b = a[0].as_string();
    bool little = false;
    if (a.size() > 1) {
      std::string order = a[1].as_string();
      AsciiUpperInPlace(order);
      if (order == "LITTLE_ENDIAN") little = true;
      else if (order != "BIG_ENDIAN") {
        ctx.error = "Byte order must be BIG_ENDIAN or LITTLE_ENDIAN";
        return Value();
      }
    }
    if (b.size() != width) {
      ctx.error = "Number of bytes must be equal to " + std::to_string(width) + ", but found " +
                  std::to_string(b.size());
      return Value();
    }
    return make(ReadInt(b, width, little));
  };
}

}  // namespace

void RegisterBytesFunctions(FunctionRegistry& r) {
  Add(r, "TO_BYTES", "BYTES", "TO_BYTES(string, encoding): encoding is hex, utf8, ascii or base64.",
      Overloads("TO_BYTES", {{{Str(), Str()}, Returns(Bytes())}}),
      [](const std::vector<Value>& a, FunctionContext& ctx) -> Value {
        if (!ValidEncoding(a[1].as_string())) {
          ctx.error = "Supported input and output encodings are: hex, utf8, ascii and base64";
          return Value();
        }
        auto b = Decode(a[0].as_string(), a[1].as_string());
        if (!b) {
          ctx.error = "Cannot decode '" + a[0].as_string() + "' as " + a[1].as_string();
          return Value();
        }
        return Value::Bytes(*b);
      });
  Add(r, "FROM_BYTES", "BYTES", "FROM_BYTES(bytes, encoding): encoding is hex, utf8, ascii or base64.",
      Overloads("FROM_BYTES", {{{Bytes(), Str()}, Returns(Str())}}),
      [](const std::vector<Value>& a, FunctionContext& ctx) -> Value {
        std::optional<std::string> s = AsciiLower(a[1].as_string()) == "hex"
                                           ? std::optional<std::string>(HexEncode(a[0].as_string(), true))
                                           : Encode(a[0].as_string(), a[1].as_string());
        if (!s) {
          ctx.error = "Supported input and output encodings are: hex, utf8, ascii and base64";
          return Value();
        }
        return Value::String(*s);
      });
  Add(r, "ENCODE", "STRING", "ENCODE(string, inputEncoding, outputEncoding)",
      Overloads("ENCODE", {{{Str(), Str(), Str()}, Returns(Str())}}),
      [](const std::vector<Value>& a, FunctionContext& ctx) -> Value {
        std::string in = AsciiLower(a[1].as_string()), out = AsciiLower(a[2].as_string());
        // ksqlDB knows only conversions between two different encodings.
        if (!ValidEncoding(in) || !ValidEncoding(out) || in == out) {
          ctx.error = "Supported input and output encodings are: hex, utf8, ascii and base64";
          return Value();
        }
        auto b = in == "hex" ? EncodeHexInput(a[0].as_string()) : Decode(a[0].as_string(), in);
        if (!b) {
          ctx.error = "Cannot decode '" + a[0].as_string() + "' as " + in;
          return Value();
        }
        auto s = Encode(*b, out);
        if (!s) return Value();
        return Value::String(out == "utf8" ? Utf8Sanitize(*s) : *s);
      });
  Add(r, "INT_FROM_BYTES", "BYTES", "INT_FROM_BYTES(bytes[, byteOrder])",
      Overloads("INT_FROM_BYTES", {{{Bytes()}, Returns(SqlType::Int())}, {{Bytes(), Str()}, Returns(SqlType::Int())}}),
      FromBytes(4, [](uint64_t v) { return Value::Int(static_cast<int32_t>(static_cast<uint32_t>(v))); }));
  Add(r, "BIGINT_FROM_BYTES", "BYTES", "BIGINT_FROM_BYTES(bytes[, byteOrder])",
      Overloads("BIGINT_FROM_BYTES", {{{Bytes()}, Returns(SqlType::Bigint())}, {{Bytes(), Str()}, Returns(SqlType::Bigint())}}),
      FromBytes(8, [](uint64_t v) { return Value::Bigint(static_cast<int64_t>(v)); }));
  Add(r, "DOUBLE_FROM_BYTES", "BYTES", "DOUBLE_FROM_BYTES(bytes[, byteOrder])",
      Overloads("DOUBLE_FROM_BYTES", {{{Bytes()}, Returns(SqlType::Double())}, {{Bytes(), Str()}, Returns(SqlType::Double())}}),
      FromBytes(8, [](uint64_t v) {
        double d;
        std::memcpy(&d, &v, 8);
        return Value::Double(d);
      }));
  Add(r, "MD5", "STRING", "MD5(string): the hex MD5 digest of the UTF-8 bytes.",
      Overloads("MD5", {{{Str()}, Returns(Str())}}),
      [](const std::vector<Value>& a, FunctionContext& ctx) -> Value {
        unsigned char digest[EVP_MAX_MD_SIZE];
        unsigned int len = 0;
        const std::string& s = a[0].as_string();
        if (EVP_Digest(s.data(), s.size(), digest, &len, EVP_md5(), nullptr) != 1) {
          ctx.error = "MD5 digest failed";
          return Value();
        }
        return Value::String(HexEncode(std::string(reinterpret_cast<char*>(digest), len)));
      });
  Add(r, "ENTRIES", "MAP", "ENTRIES(map, sorted): ARRAY<STRUCT<K, V>> of the map's entries.",
      Overloads("ENTRIES", {{{AnyMap(), SqlType::Boolean()}, [](const std::vector<TypePtr>& t) {
                               return t[0] ? SqlType::Array(SqlType::Struct(
                                                 {{"K", SqlType::String()}, {"V", t[0]->value()}}))
                                           : nullptr;
                             }}}),
      [](const std::vector<Value>& a, FunctionContext&) -> Value {
        const auto& l = a[0].list();
        Value::List out;
        for (size_t i = 0; i + 1 < l.size(); i += 2) out.push_back(Value::Struct({l[i], l[i + 1]}));
        if (a[1].as_bool()) {
          std::stable_sort(out.begin(), out.end(), [](const Value& x, const Value& y) {
            return x.list()[0].Compare(y.list()[0]) < 0;
          });
        }
        return Value::Array(std::move(out));
      });
}

}  // namespace brook::functions
