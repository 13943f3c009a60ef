#include "shipper/pipeline/pipeline_config.h"

#include <fstream>
#include <map>
#include <set>

#include "core/config/env_interpolation.h"
#include "core/config/tls_files.h"
#include "core/config/yaml_load.h"
#include "shipper/api/server_tls.h"

namespace logship {
namespace {

constexpr ComponentKind kKinds[] = {ComponentKind::kSource, ComponentKind::kTransform, ComponentKind::kSink};

bool valid_component_name(const std::string& name) {
  if (name.empty()) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string list_types(const ComponentRegistry& registry, ComponentKind kind) {
  std::string out;
  for (const auto& t : registry.types(kind)) out += (out.empty() ? "" : ", ") + t;
  return out;
}

struct Where {
  YAML::Node node;
  std::string path;
};

// `retry:` (sinks only) and the old `dead_letter:` of the elasticsearch sink, refused with the
// wiring that replaces it.
void parse_sink_keys(const std::string& name, const YAML::Node& node, ComponentKind kind, const std::string& path, ComponentEntry& entry,
                     ConfigErrors& errors) {
  YAML::Node retry = node["retry"];
  if (retry && kind != ComponentKind::kSink) {
    errors.add(retry, path + ".retry", "only sinks take `retry` (how long to wait before sending again what a destination failed to take)");
  } else if (retry) {
    bool old_names = false;
    if (retry.IsMap()) {
      for (const char* old : {"initial_backoff", "max_backoff"}) {
        if (retry[old]) {
          errors.add(retry[old], path + ".retry." + old,
                     std::string("renamed: write `retry: {initial: 100ms, max: 30s}` (") + old + " is now " + (old[0] == 'i' ? "initial" : "max") +
                         "); every sink takes it");
          old_names = true;
        }
      }
    }
    if (!old_names) {
      size_t before = errors.size();
      RetryPolicy::schema().parse(retry, path + ".retry", entry.retry, errors);
      if (errors.size() == before) entry.retry.validate(retry, path + ".retry", errors);
    }
  }
  YAML::Node dead_letter = node["dead_letter"];
  if (!dead_letter) return;
  if (kind != ComponentKind::kSink) {
    errors.add(dead_letter, path + ".dead_letter", "unknown key");
    return;
  }
  // What the old `dead_letter: {type: file|kafka|index, ...}` of the elasticsearch sink becomes.
  std::string type = dead_letter.IsMap() && dead_letter["type"] && dead_letter["type"].IsScalar() ? dead_letter["type"].Scalar() : "file";
  std::string reader = name + "_dead_letters";
  std::string example;
  auto scalar = [&](const char* key, const std::string& fallback) {
    return dead_letter.IsMap() && dead_letter[key] && dead_letter[key].IsScalar() ? dead_letter[key].Scalar() : fallback;
  };
  if (type == "kafka") {
    example = "{type: kafka, inputs: [" + dead_letter_output_name(name) + "], bootstrap_servers: " + scalar("bootstrap_servers", "...") +
              ", topic: " + scalar("topic", "logs.dead-letter") + "}";
  } else if (type == "index") {
    example = "{type: elasticsearch, inputs: [" + dead_letter_output_name(name) + "], endpoints: [...], index: " +
              scalar("index", "logs-deadletter-default") + "}";
  } else {
    example = "{type: file, inputs: [" + dead_letter_output_name(name) + "], path: " + scalar("path", "/var/lib/logship/" + name + ".dead-letter.ndjson") + "}";
  }
  errors.add(dead_letter, path + ".dead_letter",
             "no longer a sink option: what a destination refuses for good now goes to the output `" + dead_letter_output_name(name) +
                 "`, which any sink can read. Write instead, under sinks:  " + reader + ": " + example +
                 "  (with nothing reading it, refused events go to <data_dir>/dead-letter/" + name + ".ndjson)");
}

// Parses one component: its type, inputs, and its own options through its factory.
void parse_component(const std::string& name, const YAML::Node& node, ComponentKind kind, const ComponentRegistry& registry,
                     PipelineConfig& out, std::map<std::string, Where>& inputs_where, ConfigErrors& errors) {
  std::string path = std::string(kind_section(kind)) + "." + name;
  if (!valid_component_name(name)) {
    errors.add(node, path, "component names may hold only letters, digits, '_' and '-'");
  }
  if (!node.IsMap()) {
    errors.add(node, path, "expected a map with at least `type:`, got " + node_kind(node));
    return;
  }
  ComponentEntry entry;
  entry.name = name;
  entry.kind = kind;
  YAML::Node type = node["type"];
  if (!type) {
    errors.add(node, path + ".type", "missing required key (one of: " + list_types(registry, kind) + ")");
  } else if (!type.IsScalar() && !type.IsNull()) {
    errors.add(type, path + ".type", "expected a string, got " + node_kind(type));
  } else {
    // `type: null` reads as YAML's null; it names the null sink.
    entry.type = type.IsNull() ? "null" : type.Scalar();
    entry.factory = registry.find(kind, entry.type);
    if (!entry.factory) {
      errors.add(type, path + ".type",
                 "unknown " + std::string(kind_name(kind)) + " type '" + entry.type + "' (known: " + list_types(registry, kind) + ")");
    }
  }
  YAML::Node inputs = node["inputs"];
  if (kind == ComponentKind::kSource) {
    if (inputs) errors.add(inputs, path + ".inputs", "sources take no inputs");
  } else if (!inputs) {
    errors.add(node, path + ".inputs", "missing required key: name the sources or transforms this " +
                                           std::string(kind_name(kind)) + " reads from");
  } else if (inputs.IsScalar()) {
    entry.inputs.push_back(inputs.Scalar());
    inputs_where[name] = {inputs, path + ".inputs"};
  } else if (inputs.IsSequence()) {
    for (size_t i = 0; i < inputs.size(); ++i) {
      if (!inputs[i].IsScalar()) {
        errors.add(inputs[i], path + ".inputs[" + std::to_string(i) + "]", "expected a component name");
        continue;
      }
      entry.inputs.push_back(inputs[i].Scalar());
    }
    if (inputs.size() == 0) errors.add(inputs, path + ".inputs", "must name at least one input");
    inputs_where[name] = {inputs, path + ".inputs"};
  } else {
    errors.add(inputs, path + ".inputs", "expected a list of component names, got " + node_kind(inputs));
  }
  if (entry.factory) entry.config = entry.factory->parse(node, path, errors);
  parse_sink_keys(name, node, kind, path, entry, errors);
  out.components.push_back(std::move(entry));
}

// Every input must name a source, a transform or a sink's dead letters (`<sink>.dead_letter`);
// the graph must not loop back on itself.
void check_graph(PipelineConfig& p, const std::map<std::string, Where>& inputs_where, ConfigErrors& errors) {
  std::map<std::string, const ComponentEntry*> by_name;
  for (const auto& c : p.components) by_name[c.name] = &c;
  // The component whose output an input names: "app" -> app, "search.dead_letter" -> search.
  auto producer_of = [&](const std::string& in) -> const ComponentEntry* {
    std::string name = in;
    bool dead_letters = in.size() > kDeadLetterSuffix.size() && in.compare(in.size() - kDeadLetterSuffix.size(), kDeadLetterSuffix.size(), kDeadLetterSuffix) == 0;
    if (dead_letters) name = in.substr(0, in.size() - kDeadLetterSuffix.size());
    auto it = by_name.find(name);
    if (it == by_name.end()) return nullptr;
    if (dead_letters != (it->second->kind == ComponentKind::kSink)) return nullptr;
    return it->second;
  };
  std::set<std::string> consumed;
  std::set<std::string> reads_dead_letters;  // transforms that read a sink's dead letters
  for (const auto& c : p.components) {
    auto where = inputs_where.find(c.name);
    std::set<std::string> seen_inputs;
    for (size_t i = 0; i < c.inputs.size(); ++i) {
      const std::string& in = c.inputs[i];
      bool repeated = !seen_inputs.insert(in).second;
      YAML::Node n = where != inputs_where.end() ? where->second.node : YAML::Node();
      std::string path = where != inputs_where.end() ? where->second.path : c.name;
      YAML::Node at = n.IsSequence() && i < n.size() ? n[i] : n;
      if (n.IsSequence()) path += "[" + std::to_string(i) + "]";
      const ComponentEntry* from = producer_of(in);
      auto it = by_name.find(in);
      bool dead_letters = from && from->kind == ComponentKind::kSink;
      if (repeated) {
        errors.add(at, path, "'" + in + "' is listed twice; each input once");
      } else if (dead_letters && c.kind == ComponentKind::kTransform && c.type != "filter") {
        // A parser would read the refused event's text again and drop the reason with it.
        errors.add(at, path, "a " + c.type + " transform cannot read dead letters ('" + in +
                                 "'); only a sink or a filter transform can (they are events with the refused one as text)");
      } else if (!from && it != by_name.end() && it->second->kind == ComponentKind::kSink) {
        errors.add(at, path, "'" + in + "' is a sink; only sources and transforms can be inputs, and a sink's refused events as '" +
                                 dead_letter_output_name(in) + "'");
      } else if (!from) {
        errors.add(at, path, "unknown input '" + in + "': no source or transform has that name (a sink's refused events are read as '<sink>" +
                                 std::string(kDeadLetterSuffix) + "')");
      } else if (from == &c) {
        errors.add(at, path, from->kind == ComponentKind::kSink ? "a sink cannot read its own dead letters" : "a component cannot read its own output");
      } else if (c.config && from->config && from->kind == ComponentKind::kSource) {
        std::string need = c.config->required_input_framing();
        if (!need.empty() && from->config->framing() != need) {
          errors.add(at, path, "'" + in + "' hands over single lines, but a " + c.type + " transform needs whole entries: give sources." +
                                   in + " `multiline: {preset: " + need + "}`");
        }
      }
      if (from) consumed.insert(from->name);
      if (dead_letters && c.kind == ComponentKind::kTransform) reads_dead_letters.insert(c.name);
    }
  }
  // Cycle search over every component (depth-first, colouring): a sink's dead letters feed
  // what reads them, so a loop can pass through sinks too.
  std::map<std::string, int> colour;  // 0 new, 1 on stack, 2 done
  std::vector<std::string> stack;
  std::set<std::string> reported;
  std::function<void(const ComponentEntry&)> visit = [&](const ComponentEntry& c) {
    colour[c.name] = 1;
    stack.push_back(c.name);
    for (const auto& in : c.inputs) {
      const ComponentEntry* from = producer_of(in);
      if (!from || from == &c || from->kind == ComponentKind::kSource) continue;
      if (colour[from->name] == 1) {
        std::string cycle;
        bool on = false;
        for (const auto& s : stack) {
          if (s == from->name) on = true;
          if (on) cycle += s + " -> ";
        }
        cycle += from->name;
        if (reported.insert(from->name).second) {
          auto w = inputs_where.find(c.name);
          errors.add(w != inputs_where.end() ? w->second.node : YAML::Node(), w != inputs_where.end() ? w->second.path : c.name,
                     "cycle: " + cycle + " (each reads the one after it)");
        }
      } else if (colour[from->name] == 0) {
        visit(*from);
      }
    }
    stack.pop_back();
    colour[c.name] = 2;
  };
  for (const auto& c : p.components)
    if (c.kind != ComponentKind::kSource && colour[c.name] == 0) visit(c);

  for (const auto& c : p.components) {
    if (c.kind == ComponentKind::kSink || consumed.count(c.name)) continue;
    if (reads_dead_letters.count(c.name)) {
      // Its events would be acknowledged as kept while kept nowhere.
      auto w = inputs_where.find(c.name);
      errors.add(w != inputs_where.end() ? w->second.node : YAML::Node(), w != inputs_where.end() ? w->second.path : c.name,
                 "it reads dead letters, so a sink must read its output (else refused events would be kept nowhere)");
      continue;
    }
    p.warnings.push_back(std::string(kind_section(c.kind)) + "." + c.name + ": no sink or transform reads its output");
  }
}

}  // namespace

const Schema<GlobalConfig>& GlobalConfig::schema() {
  static const auto s =
      Schema<GlobalConfig>()
          .field("data_dir", &GlobalConfig::data_dir, "Folder for checkpoints; each source keeps its own file there.")
          .field("shutdown_timeout", &GlobalConfig::shutdown_timeout, "On SIGTERM, how long to flush what is in flight before giving up (unsent lines are read again at the next start).")
          .field("buffer_bytes", &GlobalConfig::buffer_bytes, "Bound of the queue in front of each transform and sink; a full queue pauses reading.")
          .field("host_name", &GlobalConfig::host_name, "host.name on every event; the machine's host name when empty.")
          .nested("api", &GlobalConfig::api, ApiConfig::schema(), "Serve /metrics (Prometheus) and /health over HTTP; off when absent.");
  return s;
}

const ComponentEntry* PipelineConfig::find(const std::string& name) const {
  for (const auto& c : components)
    if (c.name == name) return &c;
  return nullptr;
}

std::optional<PipelineConfig> load_pipeline(const std::string& yaml_text, const std::string& file_name,
                                            const ComponentRegistry& registry, ConfigErrors& errors) {
  PipelineConfig p;
  p.file = file_name;
  std::string text = interpolate_env(yaml_text, errors);
  std::optional<YAML::Node> loaded = load_yaml(text, errors);
  if (!loaded) {
    errors.sort_by_line();
    return std::nullopt;
  }
  YAML::Node root = *loaded;
  if (!root.IsMap()) {
    errors.add(root, "", "a pipeline is a map with sources:, transforms: and sinks:, got " + node_kind(root));
    return std::nullopt;
  }
  GlobalConfig::schema().parse(root, "", p.global, errors, {"sources", "transforms", "sinks"});
  if (p.global.api) {
    std::string host, why;
    int port = 0;
    if (!p.global.api->split_address(host, port, why)) errors.add(root["api"]["address"], "api.address", why);
    if (const auto& tls = p.global.api->tls) {
      size_t before = errors.size();
      check_tls_files(root["api"]["tls"], "api.tls", {{"cert_file", tls->cert_file}, {"key_file", tls->key_file}, {"ca_file", tls->ca_file}}, errors);
      // The files can be read: load them as the API will, so a wrong password or a key that
      // is not the certificate's shows now.
      if (errors.size() == before && !tls->cert_file.empty() && !tls->key_file.empty()) {
        ServerTlsProblem problem;
        if (!make_server_tls(*tls, &problem))
          errors.add(problem.key.empty() ? root["api"]["tls"] : root["api"]["tls"][problem.key],
                     problem.key.empty() ? "api.tls" : "api.tls." + problem.key, problem.reason);
      }
    }
  }
  std::map<std::string, Where> inputs_where;
  std::vector<YAML::Node> component_nodes;  // of p.components, in the same order
  std::set<std::string> names;
  for (ComponentKind kind : kKinds) {
    const char* section = kind_section(kind);
    YAML::Node list = root[section];
    if (!list || list.IsNull()) {
      if (kind != ComponentKind::kTransform) errors.add(root, section, std::string("missing: a pipeline needs at least one ") + kind_name(kind));
      continue;
    }
    if (!list.IsMap()) {
      errors.add(list, section, "expected a map of named components, got " + node_kind(list));
      continue;
    }
    std::set<std::string> in_section;
    for (const auto& kv : list) {
      std::string name = kv.first.Scalar();
      if (!in_section.insert(name).second) continue;  // a duplicate key, reported by load_yaml
      if (!names.insert(name).second) {
        errors.add(kv.first, std::string(section) + "." + name, "the name '" + name + "' is used twice; names must be unique across sources, transforms and sinks");
        continue;
      }
      size_t before = p.components.size();
      parse_component(name, kv.second, kind, registry, p, inputs_where, errors);
      if (p.components.size() > before) component_nodes.push_back(kv.second);
    }
  }
  check_graph(p, inputs_where, errors);
  errors.sort_by_line();
  if (!errors.empty()) return std::nullopt;
  // Signatures only for a pipeline that will run: YAML::Emitter takes longer than the parse
  // (20 of 31 s for a 100 MB file of unknown keys).
  for (size_t i = 0; i < p.components.size(); ++i) p.components[i].signature = YAML::Dump(component_nodes[i]);
  {
    // Emitted pair by pair: building a Node with global[key] = … searched the map for every key,
    // quadratic in the number of keys (233 s for a file of 80k unknown ones).
    YAML::Emitter global;
    global << YAML::BeginMap;
    for (const auto& kv : root) {
      const std::string& key = kv.first.Scalar();
      if (key != "sources" && key != "transforms" && key != "sinks") global << YAML::Key << key << YAML::Value << kv.second;
    }
    global << YAML::EndMap;
    p.global_signature = global.c_str();
  }
  return p;
}

std::optional<PipelineConfig> load_pipeline_file(const std::string& path, const ComponentRegistry& registry,
                                                 ConfigErrors& errors) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    errors.add_at(0, 0, "", "cannot read pipeline file");
    return std::nullopt;
  }
  // Read at most one byte past the limit: a device or a pipe has no size to ask for.
  std::string text(kMaxPipelineBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > kMaxPipelineBytes) {
    errors.add_at(0, 0, "", "larger than " + std::to_string(kMaxPipelineBytes >> 20) +
                                " MiB, more than a pipeline can be (is it the right file?)");
    return std::nullopt;
  }
  return load_pipeline(text, path, registry, errors);
}

}  // namespace logship
