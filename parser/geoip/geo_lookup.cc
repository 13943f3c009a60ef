#include "parser/geoip/geo_lookup.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <unistd.h>

#include <charconv>
#include <cstring>
#include <mutex>

#include "core/ip_address.h"
#include "core/json_writer.h"
#include "core/log.h"

namespace logship {

using namespace std::string_view_literals;

const Schema<GeoLookupConfig>& GeoLookupConfig::schema() {
  static const auto s = [] {
    Schema<GeoLookupConfig> built;
    add_fields(built);
    return built;
  }();
  return s;
}

namespace {

// "" when the database's type suits the key (`database`: City or Country; `asn_database`:
// ASN), else why not. MaxMind and DB-IP name their types GeoLite2-City, GeoIP2-Country,
// DBIP-City-Lite, GeoLite2-ASN, DBIP-ASN-Lite (compat=GeoLite2-ASN)…
std::string wrong_type(GeoDatabase& db, bool asn) {
  std::string_view type = db.handle()->metadata.database_type ? db.handle()->metadata.database_type : "";
  bool is_asn = type.find("ASN") != std::string_view::npos || type.find("ISP") != std::string_view::npos;
  bool is_place = type.find("City") != std::string_view::npos || type.find("Country") != std::string_view::npos ||
                  type.find("Location") != std::string_view::npos;
  if (asn && is_place && !is_asn) return db.path() + " is a " + std::string(type) + " database; asn_database takes an ASN one (GeoLite2-ASN)";
  if (!asn && is_asn && !is_place) return db.path() + " is a " + std::string(type) + " database; database takes a City or Country one (asn_database is for ASN)";
  return "";
}

void check_database(const std::string& file, bool asn, const YAML::Node& node, const std::string& path, ConfigErrors& errors) {
  std::string error;
  auto db = GeoDatabase::open(file, error);
  if (!db) errors.add(node, path, error);
  else if (std::string why = wrong_type(*db, asn); !why.empty()) errors.add(node, path, why);
}

// The value at `path` (NULL-terminated) of a lookup result, as a string; empty when absent.
std::string_view string_at(MMDB_entry_s& entry, const char* const* path) {
  MMDB_entry_data_s data;
  if (MMDB_aget_value(&entry, &data, path) != MMDB_SUCCESS || !data.has_data || data.type != MMDB_DATA_TYPE_UTF8_STRING) return {};
  return {data.utf8_string, data.data_size};
}

}  // namespace

void GeoLookupConfig::validate(const YAML::Node& node, const std::string& path, ConfigErrors& errors) const {
  if (!database.empty()) check_database(database, false, node["database"], join_path(path, "database"), errors);
  if (!asn_database.empty()) check_database(asn_database, true, node["asn_database"], join_path(path, "asn_database"), errors);
  if (field.empty() || field.front() == '.' || field.back() == '.' || field.find("..") != std::string::npos)
    errors.add(node["field"], join_path(path, "field"), "a dotted path such as source.ip or client.ip");
  if (language.empty()) errors.add(node["language"], join_path(path, "language"), "must name a language, such as en");
  if (cache_size < 0 || cache_size > 1000000) errors.add(node["cache_size"], join_path(path, "cache_size"), "must be between 0 and 1000000");
  if (reload_interval.value < std::chrono::milliseconds(10))
    errors.add(node["reload_interval"], join_path(path, "reload_interval"), "must be at least 10ms");
}

namespace {

// The file's bytes in a memory file (see GeoDatabase); -1 with `error` set on failure.
int copy_to_memory(const std::string& path, struct stat& st, std::string& error) {
  // Checked before it is opened, and opened without blocking: opening a FIFO would wait for a
  // writer (validate, a reload, shutdown with it).
  if (::stat(path.c_str(), &st) != 0) {
    error = "cannot read " + path + ": " + std::strerror(errno);
    return -1;
  }
  if (!S_ISREG(st.st_mode)) {
    error = "cannot read " + path + ": not a regular file";
    return -1;
  }
  int in = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (in < 0 || ::fstat(in, &st) != 0 || !S_ISREG(st.st_mode)) {
    error = "cannot read " + path + ": " + (in < 0 ? std::strerror(errno) : "not a regular file");
    if (in >= 0) ::close(in);
    return -1;
  }
  int out = ::memfd_create("logship-geoip", MFD_CLOEXEC);
  if (out < 0) {
    error = std::string("memfd_create: ") + std::strerror(errno);
    ::close(in);
    return -1;
  }
  std::string buffer(1 << 20, '\0');
  off_t copied = 0;
  while (true) {
    ssize_t n = ::read(in, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n < 0) error = "cannot read " + path + ": " + std::strerror(errno);
      break;
    }
    for (ssize_t done = 0; done < n;) {
      ssize_t w = ::write(out, buffer.data() + done, static_cast<size_t>(n - done));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) {
        error = std::string("cannot copy the database to memory: ") + std::strerror(errno);
        break;
      }
      done += w;
    }
    if (!error.empty()) break;
    copied += n;
  }
  ::close(in);
  if (error.empty() && copied != st.st_size) error = path + " changed while it was read";
  if (!error.empty()) {
    ::close(out);
    return -1;
  }
  return out;
}

