// The delivery contract between the runtime and every sink: what a sink is handed, and the one
// thing it says back about each event.
//
//   void MySink::send(std::shared_ptr<const Delivery> d, DeliveryDone done) {
//     ... write every event of *d ...
//     done(DeliveryReport::delivered(d->events()));          // or, per event:
//     DeliveryReport r(d->events());
//     r.set(3, Outcome::kRejected, r.add_reason("mapper_parsing_exception", "failed to parse [status]"));
//     r.set(4, Outcome::kRetry, r.add_reason("es_rejected_execution_exception", "queue full", 2s));
//     done(std::move(r));
//   }
//
// A Delivery is a set of events the runtime hands a sink at once: whole batches, or some events
// of them when the runtime sends again what was answered "retry". The sink answers, for each
// event (or for all at once):
//   - delivered: durable at the destination (the runtime acknowledges it upstream);
//   - retry: transient; the runtime sends it again after a backoff it owns, never before a
//     delay the server asked for (Retry-After, a 429, Kafka's throttle time), with no limit;
//   - rejected: permanent, with a reason; the runtime hands it to the sink's dead-letter output.
// Sinks never retry on their own and never acknowledge batches: the runtime does
// (delivery/sink_driver.h).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/batch.h"

namespace logship {

enum class Outcome : uint8_t {
  kUnset,      // not said (a sink bug): treated as retry
  kDelivered,
  kRetry,
  kRejected,
};
const char* outcome_name(Outcome outcome);  // "delivered", "retry", "rejected", "unset"

// Events of one batch inside a delivery.
struct DeliveryPart {
  BatchPtr batch;
  std::vector<uint32_t> events;  // indices into batch->events, ascending; empty: every event

  size_t size() const { return events.empty() ? batch->events.size() : events.size(); }
  uint32_t index(size_t i) const { return events.empty() ? static_cast<uint32_t>(i) : events[i]; }
  const EventView& event(size_t i) const { return batch->events[index(i)]; }
};

// What the runtime hands a sink in one send(). Immutable once sent; the runtime keeps it, and
// the batches in it, alive until the sink has reported.
struct Delivery {
  std::vector<DeliveryPart> parts;

  size_t events() const;
  // Calls f(const Batch&, uint32_t event_index) for every event, in report order.
  template <class F>
  void for_each(F&& f) const {
    for (const DeliveryPart& p : parts)
      for (size_t i = 0; i < p.size(); ++i) f(*p.batch, p.index(i));
  }
};

// Why an event was not delivered, in the destination's words.
struct Reason {
  std::string type;     // a short word to group by: "mapper_parsing_exception", "MSG_SIZE_TOO_LARGE"
  std::string message;  // what the server said
  std::chrono::milliseconds retry_after{0};  // retry: the least wait the destination asked for
};

// One outcome per event of a delivery, numbered in Delivery::for_each order.
class DeliveryReport {
 public:
  explicit DeliveryReport(size_t events = 0) : events_(events) {}

  // Every event the same way: no storage per event (the common case).
  static DeliveryReport delivered(size_t events);
  static DeliveryReport retry(size_t events, std::string type, std::string message,
                              std::chrono::milliseconds after = std::chrono::milliseconds(0));
  static DeliveryReport rejected(size_t events, std::string type, std::string message);

  // Per event: reasons are added once and referred to by index (many events, one reason).
  uint16_t add_reason(std::string type, std::string message,
                      std::chrono::milliseconds retry_after = std::chrono::milliseconds(0));
  void set(size_t event, Outcome outcome, uint16_t reason = 0);

  size_t events() const { return events_; }
  Outcome outcome(size_t event) const;
  const Reason& reason(size_t event) const;  // for kRetry and kRejected
  uint16_t reason_index(size_t event) const;  // the same reason, the same index
  bool all_delivered() const;

 private:
  void spread();  // from uniform to per event, before the first set()

  size_t events_ = 0;
  Outcome uniform_ = Outcome::kUnset;  // used while outcomes_ is empty
  uint16_t uniform_reason_ = 0;
  std::vector<Outcome> outcomes_;
  std::vector<uint16_t> reason_of_;
  std::vector<Reason> reasons_;
};

// Called by a sink exactly once per delivery, from any thread.
using DeliveryDone = std::function<void(DeliveryReport)>;

}  // namespace logship
