// libFuzzer target: the pt-query-digest fingerprint on arbitrary bytes.
#include <cstdlib>

#include "parser/sql_fingerprint/fingerprint.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static logship::Fingerprinter fp;
  std::string_view query(reinterpret_cast<const char*>(data), size);
  std::string_view f = fp.fingerprint(query);
  // A fingerprint only ever shrinks text, but for the "/*repeat union…*/" note and "(?+)" lists.
  if (f.size() > size + 32 && f.find("/*repeat") == std::string_view::npos && f.find("(?+)") == std::string_view::npos) std::abort();
  std::string id = logship::query_id(f);
  if (id.size() != 32) std::abort();
  return 0;
}
