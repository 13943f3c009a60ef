#include "core/batch.h"

namespace logship {

void Batch::release_encoded() {
  if (encoded_pool) encoded_pool->give(std::move(encoded));
  encoded_pool.reset();
  std::string().swap(encoded);
  is_encoded = false;
}

void append_flag_names(std::string& out, uint32_t flags) {
  static constexpr struct {
    uint32_t bit;
    const char* name;
  } kNames[] = {
      {kFlagTruncated, "\"truncated\""},     {kFlagPartial, "\"partial\""},
      {kFlagInvalidUtf8, "\"invalid_utf8\""}, {kFlagMultiline, "\"multiline\""},
      {kFlagMaxLines, "\"max_lines\""},
      {kFlagJsonParseError, "\"json_parse_error\""},
      {kFlagUnparsed, "\"unparsed\""},
      {kFlagSlowlogFragment, "\"slowlog_fragment\""},
      {kFlagInvalidAttribute, "\"invalid_attribute\""},
      {kFlagTimestampParseError, "\"timestamp_parse_error\""},
      {kFlagNotAnEvent, "\"not_an_event\""},
      {kFlagContainerFormatError, "\"container_format_error\""},
  };
  bool first = true;
  for (const auto& n : kNames) {
    if (flags & n.bit) {
      if (!first) out.push_back(',');
      out.append(n.name);
      first = false;
    }
  }
}

}  // namespace logship
