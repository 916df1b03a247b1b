// Unit tests of brookd's configuration: properties files, flags, listeners.
#include "server/config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace brook::server {
namespace {

TEST(ServerPropertiesTest, SeparatorsCommentsAndWhitespace) {
  auto p = ParseProperties(
      "# comment\n"
      "! also a comment\n"
      "\n"
      "listeners=http://0.0.0.0:9000\n"
      "  bootstrap.servers : broker:9092  \n"
      "ksql.service.id brook_\n"
      "empty=\n"
      "key\\=with\\:seps=v\n");
  EXPECT_EQ(p.at("listeners"), "http://0.0.0.0:9000");
  EXPECT_EQ(p.at("bootstrap.servers"), "broker:9092");
  EXPECT_EQ(p.at("ksql.service.id"), "brook_");
  EXPECT_EQ(p.at("empty"), "");
  EXPECT_EQ(p.at("key=with:seps"), "v");
  EXPECT_EQ(p.size(), 5u);
}

TEST(ServerPropertiesTest, ContinuationEscapesAndOverride) {
  auto p = ParseProperties(
      "a=one \\\n"
      "    two\r\n"
      "b=tab\\there\\u0041\n"
      "c=first\n"
      "c=second\n"
      "d=back\\\\\n");
  EXPECT_EQ(p.at("a"), "one two");
  EXPECT_EQ(p.at("b"), "tab\thereA");
  EXPECT_EQ(p.at("c"), "second");
  EXPECT_EQ(p.at("d"), "back\\");
}

TEST(ServerConfigTest, ApplyPropertyRoutesKeys) {
  ServerConfig c;
  ASSERT_TRUE(ApplyProperty("ksql.service.id", "svc_", c).ok());
  ASSERT_TRUE(ApplyProperty("ksql.streams.auto.offset.reset", "latest", c).ok());
  ASSERT_TRUE(ApplyProperty("kafka.security.protocol", "SSL", c).ok());
  ASSERT_TRUE(ApplyProperty("brook.kafka.topic.creation", "auto", c).ok());
  ASSERT_TRUE(ApplyProperty("brook.push.poll.ms", "25", c).ok());
  ASSERT_TRUE(ApplyProperty("ksql.max.push.queries", "3", c).ok());
  ASSERT_TRUE(ApplyProperty("authentication.method", "NONE", c).ok());
  EXPECT_EQ(c.service_id, "svc_");
  EXPECT_EQ(c.ksql_properties.at("ksql.service.id"), "svc_");
  EXPECT_EQ(c.ksql_properties.at("ksql.streams.auto.offset.reset"), "latest");
  EXPECT_EQ(c.kafka_properties.at("security.protocol"), "SSL");
  EXPECT_TRUE(c.broker_auto_create_topics);
  EXPECT_EQ(c.push_poll_ms, 25);
  EXPECT_EQ(c.max_push_queries, 3);
  EXPECT_EQ(c.authentication_method, "NONE");
  EXPECT_TRUE(c.ignored_keys.empty());
  // A security key brook does not know stops start-up instead of being ignored.
  EXPECT_EQ(ApplyProperty("ssl.endpoint.identification.algorithm", "https", c).code(),
            StatusCode::kUnsupported);
  EXPECT_EQ(ApplyProperty("authentication.basic.realm", "x", c).code(), StatusCode::kUnsupported);
  ASSERT_TRUE(ApplyProperty("brook.http.max.header.bytes", "4096", c).ok());
  EXPECT_EQ(c.max_header_bytes, 4096);
  EXPECT_EQ(ApplyProperty("brook.http.idle.timeout.ms", "-1", c).code(),
            StatusCode::kInvalidArgument);

  EXPECT_EQ(ApplyProperty("brook.push.poll.ms", "soon", c).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ApplyProperty("brook.kafka.topic.creation", "maybe", c).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ApplyProperty("ksql.max.push.queries", "0", c).code(), StatusCode::kInvalidArgument);
}

TEST(ServerConfigTest, Defaults) {
  auto c = ParseCommandLine({});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->listeners, "http://0.0.0.0:8088");
  EXPECT_EQ(c->bootstrap_servers, "");
  EXPECT_EQ(c->service_id, "default_");
  EXPECT_EQ(c->max_push_queries, 100);
  EXPECT_EQ(c->push_poll_ms, 100);
  EXPECT_TRUE(c->script_file.empty());
}

