#include "sinks/elasticsearch/bulk_response.h"

namespace logship {

ItemOutcome classify_item(int status) {
  if (status == 200 || status == 201) return ItemOutcome::kCreated;
  if (status == 409) return ItemOutcome::kConflict;
  if (status == 429 || status >= 500 || status == 408 || status == 403) return ItemOutcome::kRetry;
  return ItemOutcome::kDeadLetter;
}

const char* outcome_name(ItemOutcome outcome) {
  switch (outcome) {
    case ItemOutcome::kCreated: return "created";
    case ItemOutcome::kConflict: return "conflict";
    case ItemOutcome::kRetry: return "retried";
    case ItemOutcome::kDeadLetter: return "dead_lettered";
  }
  return "unknown";
}

BulkAnswer BulkResponseReader::read(std::string_view body, size_t expected, std::vector<BulkItem>& items, std::string& error) {
  items.clear();
  simdjson::dom::element doc;
  if (auto err = parser_.parse(body.data(), body.size(), true).get(doc)) {
    error = std::string("bulk answer is not JSON: ") + simdjson::error_message(err);
    return BulkAnswer::kNotBulkAnswer;
  }
  bool errors = false;
  if (doc["errors"].get(errors)) {
    error = "bulk answer has no \"errors\" member";
    return BulkAnswer::kNotBulkAnswer;
  }
  simdjson::dom::array list;
  if (doc["items"].get(list)) {
    error = "bulk answer has no \"items\"";
    return BulkAnswer::kNotBulkAnswer;
  }
  if (!errors) {
    size_t n = list.size();
    if (n == expected) return BulkAnswer::kOk;
    error = "bulk answer has " + std::to_string(n) + " items for " + std::to_string(expected) + " documents";
    return BulkAnswer::kCountMismatch;
  }
  for (simdjson::dom::element entry : list) {
    simdjson::dom::object action;
    if (entry.get(action) || action.size() != 1) {
      error = "bulk answer item is not an object with one action";
      return BulkAnswer::kNotBulkAnswer;
    }
    simdjson::dom::element result = (*action.begin()).value;
    BulkItem item;
    int64_t status = 0;
    if (result["status"].get(status)) {
      error = "bulk answer item without a status";
      return BulkAnswer::kNotBulkAnswer;
    }
    item.status = static_cast<int>(status);
    simdjson::dom::element err_obj;
    if (!result["error"].get(err_obj)) {
      std::string_view s;
      if (!err_obj["type"].get(s)) item.error_type = std::string(s);
      if (!err_obj["reason"].get(s)) item.error_reason = std::string(s);
      // The reason alone is often vague ("failed to parse field [x]"); the cause says why.
      if (!err_obj["caused_by"]["reason"].get(s)) item.error_reason += std::string(": ") + std::string(s);
    }
    items.push_back(std::move(item));
  }
  if (items.size() != expected) {
    error = "bulk answer has " + std::to_string(items.size()) + " items for " + std::to_string(expected) + " documents";
    return BulkAnswer::kCountMismatch;
  }
  return BulkAnswer::kOk;
}

}  // namespace logship
