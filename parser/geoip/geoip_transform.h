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
// Results are cached by address. Each database is checked for a change (a new file at its path,
// or the file rewritten) every `reload_interval` and reopened; a file that does not open keeps
// the one in use, with a warning.
#pragma once

#include <maxminddb.h>
#include <simdjson.h>
#include <sys/stat.h>

#include <chrono>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/component.h"
#include "core/metrics.h"
#include "core/string_pool.h"

namespace logship {

struct GeoipConfig {
  std::string database;
  std::string asn_database;
  std::string field = "source.ip";
  std::string language = "en";
  int64_t cache_size = 10000;
  Duration reload_interval{std::chrono::seconds(60)};
  int64_t threads = 0;
  void validate(const YAML::Node& node, const std::string& path, ConfigErrors& errors) const;
};

// One open database and what identifies its file, so a change at the path is seen.
//
// libmaxminddb maps its file: a database copied over in place (cp, not a rename) would change
// under the lookups, and one cut shorter would kill the process (SIGBUS). So the file is read
// into a memory file of logship's own (memfd) and that is mapped: what happens at the path
// afterwards cannot reach it. One copy per file per process, shared by the transform's threads.
class GeoDatabase {
 public:
  // Null with `error` set when the file is not a readable MaxMind database. The same file
  // (path, inode, size, time) opened before and still in use is shared.
  static std::shared_ptr<GeoDatabase> open(const std::string& path, std::string& error);
  ~GeoDatabase();
  GeoDatabase(const GeoDatabase&) = delete;
  GeoDatabase& operator=(const GeoDatabase&) = delete;
  MMDB_s* handle() { return &mmdb_; }
  // Whether the file at the path is another than the one opened (replaced, rewritten).
  bool changed_on_disk() const;
  const std::string& path() const { return path_; }

 private:
  GeoDatabase() = default;
  bool same_file(const struct stat& st) const;
  MMDB_s mmdb_{};
  bool opened_ = false;
  std::string path_;
  struct stat stat_{};
};

class GeoipTransform final : public Transform {
 public:
  static const Schema<GeoipConfig>& schema();
  static Result<std::unique_ptr<GeoipTransform>> create(const GeoipConfig& config, const BuildContext& ctx);
  void process(BatchPtr batch, Emitter& out) override;
  // Adds the members to every event of an encoded batch that has a public address at `field`.
  void enrich(Batch& batch);

 private:
  GeoipTransform(GeoipConfig config, std::shared_ptr<GeoDatabase> city, std::shared_ptr<GeoDatabase> asn, const std::string& name);
  // Copies one encoded line to `out`, with the members spliced in where they belong.
  void enrich_line(std::string_view line, std::string& out);
  // `,"geo":{…},"as":{…}` for an address ("" when nothing is known or it is not public).
  const std::string& members_for(std::string_view ip);
  void reload_if_changed();
  void reopen(std::shared_ptr<GeoDatabase>& db);

  GeoipConfig config_;
  std::vector<std::string> parents_;  // the objects that hold `field`, outermost first
  std::string leaf_;                  // the key of the address in the innermost
  std::shared_ptr<GeoDatabase> city_;
  std::shared_ptr<GeoDatabase> asn_;  // may be null
  std::chrono::steady_clock::time_point next_reload_check_;
  // Looked up by the address's text as it is in the event (no string made per lookup).
  struct TextHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, std::string, TextHash, std::equal_to<>> cache_;
  simdjson::ondemand::parser parser_;
  std::string padded_;
  std::string members_;  // the result being built
  std::shared_ptr<StringPool> encoded_ = std::make_shared<StringPool>();
  Counter& found_;
  Counter& not_found_;
  Counter& not_public_;
  Counter& reloads_;
  Counter& reload_failures_;
};

}  // namespace logship
