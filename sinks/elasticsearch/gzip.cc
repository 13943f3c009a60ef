#include "sinks/elasticsearch/gzip.h"

#include <stdexcept>

namespace logship {

GzipCompressor::GzipCompressor(int level) {
  // windowBits 15 + 16: a gzip header and trailer instead of zlib's.
  if (deflateInit2(&stream_, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("zlib deflateInit2 failed");
}

GzipCompressor::~GzipCompressor() { deflateEnd(&stream_); }

void GzipCompressor::compress(std::string_view in, std::string& out) {
  deflateReset(&stream_);
  out.resize(deflateBound(&stream_, static_cast<uLong>(in.size())));
  stream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  stream_.avail_in = static_cast<uInt>(in.size());
  stream_.next_out = reinterpret_cast<Bytef*>(out.data());
  stream_.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&stream_, Z_FINISH);
  if (rc != Z_STREAM_END) throw std::runtime_error("zlib deflate did not finish");
  out.resize(stream_.total_out);
}

}  // namespace logship
