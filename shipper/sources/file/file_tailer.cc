#include "shipper/sources/file/file_tailer.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/event_id.h"
#include "core/log.h"
#include "core/time_format.h"
#include "parser/container/container_path.h"

namespace logship {

FileTailer::FileTailer(TailerContext& ctx, int fd, const struct stat& st, std::string path, uint64_t offset,
                       std::shared_ptr<FileProgress> progress)
    : ctx_(ctx),
      fd_(fd),
      device_(st.st_dev),
      inode_(st.st_ino),
      path_(std::move(path)),
      lineage_(path_),
      progress_(std::move(progress)),
      framer_(ctx.config->max_line_bytes.value, offset),
      tracked_to_(offset),
      last_growth_(std::chrono::steady_clock::now()) {
  auto origin = std::make_shared<Origin>();
  origin->source = ctx.source_name;
  origin->dataset = ctx.dataset;
  origin->path = path_;
  origin->host = ctx.host;
  origin->id_seed = origin_id_seed(ctx.source_name, device_, inode_);
  FieldValues fields;
  if (ctx.config->container && ctx.config->container->kubernetes_metadata) fields = container_fields_from_path(path_);
  fields.insert(fields.end(), ctx.config->add_fields.begin(), ctx.config->add_fields.end());
  if (!fields.empty()) origin->fields_json = render_origin_fields(fields, origin->field_heads);
  origin_ = std::move(origin);
  if (ctx.config->container)
    container_.emplace(ctx.config->container->parsed_format(), ctx.config->container->only_stream(),
                       ctx.config->max_line_bytes.value);
  if (ctx.config->multiline) joiner_.emplace(*ctx.config->multiline);
  fingerprint_len_ = progress_->snapshot().fingerprint_bytes;
}

FileTailer::~FileTailer() { ::close(fd_); }

void FileTailer::set_path(const std::string& path) {
  path_ = path;
  progress_->set_path(path);
}

void FileTailer::add_event(std::string_view text, uint64_t offset, uint64_t end_offset, uint32_t flags) {
  int64_t time_nanos = 0;
  IoStream stream = IoStream::kNone;
  if (container_) stamps_.take(offset, time_nanos, stream);
  if (text.empty() && flags == 0) return;  // blank lines carry nothing
  if (!batch_) {
    batch_ = ctx_.batches.acquire();
    batch_->origin = origin_;
  }
  if (container_) batch_->add_container_event(text, offset, end_offset, flags, time_nanos, stream);
  else batch_->add_raw_event(text, offset, end_offset, flags);
}

void FileTailer::add_joined(const JoinedEvent& e) {
  if (e.cut_at_max_bytes) ctx_.truncated_events->add();
  add_event(e.text, e.offset, e.end_offset, e.flags);
}

void FileTailer::on_line(std::string_view line, uint64_t offset, uint64_t end_offset, uint32_t flags) {
  // Counted per line, before joining: a joined event carries the flags of all its lines.
  if (flags & kFlagTruncated) ctx_.truncated_lines->add();
  if (flags & kFlagPartial) ctx_.partial_lines->add();
  if (container_) {
    container_->push(line, offset, end_offset, flags, [this](const ContainerLine& m) { on_message(m); });
  } else {
    on_message({line, offset, end_offset, flags, 0, IoStream::kNone});
  }
}

void FileTailer::on_message(const ContainerLine& m) {
  if (container_) stamps_.note(m);
  if (joiner_) {
    joiner_->push(m.text, m.offset, m.end_offset, m.flags, [this](const JoinedEvent& e) { add_joined(e); });
  } else {
    add_event(m.text, m.offset, m.end_offset, m.flags);
  }
}

void FileTailer::send(Emitter& out) {
  // Lines left out after the last event (blank, or of a container stream not wanted) are done
  // once nothing before them is held (a multiline event, a container line's pieces): without
  // this a file that ends in them would be read again after every restart.
  bool holding = (joiner_ && joiner_->has_pending()) || (container_ && container_->has_pending());
  uint64_t done = holding ? 0 : framer_.completed();
  if (!batch_ || batch_->events.empty()) {
    if (done > tracked_to_) {
      progress_->track(done).ack();  // nothing to deliver: acknowledged at once, in order
      tracked_to_ = done;
    }
    return;
  }
  batch_->read_time_nanos = now_unix_nanos();
  tracked_to_ = std::max(batch_->events.back().end_offset, done);
  batch_->ack = progress_->track(tracked_to_);
  pending_.push_back(std::move(batch_));
  batch_.reset();
  drain_pending(out);
}

bool FileTailer::drain_pending(Emitter& out, std::chrono::milliseconds wait) {
  while (!pending_.empty()) {
    if (!out.try_emit(pending_.front(), wait)) return false;
    pending_.pop_front();
    wait = std::chrono::milliseconds(0);
  }
  return true;
}

void FileTailer::update_fingerprint() {
  uint64_t want = std::min<uint64_t>(static_cast<uint64_t>(ctx_.config->fingerprint_bytes), framer_.position());
  if (want <= fingerprint_len_) return;
  uint64_t hash = 0;
  if (fingerprint_file(fd_, static_cast<uint32_t>(want), hash)) {
    fingerprint_len_ = static_cast<uint32_t>(want);
    progress_->set_fingerprint(fingerprint_len_, hash);
  }
}

size_t FileTailer::read_some(Emitter& out, size_t budget, size_t batch_bytes) {
  if (!pending_.empty()) return 0;
  // Reading on after a pause: the file may have been copied, truncated and written past the
  // read offset again (copytruncate, then a busy writer) before check_file saw it shorter.
  // Its leading bytes tell; read on from the offset, and the new file's first lines would be
  // lost, and the rest shipped twice once the change was noticed.
  if (at_eof_ && !size_lies_ && leading_bytes_changed()) start_over(out, "leading bytes changed (copytruncate, then written past the read offset)");
  std::string& buf = ctx_.read_buffer;
  size_t total = 0;
  while (total < budget && pending_.empty()) {
    ssize_t n = ::pread(fd_, buf.data(), buf.size(), static_cast<off_t>(framer_.position()));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      log_error("read failed", {{"path", path_}, {"error", std::strerror(errno)}});
      at_eof_ = true;
      break;
    }
    if (n == 0) {
      at_eof_ = true;
      break;
    }
    at_eof_ = false;
    last_growth_ = std::chrono::steady_clock::now();
    framer_.feed(std::string_view(buf.data(), static_cast<size_t>(n)),
                 [this](std::string_view line, uint64_t off, uint64_t end, uint32_t flags) { on_line(line, off, end, flags); });
    total += static_cast<size_t>(n);
    if (batch_ && batch_->raw.size() >= batch_bytes) send(out);
  }
  ctx_.read_bytes->add(total);
  if (fingerprint_len_ < static_cast<uint64_t>(ctx_.config->fingerprint_bytes)) update_fingerprint();
  if (pending_.empty()) send(out);
  return total;
}

