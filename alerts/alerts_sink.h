// `type: alerts` sink: the events of its inputs go through the alert rules (rule_engine.h), and
// what changes is posted to the notifiers (notifier.h). See alert_config.h for the YAML.
//
// An event is acknowledged once the rules have read it; a new first_seen value is written to
// the state file before that. The state file (<data_dir>/alerts/<sink>.json: firing alerts,
// remembered values, messages waiting for group_wait or for a receiver) is rewritten whole
// (temporary file, fsync, rename) whenever it changes, so a restart neither repeats an alert
// nor loses a message. A message the receiver keeps refusing (or refuses with a 4xx other
// than 408/429) goes to <data_dir>/dead-letter/<sink>.notifications.ndjson with the reason.
// Regression rules' baselines are saved apart (<data_dir>/alerts/<sink>.baseline.json): a copy
// taken once a minute is written 30 s later (the inputs have committed its events by then, so
// none is counted twice after a kill -9, which loses at most the last 90 s), and at a stop.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <set>
#include <mutex>
#include <thread>

#include "alerts/alert_config.h"
#include "alerts/notifier.h"
#include "alerts/rule_engine.h"
#include "alerts/schedule.h"
#include "alerts/summary.h"
#include "core/component.h"
#include "delivery/dead_letter_file.h"

namespace logship {

class AlertsSink final : public Sink {
 public:
  static const Schema<AlertsSinkConfig>& schema() { return AlertsSinkConfig::schema(); }
  static Result<std::unique_ptr<AlertsSink>> create(const AlertsSinkConfig& config, const BuildContext& ctx);
  ~AlertsSink() override;

  // Reads the state file and starts the worker threads (after the sink this one replaces in a
  // reload has written its state for the last time).
  void on_start() override;
  void send(std::shared_ptr<const Delivery> delivery, DeliveryDone done) override;
  // The input ended: judge the rules now, send what waits (group_wait is not waited out) and
  // try each message once before returning.
  void flush() override;
  void abort() override;

  static std::string state_path(const std::string& data_dir, const std::string& sink);
  static std::string baseline_path(const std::string& data_dir, const std::string& sink);

 private:
  struct Outgoing {
    std::string notifier;
    std::string rule;
    std::string title;
    std::string body;
    int64_t first_try_unix_ms = 0;
    int64_t next_try_unix_ms = 0;
    int attempts = 0;
  };
  struct NotifierMetrics {
    Counter* sent;
    Counter* retried;
    Counter* dead_lettered;
  };

  AlertsSink(const AlertsSinkConfig& config, const BuildContext& ctx);
  Status load_state();
  void save_state_locked();
  // Writes the regression rules' baselines when due (`now`: at once); the lock is let go while
  // writing.
  void save_baselines(std::unique_lock<std::mutex>& lock, bool now);
  static constexpr int64_t kBaselineSaveMs = 60'000;
  static constexpr int64_t kBaselineSettleMs = 30'000;
  void run();
  // The cluster thread: query rules and summaries on their schedules, so a slow or hung cluster
  // delays only them, never the event rules or the notifiers.
  void run_cluster();
  // Moves the changes whose group_wait is over (all, when `everything`) into the outbox.
  void dispatch_locked(int64_t now_ms, bool everything);
  // Posts what is due (everything once, when `everything`); the lock is let go while posting.
  void post_due(std::unique_lock<std::mutex>& lock, bool flushing);
  // False (and the message kept) when the dead-letter file cannot be written.
  bool dead_letter(const Outgoing& message, const std::string& reason);
  const NotifierConfig* notifier(const std::string& name) const;
  // Query rules and summaries whose time has come (at the end of --once: also a summary never
  // made before); the lock is let go while the cluster answers. On the cluster thread.
  void run_scheduled(std::unique_lock<std::mutex>& lock, bool flushing);
  void queue_summary(const SummaryReport& report, const SummaryConfig& config, int64_t now_ms);

  AlertsSinkConfig config_;
  std::string name_;
  std::string host_;
  std::string state_path_;
  std::string baseline_path_;
  DeadLetterFile dead_letters_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable flushed_;
  RuleEngine engine_;                 // guarded by mutex_
  std::vector<AlertChange> pending_;  // guarded by mutex_: waiting out group_wait
  std::deque<Outgoing> outbox_;       // guarded by mutex_
  bool dirty_ = false;                // guarded by mutex_: the state file is behind
  bool flush_requested_ = false;      // guarded by mutex_
  bool flush_done_ = false;           // guarded by mutex_
  std::atomic<bool> stopping_{false};  // set under mutex_
  std::atomic<bool> cluster_cancelled_{false};  // a stop, or a flush that is not --once's: no more cluster work
  bool cluster_flush_requested_ = false;  // guarded by mutex_
  bool cluster_flush_done_ = false;       // guarded by mutex_
  std::condition_variable wake_cluster_;
  int64_t next_evaluation_ms_ = 0;    // guarded by mutex_
  int64_t next_baseline_save_ms_ = 0; // guarded by mutex_
  std::string baseline_copy_;         // guarded by mutex_: taken, to be written at baseline_copy_due_ms_
  int64_t baseline_copy_due_ms_ = 0;  // guarded by mutex_
  std::map<std::string, NotifierMetrics> notifier_metrics_;
  std::unique_ptr<ClusterViews> cluster_;        // used by the worker only
  std::map<std::string, int64_t> last_run_;      // guarded by mutex_: "rule:x", "summary:y" -> wall ms
  std::set<std::string> made_this_run_;          // guarded by mutex_: summaries made since start
  std::map<std::string, int64_t> retry_at_;      // guarded by mutex_: summaries no view answered
  std::map<std::string, Schedule> schedules_;    // "rule:x", "summary:y": when they run
  int64_t started_unix_ms_ = 0;
  int64_t first_started_unix_ms_ = 0;            // guarded by mutex_: kept in the state file
  bool once_ = false;
  bool started_ = false;              // guarded by mutex_
  Counter& state_errors_;
  Counter& query_errors_;
  std::thread worker_;
  std::thread cluster_worker_;
};

// Wall time in Unix milliseconds.
int64_t wall_unix_ms();

}  // namespace logship
