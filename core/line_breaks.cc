#include "core/line_breaks.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "core/byte_words.h"

namespace logship {

bool has_line_break(const char* text, size_t size) {
  size_t i = 0;
#if defined(__SSE2__)
  const __m128i lf = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r');
  for (; i + 16 <= size; i += 16) {
    __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text + i));
    if (_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(chunk, lf), _mm_cmpeq_epi8(chunk, cr))) != 0) return true;
  }
#endif
  for (; i + 8 <= size; i += 8) {
    uint64_t w = byte_words::load(text + i);
    if ((byte_words::bytes_equal(w, '\n') | byte_words::bytes_equal(w, '\r')) != 0) return true;
  }
  for (; i < size; ++i)
    if (text[i] == '\n' || text[i] == '\r') return true;
  return false;
}

void blank_line_breaks(std::string_view text, std::string& out) {
  out.assign(text);
  bool in_string = false;
  for (size_t i = 0; i < out.size(); ++i) {
    char c = out[i];
    if (in_string) {
      if (c == '\\') ++i;  // the escaped byte, whatever it is
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '\n' || c == '\r') {
      out[i] = ' ';
    }
  }
}

}  // namespace logship