std::mutex open_mutex;
std::vector<std::weak_ptr<GeoDatabase>> open_databases;  // guarded by open_mutex

}  // namespace

bool GeoDatabase::same_file(const struct stat& st) const {
  return st.st_ino == stat_.st_ino && st.st_dev == stat_.st_dev && st.st_size == stat_.st_size &&
         st.st_mtim.tv_sec == stat_.st_mtim.tv_sec && st.st_mtim.tv_nsec == stat_.st_mtim.tv_nsec;
}

std::shared_ptr<GeoDatabase> GeoDatabase::open(const std::string& path, std::string& error) {
  std::lock_guard lock(open_mutex);
  struct stat now;
  if (::stat(path.c_str(), &now) == 0) {
    for (const auto& weak : open_databases) {
      auto db = weak.lock();
      if (db && db->path_ == path && db->same_file(now)) return db;
    }
  }
  std::shared_ptr<GeoDatabase> db(new GeoDatabase());
  db->path_ = path;
  int memory = copy_to_memory(path, db->stat_, error);
  if (memory < 0) return nullptr;
  std::string mapped = "/proc/self/fd/" + std::to_string(memory);
  int status = MMDB_open(mapped.c_str(), MMDB_MODE_MMAP, &db->mmdb_);
  ::close(memory);  // the mapping keeps the memory file
  if (status != MMDB_SUCCESS) {
    error = path + " is not a MaxMind database: " + MMDB_strerror(status);
    return nullptr;
  }
  db->opened_ = true;
  std::erase_if(open_databases, [](const auto& weak) { return weak.expired(); });
  open_databases.push_back(db);
  return db;
}

GeoDatabase::~GeoDatabase() {
  if (opened_) MMDB_close(&mmdb_);
}

bool GeoDatabase::changed_on_disk() const {
  struct stat now;
  if (::stat(path_.c_str(), &now) != 0) return false;  // gone for a moment (being replaced): keep the open one
  return !same_file(now);
}

namespace {

const std::string kLookupsHelp = "Addresses looked up in geoip databases, by outcome.";
const std::string kReloadsHelp = "Geoip database files opened again after they changed, by outcome.";

}  // namespace

GeoLookup::GeoLookup(const GeoLookupConfig& config, std::shared_ptr<GeoDatabase> city, std::shared_ptr<GeoDatabase> asn,
                     const std::string& component)
    : language_(config.language),
      cache_size_(static_cast<size_t>(config.cache_size)),
      reload_interval_(config.reload_interval.value),
      next_reload_check_(std::chrono::steady_clock::now() + reload_interval_),
      city_(std::move(city)),
      asn_(std::move(asn)),
      found_(metrics().counter("logship_geoip_lookups_total", kLookupsHelp, {{"component", component}, {"outcome", "found"}})),
      not_found_(metrics().counter("logship_geoip_lookups_total", kLookupsHelp, {{"component", component}, {"outcome", "not_found"}})),
      not_public_(metrics().counter("logship_geoip_lookups_total", kLookupsHelp, {{"component", component}, {"outcome", "not_public"}})),
      reloads_(metrics().counter("logship_geoip_database_reloads_total", kReloadsHelp, {{"component", component}, {"outcome", "reloaded"}})),
      reload_failures_(metrics().counter("logship_geoip_database_reloads_total", kReloadsHelp, {{"component", component}, {"outcome", "failed"}})) {}

