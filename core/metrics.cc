#include "core/metrics.h"

namespace logship {

MetricInfo* MetricsRegistry::find(const std::string& name, const Labels& labels) {
  for (auto& info : infos_)
    if (info.name == name && info.labels == labels) return &info;
  return nullptr;
}

Counter& MetricsRegistry::counter(const std::string& name, const std::string& help, const Labels& labels) {
  std::lock_guard lock(mu_);
  if (MetricInfo* m = find(name, labels); m && m->counter) return const_cast<Counter&>(*m->counter);
  Counter& c = counters_.emplace_back();
  infos_.push_back({name, help, labels, MetricType::kCounter, &c, nullptr});
  return c;
}

Gauge& MetricsRegistry::gauge(const std::string& name, const std::string& help, const Labels& labels) {
  std::lock_guard lock(mu_);
  if (MetricInfo* m = find(name, labels); m && m->gauge) return const_cast<Gauge&>(*m->gauge);
  Gauge& g = gauges_.emplace_back();
  infos_.push_back({name, help, labels, MetricType::kGauge, nullptr, &g});
  return g;
}

Counter& MetricsRegistry::seconds_counter(const std::string& name, const std::string& help, const Labels& labels) {
  std::lock_guard lock(mu_);
  if (MetricInfo* m = find(name, labels); m && m->counter) return const_cast<Counter&>(*m->counter);
  Counter& c = counters_.emplace_back();
  infos_.push_back({name, help, labels, MetricType::kCounter, &c, nullptr, 1e-9});
  return c;
}

int MetricsRegistry::add_collector(Collector collector) {
  std::lock_guard lock(mu_);
  collectors_.emplace_back(next_collector_id_, std::move(collector));
  return next_collector_id_++;
}

void MetricsRegistry::remove_collector(int id) {
  std::lock_guard collect_lock(collect_mu_);  // not while a scrape runs it
  std::lock_guard lock(mu_);
  std::erase_if(collectors_, [id](const auto& c) { return c.first == id; });
}

std::vector<Sample> MetricsRegistry::collect() const {
  std::lock_guard collect_lock(collect_mu_);
  std::vector<std::pair<int, Collector>> collectors;
  {
    std::lock_guard lock(mu_);
    collectors = collectors_;
  }
  std::vector<Sample> out;
  for (const auto& c : collectors) c.second(out);
  return out;
}

void MetricsRegistry::for_each(const std::function<void(const MetricInfo&)>& fn) const {
  std::lock_guard lock(mu_);
  for (const auto& info : infos_) fn(info);
}

int64_t MetricsRegistry::value(const std::string& name, const Labels& labels) const {
  std::lock_guard lock(mu_);
  for (const auto& info : infos_) {
    if (info.name != name || info.labels != labels) continue;
    return info.counter ? static_cast<int64_t>(info.counter->value()) : info.gauge->value();
  }
  return 0;
}

MetricsRegistry& metrics() {
  static MetricsRegistry registry;
  return registry;
}

}  // namespace logship
