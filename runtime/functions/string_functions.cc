// String functions: UCASE, LCASE, LEN, TRIM, SUBSTRING, CONCAT, CONCAT_WS, REPLACE, INSTR,
// LPAD, RPAD, INITCAP, SPLIT, SPLIT_TO_MAP, MASK*, CHR, REGEXP_*.
#include <atomic>
#include <memory>
#include <unordered_map>

#include "common/ascii.h"
#include "common/regex.h"
#include "common/serde_text.h"
#include "runtime/functions/function_util.h"

namespace brook::functions {

namespace {

TypePtr Str() { return SqlType::String(); }
TypePtr Int() { return SqlType::Int(); }
TypePtr Bytes() { return SqlType::Bytes(); }

// Code points of a UTF-8 string (ksqlDB works on Java chars; for BMP text these agree).
std::vector<std::string> Chars(const std::string& s) {
  std::vector<std::string> out;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = s[i];
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : 4;
    out.push_back(s.substr(i, n));
    i += n;
  }
  return out;
}

// Where each character of `s` starts, then s.size(): character i is [b[i], b[i + 1]). A
// character is a UTF-8 code point, or a byte for BYTES (`bytes`). No string per character, so a
// 1 MiB value costs one vector.
std::vector<size_t> CharBounds(const std::string& s, bool bytes) {
  std::vector<size_t> b;
  b.reserve(s.size() + 1);
  for (size_t i = 0; i < s.size();) {
    b.push_back(i);
    unsigned char c = s[i];
    size_t n = bytes || c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : 4;
    i = std::min(i + n, s.size());
  }
  b.push_back(s.size());
  return b;
}

// Characters [from, to) of `s`, with `b` = CharBounds(s).
std::string_view CharRange(const std::string& s, const std::vector<size_t>& b, size_t from,
                           size_t to) {
  const size_t n = b.size() - 1;
  from = std::min(from, n);
  to = std::min(std::max(to, from), n);
  return std::string_view(s).substr(b[from], b[to] - b[from]);
}

Value Mask(const std::string& s, size_t from, size_t to, const std::vector<Value>& args,
           size_t first_arg) {
  auto pick = [&](size_t i, char def) -> std::optional<char> {
    size_t a = first_arg + i;
    if (a >= args.size()) return def;
    if (args[a].is_null()) return std::nullopt;
    return args[a].as_string().empty() ? def : args[a].as_string()[0];
  };
  auto upper = pick(0, 'X'), lower = pick(1, 'x'), digit = pick(2, 'n'), other = pick(3, '-');
  std::string out = s;
  for (size_t i = from; i < to && i < out.size(); ++i) {
    char c = out[i];
    std::optional<char> r = std::isupper(static_cast<unsigned char>(c))   ? upper
                            : std::islower(static_cast<unsigned char>(c)) ? lower
                            : std::isdigit(static_cast<unsigned char>(c)) ? digit
                                                                          : other;
    if (r) out[i] = *r;
  }
  return Value::String(out);
}

// Compiled patterns of this thread, by pattern text: a constant pattern is compiled once, not
// per record. Bounded: past kMaxPatterns distinct patterns the cache starts over. An invalid
// pattern is cached with its error, so a bad pattern in a query is not recompiled per record.
constexpr size_t kMaxPatterns = 256;
std::atomic<uint64_t> regex_compilations{0};

struct CachedRegex {
  std::unique_ptr<Regex> regex;  // null when the pattern is invalid
  std::string error;
};

Regex* CompiledRegex(const std::string& pattern, FunctionContext& ctx) {
  thread_local std::unordered_map<std::string, CachedRegex> cache;
  auto it = cache.find(pattern);
  if (it == cache.end()) {
    if (cache.size() >= kMaxPatterns) cache.clear();
    CachedRegex c;
    auto re = Regex::Compile(pattern);
    if (re.ok()) {
      c.regex = std::move(re).value();
    } else {
      c.error =
          "Invalid regular expression pattern: " + pattern + " (" + re.status().message() + ")";
    }
    regex_compilations.fetch_add(1, std::memory_order_relaxed);
    it = cache.emplace(pattern, std::move(c)).first;
  }
  if (!it->second.regex) ctx.error = it->second.error;
  return it->second.regex.get();
}

// A regex failure (work limit, bad replacement) yields NULL with the reason in the processing log.
Value RegexError(FunctionContext& ctx, const Status& st) {
  ctx.error = st.message();
  return Value();
}

}  // namespace

