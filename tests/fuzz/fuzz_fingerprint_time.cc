// libFuzzer target: fingerprinting time grows linearly with the query. The first two bytes
// split the rest of the input into a head, a unit and a tail; the query is head + the unit
// repeated + tail, about 16 KB and then 128 KB long ("SELECT 1 " + "#"×n + "'" is one such
// family). Eight times the bytes may take about eight times as long; a finding is a ratio past
// 32 (quadratic work gives 64) on a run long enough to time. Slow per execution, but every
// input is a family of long queries, where quadratic loops show.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "parser/sql_fingerprint/fingerprint.h"

namespace {

double seconds_to_fingerprint(logship::Fingerprinter& fp, const std::string& query) {
  auto start = std::chrono::steady_clock::now();
  std::string_view f = fp.fingerprint(query);
  if (f.size() > 2 * query.size() + 64) std::abort();  // a fingerprint never grows much
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::string repeated(std::string_view head, std::string_view unit, std::string_view tail, size_t size) {
  std::string out(head);
  out.reserve(size + unit.size() + tail.size());
  while (out.size() < size) out.append(unit);
  out.append(tail);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static logship::Fingerprinter fp;
  if (size < 3) return 0;
  std::string_view rest(reinterpret_cast<const char*>(data) + 2, size - 2);
  size_t a = data[0] % rest.size(), b = data[1] % rest.size();
  if (a > b) std::swap(a, b);
  std::string_view head = rest.substr(0, a), unit = rest.substr(a, b - a), tail = rest.substr(b);
  if (unit.empty()) {
    unit = rest;
    head = tail = {};
  }
  std::string small = repeated(head, unit, tail, 16 << 10);
  std::string large = repeated(head, unit, tail, 128 << 10);
  double t_small = seconds_to_fingerprint(fp, small);
  double t_large = seconds_to_fingerprint(fp, large);
  if (t_large > 0.05 && t_large > 32 * std::max(t_small, 0.002)) {
    // Timing is noisy: measure again before calling it a finding.
    t_small = seconds_to_fingerprint(fp, small);
    t_large = seconds_to_fingerprint(fp, large);
    if (t_large > 0.05 && t_large > 32 * std::max(t_small, 0.002)) {
      std::fprintf(stderr, "fingerprint is superlinear: 16 KB in %.3f s, 128 KB in %.3f s\n", t_small, t_large);
      std::abort();
    }
  }
  return 0;
}
