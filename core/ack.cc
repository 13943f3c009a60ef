#include "core/ack.h"

namespace logship {

AckToken::AckToken(std::function<void()> on_acked, std::function<void()> on_dropped) : state_(std::make_shared<State>()) {
  state_->on_acked = std::move(on_acked);
  state_->on_dropped = std::move(on_dropped);
}

void AckToken::add_pending(int n) const {
  if (state_) state_->pending.fetch_add(n, std::memory_order_relaxed);
}

void AckToken::ack() const {
  if (!state_) return;
  if (state_->pending.fetch_sub(1, std::memory_order_acq_rel) == 1 && state_->on_acked) {
    state_->on_acked();
  }
}

}  // namespace logship
