#include "delivery/sink_driver.h"

#include <algorithm>

#include "core/log.h"
#include "core/time_format.h"

namespace logship {

namespace {

constexpr auto kLongestWait = std::chrono::milliseconds(100);  // the deadline is checked at least this often
constexpr auto kLogEvery = std::chrono::seconds(30);           // a failing sink says so at most this often
constexpr size_t kMaxReasonLabels = 20;                        // distinct `reason` labels per sink

int64_t steady_now_nanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::string ms(std::chrono::milliseconds d) { return std::to_string(d.count()) + "ms"; }

}  // namespace

SinkDriver::SinkDriver(Sink& sink, BatchQueue& input, SinkDriverOptions options, DeadLetterOutput dead_letters, SinkDriverState& state)
    : sink_(sink),
      input_(input),
      options_(std::move(options)),
      dead_letter_output_(std::move(dead_letters)),
      state_(state),
      backoff_(options_.retry),
      dead_letter_encoder_(options_.name),
      dead_letter_backoff_(options_.retry),
      acknowledged_(metrics().counter("logship_sink_acknowledged_events_total",
                                      "Events a sink made durable at its destination (then acknowledged upstream).", {{"component", options_.name}})),
      retried_(metrics().counter("logship_sink_retries_total", "Events sent again after the destination answered with a transient failure.",
                                 {{"component", options_.name}})),
      dropped_(metrics().counter("logship_sink_dropped_events_total",
                                 "Events a sink still held at the shutdown deadline: left unacknowledged, read again at the next start.",
                                 {{"component", options_.name}})),
      held_bytes_gauge_(metrics().gauge("logship_sink_in_flight_bytes", "Bytes of batches a sink holds until each of their events is delivered or dead-lettered.",
                                        {{"component", options_.name}})),
      blocked_gauge_(metrics().gauge("logship_sink_blocked",
                                     "1 while a sink takes no new input: what it holds is not confirmed yet (destination slow or away), or waits to be sent again.",
                                     {{"component", options_.name}})),
      blocked_nanos_(metrics().seconds_counter("logship_sink_blocked_seconds_total", "Time a sink took no new input while some was waiting.",
                                               {{"component", options_.name}})) {
  inbox_->wake = &input_;
}

SinkDriver::~SinkDriver() {
  std::lock_guard lock(inbox_->mu);
  inbox_->closed = true;
}

Counter& SinkDriver::dead_letter_counter(const std::string& reason) {
  auto it = dead_letter_counters_.find(reason);
  if (it != dead_letter_counters_.end()) return *it->second;
  std::string label = dead_letter_counters_.size() < kMaxReasonLabels ? (reason.empty() ? "unknown" : reason) : "other";
  Counter& c = metrics().counter("logship_sink_dead_lettered_events_total",
                                 "Events a destination refused for good, written to the sink's dead-letter output, by reason.",
                                 {{"component", options_.name}, {"reason", label}});
  dead_letter_counters_[reason] = &c;
  return c;
}

SinkDriver::Result SinkDriver::run(const std::function<bool()>& past_deadline, const std::function<bool()>& hand_back) {
  bool input_ended = false;
  while (true) {
    read_inbox();
    if (past_deadline()) return give_up(hand_back && hand_back());
    auto now = Clock::now();
    write_dead_letters(now);
    if (!retries_.empty() && retries_.front().due <= now && not_before_ <= now) {
      std::shared_ptr<Delivery> again = std::move(retries_.front().delivery);
      retries_.pop_front();
      send(std::move(again));
      continue;
    }
    bool room = held_.empty() || (options_.in_flight_bytes > 0 && held_bytes_ < options_.in_flight_bytes);
    bool can_take = retries_.empty() && dead_letters_waiting_.empty() && room;
    if (!input_ended) note_blocked(!can_take, now);
    if (!input_ended && can_take) {
      if (BatchPtr b = input_.pop_until(next_wake(now))) {
        take_input(std::move(b));
      } else if (input_.done()) {
        input_ended = true;
        sink_.flush();  // nothing more is coming: what waits to fill a request goes now
      }
      continue;
    }
    if (input_ended && settled()) break;
    input_.wait_interrupt(next_wake(now));
  }
  note_blocked(false, Clock::now());
  return {};
}

// A spell of taking no input: said once it has lasted a few seconds (at full speed a sink is
// briefly at its bound all the time), and again when it ends.
void SinkDriver::note_blocked(bool blocked, Clock::time_point now) {
  if (blocked) {
    if (!blocked_since_) {
      blocked_since_ = now;
      blocked_gauge_.set(1);
    } else if (!blocked_logged_ && now - *blocked_since_ >= std::chrono::seconds(2)) {
      blocked_logged_ = true;
      log_warn("sink blocked: what it holds is not confirmed yet (destination slow or away); reading pauses",
               {{"component", options_.name}, {"events", std::to_string(state_.held_events.load())}, {"bytes", std::to_string(held_bytes_)},
                {"retries_waiting", std::to_string(retries_.size())}});
    }
    return;
  }
  if (!blocked_since_) return;
  blocked_nanos_.add(static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(now - *blocked_since_).count()));
  if (blocked_logged_)
    log_info("sink unblocked", {{"component", options_.name},
                                {"after", ms(std::chrono::duration_cast<std::chrono::milliseconds>(now - *blocked_since_))}});
  blocked_since_.reset();
  blocked_logged_ = false;
  blocked_gauge_.set(0);
}

