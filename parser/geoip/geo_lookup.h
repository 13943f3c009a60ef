// Where an address is and whose network it is, from MaxMind-format databases (GeoLite2 or
// DB-IP City/Country and ASN, read with libmaxminddb), as the JSON members Filebeat's and
// Elasticsearch's geoip processors write:
//
//   "geo":{"city_name":"Hamburg","continent_name":"Europe","country_iso_code":"DE",
//          "location":{"lat":53.55,"lon":9.99},"region_iso_code":"DE-HH",…}
//   "as":{"number":3320,"organization":{"name":"Deutsche Telekom AG"}}
//
// Used by the `geoip` transform (any encoded event) and by the rules transform's `geoip:`
// option (the address a rule captured, looked up while the line is encoded: no second parse).
#pragma once

#include <maxminddb.h>
#include <sys/stat.h>

#include <chrono>
#include <memory>
#include <string>
#include <unordered_map>

#include "core/component.h"
#include "core/metrics.h"

namespace logship {

// The options both users share (`geoip:` of a rules transform, and the geoip transform's).
struct GeoLookupConfig {
  std::string database;
  std::string asn_database;
  std::string field = "source.ip";
  std::string language = "en";
  int64_t cache_size = 10000;
  Duration reload_interval{std::chrono::seconds(60)};
  static const Schema<GeoLookupConfig>& schema();
  void validate(const YAML::Node& node, const std::string& path, ConfigErrors& errors) const;

  // Adds the fields above to the schema of a config that has them (GeoLookupConfig or a
  // struct deriving from it).
  template <class C>
  static Schema<C>& add_fields(Schema<C>& s);
};

// One open database and what identifies its file, so a change at the path is seen.
//
// libmaxminddb maps its file: a database copied over in place (cp, not a rename) would change
// under the lookups, and one cut shorter would kill the process (SIGBUS). So the file is read
// into a memory file of logship's own (memfd) and that is mapped: what happens at the path
// afterwards cannot reach it. One copy per file per process, shared by every thread.
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

// What the databases know of one address: the `geo` and `as` objects' JSON, each empty when
// unknown (and both when the address is not public).
struct GeoFacts {
  std::string geo;
  std::string as;
};

// Lookups with a cache by the address's text; one per thread (not shared).
class GeoLookup {
 public:
  static Result<std::unique_ptr<GeoLookup>> open(const GeoLookupConfig& config, const std::string& component);
  // The facts of an address as written in an event (no string made for a cached one). The
  // reference holds until the next find() or reload_if_changed().
  const GeoFacts& find(std::string_view ip);
  // Every `reload_interval`, a database file changed at its path is opened in place of the
  // one in use (which stays when the new file does not open). Returns true when one did
  // (the cache then starts again).
  bool reload_if_changed();

 private:
  GeoLookup(const GeoLookupConfig& config, std::shared_ptr<GeoDatabase> city, std::shared_ptr<GeoDatabase> asn, const std::string& component);
  bool reopen(std::shared_ptr<GeoDatabase>& db);
  void look_up(const unsigned char* bytes, bool v4, GeoFacts& facts);

  std::string language_;
  size_t cache_size_;
  std::chrono::steady_clock::duration reload_interval_;
  std::chrono::steady_clock::time_point next_reload_check_;
  std::shared_ptr<GeoDatabase> city_;
  std::shared_ptr<GeoDatabase> asn_;  // may be null
  std::string failed_city_, failed_asn_;  // the file (inode:size:mtime) that last failed to open
  struct TextHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, GeoFacts, TextHash, std::equal_to<>> cache_;
  GeoFacts scratch_;  // an uncached result (cache_size 0, or an address that is not)
  Counter& found_;
  Counter& not_found_;
  Counter& not_public_;
  Counter& reloads_;
  Counter& reload_failures_;
};

template <class C>
Schema<C>& GeoLookupConfig::add_fields(Schema<C>& s) {
  // Base members named as the derived config's (the schema reads and writes a C).
  return s
      .field("database", static_cast<std::string C::*>(&GeoLookupConfig::database),
             "A MaxMind-format City or Country database (GeoLite2-City.mmdb, DB-IP's dbip-city-lite.mmdb).")
      .required()
      .field("asn_database", static_cast<std::string C::*>(&GeoLookupConfig::asn_database),
             "A MaxMind-format ASN database (GeoLite2-ASN.mmdb) for <object>.as.number and .as.organization.name; optional.")
      .field("field", static_cast<std::string C::*>(&GeoLookupConfig::field),
             "Dotted path of the address to look up; the new geo and as members go into the object that holds it.")
      .field("language", static_cast<std::string C::*>(&GeoLookupConfig::language),
             "Language of the place names (as the database has them: en, de, fr, ja, …); English when a name lacks it.")
      .field("cache_size", static_cast<int64_t C::*>(&GeoLookupConfig::cache_size),
             "Addresses whose results are kept per thread; the cache starts over when full.")
      .field("reload_interval", static_cast<Duration C::*>(&GeoLookupConfig::reload_interval),
             "How often the database files are checked for a new version, which is then opened in place of the old.");
}

}  // namespace logship
