// Messages for people: alert changes rendered for Slack (Block Kit) or as logship's webhook
// JSON (docs/alerts.md), and posted with libcurl.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "alerts/alert_config.h"
#include "alerts/rule_engine.h"

namespace logship {

struct MessageContext {
  std::string host;   // the machine logship runs on
  std::string sink;   // the alerts sink's name
};

// The body of one message about `changes` (all of one rule and one status) for `notifier`.
std::string render_message(const NotifierConfig& notifier, const CompiledRule& rule, const std::vector<AlertChange>& changes,
                           const MessageContext& context);

// The message as plain text, as a person would read it in Slack (for `logship alerts test`
// and the demo): the title, the bound, one line per group, the link.
std::string render_text(const NotifierConfig* notifier, const CompiledRule& rule, const std::vector<AlertChange>& changes,
                        const MessageContext& context);

// At most `max` bytes of `text`, not splitting a UTF-8 character.
std::string utf8_prefix(std::string_view text, size_t max);
// A time in Unix nanoseconds as RFC 3339 with microseconds.
std::string time_text(int64_t unix_nanos);

// Text for Slack's mrkdwn: &, < and > as entities (Slack reads them as markup, <!channel> too).
std::string mrkdwn_escaped(std::string_view text);

// A short text for logs and `logship alerts test`: "errors_per_service firing: 3 groups".
std::string message_title(const CompiledRule& rule, const std::vector<AlertChange>& changes);

struct PostOutcome {
  enum class Kind { kSent, kRetry, kFailed } kind = Kind::kSent;
  std::string reason;                     // what the receiver or the connection said
  std::chrono::milliseconds retry_after{0};  // 429's Retry-After
};

// One POST of `body`; the URL never appears in `reason`.
PostOutcome post_message(const NotifierConfig& notifier, const std::string& body);

}  // namespace logship