void SinkDriver::update_oldest_sent() {
  state_.oldest_sent.store(sent_.empty() ? 0 : sent_.begin()->second.second);
}

bool SinkDriver::settled() const { return held_.empty() && retries_.empty() && dead_letters_waiting_.empty(); }

SinkDriver::Clock::time_point SinkDriver::next_wake(Clock::time_point now) const {
  auto wake = now + kLongestWait;
  if (!retries_.empty()) wake = std::min(wake, std::max(retries_.front().due, not_before_));
  if (!dead_letters_waiting_.empty()) wake = std::min(wake, dead_letters_due_);
  return std::max(wake, now);
}

void SinkDriver::take_input(BatchPtr first) {
  grouped_.clear();
  grouped_.push_back(std::move(first));
  if (options_.group_bytes > 0) input_.drain_into(grouped_, options_.group_bytes);
  auto delivery = std::make_shared<Delivery>();
  delivery->parts.reserve(grouped_.size());
  for (BatchPtr& b : grouped_) {
    if (b->events.empty()) {  // nothing to send: done at once
      b->ack.ack();
      continue;
    }
    // The same batch twice (read from two outputs of one producer): a copy, acknowledged on
    // its own, so that the batch's token gets both acknowledgements.
    if (held_.count(b.get()) || std::any_of(delivery->parts.begin(), delivery->parts.end(), [&](const DeliveryPart& p) { return p.batch == b; }))
      b = std::make_shared<Batch>(*b);
    Held& h = held_[b.get()];
    h.batch = b;
    h.order = next_order_++;
    h.unresolved = static_cast<uint32_t>(b->events.size());
    h.bytes = b->memory_bytes();
    held_bytes_ += h.bytes;
    state_.held_events.fetch_add(static_cast<int64_t>(b->events.size()));
    delivery->parts.push_back({std::move(b), {}});
  }
  grouped_.clear();
  held_bytes_gauge_.set(static_cast<int64_t>(held_bytes_));
  if (!delivery->parts.empty()) send(std::move(delivery));
}

void SinkDriver::send(std::shared_ptr<Delivery> delivery) {
  uint64_t id = next_id_++;
  sent_[id] = {delivery, steady_now_nanos()};
  update_oldest_sent();
  sink_.send(std::move(delivery), [inbox = inbox_, id](DeliveryReport report) {
    std::lock_guard lock(inbox->mu);
    if (inbox->closed) return;
    inbox->reports.emplace_back(id, std::move(report));
    inbox->wake->interrupt();
  });
}

