// `type: geoip` transform: looks an event's client address up in MaxMind-format databases
// (GeoLite2 or DB-IP City and ASN, read with libmaxminddb) and adds where it is and whose network
// it is, as Filebeat's and Elasticsearch's geoip processors name them:
//
//   transforms:
//     located:
//       type: geoip
//       inputs: [nginx]
//       database: /var/lib/GeoIP/GeoLite2-City.mmdb
//       asn_database: /var/lib/GeoIP/GeoLite2-ASN.mmdb   # optional
//
//   "source":{"ip":"85.181.35.98","geo":{"city_name":"Hamburg","continent_name":"Europe",
//     "country_iso_code":"DE","country_name":"Germany","location":{"lat":53.55,"lon":9.99},
//     "region_iso_code":"DE-HH","region_name":"Hamburg","timezone":"Europe/Berlin"},
//     "as":{"number":3320,"organization":{"name":"Deutsche Telekom AG"}}}
//
// The address is read from `field` (source.ip by default) of the event as a parser encoded it,
// and the new members go inside the same object (source). Private, loopback, link-local and other
// non-public addresses are not looked up; an object that already has `geo` or `as` keeps it.
// Results are cached by address (geo_lookup.h). Each database is checked for a change (a new file at its path,
// or the file rewritten) every `reload_interval` and reopened; a file that does not open keeps
// the one in use, with a warning.
#pragma once

#include <simdjson.h>

#include <memory>
#include <string>
#include <vector>

#include "core/component.h"
#include "core/string_pool.h"
#include "parser/geoip/geo_lookup.h"

namespace logship {

struct GeoipConfig : GeoLookupConfig {
  int64_t threads = 0;
};

class GeoipTransform final : public Transform {
 public:
  static const Schema<GeoipConfig>& schema();
  static Result<std::unique_ptr<GeoipTransform>> create(const GeoipConfig& config, const BuildContext& ctx);
  void process(BatchPtr batch, Emitter& out) override;
  // Adds the members to every event of an encoded batch that has a public address at `field`.
  void enrich(Batch& batch);

 private:
  GeoipTransform(const GeoipConfig& config, std::unique_ptr<GeoLookup> lookup);
  // Copies one encoded line to `out`, with the members spliced in where they belong.
  void enrich_line(std::string_view line, std::string& out);

  std::vector<std::string> parents_;  // the objects that hold `field`, outermost first
  std::string leaf_;                  // the key of the address in the innermost
  std::unique_ptr<GeoLookup> lookup_;
  simdjson::ondemand::parser parser_;
  std::string padded_;
  std::shared_ptr<StringPool> encoded_ = std::make_shared<StringPool>();
};

}  // namespace logship
