#include "core/ip_address.h"

#include <arpa/inet.h>

#include <cstring>

namespace logship {

bool parse_ip(std::string_view v, unsigned char bytes[16], bool& v4) {
  if (v.size() > 2 && v.front() == '[' && v.back() == ']') v = v.substr(1, v.size() - 2);
  char text[64];  // the longest IPv6 text is 45 bytes
  if (v.empty() || v.size() >= sizeof(text) || std::memchr(v.data(), 0, v.size()) != nullptr) return false;
  std::memcpy(text, v.data(), v.size());
  text[v.size()] = '\0';
  v4 = ::inet_pton(AF_INET, text, bytes) == 1;
  return v4 || ::inet_pton(AF_INET6, text, bytes) == 1;
}

bool non_public_ip(const unsigned char b[16], bool v4) {
  if (v4)
    return b[0] == 0 || b[0] == 10 || b[0] == 127 || (b[0] == 172 && (b[1] & 0xF0) == 16) || (b[0] == 192 && b[1] == 168) ||
           (b[0] == 169 && b[1] == 254) || (b[0] == 100 && (b[1] & 0xC0) == 64) || b[0] >= 224;
  static const unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
  if (std::memcmp(b, kMapped, 12) == 0) return non_public_ip(b + 12, true);
  static const unsigned char kZero[15] = {};
  bool loopback_or_unspecified = std::memcmp(b, kZero, 15) == 0 && b[15] <= 1;
  return loopback_or_unspecified || (b[0] & 0xFE) == 0xFC || (b[0] == 0xFE && (b[1] & 0xC0) == 0x80) || b[0] == 0xFF;
}

}  // namespace logship