void SinkDriver::read_inbox() {
  std::vector<std::pair<uint64_t, DeliveryReport>> reports;
  std::vector<std::shared_ptr<DeadLetterGroup>> groups_done;
  std::vector<std::pair<std::shared_ptr<DeadLetterGroup>, std::shared_ptr<const std::string>>> dropped;
  {
    std::lock_guard lock(inbox_->mu);
    reports.swap(inbox_->reports);
    groups_done.swap(inbox_->groups_done);
    dropped.swap(inbox_->dropped);
  }
  for (auto& [id, report] : reports) handle(id, report);
  for (auto& group : groups_done) resolve_group(*group);
  // A record let go downstream goes to the file (twice rather than never).
  for (auto& [group, text] : dropped) {
    PendingDeadLetters p;
    p.group = group;
    auto record = std::make_shared<Batch>();
    record->encoded = *text;
    p.records.push_back(std::move(record));
    p.file_only = true;
    dead_letters_waiting_.push_back(std::move(p));
  }
}

void SinkDriver::resolve_group(DeadLetterGroup& group) {
  for (auto& [counter, events] : group.counts) counter->add(events);
  group.counts.clear();
  for (auto& [batch, events] : group.originals) resolve(batch, events);
  group.originals.clear();
}

void SinkDriver::handle(uint64_t id, const DeliveryReport& report) {
  auto it = sent_.find(id);
  if (it == sent_.end()) {
    log_error("sink reported on a delivery it was not given (ignored)", {{"component", options_.name}});
    return;
  }
  std::shared_ptr<Delivery> delivery = std::move(it->second.first);
  sent_.erase(it);
  update_oldest_sent();
  bool sizes_match = report.events() == delivery->events();
  if (!sizes_match)
    log_error("sink reported on a different number of events than it was given; all of them are sent again",
              {{"component", options_.name}, {"given", std::to_string(delivery->events())}, {"reported", std::to_string(report.events())}});
  auto again = std::make_shared<Delivery>();
  std::vector<RejectedEvent> rejected;
  std::map<uint16_t, std::shared_ptr<const Reason>> rejected_reasons;  // one copy per reason the sink gave
  const Reason* retry_reason = nullptr;
  std::chrono::milliseconds asked{0};
  size_t delivered = 0, retried = 0, pos = 0;
  static const Reason kMismatch{"report_mismatch", "the sink's report did not match its delivery", std::chrono::milliseconds(0)};
  for (DeliveryPart& part : delivery->parts) {
    uint32_t resolved_here = 0;
    DeliveryPart* again_part = nullptr;
    for (size_t i = 0; i < part.size(); ++i, ++pos) {
      Outcome o = sizes_match ? report.outcome(pos) : Outcome::kRetry;
      if (o == Outcome::kDelivered) {
        ++delivered;
        ++resolved_here;
      } else if (o == Outcome::kRejected) {
        auto& reason = rejected_reasons[report.reason_index(pos)];
        if (!reason) reason = std::make_shared<Reason>(report.reason(pos));
        rejected.push_back({part.batch, part.index(i), reason});
      } else {
        const Reason& r = sizes_match ? report.reason(pos) : kMismatch;
        if (!retry_reason) retry_reason = &r;
        asked = std::max(asked, r.retry_after);
        if (!again_part) {
          again->parts.push_back({part.batch, {}});
          again_part = &again->parts.back();
        }
        again_part->events.push_back(part.index(i));
        ++retried;
      }
    }
    if (resolved_here > 0) resolve(part.batch.get(), resolved_here);
  }
  acknowledged_.add(delivered);
  if (retried > 0) {
    auto now = Clock::now();
    // What the destination asked for holds for every retry, not only this delivery's.
    if (asked.count() > 0) not_before_ = std::max(not_before_, now + asked);
    auto wait = backoff_.next(asked);
    note_retry(retried, *retry_reason, wait);
    retried_.add(retried);
    retries_.push_back({std::max(now + wait, not_before_), std::move(again)});
  } else if (retries_.empty()) {
    // Only a success with nothing waiting to be sent again ends a spell of failures: with
    // several deliveries in flight, one going through says little about the others.
    backoff_.reset();
    note_success();
  }
  if (!rejected.empty()) dead_letter(std::move(rejected));
}

