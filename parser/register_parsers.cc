#include "parser/register_parsers.h"

#include "parser/filter/filter_transform.h"
#include "parser/geoip/geoip_transform.h"
#include "parser/json/json_transform.h"
#include "parser/mysql_slowlog/slowlog_transform.h"
#include "parser/rules/rules_transform.h"

namespace logship {

void register_parsers(ComponentRegistry& registry) {
  registry.add(std::make_unique<TypedFactory<ComponentKind::kTransform, FilterConfig, FilterTransform>>(
      "filter", "Keeps or drops events by RE2 patterns on their text.", FilterTransform::schema()));
  registry.add(std::make_unique<TypedFactory<ComponentKind::kTransform, GeoipConfig, GeoipTransform>>(
      "geoip", "Adds where an address is and whose network it is (source.geo.*, source.as.*) from MaxMind-format databases.",
      GeoipTransform::schema()));
  registry.add(std::make_unique<TypedFactory<ComponentKind::kTransform, JsonTransformConfig, JsonTransform>>(
      "json", "Parses JSON lines with simdjson and splices logship's fields into the application's object.",
      JsonTransform::schema()));
  registry.add(std::make_unique<TypedFactory<ComponentKind::kTransform, RulesTransformConfig, RulesTransform>>(
      "rules", "Parses text lines with RE2 rule sets (built-in: nginx, apache, syslog, auth, logfmt, mysql_error, rails, go, java, python); optionally user agents too.",
      RulesTransform::schema()));
  registry.add(std::make_unique<TypedFactory<ComponentKind::kTransform, SlowlogTransformConfig, SlowlogTransform>>(
      "mysql_slowlog",
      "Parses MySQL, Percona Server and MariaDB slow log entries (from a file source with `multiline: {preset: mysql_slowlog}`) into ECS fields with pt-query-digest fingerprints.",
      SlowlogTransform::schema()));
}

}  // namespace logship
