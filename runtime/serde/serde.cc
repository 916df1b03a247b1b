#include "runtime/serde/serde.h"

namespace brook {

std::unique_ptr<Serde> MakeJsonSerde(std::vector<Column> columns, bool unwrapped,
                                     std::vector<bool> needed);
std::unique_ptr<Serde> MakeKafkaSerde(std::vector<Column> columns);
std::unique_ptr<Serde> MakeNoneSerde();
std::unique_ptr<Serde> MakeDelimitedSerde(std::vector<Column> columns, char delimiter);

Result<std::unique_ptr<Serde>> MakeSerde(const FormatInfo& format, std::vector<Column> columns,
                                         bool is_key, std::vector<bool> needed) {
  const std::string& f = format.name;
  if (f == "JSON") {
    bool unwrapped = columns.size() == 1 && (is_key || !format.wrap_single);
    return MakeJsonSerde(std::move(columns), unwrapped, std::move(needed));
  }
  if (f == "KAFKA") {
    if (columns.size() > 1) {
      return InvalidArgument("The 'KAFKA' format only supports a single field.");
    }
    return MakeKafkaSerde(std::move(columns));
  }
  if (f == "DELIMITED") {
    return MakeDelimitedSerde(std::move(columns), format.delimiter.empty() ? ',' : format.delimiter[0]);
  }
  if (f == "NONE") return MakeNoneSerde();
  return Unsupported("The '" + f + "' format is not supported by brook yet.");
}

}  // namespace brook