Result<std::unique_ptr<GeoLookup>> GeoLookup::open(const GeoLookupConfig& config, const std::string& component) {
  std::string error;
  auto city = GeoDatabase::open(config.database, error);
  if (!city) return Error::invalid("database: " + error);
  if (std::string why = wrong_type(*city, false); !why.empty()) return Error::invalid("database: " + why);
  std::shared_ptr<GeoDatabase> asn;
  if (!config.asn_database.empty() && !(asn = GeoDatabase::open(config.asn_database, error))) return Error::invalid("asn_database: " + error);
  if (asn) {
    if (std::string why = wrong_type(*asn, true); !why.empty()) return Error::invalid("asn_database: " + why);
  }
  return std::unique_ptr<GeoLookup>(new GeoLookup(config, std::move(city), std::move(asn), component));
}

bool GeoLookup::reopen(std::shared_ptr<GeoDatabase>& db) {
  if (!db || !db->changed_on_disk()) return false;
  // A file that did not open is read again only once it changes (a copy still going on), not
  // at every check with a warning each time.
  struct stat now;
  std::string signature;
  if (::stat(db->path().c_str(), &now) == 0)
    signature = std::to_string(now.st_ino) + ":" + std::to_string(now.st_size) + ":" + std::to_string(now.st_mtim.tv_sec) + "." + std::to_string(now.st_mtim.tv_nsec);
  std::string& failed = &db == &city_ ? failed_city_ : failed_asn_;
  if (!signature.empty() && signature == failed) return false;
  std::string error;
  auto fresh = GeoDatabase::open(db->path(), error);
  if (fresh && std::string_view(fresh->handle()->metadata.database_type) != std::string_view(db->handle()->metadata.database_type)) {
    error = "the new file is a " + std::string(fresh->handle()->metadata.database_type) + " database, the one in use a " +
            db->handle()->metadata.database_type;
    fresh.reset();
  }
  if (!fresh) {
    // Kept: the old file is still mapped. Tried again at the next check (a copy may be half done).
    reload_failures_.add();
    failed = signature;
    log_warn("geoip database changed but does not open; the one in use stays", {{"path", db->path()}, {"error", error}});
    return false;
  }
  failed.clear();
  db = std::move(fresh);
  reloads_.add();
  log_info("geoip database reloaded", {{"path", db->path()}});
  return true;
}

bool GeoLookup::reload_if_changed() {
  auto now = std::chrono::steady_clock::now();
  if (now < next_reload_check_) return false;
  next_reload_check_ = now + reload_interval_;
  bool city = reopen(city_);
  bool asn = reopen(asn_);
  if (!city && !asn) return false;
  cache_.clear();
  return true;
}

const GeoFacts& GeoLookup::find(std::string_view ip) {
  static const GeoFacts kNone;
  if (auto it = cache_.find(ip); it != cache_.end()) {
    (it->second.geo.empty() && it->second.as.empty() ? not_found_ : found_).add();
    return it->second;
  }
  unsigned char bytes[16];
  bool v4 = false;
  if (!parse_ip(ip, bytes, v4)) {
    not_found_.add();
    return kNone;
  }
  if (non_public_ip(bytes, v4)) {
    not_public_.add();
    return kNone;
  }
  GeoFacts facts;
  look_up(bytes, v4, facts);
  (facts.geo.empty() && facts.as.empty() ? not_found_ : found_).add();
  if (cache_size_ == 0) {
    scratch_ = std::move(facts);
    return scratch_;
  }
  if (cache_.size() >= cache_size_) cache_.clear();
  return cache_.emplace(std::string(ip), std::move(facts)).first->second;
}

