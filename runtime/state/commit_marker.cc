#include "runtime/state/commit_marker.h"

#include <charconv>

namespace brook::state {

namespace {

constexpr std::string_view kVersionLine = "brook-commit 1";

// Splits off the text up to the next '\n' (which must be there).
std::optional<std::string_view> NextLine(std::string_view& rest) {
  size_t nl = rest.find('\n');
  if (nl == std::string_view::npos) return std::nullopt;
  std::string_view line = rest.substr(0, nl);
  rest.remove_prefix(nl + 1);
  return line;
}

template <typename T>
std::optional<T> ParseNumber(std::string_view text) {
  T v{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return v;
}

}  // namespace

std::string EncodeCommitMarker(const CommitMarker& marker) {
  std::string out(kVersionLine);
  out += "\nseq " + std::to_string(marker.seq) + "\n";
  for (const kafka::TopicPartitionOffset& o : marker.offsets) {
    out += std::to_string(o.partition) + " " + std::to_string(o.offset) + " " + o.topic + "\n";
  }
  return out;
}

std::optional<CommitMarker> DecodeCommitMarker(std::string_view value) {
  if (value.size() > kMaxCommitMarkerBytes) return std::nullopt;
  std::string_view rest = value;
  auto version = NextLine(rest);
  if (!version || *version != kVersionLine) return std::nullopt;
  auto seq_line = NextLine(rest);
  if (!seq_line || seq_line->substr(0, 4) != "seq ") return std::nullopt;
  auto seq = ParseNumber<int64_t>(seq_line->substr(4));
  if (!seq || *seq < 0) return std::nullopt;
  CommitMarker marker;
  marker.seq = *seq;
  while (!rest.empty()) {
    auto line = NextLine(rest);
    if (!line || marker.offsets.size() >= kMaxCommitMarkerOffsets) return std::nullopt;
    size_t a = line->find(' ');
    size_t b = a == std::string_view::npos ? a : line->find(' ', a + 1);
    if (b == std::string_view::npos) return std::nullopt;
    auto partition = ParseNumber<int32_t>(line->substr(0, a));
    auto offset = ParseNumber<int64_t>(line->substr(a + 1, b - a - 1));
    std::string_view topic = line->substr(b + 1);
    if (!partition || *partition < 0 || !offset || *offset < 0 || topic.empty()) {
      return std::nullopt;
    }
    marker.offsets.push_back({std::string(topic), *partition, *offset});
  }
  return marker;
}

bool IsCommitMarker(const kafka::RecordView& record) {
  if (record.headers == nullptr) return false;
  for (const kafka::Header& h : *record.headers) {
    if (h.key == kCommitMarkerHeader) return true;
  }
  return false;
}

}  // namespace brook::state
