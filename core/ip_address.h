// IP address text: whether it is one, and whether it is a client on the internet (the nginx
// rules pick such a client out of an X-Forwarded-For chain; the geoip transform looks only
// such addresses up).
#pragma once

#include <string_view>

namespace logship {

// An IPv4 or IPv6 address (brackets around IPv6 allowed), its 16 bytes in `bytes` (IPv4 in the
// first 4, `v4` set).
bool parse_ip(std::string_view v, unsigned char bytes[16], bool& v4);

// Addresses that are not a client on the internet: private, loopback, link-local, carrier-grade
// NAT, unspecified, multicast and broadcast (IPv4; also mapped into IPv6 as ::ffff:a.b.c.d);
// loopback, unspecified, unique local, link-local and multicast (IPv6). What Filebeat's nginx
// module skips when it picks the client out of an X-Forwarded-For list.
bool non_public_ip(const unsigned char bytes[16], bool v4);

}  // namespace logship
