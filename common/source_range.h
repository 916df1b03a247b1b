// SourceRange: where in the SQL text a node or an error lives.
#pragma once

#include <cstddef>

namespace brook {

struct SourceRange {
  int line = 0;          // 1-based; 0 = unknown
  int column = 0;        // 0-based column of the first character (ksqlDB prints "line L:C+1")
  size_t begin = 0;      // byte offset of the first character in the statement text
  size_t end = 0;        // byte offset one past the last character

  bool valid() const { return line > 0; }
};

}  // namespace brook
