#include "core/time_format.h"

#include <chrono>
#include <ctime>

namespace logship {
namespace {

void append_digits(std::string& out, int64_t v, int width) {
  char buf[20];
  for (int i = width - 1; i >= 0; --i) {
    buf[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  out.append(buf, static_cast<size_t>(width));
}

void append_rfc3339(std::string& out, int64_t unix_nanos, int fraction_digits) {
  int64_t secs = unix_nanos / 1000000000;
  int64_t frac = unix_nanos % 1000000000;
  if (frac < 0) {
    frac += 1000000000;
    --secs;
  }
  time_t t = static_cast<time_t>(secs);
  struct tm tm;
  gmtime_r(&t, &tm);
  append_digits(out, tm.tm_year + 1900, 4);
  out.push_back('-');
  append_digits(out, tm.tm_mon + 1, 2);
  out.push_back('-');
  append_digits(out, tm.tm_mday, 2);
  out.push_back('T');
  append_digits(out, tm.tm_hour, 2);
  out.push_back(':');
  append_digits(out, tm.tm_min, 2);
  out.push_back(':');
  append_digits(out, tm.tm_sec, 2);
  out.push_back('.');
  int64_t divisor = 1;
  for (int i = fraction_digits; i < 9; ++i) divisor *= 10;
  append_digits(out, frac / divisor, fraction_digits);
  out.push_back('Z');
}

}  // namespace

int64_t now_unix_nanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void append_rfc3339_millis(std::string& out, int64_t unix_nanos) { append_rfc3339(out, unix_nanos, 3); }
void append_rfc3339_micros(std::string& out, int64_t unix_nanos) { append_rfc3339(out, unix_nanos, 6); }

}  // namespace logship
