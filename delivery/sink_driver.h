// The runtime's side of the delivery contract (core/delivery.h): one driver per sink, running
// on the sink's thread, the same for every sink type. This is where retries, dead letters,
// acknowledgements and the shutdown deadline live; sinks only send and report.
//
//   SinkDriver driver(sink, input_queue, options, dead_letter_output, state);
//   SinkDriver::Result r = driver.run(past_deadline);   // until the input ends and all is resolved
//
// What it owns:
//   - the bound on work in flight: it takes batches from its input only while the batches it
//     holds unresolved weigh less than `in_flight_bytes` (one delivery at a time when 0). Past
//     it the queue in front fills and the stages before it block: the log file is the buffer.
//   - retries: events answered "retry" are sent again after a backoff (exponential with
//     jitter, `retry:`), never sooner than the destination asked, with no limit. While some
//     wait, no new input is taken: order holds, and a throttled destination is not pushed.
//   - dead letters: rejected events become dead-letter events (delivery/dead_letter_record.h)
//     handed to whatever reads `<sink>.dead_letter`, or appended to a file in data_dir when
//     nothing does. A destination that fails is retried; its events are never dropped.
//   - acknowledgements: a batch is acknowledged upstream once each of its events is delivered
//     or durable as a dead letter, never before.
//   - shutdown: past the deadline it aborts the sink and leaves what is unresolved
//     unacknowledged (read again at the next start), and says how many events that was.
//   - the generic metrics (logship_sink_*) and the "failing since" behind /health.
#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/batch_queue.h"
#include "core/component.h"
#include "core/metrics.h"
#include "delivery/dead_letter_file.h"
#include "delivery/dead_letter_record.h"
#include "delivery/retry_policy.h"

namespace logship {

struct SinkDriverOptions {
  std::string name;            // the sink's component name (metrics, logs, dead letters)
  size_t group_bytes = 0;      // queued batches handed over in one delivery, up to this many bytes
  size_t in_flight_bytes = 0;  // batches held unresolved at most (0: one delivery at a time)
  RetryPolicy retry;
  std::string dead_letter_file;  // used when nothing reads the dead-letter output
};

// Read by /health and the status line from other threads.
struct SinkDriverState {
  std::atomic<int64_t> failing_since{0};  // steady ns of the first retry of a streak; 0 = delivering
  std::atomic<int64_t> oldest_sent{0};    // steady ns the oldest unanswered delivery was sent; 0 = none
  std::atomic<int64_t> held_events{0};
};

class SinkDriver {
 public:
  // Hands a dead-letter batch to the readers of `<sink>.dead_letter`, without waiting; the
  // batch stays with the caller unless it was handed.
  enum class Handed { kHanded, kNoReader, kNoRoom };
  using DeadLetterOutput = std::function<Handed(BatchPtr&)>;

  struct Result {
    uint64_t undelivered = 0;  // events left unacknowledged at the deadline
    // With hand_back: the batches those events are in, in the order they came, for the sink
    // that replaces this one (they were not acknowledged; their sources still wait for it).
    std::vector<BatchPtr> unsent;
  };

  SinkDriver(Sink& sink, BatchQueue& input, SinkDriverOptions options, DeadLetterOutput dead_letters, SinkDriverState& state);
  ~SinkDriver();
  SinkDriver(const SinkDriver&) = delete;
  SinkDriver& operator=(const SinkDriver&) = delete;

  // `hand_back` (asked when the deadline passes): whether what is left goes to a successor.
  Result run(const std::function<bool()>& past_deadline, const std::function<bool()>& hand_back = {});

