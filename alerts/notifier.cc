#include "alerts/notifier.h"

#include <curl/curl.h>

#include <cmath>
#include <cstdio>

#include "core/json_writer.h"
#include "core/time_format.h"

namespace logship {

using namespace std::string_view_literals;

namespace {

// Slack's limits (api.slack.com/reference/block-kit): a header's text 150 characters, a
// section's text 3000, a field's 2000, 10 fields a section, 50 blocks a message.
constexpr size_t kHeaderChars = 150;
constexpr size_t kFieldChars = 2000;
constexpr size_t kSectionChars = 3000;
constexpr size_t kFieldsPerSection = 10;
constexpr size_t kMaxBlocks = 50;

// Cut to at most `max` bytes without splitting a UTF-8 character, with "…" when cut.
std::string cut(std::string_view text, size_t max) {
  if (text.size() <= max) return std::string(text);
  return utf8_prefix(text, max - 3) + "…";
}

std::string number_text(double v, bool share) {
  char buf[48];
  if (share) std::snprintf(buf, sizeof(buf), "%.2f %%", v * 100);
  else if (std::fabs(v) < 1e15 && v == std::floor(v)) std::snprintf(buf, sizeof(buf), "%.0f", v);
  else std::snprintf(buf, sizeof(buf), "%.10g", v);
  return buf;
}

// A regression's value against its baseline: "2.6×", "∞×" for a baseline of 0.
std::string ratio_text(double value, double baseline) {
  if (!(baseline > 0)) return value > 0 ? "∞×" : "1×";
  char buf[48];
  std::snprintf(buf, sizeof(buf), "%.3g×", value / baseline);
  return buf;
}

std::string bound_text(const AlertRuleConfig& r) {
  bool share = r.measure == "share";
  if (r.is_query()) {
    std::string out = r.value + " of view " + r.view;
    if (!std::isnan(r.above)) out += " above " + number_text(r.above, false);
    if (!std::isnan(r.below)) out += std::string(std::isnan(r.above) ? "" : " or") + " below " + number_text(r.below, false);
    return out + ", every " + format_duration(r.every);
  }
  std::string what = r.measure == "count" ? "events" : r.measure == "rate" ? "events per second" : r.measure == "share" ? "share matching" : r.measure + " of " + r.field;
  if (r.is_regression()) {
    std::string out = what + " over " + format_duration(r.window);
    if (!std::isnan(r.above)) out += " above " + number_text(r.above, false) + "×";
    if (!std::isnan(r.below)) out += std::string(std::isnan(r.above) ? "" : " or") + " below " + number_text(r.below, false) + "×";
    return out + " its " + format_duration(r.baseline) + " baseline";
  }
  std::string out = what;
  if (!std::isnan(r.above)) out += " above " + number_text(r.above, share);
  if (!std::isnan(r.below)) out += std::string(std::isnan(r.above) ? "" : " or") + " below " + number_text(r.below, share);
  return out + " over " + format_duration(r.window);
}

std::string replaced(std::string text, std::string_view name, std::string_view value) {
  for (size_t at = 0; (at = text.find(name, at)) != std::string::npos; at += value.size()) text.replace(at, name.size(), value);
  return text;
}

void text_object(std::string& out, std::string_view type, std::string_view text) {
  out.append("{\"type\":"sv);
  append_json_string(out, type);
  out.append(",\"text\":"sv);
  append_json_string(out, text);
  out.push_back('}');
}

void section_text(std::string& blocks, std::string_view mrkdwn) {
  blocks.append(",{\"type\":\"section\",\"text\":"sv);
  text_object(blocks, "mrkdwn", cut(mrkdwn, kSectionChars));
  blocks.push_back('}');
}

std::string render_slack(const NotifierConfig& n, const CompiledRule& rule, const std::vector<AlertChange>& changes, const MessageContext& ctx) {
  const AlertRuleConfig& r = rule.config;
  AlertStatus status = changes.front().status;
  const char* icon = status == AlertStatus::kResolved ? "✅" : status == AlertStatus::kFirstSeen ? "🆕" : "🔥";
  std::string blocks = "[{\"type\":\"header\",\"text\":";
  text_object(blocks, "plain_text", cut(std::string(icon) + " " + message_title(rule, changes), kHeaderChars));
  blocks.push_back('}');
  std::string lead;
  if (!r.description.empty()) lead = mrkdwn_escaped(r.description) + "\n";
  if (r.is_first_seen()) lead += "New value of *" + mrkdwn_escaped(r.first_seen) + "*, not seen in " + format_duration(r.remember);
  else lead += "*" + mrkdwn_escaped(bound_text(r)) + "*";
  lead += " · severity " + mrkdwn_escaped(r.severity);
  section_text(blocks, lead);
  size_t rows = std::min(changes.size(), static_cast<size_t>(n.max_rows));
  bool share = r.measure == "share";
  size_t blocks_used = 2;  // the header and the lead; the "more" line and the context come last
  size_t shown = 0;
  for (; shown < rows; ++shown) {
    const AlertChange& c = changes[shown];
    if (blocks_used + 1 + c.shown.size() + 2 > kMaxBlocks) break;
    blocks_used += 1 + c.shown.size();
    std::vector<std::pair<std::string, std::string>> fields;
    for (const auto& [field, value] : c.group) fields.emplace_back(field, value.empty() ? "(none)" : value);
    if (r.is_first_seen()) {
      fields.emplace_back("first seen", time_text(c.since_ns));
    } else {
      fields.emplace_back(status == AlertStatus::kResolved ? "was" : r.is_query() ? r.value : r.measure, number_text(c.value, share));
      if (r.is_regression() && !std::isnan(c.baseline)) {
        fields.emplace_back("baseline (" + format_duration(r.baseline) + ")", number_text(c.baseline, share));
        fields.emplace_back("against baseline", ratio_text(c.value, c.baseline));
      }
      if (r.measure != "count" && !r.is_query()) fields.emplace_back("events", std::to_string(c.events));
      fields.emplace_back("since", time_text(c.since_ns));
    }
    blocks.append(",{\"type\":\"section\",\"fields\":["sv);
    for (size_t k = 0; k < fields.size() && k < kFieldsPerSection; ++k) {
      if (k) blocks.push_back(',');
      const auto& [name, value] = fields[k];
      text_object(blocks, "mrkdwn", cut("*" + mrkdwn_escaped(name) + "*\n" + mrkdwn_escaped(value), kFieldChars));
    }
    blocks.append("]}"sv);
    // Long values (a query, a stack trace's first line) read better as code below the fields.
    for (const auto& [field, value] : c.shown) section_text(blocks, "*" + mrkdwn_escaped(field) + "*\n```" + cut(mrkdwn_escaped(value), kSectionChars - 200) + "```");
  }
  if (changes.size() > shown) section_text(blocks, "… and " + std::to_string(changes.size() - shown) + " more");
  std::string context = "logship on " + mrkdwn_escaped(ctx.host) + " · sink " + mrkdwn_escaped(ctx.sink);
  if (!n.link.empty()) {
    std::string link = replaced(replaced(n.link, "{rule}", rule.name), "{status}", status_name(status));
    context += " · <" + link + "|Open>";
  }
  blocks.append(",{\"type\":\"context\",\"elements\":["sv);
  text_object(blocks, "mrkdwn", cut(context, kFieldChars));
  blocks.append("]}]"sv);
  std::string out = "{\"text\":";
  // Shown in notifications: escaped too, or a value "<!channel>" would call the whole channel.
  append_json_string(out, cut(mrkdwn_escaped(std::string(icon) + " " + message_title(rule, changes)), kSectionChars));
  out.append(",\"blocks\":"sv).append(blocks).push_back('}');
  return out;
}

// {"field":"value",…}, each value cut at `max_value` bytes.
void append_text_object(std::string& out, const Group& fields, size_t max_value) {
  out.push_back('{');
  for (size_t k = 0; k < fields.size(); ++k) {
    if (k) out.push_back(',');
    append_json_string(out, fields[k].first);
    out.push_back(':');
    append_json_string(out, cut(fields[k].second, max_value));
  }
  out.push_back('}');
}

std::string render_webhook(const NotifierConfig& n, const CompiledRule& rule, const std::vector<AlertChange>& changes, const MessageContext& ctx) {
  const AlertRuleConfig& r = rule.config;
  AlertStatus status = changes.front().status;
  std::string out = "{\"version\":1,\"source\":\"logship\",\"host\":";
  append_json_string(out, ctx.host);
  out.append(",\"sink\":"sv);
  append_json_string(out, ctx.sink);
  out.append(",\"rule\":"sv);
  append_json_string(out, rule.name);
  out.append(",\"status\":"sv);
  append_json_string(out, status_name(status));
  out.append(",\"repeat\":"sv).append(status == AlertStatus::kRepeat ? "true"sv : "false"sv);
  out.append(",\"severity\":"sv);
  append_json_string(out, r.severity);
  out.append(",\"title\":"sv);
  append_json_string(out, message_title(rule, changes));
  out.append(",\"description\":"sv);
  append_json_string(out, r.description);
  if (r.is_first_seen()) {
    out.append(",\"first_seen\":"sv);
    append_json_string(out, r.first_seen);
  } else if (r.is_query()) {
    out.append(",\"view\":"sv);
    append_json_string(out, r.view);
    out.append(",\"value_column\":"sv);
    append_json_string(out, r.value);
    out.append(",\"every_seconds\":"sv).append(std::to_string(std::chrono::duration_cast<std::chrono::seconds>(r.every.value).count()));
    if (!std::isnan(r.above)) out.append(",\"above\":"sv).append(number_text(r.above, false));
    if (!std::isnan(r.below)) out.append(",\"below\":"sv).append(number_text(r.below, false));
  } else {
    out.append(",\"measure\":"sv);
    append_json_string(out, r.measure);
    if (!r.field.empty()) {
      out.append(",\"field\":"sv);
      append_json_string(out, r.field);
    }
    out.append(",\"window_seconds\":"sv).append(std::to_string(std::chrono::duration_cast<std::chrono::seconds>(r.window.value).count()));
    if (r.is_regression())
      out.append(",\"baseline_seconds\":"sv).append(std::to_string(std::chrono::duration_cast<std::chrono::seconds>(r.baseline.value).count()));
    if (!std::isnan(r.above)) out.append(",\"above\":"sv).append(number_text(r.above, false));
    if (!std::isnan(r.below)) out.append(",\"below\":"sv).append(number_text(r.below, false));
  }
  // Bounded: a receiver should not get megabytes because a first_seen rule met 40 000 values.
  constexpr size_t kMaxAlerts = 100;
  constexpr size_t kMaxValueBytes = 2000;
  size_t listed = std::min(changes.size(), kMaxAlerts);
  out.append(",\"more\":"sv).append(std::to_string(changes.size() - listed));
  out.append(",\"alerts\":["sv);
  for (size_t i = 0; i < listed; ++i) {
    const AlertChange& c = changes[i];
    if (i) out.push_back(',');
    out.append("{\"group\":"sv);
    append_text_object(out, c.group, kMaxValueBytes);
    out.append(",\"since\":\""sv).append(time_text(c.since_ns)).push_back('"');
    if (!r.is_first_seen()) {
      char buf[32];
      std::snprintf(buf, sizeof(buf), "%.17g", std::isfinite(c.value) ? c.value : 0.0);
      out.append(",\"value\":"sv).append(buf);
      if (r.is_regression() && !std::isnan(c.baseline)) {
        std::snprintf(buf, sizeof(buf), "%.17g", std::isfinite(c.baseline) ? c.baseline : 0.0);
        out.append(",\"baseline\":"sv).append(buf);
        // The ratio compared with the bound; null for a baseline of 0 (infinitely worse).
        if (c.baseline > 0) std::snprintf(buf, sizeof(buf), "%.17g", c.value / c.baseline);
        out.append(",\"ratio\":"sv).append(c.baseline > 0 ? std::string_view(buf) : "null"sv);
      }
      if (!r.is_query()) out.append(",\"events\":"sv).append(std::to_string(c.events));
    }
    if (!c.shown.empty()) {
      out.append(",\"shown\":"sv);
      append_text_object(out, c.shown, kMaxValueBytes);
    }
    out.push_back('}');
  }
  out.push_back(']');
  if (!n.link.empty()) {
    out.append(",\"link\":"sv);
    append_json_string(out, replaced(replaced(n.link, "{rule}", rule.name), "{status}", status_name(status)));
  }
  out.push_back('}');
  return out;
}

size_t append_body(char* data, size_t size, size_t n, void* out) {
  auto* s = static_cast<std::string*>(out);
  if (s->size() < 4096) s->append(data, std::min(size * n, 4096 - s->size()));  // enough for a reason
  return size * n;
}

size_t read_retry_after(char* data, size_t size, size_t n, void* out) {
  std::string_view line(data, size * n);
  constexpr std::string_view kName = "retry-after:";
  if (line.size() > kName.size()) {
    bool match = true;
    for (size_t i = 0; i < kName.size() && match; ++i) match = std::tolower(static_cast<unsigned char>(line[i])) == kName[i];
    if (match) {
      long seconds = std::strtol(std::string(line.substr(kName.size())).c_str(), nullptr, 10);
      if (seconds > 0) *static_cast<long*>(out) = std::min(seconds, 3600L);
    }
  }
  return size * n;
}

}  // namespace

std::string utf8_prefix(std::string_view text, size_t max) {
  if (text.size() <= max) return std::string(text);
  size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end));
}

