// Base64 (RFC 4648, with padding), used for BYTES in JSON and DELIMITED and for headers.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace brook {
std::string Base64Encode(std::string_view bytes);
std::optional<std::string> Base64Decode(std::string_view text);
}  // namespace brook
