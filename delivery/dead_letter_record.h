// Dead-letter events: what a sink refused for good, kept with why, as events of their own that
// any sink can take (`inputs: [search.dead_letter]`) or that land in a file in data_dir.
//
//   {"@timestamp":"<when it was refused>","message":"search refused an event: <error.message>",
//    "error":{"type":"mapper_parsing_exception","message":"<the server's words>"},
//    "logship":{"dead_letter":{"sink":"search"}},
//    "log":{"file":{"path":"/var/log/app.log"},"offset":1234},
//    "event":{"id":"<the refused event's id>","dataset":"deadletter",
//             "original":"<the event exactly as the sink sent it, as text>"},
//    "host":{"name":"web-1"}}
//
// The refused event is kept as a string: the usual reason for a refusal is a field the
// destination cannot take (a mapping conflict), and as text it can never be refused again for
// that. The record keeps the refused event's id (Elasticsearch `_id`, Kafka's logship metadata),
// so dead-lettering the same event twice after a crash stores it once in an index.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/batch.h"
#include "core/delivery.h"

namespace logship {

inline constexpr std::string_view kDeadLetterDataset = "deadletter";

struct RejectedEvent {
  BatchPtr batch;
  uint32_t event;
  std::shared_ptr<const Reason> reason;
};

class DeadLetterEncoder {
 public:
  explicit DeadLetterEncoder(std::string sink) : sink_(std::move(sink)) {}
  // The dead-letter batches for `rejected`, encoded: one per origin, in order. Each event keeps
  // the refused event's offsets and flags, its raw text is the refused event as sent.
  std::vector<BatchPtr> encode(const std::vector<RejectedEvent>& rejected, int64_t now_nanos);

 private:
  std::shared_ptr<const Origin> origin_for(const std::shared_ptr<const Origin>& original);

  std::string sink_;
  std::map<const Origin*, std::pair<std::shared_ptr<const Origin>, std::shared_ptr<const Origin>>> origins_;
};

}  // namespace logship
