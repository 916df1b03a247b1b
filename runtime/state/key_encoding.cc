#include "runtime/state/key_encoding.h"

namespace brook::state {

namespace {
constexpr char kEscape = '\x00';
constexpr char kEscapedZero = '\xFF';
constexpr char kTerminator = '\x01';
constexpr uint64_t kSignBit = uint64_t{1} << 63;
}  // namespace

void AppendOrderedInt64(int64_t v, std::string& out) {
  uint64_t u = static_cast<uint64_t>(v) ^ kSignBit;
  for (int shift = 56; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((u >> shift) & 0xFF));
  }
}

Result<int64_t> DecodeOrderedInt64(std::string_view in) {
  if (in.size() < kOrderedInt64Size) {
    return InvalidArgument("ordered int64 needs 8 bytes, got " + std::to_string(in.size()));
  }
  uint64_t u = 0;
  for (size_t i = 0; i < kOrderedInt64Size; ++i) {
    u = (u << 8) | static_cast<uint8_t>(in[i]);
  }
  return static_cast<int64_t>(u ^ kSignBit);
}

std::string EncodeKeyPrefix(std::string_view key) {
  std::string out;
  out.reserve(key.size() + 2 + kOrderedInt64Size);
  for (char c : key) {
    out.push_back(c);
    if (c == kEscape) out.push_back(kEscapedZero);
  }
  out.push_back(kEscape);
  out.push_back(kTerminator);
  return out;
}

std::string EncodeKeyTime(std::string_view key, int64_t window_start) {
  std::string out = EncodeKeyPrefix(key);
  AppendOrderedInt64(window_start, out);
  return out;
}

Result<KeyTime> DecodeKeyTime(std::string_view encoded) {
  KeyTime kt;
  size_t i = 0;
  for (;;) {
    if (i >= encoded.size()) return InvalidArgument("key-time encoding: missing key terminator");
    char c = encoded[i++];
    if (c != kEscape) {
      kt.key.push_back(c);
      continue;
    }
    if (i >= encoded.size()) return InvalidArgument("key-time encoding: truncated escape");
    char next = encoded[i++];
    if (next == kEscapedZero) {
      kt.key.push_back(kEscape);
    } else if (next == kTerminator) {
      break;
    } else {
      return InvalidArgument("key-time encoding: bad escape byte");
    }
  }
  if (encoded.size() - i != kOrderedInt64Size) {
    return InvalidArgument("key-time encoding: expected 8 time bytes after the key");
  }
  ASSIGN_OR_RETURN(kt.time, DecodeOrderedInt64(encoded.substr(i)));
  return kt;
}

std::string EncodeTimeKey(int64_t time, std::string_view key) {
  std::string out;
  out.reserve(kOrderedInt64Size + key.size());
  AppendOrderedInt64(time, out);
  out.append(key);
  return out;
}

Result<KeyTime> DecodeTimeKey(std::string_view encoded) {
  KeyTime kt;
  ASSIGN_OR_RETURN(kt.time, DecodeOrderedInt64(encoded));
  kt.key = std::string(encoded.substr(kOrderedInt64Size));
  return kt;
}

std::string PrefixSuccessor(std::string_view prefix) {
  std::string out(prefix);
  while (!out.empty()) {
    auto last = static_cast<uint8_t>(out.back());
    if (last != 0xFF) {
      out.back() = static_cast<char>(last + 1);
      return out;
    }
    out.pop_back();
  }
  return out;
}

}  // namespace brook::state
