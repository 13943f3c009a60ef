#include "parser/geoip/geoip_transform.h"

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
#include "core/plain_encoder.h"

namespace logship {

using namespace std::string_view_literals;

const Schema<GeoipConfig>& GeoipTransform::schema() {
  static const auto s =
      Schema<GeoipConfig>()
          .field("database", &GeoipConfig::database, "A MaxMind-format City or Country database (GeoLite2-City.mmdb, DB-IP's dbip-city-lite.mmdb).")
          .required()
          .field("asn_database", &GeoipConfig::asn_database, "A MaxMind-format ASN database (GeoLite2-ASN.mmdb) for <object>.as.number and .as.organization.name; optional.")
          .field("field", &GeoipConfig::field, "Dotted path of the address to look up; the new geo and as members go into the object that holds it.")
          .field("language", &GeoipConfig::language, "Language of the place names (as the database has them: en, de, fr, ja, …); English when a name lacks it.")
          .field("cache_size", &GeoipConfig::cache_size, "Addresses whose results are kept per thread; the cache starts over when full.")
          .field("reload_interval", &GeoipConfig::reload_interval, "How often the database files are checked for a new version, which is then opened in place of the old.")
          .field("threads", &GeoipConfig::threads, "Parallel workers (0: one per core, at most 4); events keep their order.");
  return s;
}

namespace {

void check_database(const std::string& file, const YAML::Node& node, const std::string& path, ConfigErrors& errors) {
  std::string error;
  if (!GeoDatabase::open(file, error)) errors.add(node, path, error);
}

// The value at `path` (NULL-terminated) of a lookup result, as a string; empty when absent.
std::string_view string_at(MMDB_entry_s& entry, const char* const* path) {
  MMDB_entry_data_s data;
  if (MMDB_aget_value(&entry, &data, path) != MMDB_SUCCESS || !data.has_data || data.type != MMDB_DATA_TYPE_UTF8_STRING) return {};
  return {data.utf8_string, data.data_size};
}

}  // namespace

void GeoipConfig::validate(const YAML::Node& node, const std::string& path, ConfigErrors& errors) const {
  if (!database.empty()) check_database(database, node["database"], join_path(path, "database"), errors);
  if (!asn_database.empty()) check_database(asn_database, node["asn_database"], join_path(path, "asn_database"), errors);
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

GeoipTransform::GeoipTransform(GeoipConfig config, std::shared_ptr<GeoDatabase> city, std::shared_ptr<GeoDatabase> asn,
                               const std::string& name)
    : config_(std::move(config)),
      city_(std::move(city)),
      asn_(std::move(asn)),
      next_reload_check_(std::chrono::steady_clock::now() + config_.reload_interval.value),
      found_(metrics().counter("logship_geoip_lookups_total", "Addresses the geoip transform looked at, by outcome.",
                               {{"component", name}, {"outcome", "found"}})),
      not_found_(metrics().counter("logship_geoip_lookups_total", "Addresses the geoip transform looked at, by outcome.",
                                   {{"component", name}, {"outcome", "not_found"}})),
      not_public_(metrics().counter("logship_geoip_lookups_total", "Addresses the geoip transform looked at, by outcome.",
                                    {{"component", name}, {"outcome", "not_public"}})),
      reloads_(metrics().counter("logship_geoip_database_reloads_total", "Database files opened again after they changed, by outcome.",
                                 {{"component", name}, {"outcome", "reloaded"}})),
      reload_failures_(metrics().counter("logship_geoip_database_reloads_total", "Database files opened again after they changed, by outcome.",
                                         {{"component", name}, {"outcome", "failed"}})) {
  std::string_view f = config_.field;
  size_t dot;
  while ((dot = f.find('.')) != std::string_view::npos) {
    parents_.emplace_back(f.substr(0, dot));
    f.remove_prefix(dot + 1);
  }
  leaf_ = f;
}

Result<std::unique_ptr<GeoipTransform>> GeoipTransform::create(const GeoipConfig& config, const BuildContext& ctx) {
  std::string error;
  auto city = GeoDatabase::open(config.database, error);
  if (!city) return Error::invalid("database: " + error);
  std::shared_ptr<GeoDatabase> asn;
  if (!config.asn_database.empty() && !(asn = GeoDatabase::open(config.asn_database, error))) return Error::invalid("asn_database: " + error);
  return std::unique_ptr<GeoipTransform>(new GeoipTransform(config, std::move(city), std::move(asn), ctx.name));
}

void GeoipTransform::reopen(std::shared_ptr<GeoDatabase>& db) {
  if (!db || !db->changed_on_disk()) return;
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
    log_warn("geoip database changed but does not open; the one in use stays", {{"path", db->path()}, {"error", error}});
    return;
  }
  db = std::move(fresh);
  cache_.clear();
  reloads_.add();
  log_info("geoip database reloaded", {{"path", db->path()}});
}

void GeoipTransform::reload_if_changed() {
  auto now = std::chrono::steady_clock::now();
  if (now < next_reload_check_) return;
  next_reload_check_ = now + config_.reload_interval.value;
  reopen(city_);
  reopen(asn_);
}

const std::string& GeoipTransform::members_for(std::string_view ip) {
  static const std::string kNone;
  if (auto it = cache_.find(ip); it != cache_.end()) {
    (it->second.empty() ? not_found_ : found_).add();
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
  members_.clear();
  std::string geo, as;
  for (GeoDatabase* db : {city_.get(), asn_.get()}) {
    if (db == nullptr) continue;
    int error = 0;
    MMDB_lookup_result_s result = MMDB_lookup_sockaddr(db->handle(), reinterpret_cast<sockaddr*>(&address), &error);
    if (error != MMDB_SUCCESS || !result.found_entry) continue;
    MMDB_entry_s& entry = result.entry;
    const char* lang = config_.language.c_str();
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
  if (!geo.empty()) members_.append(",\"geo\":"sv).append(geo).push_back('}');
  if (!as.empty()) members_.append(",\"as\":"sv).append(as).push_back('}');
  (members_.empty() ? not_found_ : found_).add();
  if (config_.cache_size == 0) return members_;
  if (cache_.size() >= static_cast<size_t>(config_.cache_size)) cache_.clear();
  return cache_.emplace(std::string(ip), members_).first->second;
}

void GeoipTransform::enrich_line(std::string_view line, std::string& out) {
  using simdjson::SUCCESS;
  padded_.assign(line);
  padded_.append(simdjson::SIMDJSON_PADDING, ' ');
  simdjson::ondemand::document doc;
  simdjson::ondemand::object object;
  if (parser_.iterate(padded_.data(), line.size(), padded_.size()).get(doc) != SUCCESS || doc.get_object().get(object) != SUCCESS) {
    out.append(line);
    return;
  }
  // Down to the object that holds the address; its text tells where it ends.
  std::string_view holder;
  bool ok = true;
  for (const std::string& key : parents_) {
    simdjson::ondemand::value v;
    if (object.find_field_unordered(key).get(v) != SUCCESS || v.get_object().get(object) != SUCCESS) {
      ok = false;
      break;
    }
  }
  if (parents_.empty()) {
    holder = std::string_view(padded_.data(), line.size());  // the event itself
    while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ' || holder.back() == '\r')) holder.remove_suffix(1);
  } else if (ok) {
    ok = object.raw_json().get(holder) == SUCCESS;
  }
  if (!ok || holder.empty() || holder.back() != '}') {
    out.append(line);
    return;
  }
  // Read the holder again on its own: its address, and whether it has geo or as already. The
  // bytes after it (the rest of the line, then the padding) are simdjson's padding.
  size_t begin = static_cast<size_t>(holder.data() - padded_.data());
  simdjson::ondemand::document inner;
  simdjson::ondemand::object members;
  std::string_view ip;
  bool has_geo = false, has_as = false;
  if (parser_.iterate(holder.data(), holder.size(), padded_.size() - begin).get(inner) != SUCCESS ||
      inner.get_object().get(members) != SUCCESS) {
    out.append(line);
    return;
  }
  for (auto field : members) {
    std::string_view key;
    if (field.unescaped_key().get(key) != SUCCESS) break;
    if (key == leaf_) {
      if (field.value().get_string().get(ip) != SUCCESS) ip = {};
    } else if (key == "geo") {
      has_geo = true;
    } else if (key == "as") {
      has_as = true;
    }
  }
  if (ip.empty() || (has_geo && has_as)) {
    out.append(line);
    return;
  }
  const std::string& add = members_for(ip);
  size_t close = begin + holder.size() - 1;  // the holder's closing brace, in `line`
  out.append(line.substr(0, close));
  if (!add.empty()) {
    // Each part starts with ,"geo": or ,"as": — leave out one the holder has.
    size_t as_at = add.find(",\"as\":"sv);
    std::string_view geo_part = std::string_view(add).substr(0, as_at);
    std::string_view as_part = as_at == std::string::npos ? std::string_view() : std::string_view(add).substr(as_at);
    if (!has_geo) out.append(geo_part);
    if (!has_as) out.append(as_part);
  }
  out.append(line.substr(close));
}

void GeoipTransform::enrich(Batch& batch) {
  reload_if_changed();
  std::string out = encoded_->take();
  out.reserve(batch.encoded.size() + batch.events.size() * 64);
  for (EventView& e : batch.events) {
    std::string_view line(batch.encoded.data() + e.enc_begin, e.enc_len);
    e.enc_begin = static_cast<uint32_t>(out.size());
    enrich_line(line, out);
    e.enc_len = static_cast<uint32_t>(out.size() - e.enc_begin);
  }
  batch.release_encoded();
  batch.encoded = std::move(out);
  batch.encoded_pool = encoded_;
  batch.is_encoded = true;
}

void GeoipTransform::process(BatchPtr batch, Emitter& out) {
  if (!batch->is_encoded) encode_plain(*batch);  // plain text: no address to look up, but encoded once here
  enrich(*batch);
  out.emit(std::move(batch));
}

}  // namespace logship