uint64_t RegexCompilations() { return regex_compilations.load(std::memory_order_relaxed); }

void RegisterStringFunctions(FunctionRegistry& r) {
  Add(r, "UCASE", "STRING", "Converts a string to upper case.",
      Overloads("UCASE", {{{Str()}, Returns(Str())}}), [](const std::vector<Value>& a, FunctionContext&) {
        std::string s = a[0].as_string();
        AsciiUpperInPlace(s);
        return Value::String(s);
      });
  Add(r, "LCASE", "STRING", "Converts a string to lower case.",
      Overloads("LCASE", {{{Str()}, Returns(Str())}}), [](const std::vector<Value>& a, FunctionContext&) {
        std::string s = a[0].as_string();
        AsciiLowerInPlace(s);
        return Value::String(s);
      });
  Add(r, "LEN", "STRING", "The length of a string (characters) or bytes.",
      Overloads("LEN", {{{Str()}, Returns(Int())}, {{Bytes()}, Returns(Int())}}),
      [](const std::vector<Value>& a, FunctionContext&) {
        if (a[0].kind() == Value::Kind::kBytes) return Value::Int(static_cast<int32_t>(a[0].as_string().size()));
        return Value::Int(static_cast<int32_t>(CharBounds(a[0].as_string(), false).size() - 1));
      });
  Add(r, "TRIM", "STRING", "Removes leading and trailing whitespace.",
      Overloads("TRIM", {{{Str()}, Returns(Str())}}), [](const std::vector<Value>& a, FunctionContext&) {
        const std::string& s = a[0].as_string();
        size_t b = 0, e = s.size();
        while (b < e && static_cast<unsigned char>(s[b]) <= ' ') ++b;
        while (e > b && static_cast<unsigned char>(s[e - 1]) <= ' ') --e;
        return Value::String(s.substr(b, e - b));
      });
  Add(r, "SUBSTRING", "STRING", "SUBSTRING(str, pos[, len]): 1-based; negative pos counts from the end.",
      Overloads("SUBSTRING", {{{Str(), Int()}, Returns(Str())},
                              {{Str(), Int(), Int()}, Returns(Str())},
                              {{Bytes(), Int()}, Returns(Bytes())},
                              {{Bytes(), Int(), Int()}, Returns(Bytes())}}),
      [](const std::vector<Value>& a, FunctionContext&) {
        bool bytes = a[0].kind() == Value::Kind::kBytes;
        const std::string& str = a[0].as_string();
        const std::vector<size_t> cs = CharBounds(str, bytes);
        int64_t n = static_cast<int64_t>(cs.size()) - 1;
        int64_t pos = a[1].as_int64();
        int64_t start = pos < 0 ? std::max<int64_t>(n + pos, 0) : std::max<int64_t>(std::min(pos - 1, n), 0);
        int64_t end = n;
        if (a.size() > 2) {
          int64_t len = a[2].as_int64();
          end = len >= n - start ? n : std::max(start + len, start);  // no start + len overflow
        }
        std::string out(CharRange(str, cs, static_cast<size_t>(start), static_cast<size_t>(end)));
        return bytes ? Value::Bytes(out) : Value::String(out);
      });
  Add(r, "CONCAT", "STRING", "Concatenates strings; NULL inputs are skipped.",
      Overloads("CONCAT", {{{Str()}, Returns(Str()), true}, {{Bytes()}, Returns(Bytes()), true}}),
      [](const std::vector<Value>& a, FunctionContext& ctx) {
        std::string s;
        for (const Value& v : a) {
          if (!v.is_null()) s += v.as_string();
        }
        if (ctx.return_type && ctx.return_type->kind() == TypeKind::kBytes) return Value::Bytes(s);
        return Value::String(s);
      },
      false);
  Add(r, "CONCAT_WS", "STRING", "CONCAT_WS(separator, str...): joins non-NULL strings.",
      Overloads("CONCAT_WS", {{{Str(), Str()}, Returns(Str()), true}, {{Bytes(), Bytes()}, Returns(Bytes()), true}}),
      [](const std::vector<Value>& a, FunctionContext& ctx) {
        if (a[0].is_null()) return Value();
        std::string s;
        bool first = true;
        for (size_t i = 1; i < a.size(); ++i) {
          if (a[i].is_null()) continue;
          if (!first) s += a[0].as_string();
          s += a[i].as_string();
          first = false;
        }
        if (ctx.return_type && ctx.return_type->kind() == TypeKind::kBytes) return Value::Bytes(s);
        return Value::String(s);
      },
      false);
  Add(r, "REPLACE", "STRING", "REPLACE(str, old, new): replaces every occurrence.",
      Overloads("REPLACE", {{{Str(), Str(), Str()}, Returns(Str())}}),
      [](const std::vector<Value>& a, FunctionContext& ctx) {
        const std::string& s = a[0].as_string();
        const std::string& from = a[1].as_string();
        const std::string& to = a[2].as_string();
        if (from.empty()) {
          // Java's String.replace("", to): `to` before every character and at the end.
          const std::vector<size_t> b = CharBounds(s, false);
          size_t size = s.size() + to.size() * b.size();
          if (size > kMaxResultBytes) return ResultTooLarge(ctx, "REPLACE", size, kMaxResultBytes);
          std::string out = to;
          for (size_t i = 0; i + 1 < b.size(); ++i)
            out.append(CharRange(s, b, i, i + 1)).append(to);
          return Value::String(out);
        }
        std::string out;
        size_t p = 0;
        for (size_t hit; (hit = s.find(from, p)) != std::string::npos; p = hit + from.size()) {
          out.append(s, p, hit - p).append(to);
          if (out.size() > kMaxResultBytes) {
            return ResultTooLarge(ctx, "REPLACE", out.size(), kMaxResultBytes);
          }
        }
        out.append(s, p, std::string::npos);
        return Value::String(out);
      });
  Add(r, "INSTR", "STRING", "INSTR(str, sub[, position[, occurrence]]): 1-based position or 0.",
      Overloads("INSTR", {{{Str(), Str()}, Returns(Int())},
                          {{Str(), Str(), Int()}, Returns(Int())},
                          {{Str(), Str(), Int(), Int()}, Returns(Int())}}),
      [](const std::vector<Value>& a, FunctionContext&) {
        const std::string& s = a[0].as_string();
        const std::string& sub = a[1].as_string();
        int64_t pos = a.size() > 2 ? a[2].as_int64() : 1;
        int64_t occ = a.size() > 3 ? a[3].as_int64() : 1;
        int64_t n = static_cast<int64_t>(s.size());
        if (occ <= 0 || pos == 0) return Value::Int(0);
        if (pos > 0) {
          int64_t from = pos - 1;
          for (int64_t k = 0; k < occ; ++k) {
            if (from > n) return Value::Int(0);
            size_t f = s.find(sub, from);
            if (f == std::string::npos) return Value::Int(0);
            if (k == occ - 1) return Value::Int(static_cast<int32_t>(f + 1));
            from = static_cast<int64_t>(f) + 1;
          }
        } else {
          int64_t from = n + pos;
          for (int64_t k = 0; k < occ; ++k) {
            if (from < 0) return Value::Int(0);
            size_t f = s.rfind(sub, from);
            if (f == std::string::npos) return Value::Int(0);
            if (k == occ - 1) return Value::Int(static_cast<int32_t>(f + 1));
            from = static_cast<int64_t>(f) - 1;
          }
        }
        return Value::Int(0);
      });
  auto pad = [](bool left) {
    return [left](const std::vector<Value>& a, FunctionContext& ctx) -> Value {
      bool bytes = a[0].kind() == Value::Kind::kBytes;
      int64_t len = a[1].as_int64();
      const std::string& padding = a[2].as_string();
      if (len < 0 || padding.empty()) return Value();
      if (static_cast<uint64_t>(len) > kMaxResultBytes) {
        return ResultTooLarge(ctx, left ? "LPAD" : "RPAD", static_cast<size_t>(len),
                              kMaxResultBytes);
      }
      const std::string& str = a[0].as_string();
      const std::vector<size_t> s = CharBounds(str, bytes);
      const std::vector<size_t> p = CharBounds(padding, bytes);
      const int64_t n = static_cast<int64_t>(s.size()) - 1;
      const size_t pn = p.size() - 1;
      std::string out;
      if (n >= len) {
        out = std::string(CharRange(str, s, 0, static_cast<size_t>(len)));
      } else {
        std::string fill;
        for (int64_t i = 0; i < len - n; ++i) {
          const size_t c = static_cast<size_t>(i) % pn;
          fill.append(CharRange(padding, p, c, c + 1));
        }
        out = left ? fill + str : str + fill;
      }
      return bytes ? Value::Bytes(out) : Value::String(out);
    };
  };
  Add(r, "LPAD", "STRING", "LPAD(str, length, padding)",
      Overloads("LPAD", {{{Str(), Int(), Str()}, Returns(Str())}, {{Bytes(), Int(), Bytes()}, Returns(Bytes())}}),
      pad(true));
  Add(r, "RPAD", "STRING", "RPAD(str, length, padding)",
      Overloads("RPAD", {{{Str(), Int(), Str()}, Returns(Str())}, {{Bytes(), Int(), Bytes()}, Returns(Bytes())}}),
      pad(false));
  Add(r, "INITCAP", "STRING", "Capitalizes the first letter of each word.",
      Overloads("INITCAP", {{{Str()}, Returns(Str())}}), [](const std::vector<Value>& a, FunctionContext&) {
        std::string s = a[0].as_string();
        bool start = true;
        for (char& c : s) {
          if (c == ' ' || c == '\t' || c == '\n') {
            start = true;
            continue;
          }
          c = start ? AsciiUpper(c) : AsciiLower(c);
          start = false;
        }
        return Value::String(s);
      });
  Add(r, "SPLIT", "STRING", "SPLIT(str, delimiter) -> ARRAY<STRING>.",
      Overloads("SPLIT", {{{Str(), Str()}, Returns(SqlType::Array(Str()))},
                          {{Bytes(), Bytes()}, Returns(SqlType::Array(Bytes()))}}),
      [](const std::vector<Value>& a, FunctionContext&) {
        bool bytes = a[0].kind() == Value::Kind::kBytes;
        auto mk = [bytes](std::string s) { return bytes ? Value::Bytes(std::move(s)) : Value::String(std::move(s)); };
        const std::string& s = a[0].as_string();
        const std::string& d = a[1].as_string();
        Value::List out;
        if (d.empty()) {
          // Java's Pattern("").split(s): one element per character, and [""] for "".
          if (s.empty()) out.push_back(mk(""));
          for (const auto& c : Chars(s)) out.push_back(mk(c));
          return Value::Array(std::move(out));
        }
        size_t p = 0;
        while (true) {
          size_t f = s.find(d, p);
          if (f == std::string::npos) {
            out.push_back(mk(s.substr(p)));
            break;
          }
          out.push_back(mk(s.substr(p, f - p)));
          p = f + d.size();
        }
        return Value::Array(std::move(out));
      });
  Add(r, "SPLIT_TO_MAP", "STRING", "SPLIT_TO_MAP(str, entryDelimiter, kvDelimiter) -> MAP<STRING, STRING>.",
      Overloads("SPLIT_TO_MAP", {{{Str(), Str(), Str()}, Returns(SqlType::Map(Str(), Str()))}}),
      [](const std::vector<Value>& a, FunctionContext&) -> Value {
        const std::string& s = a[0].as_string();
        const std::string& ed = a[1].as_string();
        const std::string& kd = a[2].as_string();
        if (ed.empty() || kd.empty() || ed == kd) return Value();
        Value::List out;
        std::unordered_map<std::string, size_t> index;  // key -> its entry in `out`
        size_t p = 0;
        while (p <= s.size()) {
          size_t f = s.find(ed, p);
          std::string entry = s.substr(p, f == std::string::npos ? std::string::npos : f - p);
          size_t k = entry.find(kd);
          if (!entry.empty() && k != std::string::npos) {
            // Java's split(kvDelim): the text up to the next delimiter is the value.
            size_t k2 = entry.find(kd, k + kd.size());
            Value key = Value::String(entry.substr(0, k));
            Value val = Value::String(entry.substr(
                k + kd.size(), k2 == std::string::npos ? std::string::npos : k2 - k - kd.size()));
            auto [at, fresh] = index.emplace(key.as_string(), out.size());
            if (!fresh) {
              out[at->second + 1] = val;
            } else {
              out.push_back(key);
              out.push_back(val);
            }
          }
          if (f == std::string::npos) break;
          p = f + ed.size();
        }
        return Value::Map(std::move(out));
      });
  Overload m1{{Str(), Str()}, Returns(Str()), true};  // the string, then up to 4 mask characters
  Add(r, "MASK", "STRING", "MASK(str[, upper, lower, digit, other])",
      Overloads("MASK", {m1}), [](const std::vector<Value>& a, FunctionContext&) -> Value {
        if (a[0].is_null()) return Value();
        return Mask(a[0].as_string(), 0, a[0].as_string().size(), a, 1);
      }, false);
  Add(r, "MASK_LEFT", "STRING", "MASK_LEFT(str, n[, ...]): masks the first n characters.",
      Overloads("MASK_LEFT", {{{Str(), Int(), Str()}, Returns(Str()), true}}),
      [](const std::vector<Value>& a, FunctionContext& ctx) -> Value {
        if (a[0].is_null() || a[1].is_null()) return Value();
        if (a[1].as_int64() < 0) { ctx.error = "function mask_left requires a non-negative number"; return Value(); }
        return Mask(a[0].as_string(), 0, a[1].as_int64(), a, 2);
      }, false);
  Add(r, "MASK_RIGHT", "STRING", "MASK_RIGHT(str, n[, ...]): masks the last n characters.",
      Overloads("MASK_RIGHT", {{{Str(), Int(), Str()}, Returns(Str()), true}}),
      [](const std::vector<Value>& a, FunctionContext& ctx) -> Value {
        if (a[0].is_null() || a[1].is_null()) return Value();
        if (a[1].as_int64() < 0) { ctx.error = "function mask_right requires a non-negative number"; return Value(); }
        int64_t n = static_cast<int64_t>(a[0].as_string().size());
        return Mask(a[0].as_string(), std::max<int64_t>(0, n - a[1].as_int64()), n, a, 2);
      }, false);
  Add(r, "MASK_KEEP_LEFT", "STRING", "MASK_KEEP_LEFT(str, n[, ...]): masks all but the first n.",
      Overloads("MASK_KEEP_LEFT", {{{Str(), Int(), Str()}, Returns(Str()), true}}),
      [](const std::vector<Value>& a, FunctionContext& ctx) -> Value {
        if (a[0].is_null() || a[1].is_null()) return Value();
        if (a[1].as_int64() < 0) { ctx.error = "function mask_keep_left requires a non-negative number"; return Value(); }
        return Mask(a[0].as_string(), a[1].as_int64(), a[0].as_string().size(), a, 2);
      }, false);
  Add(r, "MASK_KEEP_RIGHT", "STRING", "MASK_KEEP_RIGHT(str, n[, ...]): masks all but the last n.",
      Overloads("MASK_KEEP_RIGHT", {{{Str(), Int(), Str()}, Returns(Str()), true}}),
      [](const std::vector<Value>& a, FunctionContext& ctx) -> Value {
        if (a[0].is_null() || a[1].is_null()) return Value();
        if (a[1].as_int64() < 0) { ctx.error = "function mask_keep_right requires a non-negative number"; return Value(); }
        int64_t n = static_cast<int64_t>(a[0].as_string().size());
        return Mask(a[0].as_string(), 0, std::max<int64_t>(0, n - a[1].as_int64()), a, 2);
      }, false);
  Add(r, "CHR", "STRING", "CHR(codePoint | 'U+XXXX'-style string) -> single character.",
      Overloads("CHR", {{{Int()}, Returns(Str())}, {{Str()}, Returns(Str())}}),
      [](const std::vector<Value>& a, FunctionContext&) -> Value {
        unsigned cp;
        if (a[0].kind() == Value::Kind::kString) {
          std::string s = a[0].as_string();
          if (s.size() < 2 || (s[0] != 'U' && s[0] != 'u') || s[1] != '+') {
            if (s.size() > 1 && s[0] == '\\' && (s[1] == 'u' || s[1] == 'U'))
              s = s.substr(2);
            else
              return Value();
          } else {
            s = s.substr(2);
          }
          try {
            cp = static_cast<unsigned>(std::stoul(s, nullptr, 16));
          } catch (...) {
            return Value();
          }
        } else {
          if (a[0].as_int64() < 0) return Value();
          cp = static_cast<unsigned>(a[0].as_int64());
        }
        std::string out;
        AppendUtf8(cp, out);
        return Value::String(out);
      });
  Add(r, "REGEXP_REPLACE", "STRING", "REGEXP_REPLACE(str, regex, replacement)",
      Overloads("REGEXP_REPLACE", {{{Str(), Str(), Str()}, Returns(Str())}}),
      [](const std::vector<Value>& a, FunctionContext& ctx) -> Value {
        Regex* re = CompiledRegex(a[1].as_string(), ctx);
        if (!re) return Value();
        auto out = re->ReplaceAll(a[0].as_string(), a[2].as_string());
        if (!out.ok()) return RegexError(ctx, out.status());
        return Value::String(std::move(out).value());
      });
  Add(r, "REGEXP_EXTRACT", "STRING", "REGEXP_EXTRACT(regex, str[, group])",
      Overloads("REGEXP_EXTRACT",
                {{{Str(), Str()}, Returns(Str())}, {{Str(), Str(), Int()}, Returns(Str())}}),
      [](const std::vector<Value>& a, FunctionContext& ctx) -> Value {
        Regex* re = CompiledRegex(a[0].as_string(), ctx);
        if (!re) return Value();
        int64_t g = a.size() > 2 ? a[2].as_int64() : 0;
        if (g > re->group_count()) return Value();
        if (g < 0) {
          ctx.error = "No group " + std::to_string(g);
          return Value();
        }
        std::vector<Regex::Span> groups;
        const std::string& s = a[1].as_string();
        auto found = re->Find(s, 0, &groups);
        if (!found.ok()) return RegexError(ctx, found.status());
        if (!*found || !groups[g].matched()) return Value();
        return Value::String(s.substr(groups[g].start, groups[g].end - groups[g].start));
      });
  Add(r, "REGEXP_EXTRACT_ALL", "STRING", "REGEXP_EXTRACT_ALL(regex, str[, group])",
      Overloads("REGEXP_EXTRACT_ALL", {{{Str(), Str()}, Returns(SqlType::Array(Str()))},
                                       {{Str(), Str(), Int()}, Returns(SqlType::Array(Str()))}}),
      [](const std::vector<Value>& a, FunctionContext& ctx) -> Value {
        Regex* re = CompiledRegex(a[0].as_string(), ctx);
        if (!re) return Value();
        int64_t g = a.size() > 2 ? a[2].as_int64() : 0;
        if (g > re->group_count()) return Value();
        if (g < 0) {
          ctx.error = "No group " + std::to_string(g);
          return Value();
        }
        Value::List out;
        const std::string& s = a[1].as_string();
        Status st = re->ForEachMatch(s, [&](const std::vector<Regex::Span>& m) {
          if (m[g].matched())
            out.push_back(Value::String(s.substr(m[g].start, m[g].end - m[g].start)));
          else
            out.push_back(Value());
          return true;
        });
        if (!st.ok()) return RegexError(ctx, st);
        return Value::Array(std::move(out));
      });
  Add(r, "REGEXP_SPLIT_TO_ARRAY", "STRING", "REGEXP_SPLIT_TO_ARRAY(str, regex)",
      Overloads("REGEXP_SPLIT_TO_ARRAY", {{{Str(), Str()}, Returns(SqlType::Array(Str()))}}),
      [](const std::vector<Value>& a, FunctionContext& ctx) -> Value {
        const std::string& pattern = a[1].as_string();
        Regex* re = CompiledRegex(pattern, ctx);
        if (!re) return Value();
        const std::string& s = a[0].as_string();
        // ksqlDB: a pattern that matches the empty string splits as Java's String.split (no
        // leading empty piece for a match at 0, trailing empty pieces dropped); any other pattern
        // as Guava's Splitter (every piece kept).
        auto empty_match = re->FullMatch("");
        if (!empty_match.ok()) return RegexError(ctx, empty_match.status());
        bool java_split = pattern.empty() || *empty_match;
        Value::List out;
        size_t piece = 0;
        Status st = re->ForEachMatch(s, [&](const std::vector<Regex::Span>& m) {
          if (java_split && m[0].end == 0) return true;  // zero-width match at the beginning
          out.push_back(Value::String(s.substr(piece, m[0].start - piece)));
          piece = m[0].end;
          return true;
        });
        if (!st.ok()) return RegexError(ctx, st);
        out.push_back(Value::String(s.substr(std::min(piece, s.size()))));
        if (java_split) {
          while (out.size() > 1 && out.back().as_string().empty()) out.pop_back();
          if (out.size() == 1 && out[0].as_string().empty() && !s.empty()) out.clear();
        }
        return Value::Array(std::move(out));
      });
}

}  // namespace brook::functions