void GeoLookup::look_up(const unsigned char* bytes, bool v4, GeoFacts& facts) {
  sockaddr_storage address{};
  if (v4) {
    auto* in = reinterpret_cast<sockaddr_in*>(&address);
    in->sin_family = AF_INET;
    std::memcpy(&in->sin_addr, bytes, 4);
  } else {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&address);
    in6->sin6_family = AF_INET6;
    std::memcpy(&in6->sin6_addr, bytes, 16);
  }
  std::string& geo = facts.geo;
  std::string& as = facts.as;
  for (GeoDatabase* db : {city_.get(), asn_.get()}) {
    if (db == nullptr) continue;
    int error = 0;
    MMDB_lookup_result_s result = MMDB_lookup_sockaddr(db->handle(), reinterpret_cast<sockaddr*>(&address), &error);
    if (error != MMDB_SUCCESS || !result.found_entry) continue;
    MMDB_entry_s& entry = result.entry;
    const char* lang = language_.c_str();
    auto name = [&](const char* object) {
      const char* in_language[] = {object, "names", lang, nullptr};
      std::string_view v = string_at(entry, in_language);
      const char* in_english[] = {object, "names", "en", nullptr};
      return v.empty() ? string_at(entry, in_english) : v;
    };
    auto member = [](std::string& to, std::string_view key, std::string_view value) {
      if (value.empty()) return;
      to.append(to.empty() ? "{"sv : ","sv);
      to.push_back('"');
      to.append(key);
      to.append("\":"sv);
      append_json_string(to, value);
    };
    if (geo.empty()) {
      const char* continent_code[] = {"continent", "code", nullptr};
      const char* country_code[] = {"country", "iso_code", nullptr};
      const char* region_code[] = {"subdivisions", "0", "iso_code", nullptr};
      const char* region_name[] = {"subdivisions", "0", "names", lang, nullptr};
      const char* region_name_en[] = {"subdivisions", "0", "names", "en", nullptr};
      const char* postal[] = {"postal", "code", nullptr};
      const char* zone[] = {"location", "time_zone", nullptr};
      member(geo, "city_name", name("city"));
      member(geo, "continent_code", string_at(entry, continent_code));
      member(geo, "continent_name", name("continent"));
      std::string_view country = string_at(entry, country_code);
      member(geo, "country_iso_code", country);
      member(geo, "country_name", name("country"));
      MMDB_entry_data_s lat, lon;
      const char* lat_path[] = {"location", "latitude", nullptr};
      const char* lon_path[] = {"location", "longitude", nullptr};
      if (MMDB_aget_value(&entry, &lat, lat_path) == MMDB_SUCCESS && lat.has_data && lat.type == MMDB_DATA_TYPE_DOUBLE &&
          MMDB_aget_value(&entry, &lon, lon_path) == MMDB_SUCCESS && lon.has_data && lon.type == MMDB_DATA_TYPE_DOUBLE) {
        char number[32];
        geo.append(geo.empty() ? "{"sv : ","sv);
        geo.append("\"location\":{\"lat\":"sv);
        geo.append(number, std::to_chars(number, number + sizeof(number), lat.double_value).ptr);
        geo.append(",\"lon\":"sv);
        geo.append(number, std::to_chars(number, number + sizeof(number), lon.double_value).ptr);
        geo.push_back('}');
      }
      member(geo, "postal_code", string_at(entry, postal));
      std::string_view region = string_at(entry, region_code);
      // As Elasticsearch's geoip processor writes it: "DE-HH", country and subdivision.
      if (!region.empty()) member(geo, "region_iso_code", country.empty() ? std::string(region) : std::string(country) + "-" + std::string(region));
      std::string_view region_in_language = string_at(entry, region_name);
      member(geo, "region_name", region_in_language.empty() ? string_at(entry, region_name_en) : region_in_language);
      member(geo, "timezone", string_at(entry, zone));
    }
    if (as.empty()) {
      MMDB_entry_data_s number;
      const char* number_path[] = {"autonomous_system_number", nullptr};
      const char* org_path[] = {"autonomous_system_organization", nullptr};
      if (MMDB_aget_value(&entry, &number, number_path) == MMDB_SUCCESS && number.has_data && number.type == MMDB_DATA_TYPE_UINT32) {
        as.append("{\"number\":"sv);
        append_uint(as, number.uint32);
        std::string_view org = string_at(entry, org_path);
        if (!org.empty()) {
          as.append(",\"organization\":{\"name\":"sv);
          append_json_string(as, org);
          as.push_back('}');
        }
      }
    }
  }
  // Each object was left open for the next database's members.
  if (!geo.empty()) geo.push_back('}');
  if (!as.empty()) as.push_back('}');
}

}  // namespace logship
