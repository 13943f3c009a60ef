// Query fingerprints and ids exactly as pt-query-digest 3.5 computes them, so that reports
// from logship and from Percona Toolkit can be cross-referenced by id.
//
//   Fingerprinter fp;                                   // reuse: its buffers stay allocated
//   std::string_view f = fp.fingerprint("SELECT * FROM t WHERE id=5");
//   // f == "select * from t where id=?"   (valid until the next call)
//   std::string id = query_id(f);                       // "74F34FAAAB403184C4C6DC6695C38A4C"
//
// The rules (see ../shared/SLOWLOG.md) were regular expressions applied one after the other in
// Perl. Here each is a hand-written linear scan over a byte buffer, in the same order, with
// the same match semantics (leftmost, lazy or greedy as the original, matches not
// overlapping), so that every quirk comes out the same: `t1` becomes `t?`, `0xFF` becomes
// `?ff`, `'it''s'` becomes `?'s'`. Bytes, not characters: only ASCII is lower-cased.
#pragma once

#include <string>
#include <string_view>

namespace logship {

class Fingerprinter {
 public:
  std::string_view fingerprint(std::string_view query);

 private:
  std::string a_;
  std::string b_;
};

std::string fingerprint(std::string_view query);

// 32 upper-case hex digits of the MD5 of the fingerprint (pt-query-digest's query id).
std::string query_id(std::string_view fingerprint);
void append_query_id(std::string& out, std::string_view fingerprint);

}  // namespace logship
