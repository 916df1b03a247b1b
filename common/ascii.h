// ASCII case helpers. SQL keywords, identifiers, format and unit names compare without regard
// to ASCII case; bytes >= 0x80 are left alone and the locale plays no part.
#pragma once

#include <string>
#include <string_view>

namespace brook {

inline char AsciiUpper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c; }
inline char AsciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

inline void AsciiUpperInPlace(std::string& s) {
  for (char& c : s) c = AsciiUpper(c);
}
inline void AsciiLowerInPlace(std::string& s) {
  for (char& c : s) c = AsciiLower(c);
}
inline std::string AsciiUpper(std::string_view s) {
  std::string out(s);
  AsciiUpperInPlace(out);
  return out;
}
inline std::string AsciiLower(std::string_view s) {
  std::string out(s);
  AsciiLowerInPlace(out);
  return out;
}
// The value of a hexadecimal digit, or -1.
inline int HexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

inline bool EqualsIgnoreAsciiCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  }
  return true;
}

}  // namespace brook
