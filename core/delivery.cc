#include "core/delivery.h"

namespace logship {

namespace {
const Reason kNoReason{"unset", "the sink said nothing about this event", std::chrono::milliseconds(0)};
}  // namespace

const char* outcome_name(Outcome outcome) {
  switch (outcome) {
    case Outcome::kDelivered: return "delivered";
    case Outcome::kRetry: return "retry";
    case Outcome::kRejected: return "rejected";
    case Outcome::kUnset: break;
  }
  return "unset";
}

size_t Delivery::events() const {
  size_t n = 0;
  for (const DeliveryPart& p : parts) n += p.size();
  return n;
}

DeliveryReport DeliveryReport::delivered(size_t events) {
  DeliveryReport r(events);
  r.uniform_ = Outcome::kDelivered;
  return r;
}

DeliveryReport DeliveryReport::retry(size_t events, std::string type, std::string message, std::chrono::milliseconds after) {
  DeliveryReport r(events);
  r.uniform_reason_ = r.add_reason(std::move(type), std::move(message), after);
  r.uniform_ = Outcome::kRetry;
  return r;
}

DeliveryReport DeliveryReport::rejected(size_t events, std::string type, std::string message) {
  DeliveryReport r(events);
  r.uniform_reason_ = r.add_reason(std::move(type), std::move(message));
  r.uniform_ = Outcome::kRejected;
  return r;
}

uint16_t DeliveryReport::add_reason(std::string type, std::string message, std::chrono::milliseconds retry_after) {
  // Beyond 65535 distinct reasons in one delivery the last one stands for the rest.
  if (reasons_.size() >= UINT16_MAX) return static_cast<uint16_t>(reasons_.size() - 1);
  reasons_.push_back({std::move(type), std::move(message), retry_after});
  return static_cast<uint16_t>(reasons_.size() - 1);
}

void DeliveryReport::spread() {
  if (!outcomes_.empty() || events_ == 0) return;
  outcomes_.assign(events_, uniform_);
  reason_of_.assign(events_, uniform_reason_);
}

void DeliveryReport::set(size_t event, Outcome outcome, uint16_t reason) {
  if (event >= events_) return;
  spread();
  outcomes_[event] = outcome;
  reason_of_[event] = reason;
}

Outcome DeliveryReport::outcome(size_t event) const {
  if (outcomes_.empty()) return uniform_;
  return event < outcomes_.size() ? outcomes_[event] : Outcome::kUnset;
}

uint16_t DeliveryReport::reason_index(size_t event) const {
  return outcomes_.empty() ? uniform_reason_ : (event < reason_of_.size() ? reason_of_[event] : UINT16_MAX);
}

const Reason& DeliveryReport::reason(size_t event) const {
  uint16_t at = reason_index(event);
  return at < reasons_.size() ? reasons_[at] : kNoReason;
}

bool DeliveryReport::all_delivered() const {
  if (outcomes_.empty()) return uniform_ == Outcome::kDelivered || events_ == 0;
  for (Outcome o : outcomes_)
    if (o != Outcome::kDelivered) return false;
  return true;
}

}  // namespace logship
