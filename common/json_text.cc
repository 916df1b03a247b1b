#include "common/json_text.h"

#include <cctype>
#include <cstdio>

#include "common/serde_text.h"

namespace brook {

const JsonNode* JsonNode::Get(const std::string& key) const {
  for (const auto& [k, v] : fields) {
    if (k == key) return &v;
  }
  return nullptr;
}

namespace {

class Reader {
 public:
  explicit Reader(std::string_view s) : s_(s) {}

  Result<JsonNode> Parse(bool allow_trailing = false) {
    ASSIGN_OR_RETURN(JsonNode n, Value());
    Skip();
    if (pos_ != s_.size() && !allow_trailing) return Err("trailing characters");
    return n;
  }

 private:
  Status Err(const std::string& m) {
    return InvalidArgument("JSON parse error at offset " + std::to_string(pos_) + ": " + m);
  }
  void Skip() {
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
        ++pos_;
      } else if (c == '/' && pos_ + 1 < s_.size() && s_[pos_ + 1] == '/') {
        while (pos_ < s_.size() && s_[pos_] != '\n') ++pos_;
      } else if (c == '/' && pos_ + 1 < s_.size() && s_[pos_ + 1] == '*') {
        size_t e = s_.find("*/", pos_ + 2);
        pos_ = e == std::string_view::npos ? s_.size() : e + 2;
      } else {
        break;
      }
    }
  }
  Result<std::string> String() {
    ++pos_;  // opening quote
    std::string out;
    while (pos_ < s_.size() && s_[pos_] != '"') {
      char c = s_[pos_++];
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= s_.size()) return Err("bad escape");
      char e = s_[pos_++];
      switch (e) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'u': {
          if (pos_ + 4 > s_.size()) return Err("bad \\u escape");
          unsigned cp = std::stoul(std::string(s_.substr(pos_, 4)), nullptr, 16);
          pos_ += 4;
          if (cp >= 0xD800 && cp <= 0xDBFF && pos_ + 6 <= s_.size() && s_[pos_] == '\\' &&
              s_[pos_ + 1] == 'u') {
            unsigned lo = std::stoul(std::string(s_.substr(pos_ + 2, 4)), nullptr, 16);
            pos_ += 6;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          }
          AppendUtf8(cp, out);
          break;
        }
        default: out += e;
      }
    }
    if (pos_ >= s_.size()) return Err("unterminated string");
    ++pos_;
    return out;
  }
  Result<JsonNode> Value() {
    Skip();
    if (pos_ >= s_.size()) return Err("unexpected end");
    JsonNode n;
    char c = s_[pos_];
    if (c == '{') {
      n.type = JsonNode::Type::kObject;
      ++pos_;
      Skip();
      if (pos_ < s_.size() && s_[pos_] == '}') {
        ++pos_;
        return n;
      }
      while (true) {
        Skip();
        if (pos_ >= s_.size() || s_[pos_] != '"') return Err("expected key");
        ASSIGN_OR_RETURN(std::string key, String());
        Skip();
        if (pos_ >= s_.size() || s_[pos_] != ':') return Err("expected ':'");
        ++pos_;
        ASSIGN_OR_RETURN(JsonNode v, Value());
        n.fields.emplace_back(std::move(key), std::move(v));
        Skip();
        if (pos_ < s_.size() && s_[pos_] == ',') {
          ++pos_;
          continue;
        }
        if (pos_ < s_.size() && s_[pos_] == '}') {
          ++pos_;
          return n;
        }
        return Err("expected ',' or '}'");
      }
    }
    if (c == '[') {
      n.type = JsonNode::Type::kArray;
      ++pos_;
      Skip();
      if (pos_ < s_.size() && s_[pos_] == ']') {
        ++pos_;
        return n;
      }
      while (true) {
        ASSIGN_OR_RETURN(JsonNode v, Value());
        n.items.push_back(std::move(v));
        Skip();
        if (pos_ < s_.size() && s_[pos_] == ',') {
          ++pos_;
          continue;
        }
        if (pos_ < s_.size() && s_[pos_] == ']') {
          ++pos_;
          return n;
        }
        return Err("expected ',' or ']'");
      }
    }
    if (c == '"') {
      n.type = JsonNode::Type::kString;
      ASSIGN_OR_RETURN(n.text, String());
      return n;
    }
    if (s_.substr(pos_, 4) == "true") {
      n.type = JsonNode::Type::kBool;
      n.boolean = true;
      pos_ += 4;
      return n;
    }
    if (s_.substr(pos_, 5) == "false") {
      n.type = JsonNode::Type::kBool;
      pos_ += 5;
      return n;
    }
    if (s_.substr(pos_, 4) == "null") {
      pos_ += 4;
      return n;
    }
    size_t start = pos_;
    while (pos_ < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[pos_])) ||
                                s_[pos_] == '-' || s_[pos_] == '+' || s_[pos_] == '.' ||
                                s_[pos_] == 'e' || s_[pos_] == 'E')) {
      ++pos_;
    }
    if (start == pos_) return Err(std::string("unexpected character '") + c + "'");
    n.type = JsonNode::Type::kNumber;
    n.text = std::string(s_.substr(start, pos_ - start));
    return n;
  }

  std::string_view s_;
  size_t pos_ = 0;
};

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

Result<JsonNode> ParseJsonText(std::string_view text) { return Reader(text).Parse(); }
Result<JsonNode> ParseJsonPrefix(std::string_view text) { return Reader(text).Parse(true); }

}  // namespace brook
