#include "alerts/summary.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <set>

#include "core/json_writer.h"
#include "core/time_format.h"

namespace logship {

using namespace std::string_view_literals;

namespace {

std::optional<double> number_of(std::string_view text) {
  double d;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
  if (ec != std::errc() || p != text.data() + text.size() || text.empty() || !std::isfinite(d)) return std::nullopt;
  return d;
}


// "2026-12-05 07:00–08:00 UTC" (the day once when both ends are on it).
std::string period_text(int64_t start_ns, int64_t end_ns) {
  std::string a = time_text(start_ns), b = time_text(end_ns);
  std::string out = a.substr(0, 10) + " " + a.substr(11, 5) + "–";
  out += a.substr(0, 10) == b.substr(0, 10) ? b.substr(11, 5) : b.substr(0, 10) + " " + b.substr(11, 5);
  return out + " UTC";
}

std::string first_sentence(const std::string& text) {
  size_t dot = text.find(". ");
  return dot == std::string::npos ? text : text.substr(0, dot + 1);
}

std::string change_text(const std::optional<double>& change, const std::string& note) {
  if (!change) return note.empty() ? "?" : note;
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%+.0f %%", *change * 100);
  return buf;
}

// Column names as document keys: a dot would make "fingerprint.count" an object under the
// string "fingerprint".
std::string key_of(std::string_view column) {
  std::string k(column);
  for (char& c : k)
    if (c == '.') c = '_';
  return k;
}

// The text of a section as an aligned table with the change column, cut to `max` bytes.
std::string table_text(const SummarySection& s, size_t max) {
  ResultTable t = s.shown;
  if (s.change_column >= 0) {
    t.columns.push_back("change");
    for (size_t i = 0; i < t.rows.size(); ++i)
      t.rows[i].push_back(change_text(i < s.change.size() ? s.change[i] : std::nullopt, i < s.change_note.size() ? s.change_note[i] : ""));
  }
  // Long keys (a query fingerprint) make a table no phone shows: cut them. Three backticks
  // inside a cell would end the code block the table is shown in.
  for (auto& row : t.rows) {
    for (std::string& cell : row)
      for (size_t at; (at = cell.find("```")) != std::string::npos;) cell.replace(at, 3, "` ` `");
    if (!row.empty() && row[0].size() > 60) row[0] = utf8_prefix(row[0], 57) + "...";
  }
  std::string text = table_to_text(t);
  if (text.size() <= max) return text;
  // Whole lines only, so the table stays a table.
  size_t cut_at = text.rfind('\n', max);
  return text.substr(0, cut_at == std::string::npos ? 0 : cut_at) + "\n…";
}

}  // namespace

SummaryReport build_summary(ClusterViews& cluster, const std::string& name, const SummaryConfig& config, int64_t now_unix_ms,
                            const std::function<bool()>& cancelled) {
  SummaryReport report;
  report.name = name;
  report.description = config.description;
  int64_t period_s = std::chrono::duration_cast<std::chrono::seconds>(config.period.value.count() > 0 ? config.period.value : config.every.value).count();
  report.end_ns = now_unix_ms * 1'000'000;
  report.start_ns = report.end_ns - period_s * 1'000'000'000;
  // Absolute times, so both searches (and a retry) cover exactly this period and the one before.
  std::string start = time_text(report.start_ns), end = time_text(report.end_ns);
  std::string before = time_text(report.start_ns - period_s * 1'000'000'000);
  for (const std::string& view_name : config.views) {
    if (cancelled()) break;
    SummarySection s;
    s.view = view_name;
    auto view = find_saved_view(view_name);
    if (!view) {
      s.error = "no such saved view";
      report.sections.push_back(std::move(s));
      continue;
    }
    s.description = first_sentence(view->description);
    bool ranged = false, limited = false, timed = false;
    for (const ViewParameter& p : view->parameters) {
      ranged |= p.name == "until";
      limited |= p.name == "limit";
      timed |= p.name == "period_seconds";  // a view that makes counts a rate
    }
    std::map<std::string, std::string> now_params{{"since", start}}, before_params{{"since", before}};
    if (ranged) {
      now_params["until"] = end;
      before_params["until"] = start;
    }
    if (limited) now_params["limit"] = before_params["limit"] = std::to_string(std::max<int64_t>(config.rows, 10));
    if (timed) now_params["period_seconds"] = before_params["period_seconds"] = std::to_string(std::max<int64_t>(period_s, 1));
    auto current = cluster.run(view_name, now_params);
    if (!current) {
      s.error = current.error().message;
      report.sections.push_back(std::move(s));
      continue;
    }
    s.raw = current.value();
    s.shown = s.raw;
    size_t rows = static_cast<size_t>(config.rows);
    if (s.shown.rows.size() > rows) {
      s.more = s.shown.rows.size() - rows;
      s.shown.rows.resize(rows);
    }
    // The figure compared and the columns naming a row, as the view declares them (its
    // `summary:`), else its last column and its first.
    auto column = [&](const std::string& wanted) -> int {
      for (size_t c = 0; c < s.raw.columns.size(); ++c)
        if (s.raw.columns[c] == wanted) return static_cast<int>(c);
      return -1;
    };
    s.change_column = view->summary_compare.empty() ? static_cast<int>(s.raw.columns.size()) - 1 : column(view->summary_compare);
    std::vector<int> keys;
    for (const std::string& k : view->summary_keys) keys.push_back(column(k));
    if (keys.empty()) keys.push_back(0);
    bool usable = s.change_column > 0 && ranged && std::find(keys.begin(), keys.end(), -1) == keys.end();
    if (usable) {
      // The period before with a longer list: a row that climbed into the top is not "new".
      if (limited) before_params["limit"] = "100";
      auto previous = cluster.run(view_name, before_params);
      auto same_row = [&](const std::vector<std::string>& a, const std::vector<std::string>& b) {
        for (int k : keys)
          if (static_cast<size_t>(k) >= a.size() || static_cast<size_t>(k) >= b.size() || a[static_cast<size_t>(k)] != b[static_cast<size_t>(k)]) return false;
        return true;
      };
      size_t at = static_cast<size_t>(s.change_column);
      for (const auto& row : s.shown.rows) {
        std::optional<double> change;
        std::string note = previous ? "new" : "?";  // "?": the period before did not answer
        if (previous) {
          for (const auto& old : previous->rows) {
            if (!same_row(row, old) || old.size() <= at || row.size() <= at) continue;
            auto was = number_of(old[at]);
            auto is = number_of(row[at]);
            note = "?";
            if (was && *was == 0) note = "was 0";
            if (was && is && *was != 0 && std::isfinite((*is - *was) / *was)) change = (*is - *was) / *was;
          }
        }
        s.change.push_back(change);
        s.change_note.push_back(change ? "" : note);
      }
    } else {
      s.change_column = -1;
    }
    format_columns(*view, s.shown);
    report.sections.push_back(std::move(s));
  }
  return report;
}

std::string render_summary_text(const SummaryReport& r, const MessageContext& ctx) {
  std::string out = "📊 " + r.name + " summary · " + period_text(r.start_ns, r.end_ns) + "\n";
  if (!r.description.empty()) out += "   " + r.description + "\n";
  for (const SummarySection& s : r.sections) {
    out += "\n   " + s.view + (s.description.empty() ? "" : " — " + s.description) + "\n";
    if (!s.error.empty()) {
      out += "   (could not run: " + s.error + ")\n";
      continue;
    }
    if (s.shown.rows.empty()) {
      out += "   (nothing in this period)\n";
      continue;
    }
    std::string table = table_text(s, 1 << 20);
    for (size_t at = 0; at < table.size();) {
      size_t nl = table.find('\n', at);
      out += "   " + table.substr(at, nl == std::string::npos ? std::string::npos : nl - at) + "\n";
      if (nl == std::string::npos) break;
      at = nl + 1;
    }
    if (s.more) out += "   … and " + std::to_string(s.more) + " more\n";
  }
  return out + "   logship on " + ctx.host + " · sink " + ctx.sink + "\n";
}

std::string render_summary(const NotifierConfig& n, const SummaryReport& r, const MessageContext& ctx) {
  std::string title = "📊 " + r.name + " summary · " + period_text(r.start_ns, r.end_ns);
  if (n.type != "slack") {
    std::string out = "{\"version\":1,\"source\":\"logship\",\"kind\":\"summary\",\"host\":";
    append_json_string(out, ctx.host);
    out.append(",\"sink\":"sv);
    append_json_string(out, ctx.sink);
    out.append(",\"summary\":"sv);
    append_json_string(out, r.name);
    out.append(",\"title\":"sv);
    append_json_string(out, title);
    out.append(",\"period\":{\"start\":\""sv).append(time_text(r.start_ns)).append("\",\"end\":\""sv).append(time_text(r.end_ns)).append("\"}"sv);
    out.append(",\"views\":["sv);
    for (size_t i = 0; i < r.sections.size(); ++i) {
      const SummarySection& s = r.sections[i];
      if (i) out.push_back(',');
      out.append("{\"view\":"sv);
      append_json_string(out, s.view);
      if (!s.error.empty()) {
        out.append(",\"error\":"sv);
        append_json_string(out, s.error);
        out.push_back('}');
        continue;
      }
      out.append(",\"rows\":"sv).append(table_to_json(s.shown));
      out.append(",\"more\":"sv).append(std::to_string(s.more));
      if (s.change_column >= 0) {
        out.append(",\"change_of\":"sv);
        append_json_string(out, s.raw.columns[static_cast<size_t>(s.change_column)]);
        out.append(",\"change\":["sv);
        for (size_t k = 0; k < s.change.size(); ++k) {
          if (k) out.push_back(',');
          if (s.change[k] && std::isfinite(*s.change[k])) {
            char buf[32];
            std::snprintf(buf, sizeof(buf), "%.6g", *s.change[k]);
            out.append(buf);
          } else {
            out.append("null"sv);
          }
        }
        out.push_back(']');
      }
      out.push_back('}');
    }
    out.append("]}"sv);
    return out;
  }
  // Slack: a header, a section per view holding its table as code (aligned on a phone too),
  // within a section's 3000 characters.
  std::string blocks = "[{\"type\":\"header\",\"text\":{\"type\":\"plain_text\",\"text\":";
  append_json_string(blocks, utf8_prefix(title, 140));
  blocks.append("}}"sv);
  auto section = [&](const std::string& mrkdwn) {
    blocks.append(",{\"type\":\"section\",\"text\":{\"type\":\"mrkdwn\",\"text\":"sv);
    append_json_string(blocks, utf8_prefix(mrkdwn, 2990));
    blocks.append("}}"sv);
  };
  auto escaped = [](std::string_view text) { return mrkdwn_escaped(text); };
  if (!r.description.empty()) section(escaped(r.description));
  for (const SummarySection& s : r.sections) {
    std::string head = "*" + escaped(s.view) + "*" + (s.description.empty() ? "" : " — " + escaped(s.description)) + "\n";
    if (!s.error.empty()) section(head + "_could not run: " + escaped(s.error) + "_");
    else if (s.shown.rows.empty()) section(head + "_nothing in this period_");
    else {
      // Escaped before it is measured (an & is five bytes then), cut on whole lines to fit.
      std::string more = s.more ? "\n… and " + std::to_string(s.more) + " more" : "";
      size_t room = 2900 > head.size() + more.size() + 6 ? 2900 - head.size() - more.size() - 6 : 0;
      std::string table = escaped(table_text(s, 1 << 20));
      if (table.size() > room) {
        size_t cut_at = table.rfind('\n', room);
        table = table.substr(0, cut_at == std::string::npos ? 0 : cut_at) + "\n…";
      }
      section(head + "```" + table + "```" + more);
    }
  }
  std::string context = "logship on " + escaped(ctx.host) + " · sink " + escaped(ctx.sink);
  if (!n.link.empty()) context += " · <" + n.link + "|Open>";
  blocks.append(",{\"type\":\"context\",\"elements\":[{\"type\":\"mrkdwn\",\"text\":"sv);
  append_json_string(blocks, context);
  blocks.append("}]}]"sv);
  std::string out = "{\"text\":";
  append_json_string(out, escaped(title));
  out.append(",\"blocks\":"sv).append(blocks).push_back('}');
  return out;
}

std::string summary_document(const SummaryReport& r, const MessageContext& ctx) {
  std::string out = "{\"@timestamp\":\"" + time_text(r.end_ns) + "\"";
  out.append(",\"event\":{\"dataset\":\"logship.summary\",\"kind\":\"metric\"}"sv);
  out.append(",\"host\":{\"name\":"sv);
  append_json_string(out, ctx.host);
  out.append("},\"logship\":{\"summary\":{\"name\":"sv);
  append_json_string(out, r.name);
  out.append(",\"period_start\":\""sv).append(time_text(r.start_ns)).append("\",\"period_end\":\""sv).append(time_text(r.end_ns)).append("\"");
  out.append(",\"views\":{"sv);
  bool first = true;
  std::set<std::string> written;
  for (const SummarySection& s : r.sections) {
    if (!s.error.empty() || !written.insert(key_of(s.view)).second) continue;
    auto view = find_saved_view(s.view);
    std::set<std::string> text_columns;  // the row names stay text, whatever they look like
    if (view)
      for (const std::string& k : view->summary_keys) text_columns.insert(k);
    if (!first) out.push_back(',');
    first = false;
    append_json_string(out, key_of(s.view));
    out.append(":["sv);
    for (size_t i = 0; i < s.raw.rows.size() && i < s.shown.rows.size(); ++i) {
      if (i) out.push_back(',');
      out.push_back('{');
      const auto& row = s.raw.rows[i];
      std::set<std::string> keys;
      for (size_t c = 0; c < row.size() && c < s.raw.columns.size(); ++c) {
        std::string key = key_of(s.raw.columns[c]);
        // An empty cell (a percentile of no values) is left out: as "" it would map the column
        // as text, and the next summary's numbers in it would be refused.
        if (row[c].empty() || key == "logship_change" || !keys.insert(key).second) continue;  // (two columns that read the same)
        if (keys.size() > 1) out.push_back(',');
        append_json_string(out, key);
        out.push_back(':');
        if (auto n = number_of(row[c]); n && c > 0 && !text_columns.count(s.raw.columns[c])) {
          char buf[32];
          std::snprintf(buf, sizeof(buf), "%.17g", *n);
          out.append(buf);
        } else {
          append_json_string(out, row[c]);
        }
      }
      if (s.change_column >= 0 && i < s.change.size() && s.change[i] && std::isfinite(*s.change[i])) {
        char buf[32];
        std::snprintf(buf, sizeof(buf), "%.6g", *s.change[i]);
        out.append(keys.empty() ? "\"logship_change\":"sv : ",\"logship_change\":"sv).append(buf);
      }
      out.push_back('}');
    }
    out.push_back(']');
  }
  out.append("}}}}"sv);
  return out;
}

}  // namespace logship
