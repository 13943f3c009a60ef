// gzip (RFC 1952) compression of request bodies with zlib, reusing one stream's memory.
//
//   GzipCompressor gz(1);               // level 1: bulk bodies compress ~8x already, fast
//   gz.compress(body, compressed);      // replaces the contents of `compressed`
#pragma once

#include <zlib.h>

#include <string>
#include <string_view>

namespace logship {

class GzipCompressor {
 public:
  explicit GzipCompressor(int level);
  ~GzipCompressor();
  GzipCompressor(const GzipCompressor&) = delete;
  GzipCompressor& operator=(const GzipCompressor&) = delete;
  void compress(std::string_view in, std::string& out);

 private:
  z_stream stream_{};
};

}  // namespace logship