TEST(ServerConfigTest, CommandLinePrecedence) {
  char path[] = "/tmp/brookd-config-test-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  std::ofstream(path) << "listeners=http://127.0.0.1:1111\n"
                         "bootstrap.servers=file:9092\n"
                         "ksql.service.id=from_file_\n"
                         "ksql.persistence.default.format.key=JSON\n";
  auto c = ParseCommandLine({"-D", "ksql.service.id=from_define_", "--config", path,
                             "--bootstrap-servers=flag:9092", "-Dlisteners=http://127.0.0.1:2222",
                             "--script", "x.sql"});
  std::remove(path);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->listeners, "http://127.0.0.1:2222");  // -D over the file
  EXPECT_EQ(c->bootstrap_servers, "flag:9092");      // flag over the file
  EXPECT_EQ(c->service_id, "from_define_");          // -D over the file
  EXPECT_EQ(c->ksql_properties.at("ksql.persistence.default.format.key"), "JSON");
  EXPECT_EQ(c->script_file, "x.sql");
}

TEST(ServerConfigTest, CommandLineErrors) {
  EXPECT_EQ(ParseCommandLine({"--bogus"}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseCommandLine({"--listeners"}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseCommandLine({"-D", "novalue"}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseCommandLine({"--config", "/nonexistent/brookd.properties"}).status().code(),
            StatusCode::kIOError);
  EXPECT_EQ(ParseCommandLine({"--help"}).status().code(), StatusCode::kNotFound);
  // https needs a PEM keystore; BASIC needs a users file: refused before anything starts.
  EXPECT_EQ(ParseCommandLine({"--listeners", "https://0.0.0.0:8088"}).status().code(),
            StatusCode::kInvalidArgument);
  // A keystore that is not there is named as missing, whatever its type.
  auto missing = ParseCommandLine(
      {"--listeners", "https://0.0.0.0:8088", "-D", "ssl.keystore.location=/no/such/k.jks"});
  EXPECT_EQ(missing.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(missing.status().message().find("Cannot read ssl.keystore.location '/no/such/k.jks'"),
            std::string::npos)
      << missing.status().message();
  // One that is there but JKS: refused with the way to PEM.
  const std::string jks =
      (std::filesystem::temp_directory_path() / "brook-config-test.jks").string();
  { std::ofstream(jks) << "not a keystore"; }
  EXPECT_EQ(ParseCommandLine(
                {"--listeners", "https://0.0.0.0:8088", "-D", "ssl.keystore.location=" + jks})
                .status()
                .code(),
            StatusCode::kUnsupported);
  std::filesystem::remove(jks);
  EXPECT_EQ(ParseCommandLine({"-D", "authentication.method=BASIC"}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseCommandLine({"-D", "ssl.keystore.location=/k.pem"}).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(ServerListenerTest, Parses) {
  auto l = ParseListener("http://0.0.0.0:8088");
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->host, "0.0.0.0");
  EXPECT_EQ(l->port, 8088);
  l = ParseListener(" HTTP://localhost:0/ ");
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->host, "localhost");
  EXPECT_EQ(l->port, 0);
  l = ParseListener("http://[::1]:9000");
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->host, "::1");
  EXPECT_EQ(l->port, 9000);
}

TEST(ServerListenerTest, Rejects) {
  EXPECT_EQ(ParseListener("0.0.0.0:8088").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseListener("http://host").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseListener("http://host:99999").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseListener("http://:80").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseListener("http://a:1,http://b:2").status().code(), StatusCode::kUnsupported);
  ASSERT_TRUE(ParseListener("https://a:1").ok());
  EXPECT_TRUE(ParseListener("https://a:1")->tls);
  EXPECT_FALSE(ParseListener("http://a:1")->tls);
}

}  // namespace
}  // namespace brook::server
