// Regex: a regular expression compiled once with PCRE2 and matched with bounded work.
//
// ksqlDB's REGEXP_* functions use Java's java.util.regex; PCRE2 accepts the same syntax for
// everything ksqlDB users write (classes, quantifiers, lookaround, back-references, named groups)
// and, unlike std::regex, runs in constant stack and stops at a work limit instead of
// backtracking for ever. Subjects are UTF-8; invalid UTF-8 in a subject is matched byte-safely
// (PCRE2_MATCH_INVALID_UTF), never rejected and never read past its end.
//
// Thread-safety: a Regex is NOT thread-safe (it owns its match data). Keep one per thread; the
// functions' pattern cache is thread-local.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace brook {

struct RegexLimits {
  // PCRE2's match limit: internal match() calls (backtracking steps) per start position.
  // Default 1,000,000: a few milliseconds at most; a pattern like (a+)+$ on a long subject stops.
  uint32_t match_limit = 1'000'000;
  // PCRE2's depth limit: nested backtracking frames (interpreter only). Default 10,000.
  uint32_t depth_limit = 10'000;
  // PCRE2's heap limit in KiB for backtracking frames. Default 16 MiB.
  uint32_t heap_limit_kib = 16 * 1024;
  // Longest pattern accepted, in bytes. Default 64 KiB.
  size_t max_pattern_bytes = 64 * 1024;
};

class Regex {
 public:
  // A group's byte range in the subject; `start == npos` for a group that did not take part.
  struct Span {
    size_t start = std::string_view::npos;
    size_t end = std::string_view::npos;
    bool matched() const { return start != std::string_view::npos; }
  };

  // Compiles `pattern`. An invalid pattern returns InvalidArgument with PCRE2's message and
  // the offset of the error in the pattern.
  [[nodiscard]] static Result<std::unique_ptr<Regex>> Compile(std::string_view pattern,
                                                              const RegexLimits& limits = {});
  ~Regex();
  Regex(const Regex&) = delete;
  Regex& operator=(const Regex&) = delete;

  // Capturing groups in the pattern (group 0, the whole match, not counted — as Java's
  // Matcher.groupCount()).
  int group_count() const { return group_count_; }
  // The number of the named group `name`, or -1.
  int GroupNumber(std::string_view name) const;

  // Finds the first match starting at or after byte `start` of `subject`. Returns true and
  // fills `groups` (group_count() + 1 spans) on a match, false on none. A work limit hit, or any
  // other matching failure, is an error Status (ResourceExhausted for a limit).
  [[nodiscard]] Result<bool> Find(std::string_view subject, size_t start,
                                  std::vector<Span>* groups);

  // Whether the whole of `subject` matches (Java's Matcher.matches()).
  [[nodiscard]] Result<bool> FullMatch(std::string_view subject);

  // Every match, as Java's `while (matcher.find())` visits them: after an empty match the next
  // search starts one character later. `visit` returns false to stop early.
  template <typename Visit>
  [[nodiscard]] Status ForEachMatch(std::string_view subject, Visit&& visit) {
    std::vector<Span> g;
    size_t pos = 0;
    while (pos <= subject.size()) {
      auto found = Find(subject, pos, &g);
      if (!found.ok()) return found.status();
      if (!*found) break;
      if (!visit(g)) break;
      pos = g[0].end;
      if (g[0].end == g[0].start) pos = NextCharBoundary(subject, pos);
    }
    return Status::Ok();
  }

  // Java's Matcher.replaceAll(replacement): `$n` and `${name}` insert a group, `\x` inserts x.
  // A reference to a missing group or a dangling `$`/`\` is an InvalidArgument error, as Java
  // throws for them.
  [[nodiscard]] Result<std::string> ReplaceAll(std::string_view subject,
                                               std::string_view replacement);

  // The byte after the UTF-8 character that starts at `pos` (pos + 1 for an invalid byte).
  static size_t NextCharBoundary(std::string_view s, size_t pos);

  struct Impl;  // PCRE2's objects; opaque outside regex.cc

 private:
  Regex() = default;
  std::unique_ptr<Impl> impl_;
  int group_count_ = 0;
};

}  // namespace brook