void SinkDriver::resolve(const Batch* batch, uint32_t events) {
  auto it = held_.find(batch);
  if (it == held_.end()) return;
  Held& h = it->second;
  h.unresolved -= std::min(h.unresolved, events);
  state_.held_events.fetch_sub(static_cast<int64_t>(events));
  if (h.unresolved > 0) return;
  h.batch->ack.ack();
  held_bytes_ -= h.bytes;
  held_bytes_gauge_.set(static_cast<int64_t>(held_bytes_));
  held_.erase(it);
}

void SinkDriver::note_retry(size_t events, const Reason& reason, std::chrono::milliseconds wait) {
  auto now = Clock::now();
  bool first = state_.failing_since.load() == 0;
  if (first) state_.failing_since.store(steady_now_nanos());
  if (first || now - last_failure_log_ >= kLogEvery) {
    last_failure_log_ = now;
    int64_t failing_for = (steady_now_nanos() - state_.failing_since.load()) / 1000000;
    log_warn(first ? "sink: destination failed; events will be sent again" : "sink: destination still failing; events will be sent again",
             {{"component", options_.name}, {"events", std::to_string(events)}, {"in", ms(wait)},
              {"failing_for", ms(std::chrono::milliseconds(failing_for))}, {"type", reason.type}, {"reason", reason.message.substr(0, 400)}});
  }
}

void SinkDriver::note_success() {
  int64_t since = state_.failing_since.exchange(0);
  if (since == 0) return;
  int64_t failed_for = (steady_now_nanos() - since) / 1000000;
  log_info("sink: delivering again", {{"component", options_.name}, {"after", ms(std::chrono::milliseconds(failed_for))}});
}

void SinkDriver::dead_letter(std::vector<RejectedEvent> rejected) {
  rejects_since_log_ += rejected.size();
  auto now = Clock::now();
  if (now - last_reject_log_ >= std::chrono::seconds(10)) {
    last_reject_log_ = now;
    const Reason& why = *rejected.front().reason;
    log_warn("sink: destination refused events for good; they go to its dead-letter output",
             {{"component", options_.name}, {"events", std::to_string(rejects_since_log_)}, {"type", why.type},
              {"reason", why.message.substr(0, 400)}});
    rejects_since_log_ = 0;
  }
  PendingDeadLetters pending;
  pending.group = std::make_shared<DeadLetterGroup>();
  pending.records = dead_letter_encoder_.encode(rejected, now_unix_nanos());
  for (const RejectedEvent& r : rejected) {
    auto& originals = pending.group->originals;
    if (!originals.empty() && originals.back().first == r.batch.get()) ++originals.back().second;
    else originals.emplace_back(r.batch.get(), 1);
    Counter* counter = &dead_letter_counter(r.reason->type);
    auto& counts = pending.group->counts;
    if (!counts.empty() && counts.back().first == counter) ++counts.back().second;
    else counts.emplace_back(counter, 1);
  }
  pending.group->remaining.store(static_cast<int>(pending.records.size()));
  // Each record is durable once its readers acknowledged it; if they let it go instead (a
  // reload, a deadline), it comes back here and goes to the file.
  for (const BatchPtr& record : pending.records) {
    auto text = std::make_shared<const std::string>(record->encoded);
    record->ack = AckToken(
        [group = pending.group, inbox = inbox_] {
          if (group->remaining.fetch_sub(1) != 1) return;
          std::lock_guard lock(inbox->mu);
          if (inbox->closed) return;
          inbox->groups_done.push_back(group);
          inbox->wake->interrupt();
        },
        [group = pending.group, inbox = inbox_, text] {
          std::lock_guard lock(inbox->mu);
          if (inbox->closed) return;
          inbox->dropped.emplace_back(group, text);
          inbox->wake->interrupt();
        });
  }
  dead_letters_waiting_.push_back(std::move(pending));
  write_dead_letters(now);
}

