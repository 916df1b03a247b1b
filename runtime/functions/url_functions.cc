// URL functions: URL_EXTRACT_* and URL_ENCODE_PARAM / URL_DECODE_PARAM.
#include "common/ascii.h"
#include "runtime/functions/function_util.h"

namespace brook::functions {

namespace {

struct Url {
  std::string protocol, host, path, query, fragment;
  int port = -1;
};

std::optional<Url> ParseUrl(const std::string& s) {
  Url u;
  size_t p = s.find("://");
  if (p == std::string::npos) return std::nullopt;
  u.protocol = s.substr(0, p);
  size_t start = p + 3;
  size_t end = s.find_first_of("/?#", start);
  std::string authority = s.substr(start, end == std::string::npos ? std::string::npos : end - start);
  size_t at = authority.rfind('@');
  if (at != std::string::npos) authority = authority.substr(at + 1);
  size_t colon = authority.rfind(':');
  if (colon != std::string::npos && authority.find(']') == std::string::npos) {
    try {
      u.port = std::stoi(authority.substr(colon + 1));
    } catch (...) {
      return std::nullopt;
    }
    authority = authority.substr(0, colon);
  }
  u.host = authority;
  if (end == std::string::npos) return u;
  std::string rest = s.substr(end);
  size_t hash = rest.find('#');
  if (hash != std::string::npos) {
    u.fragment = rest.substr(hash + 1);
    rest = rest.substr(0, hash);
  }
  size_t q = rest.find('?');
  if (q != std::string::npos) {
    u.query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  u.path = rest;
  return u;
}

// Form decoding as Java's URLDecoder: '+' is a blank, %XX a byte. A malformed escape ("%zz", a
// trailing "%4") is an error, as URLDecoder throws for it; the caller turns it into NULL and a
// processing-log entry.
std::optional<std::string> Decode(const std::string& s, FunctionContext& ctx) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%') {
      if (i + 2 >= s.size()) {
        ctx.error = "URLDecoder: Incomplete trailing escape (%) pattern";
        return std::nullopt;
      }
      int hi = HexDigitValue(s[i + 1]), lo = HexDigitValue(s[i + 2]);
      if (hi < 0 || lo < 0) {
        ctx.error = "URLDecoder: Illegal hex characters in escape (%) pattern";
        return std::nullopt;
      }
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

Value DecodedOrNull(const std::string& s, FunctionContext& ctx, bool empty_is_null) {
  auto d = Decode(s, ctx);
  if (!d || (empty_is_null && d->empty())) return Value();
  return Value::String(std::move(*d));
}

std::string Encode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '*') out += static_cast<char>(c);
    else if (c == ' ') out += '+';
    else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

void Extract(FunctionRegistry& r, const char* name,
             std::function<Value(const Url&, FunctionContext&)> fn) {
  Add(r, name, "URL", std::string(name) + "(url)",
      Overloads(name, {{{SqlType::String()}, Returns(SqlType::String())}}),
      [fn](const std::vector<Value>& a, FunctionContext& ctx) -> Value {
        auto u = ParseUrl(a[0].as_string());
        if (!u) return Value();
        return fn(*u, ctx);
      });
}

Value OrNull(const std::string& s) { return s.empty() ? Value() : Value::String(s); }

}  // namespace

void RegisterUrlFunctions(FunctionRegistry& r) {
  Extract(r, "URL_EXTRACT_PROTOCOL",
          [](const Url& u, FunctionContext&) { return OrNull(u.protocol); });
  Extract(r, "URL_EXTRACT_HOST", [](const Url& u, FunctionContext&) { return OrNull(u.host); });
  Extract(r, "URL_EXTRACT_PATH",
          [](const Url& u, FunctionContext&) { return Value::String(u.path); });
  Extract(r, "URL_EXTRACT_QUERY", [](const Url& u, FunctionContext& ctx) {
    return DecodedOrNull(u.query, ctx, /*empty_is_null=*/true);
  });
  Extract(r, "URL_EXTRACT_FRAGMENT",
          [](const Url& u, FunctionContext&) { return OrNull(u.fragment); });
  Add(r, "URL_EXTRACT_PORT", "URL", "URL_EXTRACT_PORT(url)",
      Overloads("URL_EXTRACT_PORT", {{{SqlType::String()}, Returns(SqlType::Int())}}),
      [](const std::vector<Value>& a, FunctionContext&) -> Value {
        auto u = ParseUrl(a[0].as_string());
        if (!u || u->port < 0) return Value();
        return Value::Int(u->port);
      });
  Add(r, "URL_EXTRACT_PARAMETER", "URL", "URL_EXTRACT_PARAMETER(url, name)",
      Overloads("URL_EXTRACT_PARAMETER",
                {{{SqlType::String(), SqlType::String()}, Returns(SqlType::String())}}),
      [](const std::vector<Value>& a, FunctionContext& ctx) -> Value {
        auto u = ParseUrl(a[0].as_string());
        if (!u) return Value();
        size_t p = 0;
        const std::string& q = u->query;
        while (p <= q.size()) {
          size_t amp = q.find('&', p);
          std::string kv = q.substr(p, amp == std::string::npos ? std::string::npos : amp - p);
          size_t eq = kv.find('=');
          auto k = Decode(kv.substr(0, eq), ctx);
          if (!k) return Value();
          if (*k == a[1].as_string()) {
            return eq == std::string::npos ? Value() : DecodedOrNull(kv.substr(eq + 1), ctx, false);
          }
          if (amp == std::string::npos) break;
          p = amp + 1;
        }
        return Value();
      });
  Add(r, "URL_ENCODE_PARAM", "URL", "Form-encodes a string.",
      Overloads("URL_ENCODE_PARAM", {{{SqlType::String()}, Returns(SqlType::String())}}),
      [](const std::vector<Value>& a, FunctionContext&) { return Value::String(Encode(a[0].as_string())); });
  Add(r, "URL_DECODE_PARAM", "URL", "Decodes a form-encoded string.",
      Overloads("URL_DECODE_PARAM", {{{SqlType::String()}, Returns(SqlType::String())}}),
      [](const std::vector<Value>& a, FunctionContext& ctx) {
        return DecodedOrNull(a[0].as_string(), ctx, false);
      });
}

}  // namespace brook::functions
