#include "alerts/alerts_sink.h"

#include <fcntl.h>
#include <unistd.h>

#include <charconv>
#include <filesystem>
#include <set>
#include <fstream>
#include <sstream>

#include "core/json_writer.h"
#include "core/log.h"
#include "core/private_files.h"
#include "core/time_format.h"

namespace logship {

using namespace std::string_view_literals;

int64_t wall_unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

namespace {

void append_change(std::string& out, const AlertChange& c) {
  out.append("{\"rule\":"sv);
  append_json_string(out, c.rule);
  out.append(",\"status\":"sv).append(std::to_string(static_cast<int>(c.status)));
  out.append(",\"group\":"sv);
  out.append(group_key(c.group));
  out.append(",\"shown\":"sv);
  out.append(group_key(c.shown));
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.17g", std::isfinite(c.value) ? c.value : 0.0);
  out.append(",\"value\":"sv).append(buf);
  if (!std::isnan(c.baseline)) {
    std::snprintf(buf, sizeof(buf), "%.17g", std::isfinite(c.baseline) ? c.baseline : 0.0);
    out.append(",\"baseline\":"sv).append(buf);
  }
  out.append(",\"events\":"sv).append(std::to_string(c.events));
  out.append(",\"since_ns\":"sv).append(std::to_string(c.since_ns));
  out.append(",\"queued_unix_ms\":"sv).append(std::to_string(c.queued_unix_ms)).push_back('}');
}

// Written whole: a temporary file, fsync, rename. False (errno set) when any step fails.
bool write_durably(const std::string& path, const std::string& text) {
  std::string tmp = path + ".tmp";
  Result<int> fd = open_created(tmp, O_WRONLY | O_TRUNC, 0600, /*force_mode=*/true);
  if (!fd) return false;
  bool ok = true;
  for (size_t done = 0; ok && done < text.size();) {
    ssize_t n = ::write(*fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<size_t>(n);
  }
  ok = ok && ::fsync(*fd) == 0;
  ::close(*fd);
  return ok && std::rename(tmp.c_str(), path.c_str()) == 0;
}

// A saved file of the sink, parsed into `parser`; none when there is none. One that does not
// read as a JSON object (or is not a file) is moved aside for a person to look at, and the
// sink starts without it; an error only when it cannot be moved.
Result<std::optional<simdjson::dom::element>> read_saved(const std::string& path, const std::string& what, const std::string& component,
                                                         simdjson::dom::parser& parser) {
  std::error_code ec;
  auto move_aside = [&](const char* problem) -> Result<std::optional<simdjson::dom::element>> {
    std::string aside = path + ".unreadable-" + std::to_string(wall_unix_ms());
    if (std::rename(path.c_str(), aside.c_str()) != 0) return Error::io(what + " " + path + " " + problem + " and cannot be moved aside", errno);
    log_warn(what + " " + problem + "; moved aside, starting without it", {{"component", component}, {"path", aside}});
    return std::optional<simdjson::dom::element>();
  };
  if (std::filesystem::exists(path, ec) && !std::filesystem::is_regular_file(path, ec)) return move_aside("is not a file");
  if (!std::filesystem::exists(path, ec)) return std::optional<simdjson::dom::element>();
  simdjson::padded_string text;  // (read once, no copies: a week of baselines can be large)
  simdjson::dom::element e;
  if (simdjson::padded_string::load(path).get(text) != simdjson::SUCCESS || parser.parse(text).get(e) != simdjson::SUCCESS || !e.is_object())
    return move_aside("does not read");
  return std::optional(e);
}

}  // namespace

std::string AlertsSink::baseline_path(const std::string& data_dir, const std::string& sink) {
  return data_dir + "/alerts/" + sink + ".baseline.json";
}

std::string AlertsSink::state_path(const std::string& data_dir, const std::string& sink) { return data_dir + "/alerts/" + sink + ".json"; }

AlertsSink::AlertsSink(const AlertsSinkConfig& config, const BuildContext& ctx)
    : config_(config),
      name_(ctx.name),
      host_(ctx.host_name),
      state_path_(state_path(ctx.data_dir, ctx.name)),
      baseline_path_(baseline_path(ctx.data_dir, ctx.name)),
      dead_letters_(ctx.data_dir + "/dead-letter/" + ctx.name + ".notifications.ndjson"),
      engine_(config, ctx.name),
      state_errors_(metrics().counter("logship_alert_state_errors_total", "Times the alerts state file could not be written.", {{"component", ctx.name}})),
      query_errors_(metrics().counter("logship_alert_query_errors_total", "Views of query rules and summaries the cluster did not answer.", {{"component", ctx.name}})) {
  if (config_.cluster) {
    cluster_ = std::make_unique<ClusterViews>(*config_.cluster);
    cluster_->set_cancel(&cluster_cancelled_);
  }
  auto add_schedule = [&](const std::string& key, const std::string& text, Duration every, const std::string& zone) {
    std::string why;
    auto schedule = Schedule::make(text, every, zone, why);
    if (!schedule) {  // (validate refuses it; a config that skipped validate runs on `every`)
      log_error("bad schedule; running on `every` instead", {{"component", name_}, {"of", key}, {"error", why}});
      schedule = Schedule::make("", every, "", why);
    }
    schedules_.emplace(key, *schedule);
  };
  for (const auto& [n, r] : config_.rules)
    if (r.is_query()) add_schedule("rule:" + n, r.schedule, r.every, r.timezone);
  for (const auto& [n, sc] : config_.summaries) add_schedule("summary:" + n, sc.schedule, sc.every, sc.timezone);
  once_ = ctx.once;
  const std::string help = "Alert messages by notifier and outcome (sent, retried, dead_lettered).";
  for (const auto& [n, cfg] : config_.notifiers) {
    notifier_metrics_[n] = {&metrics().counter("logship_alert_notifications_total", help, {{"component", name_}, {"notifier", n}, {"outcome", "sent"}}),
                            &metrics().counter("logship_alert_notifications_total", help, {{"component", name_}, {"notifier", n}, {"outcome", "retried"}}),
                            &metrics().counter("logship_alert_notifications_total", help, {{"component", name_}, {"notifier", n}, {"outcome", "dead_lettered"}})};
  }
}

Result<std::unique_ptr<AlertsSink>> AlertsSink::create(const AlertsSinkConfig& config, const BuildContext& ctx) {
  if (Status s = make_dirs(ctx.data_dir + "/alerts", 0700); !s) return s.error();
  return std::unique_ptr<AlertsSink>(new AlertsSink(config, ctx));  // the state is read at on_start()
}

void AlertsSink::on_start() {
  std::lock_guard lock(mutex_);
  if (started_ || stopping_) return;
  if (Status s = load_state(); !s) {
    // (An unreadable file that cannot even be moved aside.) The alerts go on from nothing; the
    // file is written over at the first change.
    state_errors_.add();
    log_error("alerts state not read; starting without it", {{"component", name_}, {"error", s.error().message}});
  }
  started_unix_ms_ = wall_unix_ms();
  // The first start is kept: an interval summary never made comes `every` after it, however
  // often the pipeline restarts (a deploy a day must not keep a daily summary from coming).
  if (first_started_unix_ms_ <= 0 || first_started_unix_ms_ > started_unix_ms_) {
    first_started_unix_ms_ = started_unix_ms_;
    dirty_ = true;
  }
  next_evaluation_ms_ = started_unix_ms_ + std::chrono::duration_cast<std::chrono::milliseconds>(config_.evaluate_interval.value).count();
  started_ = true;
  worker_ = std::thread([this] { run(); });
  if (cluster_) cluster_worker_ = std::thread([this] { run_cluster(); });
}

AlertsSink::~AlertsSink() { abort(); }

const NotifierConfig* AlertsSink::notifier(const std::string& name) const {
  for (const auto& [n, cfg] : config_.notifiers)
    if (n == name) return &cfg;
  return nullptr;
}

Status AlertsSink::load_state() {
  simdjson::dom::parser baseline_parser;
  auto baselines = read_saved(baseline_path_, "alerts baseline file", name_, baseline_parser);
  if (!baselines) return baselines.error();
  simdjson::dom::parser parser;
  auto saved = read_saved(state_path_, "alerts state file", name_, parser);
  if (!saved) return saved.error();
  auto load_baselines = [&] {
    if (!*baselines || engine_.load_baselines(**baselines) == 0) return;
    // What read is kept, and written over the file at the next save; a copy of the file as it
    // was is kept for a person to look at. (The file itself stays until then: a crash before
    // the save reads the same parts again rather than none.)
    std::string aside = baseline_path_ + ".damaged-" + std::to_string(wall_unix_ms());
    std::error_code copy_error;
    std::filesystem::copy_file(baseline_path_, aside, copy_error);
    engine_.mark_baselines_changed();
    log_warn("alerts baseline file is partly damaged; what read is kept and saved again", {{"component", name_}, {"copy", copy_error ? "" : aside}});
  };
  if (!*saved) {
    load_baselines();
    return {};
  }
  simdjson::dom::element state = **saved;
  engine_.load(state, wall_unix_ms());
  load_baselines();  // after the firing groups, which it joins
  simdjson::dom::array list;
  if (state["pending"].get_array().get(list) == simdjson::SUCCESS) {
    for (simdjson::dom::element e : list) {
      AlertChange c;
      std::string_view rule;
      int64_t status = 0;
      if (e["rule"].get_string().get(rule) != simdjson::SUCCESS || e["status"].get_int64().get(status) != simdjson::SUCCESS) continue;
      c.rule = rule;
      c.status = static_cast<AlertStatus>(std::clamp<int64_t>(status, 0, 3));
      simdjson::dom::element g;
      if (e["group"].get(g) == simdjson::SUCCESS) c.group = read_group(g);
      if (e["shown"].get(g) == simdjson::SUCCESS) c.shown = read_group(g);
      if (e["value"].get_double().get(c.value)) {}
      if (e["events"].get_int64().get(c.events)) {}
      if (e["baseline"].get_double().get(c.baseline)) {}
      if (e["since_ns"].get_int64().get(c.since_ns)) {}
      if (e["queued_unix_ms"].get_int64().get(c.queued_unix_ms)) {}
      pending_.push_back(std::move(c));
    }
  }
  if (state["first_started_unix_ms"].get_int64().get(first_started_unix_ms_)) {}
  simdjson::dom::object runs;
  if (state["last_run"].get_object().get(runs) == simdjson::SUCCESS) {
    for (auto kv : runs) {
      int64_t ms = 0;
      // A time ahead of now (a clock set right since, a damaged file) would hold the schedule
      // back until then: taken as now.
      if (kv.value.get_int64().get(ms) == simdjson::SUCCESS && ms > 0) last_run_[std::string(kv.key)] = std::min(ms, wall_unix_ms());
    }
  }
  if (state["outbox"].get_array().get(list) == simdjson::SUCCESS) {
    for (simdjson::dom::element e : list) {
      Outgoing m;
      std::string_view n, rule, title, body;
      if (e["notifier"].get_string().get(n) != simdjson::SUCCESS || e["body"].get_string().get(body) != simdjson::SUCCESS) continue;
      if (notifier(std::string(n)) == nullptr) continue;  // removed from the config since
      m.notifier = n;
      m.body = body;
      if (e["rule"].get_string().get(rule) == simdjson::SUCCESS) m.rule = rule;
      if (e["title"].get_string().get(title) == simdjson::SUCCESS) m.title = title;
      if (e["first_try_unix_ms"].get_int64().get(m.first_try_unix_ms)) {}
      if (e["next_try_unix_ms"].get_int64().get(m.next_try_unix_ms)) {}
      int64_t attempts = 0;
      if (e["attempts"].get_int64().get(attempts)) {}
      m.attempts = static_cast<int>(attempts);
      outbox_.push_back(std::move(m));
    }
  }
  return {};
}

void AlertsSink::save_state_locked() {
  std::string text = "{\"version\":1,";
  engine_.save_members(text);
  text.append(",\"pending\":["sv);
  for (size_t i = 0; i < pending_.size(); ++i) {
    if (i) text.push_back(',');
    append_change(text, pending_[i]);
  }
  text.append("],\"first_started_unix_ms\":"sv).append(std::to_string(first_started_unix_ms_));
  text.append(",\"last_run\":{"sv);
  bool first_run = true;
  for (const auto& [key, ms] : last_run_) {
    if (!first_run) text.push_back(',');
    first_run = false;
    append_json_string(text, key);
    text.push_back(':');
    text.append(std::to_string(ms));
  }
  text.append("},\"outbox\":["sv);
  for (size_t i = 0; i < outbox_.size(); ++i) {
    const Outgoing& m = outbox_[i];
    if (i) text.push_back(',');
    text.append("{\"notifier\":"sv);
    append_json_string(text, m.notifier);
    text.append(",\"rule\":"sv);
    append_json_string(text, m.rule);
    text.append(",\"title\":"sv);
    append_json_string(text, m.title);
    text.append(",\"body\":"sv);
    append_json_string(text, m.body);
    text.append(",\"first_try_unix_ms\":"sv).append(std::to_string(m.first_try_unix_ms));
    text.append(",\"next_try_unix_ms\":"sv).append(std::to_string(m.next_try_unix_ms));
    text.append(",\"attempts\":"sv).append(std::to_string(m.attempts)).push_back('}');
  }
  text.append("]}\n"sv);
  bool ok = write_durably(state_path_, text);
  if (!ok) {
    // The alerts go on from memory; a restart before the next good write may repeat or miss one.
    state_errors_.add();
    log_error("cannot write the alerts state file", {{"component", name_}, {"path", state_path_}, {"error", std::strerror(errno)}});
    return;
  }
  dirty_ = false;
}

void AlertsSink::send(std::shared_ptr<const Delivery> delivery, DeliveryDone done) {
  {
    std::lock_guard lock(mutex_);
    int64_t now = wall_unix_ms();
    size_t before = pending_.size();
    delivery->for_each([&](const Batch& batch, uint32_t index) {
      engine_.add_event(batch.encoded_text(batch.events[index]), now, pending_);
    });
    // A new first_seen value is on disk (with its message waiting) before its event is
    // acknowledged: a crash now neither loses the message nor announces the value twice.
    if (pending_.size() != before) save_state_locked();
  }
  wake_.notify_one();
  done(DeliveryReport::delivered(delivery->events()));
}

void AlertsSink::dispatch_locked(int64_t now_ms, bool everything) {
  int64_t wait = std::chrono::duration_cast<std::chrono::milliseconds>(config_.group_wait.value).count();
  // Changes of one rule and one status whose first has waited group_wait go out as one message.
  std::vector<AlertChange> due;
  std::map<std::pair<std::string, std::string>, int64_t> oldest;
  for (const AlertChange& c : pending_) {
    auto key = std::pair{c.rule, std::string(status_name(c.status))};
    auto [it, fresh] = oldest.emplace(key, c.queued_unix_ms);
    if (!fresh) it->second = std::min(it->second, c.queued_unix_ms);
  }
  std::vector<AlertChange> waiting;
  for (AlertChange& c : pending_) {
    auto key = std::pair{c.rule, std::string(status_name(c.status))};
    if (everything || oldest[key] + wait <= now_ms) due.push_back(std::move(c));
    else waiting.push_back(std::move(c));
  }
  pending_ = std::move(waiting);
  if (due.empty()) return;
  for (MessageChanges& m : into_messages(engine_, std::move(due))) {
    const CompiledRule& rule = *m.rule;
    for (const auto& [n, cfg] : config_.targets(rule.config.notify)) {
      Outgoing out;
      out.notifier = n;
      out.rule = rule.name;
      out.title = message_title(rule, m.changes);
      out.body = render_message(*cfg, rule, m.changes, MessageContext{host_, name_});
      out.first_try_unix_ms = now_ms;
      outbox_.push_back(std::move(out));
    }
  }
  dirty_ = true;
}

bool AlertsSink::dead_letter(const Outgoing& m, const std::string& reason) {
  std::string record = "{\"@timestamp\":\"";
  append_rfc3339_micros(record, wall_unix_ms() * 1'000'000);
  record.append("\",\"sink\":"sv);
  append_json_string(record, name_);
  record.append(",\"notifier\":"sv);
  append_json_string(record, m.notifier);
  record.append(",\"rule\":"sv);
  append_json_string(record, m.rule);
  record.append(",\"title\":"sv);
  append_json_string(record, m.title);
  record.append(",\"reason\":"sv);
  append_json_string(record, reason);
  record.append(",\"attempts\":"sv).append(std::to_string(m.attempts));
  record.append(",\"message\":"sv);
  append_json_string(record, m.body);
  record.append("}\n"sv);
  if (Status s = dead_letters_.append_text(record); !s) {
    // Kept in the outbox and tried again: never dropped without a trace.
    log_error("cannot write an alert message to its dead-letter file; it stays queued", {{"component", name_}, {"notifier", m.notifier}, {"error", s.error().message}});
    return false;
  }
  notifier_metrics_[m.notifier].dead_lettered->add();
  log_error("alert message dead-lettered", {{"component", name_}, {"notifier", m.notifier}, {"rule", m.rule}, {"reason", reason}, {"file", dead_letters_.path()}});
  return true;
}

void AlertsSink::post_due(std::unique_lock<std::mutex>& lock, bool flushing) {
  // Each notifier's messages go in order, one at a time (a receiver that asks for a pause gets
  // it for all of them), and a notifier that is away holds up only its own. Flushing (the input
  // ended, or shutdown) gives each message that is due one try, within kFlushBudget.
  constexpr int64_t kFlushBudgetMs = 10'000;
  int64_t started = wall_unix_ms();
  std::set<std::string> tried;  // flushing: messages (by notifier and position) tried once
  while (!stopping_) {
    int64_t now = wall_unix_ms();
    if (flushing && now - started > kFlushBudgetMs) return;
    // The first message of a notifier whose turn it is.
    std::set<std::string> blocked;
    size_t pick = outbox_.size();
    for (size_t i = 0; i < outbox_.size(); ++i) {
      const Outgoing& m = outbox_[i];
      if (blocked.count(m.notifier)) continue;
      blocked.insert(m.notifier);  // its later messages wait for this one
      if (m.next_try_unix_ms > now) continue;
      if (flushing && tried.count(m.notifier + "\n" + std::to_string(m.first_try_unix_ms) + "\n" + m.title)) continue;
      pick = i;
      break;
    }
    if (pick == outbox_.size()) return;
    Outgoing m = outbox_[pick];
    if (flushing) tried.insert(m.notifier + "\n" + std::to_string(m.first_try_unix_ms) + "\n" + m.title);
    const NotifierConfig* cfg = notifier(m.notifier);
    lock.unlock();
    PostOutcome outcome = post_message(*cfg, m.body);
    lock.lock();
    // Only this thread adds messages to the outbox or takes them out: `pick` still names it.
    Outgoing& front = outbox_[pick];
    ++front.attempts;
    now = wall_unix_ms();
    if (outcome.kind == PostOutcome::Kind::kSent) {
      notifier_metrics_[m.notifier].sent->add();
      log_info("alert message sent", {{"component", name_}, {"notifier", m.notifier}, {"title", m.title}});
      outbox_.erase(outbox_.begin() + static_cast<std::ptrdiff_t>(pick));
      save_state_locked();
      continue;
    }
    int64_t give_up = std::chrono::duration_cast<std::chrono::milliseconds>(cfg->give_up_after.value).count();
    if ((outcome.kind == PostOutcome::Kind::kFailed || now - front.first_try_unix_ms >= give_up) && dead_letter(front, outcome.reason)) {
      outbox_.erase(outbox_.begin() + static_cast<std::ptrdiff_t>(pick));
      save_state_locked();
      continue;
    }
    notifier_metrics_[m.notifier].retried->add();
    // Backoff doubling from 1 s to 1 min, never sooner than the receiver asked.
    int64_t backoff = std::min<int64_t>(60'000, 1000LL << std::min(front.attempts - 1, 6));
    front.next_try_unix_ms = now + std::max<int64_t>(backoff, outcome.retry_after.count());
    log_warn("alert message not accepted; tried again later",
             {{"component", name_}, {"notifier", m.notifier}, {"reason", outcome.reason}, {"attempts", std::to_string(front.attempts)}});
    save_state_locked();
  }
}

void AlertsSink::queue_summary(const SummaryReport& report, const SummaryConfig& config, int64_t now_ms) {
  for (const auto& [n, cfg] : config_.targets(config.notify)) {
    Outgoing out;
    out.notifier = n;
    out.rule = "summary:" + report.name;
    out.title = report.name + " summary";
    out.body = render_summary(*cfg, report, MessageContext{host_, name_});
    out.first_try_unix_ms = now_ms;
    outbox_.push_back(std::move(out));
  }
  dirty_ = true;
}

void AlertsSink::run_scheduled(std::unique_lock<std::mutex>& lock, bool flushing) {
  if (!cluster_) return;
  for (size_t i = 0; i < engine_.rules().size() && !cluster_cancelled_; ++i) {
    const CompiledRule& rule = engine_.rules()[i];
    const AlertRuleConfig& rc = rule.config;
    if (!rc.is_query()) continue;
    std::string key = "rule:" + rule.name;
    int64_t now = wall_unix_ms();
    const Schedule& schedule = schedules_.at(key);
    auto last = last_run_.find(key);
    // An interval rule runs first at start; a cron one at its first time after start.
    int64_t due = last != last_run_.end() ? schedule.next_ms(last->second) : schedule.is_cron() ? schedule.next_ms(started_unix_ms_) : now;
    if (now < due) continue;
    int64_t previous_run = last != last_run_.end() ? last->second : 0;
    last_run_[key] = now;
    dirty_ = true;
    std::map<std::string, std::string> params(rc.params.begin(), rc.params.end());
    lock.unlock();
    auto table = cluster_->run(rc.view, params);
    lock.lock();
    if (cluster_cancelled_) {  // (a stop or reload cut it short: not run, so not an error)
      if (last != last_run_.end()) last_run_[key] = previous_run;
      else last_run_.erase(key);
      return;
    }
    if (!table) {
      query_errors_.add();
      log_warn("query rule: the view did not run; tried again at its next time", {{"component", name_}, {"rule", rule.name}, {"error", table.error().message}});
      continue;
    }
    const ResultTable& t = table.value();
    auto column = [&](const std::string& name) -> int {
      for (size_t c = 0; c < t.columns.size(); ++c)
        if (t.columns[c] == name) return static_cast<int>(c);
      return -1;
    };
    if (t.rows.empty()) {
      // Nothing matched (an aggregation of no documents has no columns either): every group
      // is gone, which resolves an `above` alert and fires a `below` one.
      engine_.judge_rows(i, {}, wall_unix_ms(), pending_);
      dirty_ = true;  // (the groups it knows are saved too)
      continue;
    }
    int value_at = column(rc.value);
    std::vector<int> group_at;
    std::vector<std::string> group_names = rc.group_by;
    if (group_names.empty()) {
      // The view's own row names (its summary keys), else its first column.
      if (auto view = find_saved_view(rc.view); view && !view->summary_keys.empty()) group_names = view->summary_keys;
      else if (!t.columns.empty()) group_names = {t.columns[0]};
    }
    for (const std::string& g : group_names) group_at.push_back(column(g));
    if (value_at < 0 || std::find(group_at.begin(), group_at.end(), -1) != group_at.end()) {
      query_errors_.add();
      std::string columns;
      for (const std::string& c : t.columns) columns += (columns.empty() ? "" : ", ") + c;
      log_error("query rule: the view has no such column; fix value or group_by", {{"component", name_}, {"rule", rule.name}, {"value", rc.value}, {"columns", columns}});
      continue;
    }
    std::vector<std::pair<Group, std::optional<double>>> rows;
    size_t unreadable = 0;  // (a text column, an empty percentile)
    for (const auto& row : t.rows) {
      Group g;
      for (size_t k = 0; k < group_at.size(); ++k) {
        size_t c = static_cast<size_t>(group_at[k]);
        g.emplace_back(group_names[k], c < row.size() ? row[c] : "");
      }
      std::optional<double> v;
      if (static_cast<size_t>(value_at) < row.size()) {
        double d;
        const std::string& text = row[static_cast<size_t>(value_at)];
        auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
        if (ec == std::errc() && p == text.data() + text.size() && !text.empty() && std::isfinite(d)) v = d;
      }
      unreadable += !v;
      rows.emplace_back(std::move(g), v);
    }
    if (unreadable > 0)
      log_warn("query rule: rows whose value is not a number are left as they were", {{"component", name_}, {"rule", rule.name}, {"value", rc.value}, {"rows", std::to_string(unreadable)}});
    engine_.judge_rows(i, rows, wall_unix_ms(), pending_);
    dirty_ = true;  // (the groups it knows are saved too)
  }
  for (const auto& [sname, sc] : config_.summaries) {
    if (cluster_cancelled_) return;
    std::string key = "summary:" + sname;
    int64_t now = wall_unix_ms();
    const Schedule& schedule = schedules_.at(key);
    auto last = last_run_.find(key);
    auto retry = retry_at_.find(key);
    int64_t next = retry != retry_at_.end() ? retry->second : schedule.next_ms(last != last_run_.end() ? last->second : first_started_unix_ms_);
    // With --once the end of the input is the end of the run: a summary never made is made then
    // (later ones follow the schedule, however often --once runs). A graceful stop of a
    // long-running pipeline (a deploy, a reload) makes none.
    bool due = now >= next || (flushing && once_ && last == last_run_.end() && !made_this_run_.count(sname));
    if (!due) continue;
    SummaryConfig config = sc;
    // A cron summary covers up to its time (09:00:00, not the moment it ran), by default since
    // the schedule's time before (yesterday's 09:00 for a daily one, Friday's for Monday's of a
    // weekday one); an interval's ends now and covers the interval. One made early, at the
    // input's end (--once), covers the time since its schedule's last time.
    bool early = now < next;
    int64_t end = early ? now : schedule.latest_ms(now);
    int64_t start = early && schedule.is_cron() ? schedule.latest_ms(now) : schedule.previous_ms(end);
    // Times missed while logship was down are not made one by one: the summary after the gap
    // covers all of it, back to the last one made (up to 31 days).
    if (!early && last != last_run_.end()) {
      int64_t last_time = schedule.latest_ms(last->second);
      if (last_time < start && end - last_time <= 31LL * 86'400'000) start = last_time;
    }
    if (config.period.value.count() == 0) config.period.value = std::chrono::milliseconds(std::max<int64_t>(1000, end - start));
    std::string summary_name = sname;
    lock.unlock();
    SummaryReport report = build_summary(*cluster_, summary_name, config, end, [this] { return cluster_cancelled_.load(); });
    bool all_failed = !report.sections.empty();
    for (const SummarySection& section : report.sections) all_failed &= !section.error.empty();
    Status indexed;
    if (config.index && !all_failed && !cluster_cancelled_) indexed = cluster_->index("logship.summary", summary_document(report, MessageContext{host_, name_}));
    lock.lock();
    made_this_run_.insert(summary_name);
    for (const SummarySection& section : report.sections)
      if (!section.error.empty()) query_errors_.add();
    if (cluster_cancelled_) return;  // not made: made again at the next start
    if (all_failed) {
      // The cluster is away: tried again in a few minutes, not posted as a page of errors.
      log_warn("summary not made: no view answered; tried again later", {{"component", name_}, {"summary", summary_name}, {"error", report.sections.front().error}});
      retry_at_[key] = now + std::min<int64_t>(300'000, std::max<int64_t>(1000, next - schedule.previous_ms(next)));
      continue;
    }
    if (!indexed) {
      query_errors_.add();
      log_warn("summary not indexed (it is still posted)", {{"component", name_}, {"summary", summary_name}, {"error", indexed.error().message}});
    }
    // An interval's next one comes an interval after this one's time (not after its lateness),
    // unless far behind; a cron schedule's at its next time after now.
    retry_at_.erase(key);
    bool on_time = last != last_run_.end() && !schedule.is_cron() && next <= now && now < schedule.next_ms(next);
    last_run_[key] = on_time ? next : now;
    queue_summary(report, config, now);  // in the same save as last_run_: posted once, or made again
  }
}

void AlertsSink::run() {
  std::unique_lock lock(mutex_);
  int64_t interval = std::chrono::duration_cast<std::chrono::milliseconds>(config_.evaluate_interval.value).count();
  while (!stopping_) {
    int64_t now = wall_unix_ms();
    bool flushing = flush_requested_;
    if (flushing || now >= next_evaluation_ms_) {
      size_t before = pending_.size();
      engine_.evaluate(now, pending_);
      next_evaluation_ms_ = now + interval;
      if (pending_.size() != before) dirty_ = true;
    }
    if (flushing && cluster_worker_.joinable()) {
      // The event rules' messages go first (a slow cluster must not hold them); what the
      // cluster thread's last pass queues (a summary at the end of --once) goes out after it.
      dispatch_locked(wall_unix_ms(), true);
      if (dirty_) save_state_locked();
      post_due(lock, true);
      wake_cluster_.notify_one();
      flushed_.wait(lock, [&] { return cluster_flush_done_ || stopping_; });
    }
    dispatch_locked(wall_unix_ms(), flushing);
    if (dirty_) save_state_locked();
    save_baselines(lock, flushing);
    post_due(lock, flushing);
    if (flushing) {
      flush_requested_ = false;
      flush_done_ = true;
      flushed_.notify_all();
    }
    wake_.wait_for(lock, std::chrono::milliseconds(100));
  }
}

void AlertsSink::run_cluster() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    bool flushing = cluster_flush_requested_;
    // At the end of --once the schedules' work is done once more; at a graceful stop or a reload
    // of a long-running pipeline none is started (cluster_cancelled_), so it cannot hold them.
    if (!cluster_cancelled_) run_scheduled(lock, flushing);
    if (flushing) {
      cluster_flush_requested_ = false;
      cluster_flush_done_ = true;
      flushed_.notify_all();
    }
    wake_.notify_one();  // (what it queued is posted by the worker)
    wake_cluster_.wait_for(lock, std::chrono::milliseconds(500));
  }
}

void AlertsSink::flush() {
  std::unique_lock lock(mutex_);
  if (stopping_ || !started_) return;
  flush_done_ = false;
  flush_requested_ = true;
  cluster_flush_done_ = false;
  cluster_flush_requested_ = true;
  if (!once_) cluster_cancelled_ = true;  // a search under way gives up between views
  wake_.notify_one();
  wake_cluster_.notify_one();
  flushed_.wait(lock, [&] { return flush_done_ || stopping_; });
}

void AlertsSink::abort() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && !worker_.joinable() && !cluster_worker_.joinable()) return;
    stopping_ = true;
    // Built but never started (a reload that failed after building it): it has not read the
    // state file, so it must not write it.
    if (!started_) return;
    if (dirty_) save_state_locked();
  }
  cluster_cancelled_ = true;
  wake_.notify_all();
  wake_cluster_.notify_all();
  flushed_.notify_all();
  if (worker_.joinable()) worker_.join();
  if (cluster_worker_.joinable()) cluster_worker_.join();
  std::unique_lock lock(mutex_);
  save_state_locked();
  save_baselines(lock, true);
}

