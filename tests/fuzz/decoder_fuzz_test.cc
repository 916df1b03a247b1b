// Drives the decoder fuzz target (decoder_fuzz.cc) without libFuzzer: every record value of the
// QTT cases (brook's, and ksqlDB's in ../shared/qtt when present) as a seed for every schema and
// format, then deterministic mutations of each (bit flips, cuts, repeats, special bytes, deep
// nesting). Built and run under ASan and UBSan by the test command (tests/sanitize/).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
size_t DecoderFuzzDecodedCount();

namespace {

namespace fs = std::filesystem;

void RunTarget(uint8_t selector, const std::string& record) {
  std::string input(1, static_cast<char>(selector));
  input += record;
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
}

std::vector<std::string> Seeds() {
  std::vector<std::string> seeds = {
      "",
      "{}",
      "[]",
      "null",
      "{\"I\":1e400,\"L\":-99999999999999999999,\"D\":\"NaN\"}",
      "1,2,3",
      "\"a\",\"b",
      std::string(100'000, '['),
      std::string(100'000, '{'),
      "{\"ARR\":[1,2,null,\"x\"],\"M\":{\"a\":1},\"ST\":{\"A\":\"2\",\"B\":[{\"k\":1.5}]}}",
      "{\"DEC\":1e38,\"BIG\":0.123456789012345678901234567890123456789,\"BY\":\"!!\"}",
      "{\"DT\":-9223372036854775808,\"TM\":1e300,\"TS\":\"2020-13-45\"}",
      "\xff\xfe{\"S\":\"\xc3\"}",
      "1,\"unterminated",
      "a,\"b\"\"c\",d"};
  std::vector<fs::path> dirs;
  if (const char* src = std::getenv("BROOK_SOURCE_DIR")) {
    dirs.push_back(fs::path(src) / "tests" / "qtt");
    dirs.push_back(fs::path(src) / ".." / "shared" / "qtt");
  }
  for (const fs::path& dir : dirs) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) continue;
    for (const auto& entry : fs::recursive_directory_iterator(dir, ec)) {
      if (entry.path().extension() != ".json") continue;
      std::ifstream in(entry.path());
      nlohmann::json doc = nlohmann::json::parse(in, nullptr, false, /*ignore_comments=*/true);
      if (!doc.is_object() || !doc.contains("tests") || !doc["tests"].is_array()) continue;
      for (const auto& t : doc["tests"]) {
        if (!t.is_object() || !t.contains("inputs") || !t["inputs"].is_array()) continue;
        for (const auto& r : t["inputs"]) {
          if (!r.is_object() || !r.contains("value")) continue;
          const auto& v = r["value"];
          seeds.push_back(v.is_string() ? v.get<std::string>() : v.dump());
        }
      }
    }
  }
  return seeds;
}

std::string Mutate(const std::string& s, std::mt19937_64& rng) {
  static const char* kSpecial[] = {"\"", "\\",   "{",       "}",       "[",    "]",
                                   ",",  ":",    "\0",      "\xff",    "\xc3", "1e999",
                                   "-",  "null", "\\u0000", "\\ud800", "|"};
  std::string out = s;
  switch (rng() % 6) {
    case 0:  // flip a bit
      if (!out.empty()) out[rng() % out.size()] ^= static_cast<char>(1 << (rng() % 8));
      break;
    case 1:  // cut
      if (!out.empty()) out.resize(rng() % out.size());
      break;
    case 2: {  // insert a special token
      const char* t = kSpecial[rng() % (sizeof(kSpecial) / sizeof(kSpecial[0]))];
      out.insert(out.empty() ? 0 : rng() % out.size(), std::string(t, t[0] ? std::strlen(t) : 1));
      break;
    }
    case 3:  // repeat a slice
      if (!out.empty() && out.size() < 100'000) {
        size_t a = rng() % out.size();
        out.insert(a, out.substr(a, 1 + rng() % 64));
      }
      break;
    case 4:  // nest deeper
      out = "[" + out + "]";
      break;
    default:  // drop a byte
      if (!out.empty()) out.erase(rng() % out.size(), 1);
  }
  return out;
}

TEST(DecoderFuzzTest, SeedsAndMutationsNeverCrash) {
  const std::vector<std::string> seeds = Seeds();
  ASSERT_GT(seeds.size(), 10u);
  std::mt19937_64 rng(20261207);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  size_t runs = 0;
  for (const std::string& seed : seeds) {
    for (int selector = 0; selector < 32; ++selector) {
      RunTarget(static_cast<uint8_t>(selector), seed);
      ++runs;
    }
    std::string m = seed;
    for (int i = 0; i < 24 && std::chrono::steady_clock::now() < deadline; ++i) {
      m = i % 6 == 0 ? seed : Mutate(m, rng);
      RunTarget(static_cast<uint8_t>(rng()), m);
      ++runs;
    }
  }
  std::printf("%zu seeds, %zu runs, %zu decoded\n", seeds.size(), runs, DecoderFuzzDecodedCount());
  EXPECT_GT(runs, seeds.size());
  EXPECT_GT(DecoderFuzzDecodedCount(), seeds.size() / 4);  // the seeds reach real decoding
}

}  // namespace