bool SinkDriver::write_to_file(PendingDeadLetters& p, Clock::time_point now) {
  if (now < dead_letters_due_) return false;
  if (!dead_letter_file_) dead_letter_file_.emplace(options_.dead_letter_file);
  std::vector<BatchPtr> rest(p.records.begin() + static_cast<long>(p.handed), p.records.end());
  Status s = dead_letter_file_->append(rest);
  if (!s) {
    auto wait = dead_letter_backoff_.next();
    dead_letters_due_ = now + wait;
    if (!dead_letter_failing_) {
      log_error("sink: dead-letter file failed; its events wait and are written again (not acknowledged meanwhile)",
                {{"component", options_.name}, {"path", options_.dead_letter_file}, {"error", s.error().message}, {"in", ms(wait)}});
    }
    dead_letter_failing_ = true;
    if (state_.failing_since.load() == 0) state_.failing_since.store(steady_now_nanos());
    return false;
  }
  if (dead_letter_failing_) log_info("sink: dead-letter file written again", {{"component", options_.name}, {"path", options_.dead_letter_file}});
  dead_letter_failing_ = false;
  dead_letter_backoff_.reset();
  // Durable now: these records were never handed on, and letting them go is no drop.
  for (BatchPtr& r : rest) r->ack.forget_drop();
  if (p.group->remaining.fetch_sub(static_cast<int>(rest.size())) == static_cast<int>(rest.size())) resolve_group(*p.group);
  return true;
}

// Hands waiting dead letters to the dead-letter output (resolved when its readers acknowledge
// them), or appends them to the file (resolved once fsynced; retried with backoff on failure).
// Never waits: a reader without room is tried again at the next turn of the loop.
void SinkDriver::write_dead_letters(Clock::time_point now) {
  while (!dead_letters_waiting_.empty()) {
    PendingDeadLetters& p = dead_letters_waiting_.front();
    while (!p.file_only && dead_letter_output_ && p.handed < p.records.size()) {
      BatchPtr record = p.records[p.handed];
      Handed h = dead_letter_output_(record);
      if (h == Handed::kHanded) {
        ++p.handed;
      } else if (h == Handed::kNoReader) {
        p.file_only = true;
      } else {
        dead_letters_due_ = std::max(dead_letters_due_, now + std::chrono::milliseconds(20));
        return;
      }
    }
    if (!dead_letter_output_) p.file_only = true;
    if (p.handed < p.records.size() && !write_to_file(p, now)) return;
    dead_letters_waiting_.pop_front();
  }
}

SinkDriver::Result SinkDriver::give_up(bool hand_back) {
  sink_.abort();
  {
    std::lock_guard lock(inbox_->mu);
    inbox_->closed = true;  // reports still on their way are ignored: nothing is resolved twice
  }
  Result r;
  std::vector<const Held*> left;
  for (const auto& [batch, h] : held_) {
    r.undelivered += h.unresolved;
    if (h.unresolved > 0) left.push_back(&h);
  }
  if (hand_back) {
    std::sort(left.begin(), left.end(), [](const Held* a, const Held* b) { return a->order < b->order; });
    for (const Held* h : left) r.unsent.push_back(h->batch);  // sent whole again: at least once
  }
  held_.clear();
  sent_.clear();
  retries_.clear();
  dead_letters_waiting_.clear();
  update_oldest_sent();
  held_bytes_ = 0;
  held_bytes_gauge_.set(0);
  state_.held_events.store(0);
  if (blocked_since_) blocked_nanos_.add(static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - *blocked_since_).count()));
  blocked_since_.reset();
  blocked_gauge_.set(0);
  // Whatever still arrives is let go unacknowledged (or handed back), so the stages before this
  // one can finish.
  while (BatchPtr b = input_.pop()) {
    r.undelivered += b->events.size();
    if (hand_back) r.unsent.push_back(std::move(b));
  }
  if (hand_back) {
    if (r.undelivered > 0)
      log_info("sink replaced by a reload: what it had not delivered goes to its replacement",
               {{"component", options_.name}, {"events", std::to_string(r.undelivered)}});
    return r;
  }
  if (r.undelivered > 0) {
    log_warn("sink: shutdown_timeout reached with events undelivered; they are not acknowledged and are read again at the next start",
             {{"component", options_.name}, {"events", std::to_string(r.undelivered)}});
    dropped_.add(r.undelivered);
  }
  return r;
}

}  // namespace logship
