// Regex (common/regex.h): PCRE2 with Java's matching, replacement and work limits.
#include "common/regex.h"

#include <gtest/gtest.h>

#include <chrono>

namespace brook {
namespace {

std::unique_ptr<Regex> Compile(const std::string& p) {
  auto r = Regex::Compile(p);
  EXPECT_TRUE(r.ok()) << p << ": " << r.status().message();
  return r.ok() ? std::move(r).value() : nullptr;
}

std::string Replace(const std::string& subject, const std::string& p, const std::string& with) {
  auto re = Compile(p);
  auto out = re->ReplaceAll(subject, with);
  return out.ok() ? *out : "<error: " + out.status().message() + ">";
}

TEST(RegexTest, ReplaceAllFollowsJava) {
  EXPECT_EQ(Replace("a1b22c", "[0-9]+", "#"), "a#b#c");
  EXPECT_EQ(Replace("john smith", "(\\w+) (\\w+)", "$2, $1"), "smith, john");
  EXPECT_EQ(Replace("ab", "(?<first>a)", "${first}${first}"), "aab");
  EXPECT_EQ(Replace("a.b", "\\.", "\\$"), "a$b");
  // Empty matches: before each character and at the end, as "abc".replaceAll("x*", "-").
  EXPECT_EQ(Replace("abc", "x*", "-"), "-a-b-c-");
  EXPECT_EQ(Replace("aaa", "a*", "-"), "--");
  // $12 with one group: group 1, then a literal 2 (Java reads digits while a group exists).
  EXPECT_EQ(Replace("ab", "(a)", "$12"), "a2b");
  EXPECT_NE(Replace("ab", "(a)", "$2").find("No group 2"), std::string::npos);
  EXPECT_NE(Replace("ab", "a", "x$").find("group index is missing"), std::string::npos);
  EXPECT_NE(Replace("ab", "a", "x\\").find("character to be escaped"), std::string::npos);
}

TEST(RegexTest, JavaSyntaxThatUsersWrite) {
  auto look = Compile("(?<=@)[a-z]+(?=\\.)");
  std::vector<Regex::Span> g;
  ASSERT_TRUE(*look->Find("me@example.com", 0, &g));
  EXPECT_EQ(g[0].start, 3u);
  EXPECT_EQ(g[0].end, 10u);
  auto backref = Compile("(\\w)\\1");
  ASSERT_TRUE(*backref->Find("abccd", 0, &g));
  EXPECT_EQ(g[0].start, 2u);
  EXPECT_EQ(backref->group_count(), 1);
  // Characters, not bytes: '.' takes a whole code point.
  auto dot = Compile("^.$");
  EXPECT_TRUE(*dot->FullMatch("\xc3\xa9"));
}

TEST(RegexTest, InvalidPatternsAreErrorsWithAPosition) {
  auto r = Regex::Compile("a(b");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("index"), std::string::npos) << r.status().message();
  EXPECT_FALSE(Regex::Compile(std::string(100'000, 'a')).ok());  // over the pattern bound
}

TEST(RegexTest, CatastrophicBacktrackingStopsAtTheLimit) {
  auto bomb = Compile("(a+)+$");
  std::string subject(50'000, 'a');
  subject += '!';
  auto start = std::chrono::steady_clock::now();
  std::vector<Regex::Span> g;
  auto r = bomb->Find(subject, 0, &g);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  // Bounded: a hang would be hours; the limit answers in well under a minute even under ASan.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(60));
  // Nested quantifiers over a long run do not recurse on the stack (std::regex did).
  auto nested = Compile("(a|b)*c");
  auto deep = nested->Find(std::string(1 << 20, 'a'), 0, &g);
  EXPECT_TRUE(!deep.ok() || !*deep);
}

TEST(RegexTest, InvalidUtf8SubjectsAreMatchedSafely) {
  auto re = Compile("b+");
  std::vector<Regex::Span> g;
  std::string s =
      "\xff"
      "a\xc3"
      "bb\xe2\x82";
  auto r = re->Find(s, 0, &g);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_TRUE(*r);
  EXPECT_EQ(s.substr(g[0].start, g[0].end - g[0].start), "bb");
  int n = 0;
  EXPECT_TRUE(Compile("")->ForEachMatch(s, [&](const auto&) { return ++n < 1000; }).ok());
  EXPECT_LE(n, static_cast<int>(s.size()) + 1);
}

}  // namespace
}  // namespace brook