void AlertsSink::save_baselines(std::unique_lock<std::mutex>& lock, bool now) {
  // A copy is taken once a minute and written kBaselineSettleMs later: by then the inputs have
  // committed the events in it (their checkpoints), so a kill -9 after the write does not read
  // them again into a baseline that already counts them. Built under the lock, written
  // without it (a week of buckets can be megabytes, and events wait for the lock); only the
  // worker writes (abort writes after it has stopped). At a flush or a stop: the baseline as
  // it is, at once (a copy waiting to be written is part of it).
  int64_t wall = wall_unix_ms();
  if (now && (engine_.baselines_changed() || !baseline_copy_.empty())) {
    baseline_copy_.clear();
    engine_.save_baselines(baseline_copy_);
    baseline_copy_due_ms_ = wall;
  } else if (baseline_copy_.empty() && engine_.baselines_changed() && wall >= next_baseline_save_ms_) {
    engine_.save_baselines(baseline_copy_);
    baseline_copy_due_ms_ = wall + kBaselineSettleMs;
    next_baseline_save_ms_ = wall + kBaselineSaveMs;
  }
  if (baseline_copy_.empty() || wall < baseline_copy_due_ms_) return;
  std::string text = std::move(baseline_copy_);
  baseline_copy_.clear();
  lock.unlock();
  bool ok = write_durably(baseline_path_, text);
  int saved_errno = errno;
  lock.lock();
  if (!ok) {
    state_errors_.add();
    log_error("cannot write the alerts baseline file", {{"component", name_}, {"path", baseline_path_}, {"error", std::strerror(saved_errno)}});
  }
}

}  // namespace logship
