// URL functions: URL_EXTRACT_* and URL_ENCODE_PARAM / URL_DECODE_PARAM.
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

std::string Decode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') out += ' ';
    else if (s[i] == '%' && i + 2 < s.size()) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
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

void Extract(FunctionRegistry& r, const char* name, std::function<Value(const Url&)> fn) {
  Add(r, name, "URL", std::string(name) + "(url)",
      Overloads(name, {{{SqlType::String()}, Returns(SqlType::String())}}),
      [fn](const std::vector<Value>& a, FunctionContext&) -> Value {
        auto u = ParseUrl(a[0].as_string());
        if (!u) return Value();
        return fn(*u);
      });
}

Value OrNull(const std::string& s) { return s.empty() ? Value() : Value::String(s); }

}  // namespace

void RegisterUrlFunctions(FunctionRegistry& r) {
  Extract(r, "URL_EXTRACT_PROTOCOL", [](const Url& u) { return OrNull(u.protocol); });
  Extract(r, "URL_EXTRACT_HOST", [](const Url& u) { return OrNull(u.host); });
  Extract(r, "URL_EXTRACT_PATH", [](const Url& u) { return Value::String(u.path); });
  Extract(r, "URL_EXTRACT_QUERY", [](const Url& u) { return OrNull(Decode(u.query)); });
  Extract(r, "URL_EXTRACT_FRAGMENT", [](const Url& u) { return OrNull(u.fragment); });
  Add(r, "URL_EXTRACT_PORT", "URL", "URL_EXTRACT_PORT(url)",
      Overloads("URL_EXTRACT_PORT", {{{SqlType::String()}, Returns(SqlType::Int())}}),
      [](const std::vector<Value>& a, FunctionContext&) -> Value {
        auto u = ParseUrl(a[0].as_string());
        if (!u || u->port < 0) return Value();
        return Value::Int(u->port);
      });
  Add(r, "URL_EXTRACT_PARAMETER", "URL", "URL_EXTRACT_PARAMETER(url, name)",
      Overloads("URL_EXTRACT_PARAMETER", {{{SqlType::String(), SqlType::String()}, Returns(SqlType::String())}}),
      [](const std::vector<Value>& a, FunctionContext&) -> Value {
        auto u = ParseUrl(a[0].as_string());
        if (!u) return Value();
        size_t p = 0;
        const std::string& q = u->query;
        while (p <= q.size()) {
          size_t amp = q.find('&', p);
          std::string kv = q.substr(p, amp == std::string::npos ? std::string::npos : amp - p);
          size_t eq = kv.find('=');
          std::string k = Decode(kv.substr(0, eq));
          if (k == a[1].as_string()) {
            return eq == std::string::npos ? Value() : Value::String(Decode(kv.substr(eq + 1)));
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
      [](const std::vector<Value>& a, FunctionContext&) { return Value::String(Decode(a[0].as_string())); });
}

}  // namespace brook::functions