std::string time_text(int64_t unix_nanos) {
  std::string out;
  append_rfc3339_micros(out, unix_nanos);
  return out;
}

std::string mrkdwn_escaped(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '&') out += "&amp;";
    else if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else out.push_back(c);
  }
  return out;
}

std::string message_title(const CompiledRule& rule, const std::vector<AlertChange>& changes) {
  AlertStatus status = changes.front().status;
  std::string what = status == AlertStatus::kFirstSeen ? "new " + rule.config.first_seen : status_name(status);
  std::string title = rule.name + " " + what;
  if (changes.size() == 1) {
    std::string groups;
    for (const auto& [field, value] : changes.front().group) groups += (groups.empty() ? "" : ", ") + value;
    if (!groups.empty()) title += ": " + groups;
  } else {
    title += ": " + std::to_string(changes.size()) + (status == AlertStatus::kFirstSeen ? " values" : " groups");
  }
  return title;
}

std::string render_text(const NotifierConfig* n, const CompiledRule& rule, const std::vector<AlertChange>& changes,
                        const MessageContext& ctx) {
  const AlertRuleConfig& r = rule.config;
  AlertStatus status = changes.front().status;
  const char* icon = status == AlertStatus::kResolved ? "✅" : status == AlertStatus::kFirstSeen ? "🆕" : "🔥";
  std::string out = std::string(icon) + " " + message_title(rule, changes) + "\n";
  if (!r.description.empty()) out += "   " + r.description + "\n";
  if (r.is_first_seen()) out += "   new value of " + r.first_seen + ", not seen in " + format_duration(r.remember);
  else out += "   " + bound_text(r);
  out += " · severity " + r.severity + "\n";
  size_t rows = n ? static_cast<size_t>(n->max_rows) : changes.size();
  bool share = r.measure == "share";
  for (size_t i = 0; i < changes.size() && i < rows; ++i) {
    const AlertChange& c = changes[i];
    std::string line = "   •";
    for (const auto& [field, value] : c.group) line += " " + field + "=" + (value.empty() ? "(none)" : value);
    if (r.is_first_seen()) {
      line += "  first seen " + time_text(c.since_ns);
      for (const auto& [field, value] : c.shown) line += "\n     " + field + ": " + cut(value, 300);
    } else {
      line += "  " + std::string(status == AlertStatus::kResolved ? "was " : "") + (r.is_query() ? r.value : r.measure) + " " + number_text(c.value, share);
      if (r.is_regression() && !std::isnan(c.baseline))
        line += ", " + ratio_text(c.value, c.baseline) + " its baseline " + number_text(c.baseline, share);
      if (r.measure != "count" && !r.is_query()) line += " (" + std::to_string(c.events) + " events)";
      line += "  since " + time_text(c.since_ns);
    }
    out += line + "\n";
  }
  if (changes.size() > rows) out += "   … and " + std::to_string(changes.size() - rows) + " more\n";
  out += "   logship on " + ctx.host + " · sink " + ctx.sink;
  if (n && !n->link.empty()) out += " · " + replaced(replaced(n->link, "{rule}", rule.name), "{status}", status_name(status));
  return out + "\n";
}

