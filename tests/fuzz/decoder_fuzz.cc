// libFuzzer target: arbitrary bytes as a record value through the JSON and DELIMITED
// decoders, and what decodes back through the encoder. Nothing a record carries may crash,
// hang or read out of bounds. The first input byte picks the schema and the format, the rest is
// the record.
//
// With clang: cmake -DCMAKE_CXX_COMPILER=clang++ -DBROOK_LIBFUZZER=ON, then
//   build/tests/fuzz/decoder_fuzzer -max_total_time=600 CORPUS_DIR
// With GCC (CI), tests/fuzz/decoder_fuzz_test.cc drives the same function over the QTT inputs
// and deterministic mutations of them, under ASan and UBSan in the test command.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "runtime/serde/serde.h"

namespace {

using brook::Column;
using brook::SqlType;
using brook::TypePtr;

std::vector<std::vector<Column>> Schemas() {
  auto col = [](const char* n, TypePtr t) { return Column{n, std::move(t)}; };
  TypePtr st =
      SqlType::Struct({{"A", SqlType::Int()},
                       {"B", SqlType::Array(SqlType::Map(SqlType::String(), SqlType::Double()))}});
  return {
      {col("I", SqlType::Int()), col("L", SqlType::Bigint()), col("D", SqlType::Double()),
       col("S", SqlType::String()), col("B", SqlType::Boolean())},
      {col("DEC", SqlType::Decimal(10, 2)), col("BIG", SqlType::Decimal(38, 38)),
       col("BY", SqlType::Bytes())},
      {col("DT", SqlType::Date()), col("TM", SqlType::Time()), col("TS", SqlType::Timestamp())},
      {col("ARR", SqlType::Array(SqlType::Int())),
       col("M", SqlType::Map(SqlType::String(), SqlType::String())), col("ST", st)},
      {col("NESTED", SqlType::Array(SqlType::Array(st)))},
      {col("ONE", SqlType::String())},
  };
}

struct Case {
  std::unique_ptr<brook::Serde> serde;
  size_t columns;
};

std::vector<Case> MakeCases() {
  std::vector<Case> cases;
  for (const auto& schema : Schemas()) {
    for (const char* format : {"JSON", "DELIMITED"}) {
      for (bool wrap : {true, false}) {
        if (!wrap && schema.size() != 1) continue;  // unwrapping needs a single column
        for (const char* delim : {",", "|", "\t"}) {
          if (std::string_view(format) == "JSON" && std::string_view(delim) != ",") continue;
          brook::FormatInfo f;
          f.name = format;
          f.delimiter = delim;
          f.wrap_single = wrap;
          auto serde = brook::MakeSerde(f, schema, /*is_key=*/false);
          if (serde.ok()) cases.push_back({std::move(serde).value(), schema.size()});
        }
      }
    }
  }
  return cases;
}

}  // namespace

// Inputs that decoded (for the driver: proof that the seeds reach the decoders' real work).
static size_t decoded_count = 0;
size_t DecoderFuzzDecodedCount() { return decoded_count; }

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static std::vector<Case> cases = MakeCases();
  if (size == 0 || cases.empty()) return 0;
  Case& c = cases[data[0] % cases.size()];
  std::string_view record(reinterpret_cast<const char*>(data + 1), size - 1);
  std::vector<brook::Value> values(c.columns);
  brook::Status st = c.serde->Decode(record, values.data());
  if (st.ok()) {
    ++decoded_count;
    auto encoded = c.serde->Encode(values.data());
    (void)encoded;
  }
  return 0;
}
