// Reading a `_bulk` answer item by item, and deciding what each item's status means.
//
//   BulkResponseReader reader;
//   std::vector<BulkItem> items;
//   if (!reader.read(body, expected, items, error)) … whole request failed: retry it …
//   for (auto& it : items) switch (classify_item(it.status, it.error_type)) …
//
// The request asks for filter_path=errors,items.*.status,items.*.error so the answer is small;
// when "errors" is false every item was created and only the items are counted: an answer
// that does not hold one item per document sent is never taken as a success (a body that was
// not what logship built).
#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>
#include <vector>

namespace logship {

struct BulkItem {
  int status = 0;
  std::string error_type;    // empty when the item succeeded
  std::string error_reason;
};

enum class ItemOutcome {
  kCreated,     // 200/201
  kConflict,    // 409 on `create`: the document is already there (a replay): success
  kRetry,       // 429, 5xx, 408, 403 (blocked index, e.g. disk full): send again later
  kDeadLetter,  // 400 (mapping conflict, parse error), 404, other 4xx: will never succeed
};

ItemOutcome classify_item(int status);
const char* outcome_name(ItemOutcome outcome);  // "created", "conflict", "retried", "dead_lettered"

enum class BulkAnswer {
  kOk,             // one item per document
  kNotBulkAnswer,  // not JSON, or not shaped like a bulk answer
  kCountMismatch,  // a bulk answer, but not one item per document sent
};

class BulkResponseReader {
 public:
  // `items` gets one entry per document when the answer has errors, and stays empty when
  // every document was created. Anything but kOk comes with `error`.
  BulkAnswer read(std::string_view body, size_t expected, std::vector<BulkItem>& items, std::string& error);

 private:
  simdjson::dom::parser parser_;
};

}  // namespace logship