bool FileTailer::read_to_end() const {
  struct stat st;
  return at_eof_ && ::fstat(fd_, &st) == 0 && static_cast<uint64_t>(st.st_size) <= framer_.position();
}

void FileTailer::flush_all(Emitter& out) {
  auto emit_line = [this](std::string_view line, uint64_t off, uint64_t end, uint32_t flags) { on_line(line, off, end, flags); };
  framer_.flush_partial(emit_line);
  if (container_) container_->flush([this](const ContainerLine& m) { on_message(m); });
  if (joiner_) joiner_->flush([this](const JoinedEvent& e) { add_joined(e); });
  send(out);
}

void FileTailer::flush_idle_multiline(Emitter& out, std::chrono::steady_clock::time_point now) {
  // Only a writer's pause ends an event early: while logship is behind (back-pressure, other
  // files first) the rest of the event is in the file, and flushing would split it.
  if (!joiner_ || !joiner_->has_pending() || !at_eof_) return;
  // The last read that brought bytes is when the last line was pushed (one clock read per
  // read, not per line).
  if (now - last_growth_ < ctx_.config->multiline->timeout.value) return;
  // at_eof_ tells of the last read, which may be long ago for a file left waiting (the
  // joining budget): the file's size tells whether its writer really paused.
  if (!read_to_end()) return;
  joiner_->flush([this](const JoinedEvent& e) { add_joined(e); });
  send(out);
}

void FileTailer::check_file(Emitter& out, bool verify_fingerprint) {
  struct stat st;
  if (::fstat(fd_, &st) != 0) return;
  if (st.st_nlink == 0 && !deleted_) {
    deleted_ = true;
    log_info("file deleted; reading it to the end before letting go", {{"path", path_}});
  }
  bool truncated = static_cast<uint64_t>(st.st_size) < framer_.position();
  // A file that says it is shorter than what it gave (a pseudo-file reports size 0 and yields
  // bytes) was not truncated: its bytes go on past the size it states. Taken for a truncation
  // it would be read from the start again forever. (A real file has bytes past its size only
  // when a writer appended meanwhile, and then its size has grown.)
  char probe;
  struct stat again;
  if (truncated && ::pread(fd_, &probe, 1, st.st_size) > 0 && ::fstat(fd_, &again) == 0 && again.st_size <= st.st_size) {
    if (!size_lies_) log_warn("file yields more bytes than its size says; not treated as truncated", {{"path", path_}});
    size_lies_ = true;
    return;
  }
  if (!truncated && verify_fingerprint) truncated = leading_bytes_changed();
  if (truncated) start_over(out, "size " + std::to_string(st.st_size) + " below the read offset, or leading bytes changed");
}

bool FileTailer::leading_bytes_changed() const {
  if (fingerprint_len_ == 0) return false;
  uint64_t hash = 0;
  FileCheckpoint cp = progress_->snapshot();
  return cp.fingerprint_bytes == fingerprint_len_ && fingerprint_file(fd_, fingerprint_len_, hash) && hash != cp.fingerprint;
}

void FileTailer::start_over(Emitter& out, const std::string& why) {
  log_info("file truncated (copytruncate); reading it again from the start",
           {{"path", path_}, {"why", why}, {"read_offset", std::to_string(framer_.position())}});
  flush_all(out);
  framer_.reset(0);
  stamps_.clear();
  tracked_to_ = 0;
  progress_->restart_at(0);
  fingerprint_len_ = 0;
  at_eof_ = false;
}

}  // namespace logship
