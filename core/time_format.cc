#include "core/time_format.h"

#include <chrono>
#include <climits>

namespace logship {
namespace {

void put_digits(char* at, int64_t v, int width) {
  for (int i = width - 1; i >= 0; --i) {
    at[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
}

// "YYYY-MM-DDTHH:MM:SS" of Unix seconds, by Howard Hinnant's civil_from_days: no libc call,
// because gmtime_r takes glibc's time zone lock, which parsing threads would queue on.
void format_seconds(int64_t secs, char* out) {
  int64_t days = secs / 86400;
  int64_t rem = secs % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const int64_t doe = days - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const int64_t year = yoe + era * 400 + (month <= 2);
  put_digits(out, year, 4);
  out[4] = '-';
  put_digits(out + 5, month, 2);
  out[7] = '-';
  put_digits(out + 8, day, 2);
  out[10] = 'T';
  put_digits(out + 11, rem / 3600, 2);
  out[13] = ':';
  put_digits(out + 14, rem / 60 % 60, 2);
  out[16] = ':';
  put_digits(out + 17, rem % 60, 2);
}

void append_rfc3339(std::string& out, int64_t unix_nanos, int fraction_digits) {
  int64_t secs = unix_nanos / 1000000000;
  int64_t frac = unix_nanos % 1000000000;
  if (frac < 0) {
    frac += 1000000000;
    --secs;
  }
  // Events of one batch mostly share their second: keep the last one formatted.
  thread_local int64_t cached_secs = INT64_MIN;
  thread_local char text[32];
  if (secs != cached_secs) {
    format_seconds(secs, text);
    text[19] = '.';
    cached_secs = secs;
  }
  int64_t divisor = 1;
  for (int i = fraction_digits; i < 9; ++i) divisor *= 10;
  put_digits(text + 20, frac / divisor, fraction_digits);
  text[20 + fraction_digits] = 'Z';
  out.append(text, static_cast<size_t>(21 + fraction_digits));
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
