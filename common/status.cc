#include "common/status.h"

#include "common/diagnostic.h"

namespace brook {

const char* StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "OK";
    case StatusCode::kInvalidArgument: return "InvalidArgument";
    case StatusCode::kParseError: return "ParseError";
    case StatusCode::kAstError:
      return "AstError";
    case StatusCode::kNotFound: return "NotFound";
    case StatusCode::kAlreadyExists: return "AlreadyExists";
    case StatusCode::kUnsupported: return "Unsupported";
    case StatusCode::kIOError: return "IOError";
    case StatusCode::kTimeout: return "Timeout";
    case StatusCode::kResourceExhausted:
      return "ResourceExhausted";
    case StatusCode::kInternal: return "Internal";
  }
  return "Unknown";
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  return std::string(StatusCodeName(code_)) + ": " + PositionedMessage(*this);
}

std::string PositionedMessage(const Status& status) {
  if (status.range() && status.range()->valid()) {
    const SourceRange& r = *status.range();
    // ksqlDB's two spellings: syntax errors "line 1:8: ...", semantic errors
    // "Line: 1, Col: 8: ...".
    if (status.code() == StatusCode::kParseError) {
      return "line " + std::to_string(r.line) + ":" + std::to_string(r.column + 1) + ": " +
             status.message();
    }
    return "Line: " + std::to_string(r.line) + ", Col: " + std::to_string(r.column + 1) + ": " +
           status.message();
  }
  return status.message();
}

std::string RenderDiagnostic(const Status& status, std::string_view sql) {
  std::string out = PositionedMessage(status);
  if (!status.range() || !status.range()->valid()) return out;
  const SourceRange& r = *status.range();
  // Find the line containing r.begin.
  size_t begin = r.begin <= sql.size() ? r.begin : sql.size();
  size_t line_start = sql.rfind('\n', begin == 0 ? 0 : begin - 1);
  line_start = (line_start == std::string_view::npos || begin == 0) ? 0 : line_start + 1;
  if (begin > 0 && sql[begin - 1] == '\n') line_start = begin;
  size_t line_end = sql.find('\n', begin);
  if (line_end == std::string_view::npos) line_end = sql.size();
  std::string prefix = "LINE " + std::to_string(r.line) + ": ";
  out += "\n" + prefix + std::string(sql.substr(line_start, line_end - line_start)) + "\n";
  size_t col = begin - line_start;
  size_t width = r.end > begin ? std::min(r.end, line_end) - begin : 1;
  if (width == 0) width = 1;
  out += std::string(prefix.size() + col, ' ') + std::string(width, '^');
  return out;
}

}  // namespace brook
