#include "common/json_text.h"

#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <type_traits>
#include <cstdio>

#include "common/serde_text.h"

namespace brook {

const JsonNode* JsonNode::Get(const std::string& key) const {
  // The last of duplicate keys wins, as with Jackson.
  for (auto it = fields.rbegin(); it != fields.rend(); ++it) {
    if (it->first == key) return &it->second;
  }
  return nullptr;
}

namespace {

namespace od = simdjson::ondemand;

// simdjson refuses deeper documents (its default is 1024); every walk below stays within it.
constexpr size_t kMaxDepth = 1000;

Status JsonError(simdjson::error_code code) {
  return InvalidArgument(std::string("JSON parse error: ") + simdjson::error_message(code));
}

// Jackson's ALLOW_COMMENTS: // and /* */ comments outside strings become spaces, so offsets
// stay put. Only called when the text has a '/'.
std::string BlankComments(std::string_view in) {
  std::string out(in);
  bool in_string = false;
  for (size_t i = 0; i < out.size(); ++i) {
    char c = out[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '/' && i + 1 < out.size() && out[i + 1] == '/') {
      while (i < out.size() && out[i] != '\n') out[i++] = ' ';
    } else if (c == '/' && i + 1 < out.size() && out[i + 1] == '*') {
      size_t e = out.find("*/", i + 2);
      if (e == std::string::npos) {
        // Unterminated: leave it, so the parser rejects the text as Jackson does.
        break;
      }
      size_t stop = e + 2;
      for (; i < stop; ++i) {
        if (out[i] != '\n') out[i] = ' ';
      }
      --i;
    }
  }
  return out;
}

std::string_view TrimRight(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\r' ||
                        s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

template <typename V>
Status Build(V&& v, JsonNode& out, size_t depth);

// Scalars are read the same way from a value and from a scalar document.
template <typename V>
Status BuildScalar(V&& v, od::json_type type, JsonNode& out) {
  switch (type) {
    case od::json_type::number: {
      std::string_view raw;
      if constexpr (std::is_same_v<std::decay_t<V>, od::document>) {
        if (auto e = v.raw_json_token().get(raw)) return JsonError(e);
      } else {
        raw = v.raw_json_token();
      }
      // The number must be valid JSON, not merely a token.
      double d;
      if (auto e = v.get_double().get(d)) {
        // Integers beyond double's exactness still parse as doubles; only malformed text fails.
        if (e != simdjson::NUMBER_OUT_OF_RANGE) return JsonError(e);
      }
      out.type = JsonNode::Type::kNumber;
      out.text = std::string(TrimRight(raw));
      return Status::Ok();
    }
    case od::json_type::string: {
      std::string_view str;
      if (auto e = v.get_string().get(str)) return JsonError(e);
      out.type = JsonNode::Type::kString;
      out.text = std::string(str);
      return Status::Ok();
    }
    case od::json_type::boolean: {
      bool b;
      if (auto e = v.get_bool().get(b)) return JsonError(e);
      out.type = JsonNode::Type::kBool;
      out.boolean = b;
      return Status::Ok();
    }
    case od::json_type::null: {
      bool is_null;
      if (auto e = v.is_null().get(is_null)) return JsonError(e);
      if (!is_null) return JsonError(simdjson::INCORRECT_TYPE);
      out.type = JsonNode::Type::kNull;
      return Status::Ok();
    }
    default:
      return JsonError(simdjson::INCORRECT_TYPE);
  }
}

template <typename V>
Status Build(V&& v, JsonNode& out, size_t depth) {
  if (depth > kMaxDepth) return InvalidArgument("JSON parse error: nested too deeply");
  od::json_type type;
  if (auto e = v.type().get(type)) return JsonError(e);
  if (type == od::json_type::object) {
    od::object obj;
    if (auto e = v.get_object().get(obj)) return JsonError(e);
    out.type = JsonNode::Type::kObject;
    for (auto field : obj) {
      std::string_view key;
      if (auto e = field.unescaped_key().get(key)) return JsonError(e);
      JsonNode child;
      od::value fv;
      if (auto e = field.value().get(fv)) return JsonError(e);
      RETURN_IF_ERROR(Build(fv, child, depth + 1));
      out.fields.emplace_back(std::string(key), std::move(child));
    }
    return Status::Ok();
  }
  if (type == od::json_type::array) {
    od::array arr;
    if (auto e = v.get_array().get(arr)) return JsonError(e);
    out.type = JsonNode::Type::kArray;
    for (auto element : arr) {
      od::value ev;
      if (auto e = element.get(ev)) return JsonError(e);
      JsonNode child;
      RETURN_IF_ERROR(Build(ev, child, depth + 1));
      out.items.push_back(std::move(child));
    }
    return Status::Ok();
  }
  return BuildScalar(v, type, out);
}

Result<JsonNode> Parse(std::string_view text, bool allow_trailing) {
  std::string uncommented;
  if (text.find('/') != std::string_view::npos) {
    uncommented = BlankComments(text);
    text = uncommented;
  }
  simdjson::padded_string padded(text);
  od::parser parser;
  if (auto e = parser.allocate(std::max<size_t>(padded.size(), 64), kMaxDepth + 24)) {
    return JsonError(e);
  }
  od::document doc;
  if (auto e = parser.iterate(padded).get(doc)) return JsonError(e);
  JsonNode root;
  od::json_type type;
  if (auto e = doc.type().get(type)) return JsonError(e);
  if (type == od::json_type::object || type == od::json_type::array) {
    od::value v;
    if (auto e = doc.get_value().get(v)) return JsonError(e);
    RETURN_IF_ERROR(Build(v, root, 1));
  } else {
    RETURN_IF_ERROR(BuildScalar(doc, type, root));
  }
  // Past the root value only white space may follow (current_location is out of bounds there).
  if (!allow_trailing && doc.current_location().error() != simdjson::OUT_OF_BOUNDS) {
    return InvalidArgument("JSON parse error: trailing characters");
  }
  return root;
}

void DumpTo(const JsonNode& n, std::string& out) {
  switch (n.type) {
    case JsonNode::Type::kNull: out += "null"; break;
    case JsonNode::Type::kBool: out += n.boolean ? "true" : "false"; break;
    case JsonNode::Type::kNumber: out += n.text; break;
    case JsonNode::Type::kString: AppendJsonString(n.text, out); break;
    case JsonNode::Type::kArray:
      out += '[';
      for (size_t i = 0; i < n.items.size(); ++i) {
        if (i) out += ',';
        DumpTo(n.items[i], out);
      }
      out += ']';
      break;
    case JsonNode::Type::kObject:
      out += '{';
      for (size_t i = 0; i < n.fields.size(); ++i) {
        if (i) out += ',';
        AppendJsonString(n.fields[i].first, out);
        out += ':';
        DumpTo(n.fields[i].second, out);
      }
      out += '}';
      break;
  }
}

}  // namespace

void AppendJsonString(std::string_view s, std::string& out) {
  out += '"';
  // Copy runs of characters that need no escaping in one go.
  size_t run = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char ch = static_cast<unsigned char>(s[i]);
    if (ch >= 0x20 && ch != '"' && ch != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    char c = s[i];
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
}

std::string JsonNode::Dump() const {
  std::string out;
  DumpTo(*this, out);
  return out;
}

Result<JsonNode> ParseJsonText(std::string_view text) { return Parse(text, false); }
Result<JsonNode> ParseJsonPrefix(std::string_view text) { return Parse(text, true); }

}  // namespace brook
