#include "server/auth.h"

#include <gtest/gtest.h>

namespace brook::server {
namespace {

std::string Basic(const std::string& user_pass) {
  static const char* kB64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < user_pass.size(); i += 3) {
    unsigned v = (unsigned char)user_pass[i] << 16 | (unsigned char)user_pass[i + 1] << 8 |
                 (unsigned char)user_pass[i + 2];
    for (int s = 18; s >= 0; s -= 6) out += kB64[(v >> s) & 63];
  }
  if (i + 1 == user_pass.size()) {
    unsigned v = (unsigned char)user_pass[i] << 16;
    out += kB64[(v >> 18) & 63];
    out += kB64[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == user_pass.size()) {
    unsigned v = (unsigned char)user_pass[i] << 16 | (unsigned char)user_pass[i + 1] << 8;
    out += kB64[(v >> 18) & 63];
    out += kB64[(v >> 12) & 63];
    out += kB64[(v >> 6) & 63];
    out += '=';
  }
  return "Basic " + out;
}

TEST(BasicAuthTest, SaltedHashesRolesAndBadCredentials) {
  Result<std::string> h1 = HashPassword("pw-one", 1000);
  Result<std::string> h2 = HashPassword("pw-one", 1000);
  ASSERT_TRUE(h1.ok() && h2.ok());
  EXPECT_NE(*h1, *h2);  // a fresh salt each time
  auto auth = BasicAuthenticator::Parse(
      "# users\nalice: " + *h1 + ",admin\n\nbob: " + *h2 + ",viewer\n", "R", "admin");
  ASSERT_TRUE(auth.ok()) << auth.status().message();
  using O = BasicAuthenticator::Outcome;
  EXPECT_EQ((*auth)->Check(Basic("alice:pw-one")), O::kOk);
  EXPECT_EQ((*auth)->Check(Basic("alice:pw-one")), O::kOk);  // from the cache
  EXPECT_EQ((*auth)->Check(Basic("bob:pw-one")), O::kForbidden);
  EXPECT_EQ((*auth)->Check(Basic("alice:pw-two")), O::kUnauthorized);
  EXPECT_EQ((*auth)->Check(Basic("carol:pw-one")), O::kUnauthorized);
  EXPECT_EQ((*auth)->Check(Basic("alicepw-one")), O::kUnauthorized);
  EXPECT_EQ((*auth)->Check("Basic !!!"), O::kUnauthorized);
  EXPECT_EQ((*auth)->Check("Bearer abc"), O::kUnauthorized);
  EXPECT_EQ((*auth)->Check(""), O::kUnauthorized);
  EXPECT_EQ((*auth)->Check("Basic " + std::string(10000, 'A')), O::kUnauthorized);
}

TEST(BasicAuthTest, RefusesPlainTextAndMalformedEntries) {
  EXPECT_FALSE(BasicAuthenticator::Parse("alice: secret,admin\n", "R", "*").ok());
  EXPECT_FALSE(BasicAuthenticator::Parse("alice: OBF:1w8t1tvf\n", "R", "*").ok());
  EXPECT_FALSE(BasicAuthenticator::Parse("alice: PBKDF2-SHA256$x$AAAA$AAAA\n", "R", "*").ok());
  EXPECT_FALSE(BasicAuthenticator::Parse("no colon here\n", "R", "*").ok());
  Result<std::string> h = HashPassword("pw", 1000);
  ASSERT_TRUE(h.ok());
  auto dup = BasicAuthenticator::Parse("a: " + *h + "\na: " + *h + "\n", "R", "*");
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.status().message().find("line 2"), std::string::npos);
  // Any role is allowed with `*`.
  auto any = BasicAuthenticator::Parse("a: " + *h + "\n", "R", "*");
  ASSERT_TRUE(any.ok());
  EXPECT_EQ((*any)->Check(Basic("a:pw")), BasicAuthenticator::Outcome::kOk);
}

// Failed logins are limited per client, a wrong token is not derived again, and a client's
// failures do not lock out another client or a cached login.
TEST(BasicAuthTest, FailedLoginsAreLimitedPerClient) {
  Result<std::string> h = HashPassword("right", 1000);
  ASSERT_TRUE(h.ok());
  auto auth = BasicAuthenticator::Parse("alice: " + *h + ",admin\n", "R", "*");
  ASSERT_TRUE(auth.ok());
  using O = BasicAuthenticator::Outcome;
  BasicAuthenticator& a = **auth;
  a.set_max_failures_per_client(3);
  EXPECT_EQ(a.Check(Basic("alice:right"), "10.0.0.1"), O::kOk);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(a.Check(Basic("alice:wrong" + std::to_string(i)), "10.0.0.9"), O::kUnauthorized);
  }
  EXPECT_EQ(a.Check(Basic("alice:wrong-again"), "10.0.0.9"), O::kTooMany);
  EXPECT_EQ(a.Check(Basic("alice:right"), "10.0.0.9"), O::kOk);  // a verified login is cached
  EXPECT_EQ(a.Check(Basic("alice:wrong0"), "10.0.0.2"), O::kUnauthorized);  // another client
  EXPECT_EQ(a.Check(Basic("alice:right"), "10.0.0.1"), O::kOk);
}

}  // namespace
}  // namespace brook::server