 private:
  using Clock = std::chrono::steady_clock;
  struct Held {  // a batch until each of its events is resolved
    BatchPtr batch;
    uint32_t unresolved = 0;
    size_t bytes = 0;
    uint64_t order = 0;  // when it was taken: a successor gets what is left in this order
  };
  struct Retry {
    Clock::time_point due;
    std::shared_ptr<Delivery> delivery;
  };
  // The dead letters of one report: the refused events are resolved once every record is
  // durable, downstream (its acknowledgement) or in the file.
  struct DeadLetterGroup {
    std::atomic<int> remaining{0};                             // records not durable yet
    std::vector<std::pair<const Batch*, uint32_t>> originals;  // batch, events
    // Counted once durable, so that the counter never runs ahead of the dead-letter file.
    std::vector<std::pair<Counter*, uint32_t>> counts;  // per reason, events
  };
  struct PendingDeadLetters {  // encoded, not yet durable
    std::shared_ptr<DeadLetterGroup> group;
    std::vector<BatchPtr> records;
    size_t handed = 0;       // records[0, handed) went to the output
    bool file_only = false;  // nothing read the output when it was tried, or a reader let some go
  };
  // Shared with the sink's and the dead-letter output's callbacks, which may run on other
  // threads and, after an abort, later than this driver lives.
  struct Inbox {
    std::mutex mu;
    bool closed = false;
    std::vector<std::pair<uint64_t, DeliveryReport>> reports;
    std::vector<std::shared_ptr<DeadLetterGroup>> groups_done;  // every record durable downstream
    // Records a reader let go without acknowledging them (a reload, a deadline): to the file.
    std::vector<std::pair<std::shared_ptr<DeadLetterGroup>, std::shared_ptr<const std::string>>> dropped;
    BatchQueue* wake = nullptr;
  };

  void take_input(BatchPtr first);
  void send(std::shared_ptr<Delivery> delivery);
  void read_inbox();
  void handle(uint64_t id, const DeliveryReport& report);
  void resolve(const Batch* batch, uint32_t events);
  void resolve_group(DeadLetterGroup& group);
  // The records of `p` from `from` on, appended to the dead-letter file; false when it failed.
  bool write_to_file(PendingDeadLetters& p, Clock::time_point now);
  void dead_letter(std::vector<RejectedEvent> rejected);
  void write_dead_letters(Clock::time_point now);
  void note_retry(size_t events, const Reason& reason, std::chrono::milliseconds wait);
  void note_success();
  Clock::time_point next_wake(Clock::time_point now) const;
  void note_blocked(bool blocked, Clock::time_point now);
  void update_oldest_sent();
  Result give_up(bool hand_back);
  bool settled() const;
  Counter& dead_letter_counter(const std::string& reason);

  Sink& sink_;
  BatchQueue& input_;
  SinkDriverOptions options_;
  DeadLetterOutput dead_letter_output_;
  SinkDriverState& state_;
  std::shared_ptr<Inbox> inbox_ = std::make_shared<Inbox>();
  Backoff backoff_;
  Clock::time_point not_before_{};  // no retry before this (the longest wait a destination asked for)
  DeadLetterEncoder dead_letter_encoder_;
  std::optional<DeadLetterFile> dead_letter_file_;

  std::unordered_map<const Batch*, Held> held_;
  size_t held_bytes_ = 0;
  std::map<uint64_t, std::pair<std::shared_ptr<Delivery>, int64_t>> sent_;  // id -> delivery, when sent (steady ns)
  uint64_t next_id_ = 1;
  uint64_t next_order_ = 0;
  std::deque<Retry> retries_;
  std::deque<PendingDeadLetters> dead_letters_waiting_;  // for the file (or a failing output)
  Backoff dead_letter_backoff_;
  Clock::time_point dead_letters_due_{};
  bool dead_letter_failing_ = false;
  std::deque<BatchPtr> grouped_;

  Clock::time_point last_failure_log_{};
  std::optional<Clock::time_point> blocked_since_;  // taking no input although some is coming
  bool blocked_logged_ = false;
  Clock::time_point last_reject_log_{};
  uint64_t rejects_since_log_ = 0;
  std::map<std::string, Counter*> dead_letter_counters_;

  Counter& acknowledged_;
  Counter& retried_;
  Counter& dropped_;
  Gauge& held_bytes_gauge_;
  Gauge& blocked_gauge_;
  Counter& blocked_nanos_;
};

}  // namespace logship
