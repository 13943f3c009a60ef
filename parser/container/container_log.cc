#include "parser/container/container_log.h"

#include "core/timestamp_parse.h"

namespace logship {

const Schema<ContainerLogConfig>& ContainerLogConfig::schema() {
  static const auto s =
      Schema<ContainerLogConfig>()
          .choice("format", &ContainerLogConfig::format, {"auto", "cri", "docker"},
                  "How the runtime wrote the file: cri (containerd, CRI-O: `<time> <stream> <F|P> <line>`), docker (json-file: one JSON object per line), or auto (each line by its first byte).")
          .choice("stream", &ContainerLogConfig::stream, {"all", "stdout", "stderr"},
                  "Only lines the container wrote to this stream; the others are skipped.")
          .field("kubernetes_metadata", &ContainerLogConfig::kubernetes_metadata,
                 "Fill kubernetes.namespace, kubernetes.pod.name, kubernetes.pod.uid, container.name and container.id from the file's path (/var/log/pods/…, /var/log/containers/…, /var/lib/docker/containers/…).");
  return s;
}

ContainerFormat ContainerLogConfig::parsed_format() const {
  if (format == "cri") return ContainerFormat::kCri;
  if (format == "docker") return ContainerFormat::kDocker;
  return ContainerFormat::kAuto;
}

IoStream ContainerLogConfig::only_stream() const {
  if (stream == "stdout") return IoStream::kStdout;
  if (stream == "stderr") return IoStream::kStderr;
  return IoStream::kNone;
}

namespace {

IoStream stream_named(std::string_view name) {
  if (name == "stdout") return IoStream::kStdout;
  if (name == "stderr") return IoStream::kStderr;
  return IoStream::kNone;
}

bool read_time(std::string_view text, int64_t& nanos) {
  static const TimestampFormat kRfc3339;
  // A time at the epoch itself would read as "none": one nanosecond off is no matter.
  if (!parse_timestamp(text, kRfc3339, nanos)) return false;
  if (nanos == 0) nanos = 1;
  return true;
}

}  // namespace

ContainerLogDecoder::ContainerLogDecoder(ContainerFormat format, IoStream only, size_t max_bytes)
    : format_(format), only_(only), max_bytes_(max_bytes) {}

bool ContainerLogDecoder::read_cri(std::string_view line, Piece& out) const {
  // <time> SP <stdout|stderr> SP <tags> [SP <line>]; tags are ':'-separated, the first F or P.
  size_t a = line.find(' ');
  if (a == std::string_view::npos) return false;
  size_t b = line.find(' ', a + 1);
  if (b == std::string_view::npos) return false;
  size_t c = line.find(' ', b + 1);
  std::string_view tags = line.substr(b + 1, c == std::string_view::npos ? std::string_view::npos : c - b - 1);
  if (tags.empty() || (tags[0] != 'F' && tags[0] != 'P') || (tags.size() > 1 && tags[1] != ':')) return false;
  out.stream = stream_named(line.substr(a + 1, b - a - 1));
  if (out.stream == IoStream::kNone) return false;
  if (!read_time(line.substr(0, a), out.time_nanos)) return false;
  out.partial = tags[0] == 'P';
  out.text = c == std::string_view::npos ? std::string_view() : line.substr(c + 1);
  return true;
}

bool ContainerLogDecoder::read_docker(std::string_view line, Piece& out) {
  padded_.assign(line);
  padded_.append(simdjson::SIMDJSON_PADDING, '\0');
  simdjson::dom::element doc;
  if (json_.parse(padded_.data(), line.size(), false).get(doc) != simdjson::SUCCESS) return false;
  simdjson::dom::object object;
  if (doc.get_object().get(object) != simdjson::SUCCESS) return false;
  std::string_view log, stream, time;
  if (object["log"].get_string().get(log) != simdjson::SUCCESS) return false;
  if (object["stream"].get_string().get(stream) == simdjson::SUCCESS) out.stream = stream_named(stream);
  if (object["time"].get_string().get(time) != simdjson::SUCCESS || !read_time(time, out.time_nanos)) out.time_nanos = 0;
  out.partial = log.empty() || log.back() != '\n';
  if (!out.partial) log.remove_suffix(1);
  if (!log.empty() && log.back() == '\r') log.remove_suffix(1);
  out.text = log;
  return true;
}

void ContainerLogDecoder::append_piece(std::string_view text, uint32_t flags) {
  flags_ |= flags;
  size_t room = max_bytes_ > joined_.size() ? max_bytes_ - joined_.size() : 0;
  if (text.size() > room) {
    text = text.substr(0, room);
    flags_ |= kFlagTruncated;
  }
  joined_.append(text);
}

void ContainerLogDecoder::push(std::string_view line, uint64_t offset, uint64_t end_offset, uint32_t flags,
                               const Emit& emit) {
  if (line.empty() && flags == 0) return;  // a blank line carries nothing, as in any file
  Piece piece;
  bool docker = format_ == ContainerFormat::kDocker ||
                (format_ == ContainerFormat::kAuto && !line.empty() && line.front() == '{');
  // A line the framer cut at max_line_bytes is no longer whole JSON: it cannot be read.
  bool ok = docker ? (flags & kFlagTruncated) == 0 && read_docker(line, piece) : read_cri(line, piece);
  if (!ok) {
    flush(emit);  // what was being joined ends here, as it is
    emit({line, offset, end_offset, flags | kFlagContainerFormatError, 0, IoStream::kNone});
    return;
  }
  if (only_ != IoStream::kNone && piece.stream != only_) return;
  if (!joining_ && !piece.partial) {  // the usual line: handed on without a copy
    emit({piece.text, offset, end_offset, flags, piece.time_nanos, piece.stream});
    return;
  }
  if (!joining_) {
    joining_ = true;
    joined_.clear();
    offset_ = offset;
    flags_ = 0;
    time_nanos_ = piece.time_nanos;
    stream_ = piece.stream;
  }
  append_piece(piece.text, flags);
  end_offset_ = end_offset;
  if (piece.partial) return;
  joining_ = false;
  emit({joined_, offset_, end_offset_, flags_, time_nanos_, stream_});
  release();
}

void ContainerLogDecoder::flush(const Emit& emit) {
  if (!joining_) return;
  joining_ = false;
  emit({joined_, offset_, end_offset_, flags_ | kFlagPartial, time_nanos_, stream_});
  release();
}

void ContainerLogDecoder::release() {
  // A long line joined once must not keep its memory for the life of the file (a node has
  // hundreds of container logs, each up to max_line_bytes).
  if (joined_.capacity() > (64u << 10)) std::string().swap(joined_);
  else joined_.clear();
}

}  // namespace logship
