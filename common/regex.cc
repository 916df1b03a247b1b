#include "common/regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

namespace brook {

struct Regex::Impl {
  pcre2_code* code = nullptr;
  pcre2_match_context* mctx = nullptr;
  pcre2_match_data* data = nullptr;
  pcre2_jit_stack* jit_stack = nullptr;
  bool jit = false;

  ~Impl() {
    if (data) pcre2_match_data_free(data);
    if (mctx) pcre2_match_context_free(mctx);
    if (jit_stack) pcre2_jit_stack_free(jit_stack);
    if (code) pcre2_code_free(code);
  }
};

namespace {

std::string Pcre2Message(int code) {
  PCRE2_UCHAR buf[256];
  int n = pcre2_get_error_message(code, buf, sizeof(buf));
  if (n < 0) return "PCRE2 error " + std::to_string(code);
  return std::string(reinterpret_cast<const char*>(buf), static_cast<size_t>(n));
}

}  // namespace

Regex::~Regex() = default;

Result<std::unique_ptr<Regex>> Regex::Compile(std::string_view pattern, const RegexLimits& limits) {
  if (pattern.size() > limits.max_pattern_bytes) {
    return InvalidArgument("regular expression pattern is " + std::to_string(pattern.size()) +
                           " bytes, over the limit of " + std::to_string(limits.max_pattern_bytes));
  }
  std::unique_ptr<Regex> re(new Regex());
  re->impl_ = std::make_unique<Impl>();
  Impl& impl = *re->impl_;
  int err = 0;
  PCRE2_SIZE err_offset = 0;
  // UTF so that `.` and classes see characters as Java does; MATCH_INVALID_UTF so a record with
  // broken UTF-8 is matched safely instead of failing the call.
  impl.code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                            PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &err, &err_offset, nullptr);
  if (!impl.code) {
    return InvalidArgument(Pcre2Message(err) + " near index " + std::to_string(err_offset));
  }
  uint32_t captures = 0;
  pcre2_pattern_info(impl.code, PCRE2_INFO_CAPTURECOUNT, &captures);
  re->group_count_ = static_cast<int>(captures);
  impl.jit = pcre2_jit_compile(impl.code, PCRE2_JIT_COMPLETE) == 0;
  impl.mctx = pcre2_match_context_create(nullptr);
  if (!impl.mctx) return ResourceExhausted("out of memory compiling a regular expression");
  pcre2_set_match_limit(impl.mctx, limits.match_limit);
  pcre2_set_depth_limit(impl.mctx, limits.depth_limit);
  pcre2_set_heap_limit(impl.mctx, limits.heap_limit_kib);
  if (impl.jit) {
    // The JIT's own stack, bounded: exhausting it is a limit hit like the others.
    impl.jit_stack = pcre2_jit_stack_create(32 * 1024, 1024 * 1024, nullptr);
    if (impl.jit_stack) pcre2_jit_stack_assign(impl.mctx, nullptr, impl.jit_stack);
  }
  impl.data = pcre2_match_data_create_from_pattern(impl.code, nullptr);
  if (!impl.data) return ResourceExhausted("out of memory compiling a regular expression");
  return re;
}

int Regex::GroupNumber(std::string_view name) const {
  std::string n(name);
  int r = pcre2_substring_number_from_name(impl_->code, reinterpret_cast<PCRE2_SPTR>(n.c_str()));
  return r < 0 ? -1 : r;
}

size_t Regex::NextCharBoundary(std::string_view s, size_t pos) {
  if (pos >= s.size()) return pos + 1;
  auto c = static_cast<unsigned char>(s[pos]);
  size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 1;
  size_t next = pos + 1;
  while (next < s.size() && next < pos + len &&
         (static_cast<unsigned char>(s[next]) & 0xC0) == 0x80) {
    ++next;
  }
  return next;
}

