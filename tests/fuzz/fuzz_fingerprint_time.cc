// libFuzzer target: fingerprinting time grows linearly with the query. The input is repeated
// into a 16 KB and a 128 KB query; eight times the bytes may take about eight times as long,
// and a finding is a ratio past 32 (quadratic work gives 64) on a run long enough to time.
// Slow per execution, but every input is a family of long queries, where quadratic loops show.
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

std::string repeated(std::string_view unit, size_t size) {
  std::string out;
  out.reserve(size + unit.size());
  while (out.size() < size) out.append(unit);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static logship::Fingerprinter fp;
  if (size == 0) return 0;
  std::string_view unit(reinterpret_cast<const char*>(data), size);
  std::string small = repeated(unit, 16 << 10);
  std::string large = repeated(unit, 128 << 10);
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