std::string render_message(const NotifierConfig& notifier, const CompiledRule& rule, const std::vector<AlertChange>& changes,
                           const MessageContext& context) {
  return notifier.type == "slack" ? render_slack(notifier, rule, changes, context) : render_webhook(notifier, rule, changes, context);
}

PostOutcome post_message(const NotifierConfig& notifier, const std::string& body) {
  CURL* easy = curl_easy_init();
  if (easy == nullptr) return {PostOutcome::Kind::kRetry, "cannot start libcurl", {}};
  std::string answer;
  long retry_after = 0;
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  for (const auto& [name, value] : notifier.headers) headers = curl_slist_append(headers, (name + ": " + value).c_str());
  curl_easy_setopt(easy, CURLOPT_URL, notifier.url.c_str());
  curl_easy_setopt(easy, CURLOPT_POST, 1L);
  curl_easy_setopt(easy, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(notifier.timeout.value).count()));
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, append_body);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &answer);
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, read_retry_after);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, &retry_after);
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  CURLcode code = curl_easy_perform(easy);
  long status = 0;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(easy);
  if (code != CURLE_OK) return {PostOutcome::Kind::kRetry, curl_easy_strerror(code), {}};  // (curl's words name no URL)
  std::string said = "HTTP " + std::to_string(status) + (answer.empty() ? "" : ": " + cut(answer, 300));
  if (status >= 200 && status < 300) return {PostOutcome::Kind::kSent, said, {}};
  if (status == 429 || status == 408 || status >= 500) return {PostOutcome::Kind::kRetry, said, std::chrono::seconds(retry_after)};
  return {PostOutcome::Kind::kFailed, said, {}};  // 4xx: the message or the URL is wrong; sending it again will not help
}

}  // namespace logship