namespace {

Result<bool> RunMatch(Regex::Impl& impl, std::string_view subject, size_t start, uint32_t options,
                      int group_count, std::vector<Regex::Span>* groups) {
  if (start > subject.size()) return false;
  // An empty view may have a null data pointer; PCRE2 wants a valid pointer.
  static const char kEmpty[1] = {0};
  const char* data = subject.data() ? subject.data() : kEmpty;
  int rc = pcre2_match(impl.code, reinterpret_cast<PCRE2_SPTR>(data), subject.size(), start,
                       options, impl.data, impl.mctx);
  if (rc == PCRE2_ERROR_NOMATCH) return false;
  if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT || rc == PCRE2_ERROR_HEAPLIMIT ||
      rc == PCRE2_ERROR_JIT_STACKLIMIT) {
    return ResourceExhausted("regular expression work limit exceeded (" + Pcre2Message(rc) + ")");
  }
  if (rc < 0)
    return Status(StatusCode::kInvalidArgument, "regular expression: " + Pcre2Message(rc));
  if (groups) {
    PCRE2_SIZE* ov = pcre2_get_ovector_pointer(impl.data);
    uint32_t pairs = pcre2_get_ovector_count(impl.data);
    groups->assign(static_cast<size_t>(group_count) + 1, Regex::Span{});
    for (uint32_t i = 0; i < pairs && i <= static_cast<uint32_t>(group_count); ++i) {
      if (ov[2 * i] == PCRE2_UNSET) continue;
      (*groups)[i] = Regex::Span{ov[2 * i], ov[2 * i + 1]};
    }
  }
  return true;
}

}  // namespace

Result<bool> Regex::Find(std::string_view subject, size_t start, std::vector<Span>* groups) {
  return RunMatch(*impl_, subject, start, 0, group_count_, groups);
}

Result<bool> Regex::FullMatch(std::string_view subject) {
  std::vector<Span> g;
  return RunMatch(*impl_, subject, 0, PCRE2_ANCHORED | PCRE2_ENDANCHORED, group_count_, &g);
}

Result<std::string> Regex::ReplaceAll(std::string_view subject, std::string_view replacement) {
  std::string out;
  size_t copied = 0;  // subject bytes before this position are in `out`
  Status bad;
  Status st = ForEachMatch(subject, [&](const std::vector<Span>& g) {
    out.append(subject.substr(copied, g[0].start - copied));
    for (size_t i = 0; i < replacement.size(); ++i) {
      char c = replacement[i];
      if (c == '\\') {
        if (++i >= replacement.size()) {
          bad = InvalidArgument("character to be escaped is missing");
          return false;
        }
        out.push_back(replacement[i]);
      } else if (c == '$') {
        if (++i >= replacement.size()) {
          bad = InvalidArgument("Illegal group reference: group index is missing");
          return false;
        }
        int group = -1;
        if (replacement[i] == '{') {
          size_t close = replacement.find('}', i);
          if (close == std::string_view::npos) {
            bad = InvalidArgument("named capturing group is missing trailing '}'");
            return false;
          }
          std::string_view name = replacement.substr(i + 1, close - i - 1);
          group = GroupNumber(name);
          if (group < 0) {
            bad = InvalidArgument("No group with name {" + std::string(name) + "}");
            return false;
          }
          i = close;
        } else if (replacement[i] >= '0' && replacement[i] <= '9') {
          // Java: the first digit always; more digits while the number names a group.
          group = replacement[i] - '0';
          if (group > group_count_) {
            bad = InvalidArgument("No group " + std::to_string(group));
            return false;
          }
          while (i + 1 < replacement.size() && replacement[i + 1] >= '0' &&
                 replacement[i + 1] <= '9') {
            int next = group * 10 + (replacement[i + 1] - '0');
            if (next > group_count_) break;
            group = next;
            ++i;
          }
        } else {
          bad = InvalidArgument("Illegal group reference");
          return false;
        }
        const Span& s = g[static_cast<size_t>(group)];
        if (s.matched()) out.append(subject.substr(s.start, s.end - s.start));
      } else {
        out.push_back(c);
      }
    }
    copied = g[0].end;
    return true;
  });
  if (!st.ok()) return st;
  if (!bad.ok()) return bad;
  if (copied < subject.size()) out.append(subject.substr(copied));
  return out;
}

}  // namespace brook
