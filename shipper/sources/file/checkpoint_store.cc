#include "shipper/sources/file/checkpoint_store.h"

#include <fcntl.h>
#include <simdjson.h>
#include <unistd.h>
#include <xxhash.h>

#include <cerrno>
#include <filesystem>
#include <fstream>

#include "core/json_writer.h"
#include "core/private_files.h"

namespace logship {

bool fingerprint_file(int fd, uint32_t length, uint64_t& out) {
  std::string buf(length, '\0');
  size_t got = 0;
  while (got < length) {
    ssize_t n = ::pread(fd, buf.data() + got, length - got, static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    got += static_cast<size_t>(n);
  }
  out = XXH3_64bits(buf.data(), buf.size());
  return true;
}

Result<std::vector<FileCheckpoint>> CheckpointStore::load() const {
  std::vector<FileCheckpoint> out;
  std::error_code ec;
  if (!std::filesystem::exists(path_, ec)) return out;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (auto err = parser.load(path_).get(doc)) {
    return Error::invalid("checkpoint file " + path_ + " is unreadable (" + simdjson::error_message(err) +
                          "); move it away to start over");
  }
  simdjson::dom::array files;
  if (doc["files"].get_array().get(files)) return Error::invalid("checkpoint file " + path_ + " has no files list");
  for (simdjson::dom::element f : files) {
    FileCheckpoint c;
    std::string_view path;
    uint64_t fp_bytes = 0;
    if (f["path"].get_string().get(path) || f["device"].get_uint64().get(c.device) || f["inode"].get_uint64().get(c.inode) ||
        f["offset"].get_uint64().get(c.offset) || f["fingerprint_bytes"].get_uint64().get(fp_bytes) ||
        f["fingerprint"].get_uint64().get(c.fingerprint)) {
      return Error::invalid("checkpoint file " + path_ + " has an incomplete entry");
    }
    c.path = std::string(path);
    c.fingerprint_bytes = static_cast<uint32_t>(fp_bytes);
    out.push_back(std::move(c));
  }
  return out;
}

Status CheckpointStore::save(const std::vector<FileCheckpoint>& files) const {
  std::string text = "{\"version\":1,\"files\":[";
  for (size_t i = 0; i < files.size(); ++i) {
    const auto& f = files[i];
    if (i) text += ",";
    text += "\n{\"path\":";
    append_json_string(text, f.path);
    text += ",\"device\":" + std::to_string(f.device) + ",\"inode\":" + std::to_string(f.inode) +
            ",\"offset\":" + std::to_string(f.offset) + ",\"fingerprint_bytes\":" + std::to_string(f.fingerprint_bytes) +
            ",\"fingerprint\":" + std::to_string(f.fingerprint) + "}";
  }
  text += "\n]}\n";

  std::string tmp = path_ + ".tmp";
  Result<int> opened = open_created(tmp, O_WRONLY | O_TRUNC, 0600, /*force_mode=*/true);  // renamed over the checkpoint: its mode
  if (!opened) return Error{opened.error().code, "cannot write checkpoint: " + opened.error().message};
  int fd = *opened;
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return Error::io("cannot write checkpoint " + tmp, err);
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    int err = errno;
    ::close(fd);
    return Error::io("cannot fsync checkpoint " + tmp, err);
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path_.c_str()) != 0) return Error::io("cannot rename checkpoint into " + path_, errno);
  // The rename itself must reach the disk too.
  std::string dir = std::filesystem::path(path_).parent_path().string();
  int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return {};
}

}  // namespace logship
