// Acknowledgements travel back from sinks to the source that produced a batch.
//
//   AckToken token([tracker, seq] { tracker->acked(seq); });  // made by the source
//   token.add_pending(2);   // fan-out: the batch goes to three sinks
//   token.ack();            // each sink calls this once the batch is durable
//
// The callback runs exactly once, on the thread of the last ack(). A token whose batch is
// dropped without ack() never fires: the source then does not commit that offset, so the
// lines are read again after a restart (at-least-once). Where nothing would read them again
// (a sink's dead letters), `on_dropped` says so instead: it runs once, when the last copy of
// the token goes away without every ack() having come.
#pragma once

#include <atomic>
#include <functional>
#include <memory>

namespace logship {

class AckToken {
 public:
  AckToken() = default;
  explicit AckToken(std::function<void()> on_acked, std::function<void()> on_dropped = nullptr);

  // Expect `n` more ack() calls before the callback fires.
  void add_pending(int n) const;
  void ack() const;
  bool empty() const { return state_ == nullptr; }
  // No on_dropped any more: the batch was made durable another way. Only while no other
  // thread holds a copy.
  void forget_drop() const {
    if (state_) state_->on_dropped = nullptr;
  }

 private:
  struct State {
    std::atomic<int> pending{1};
    std::function<void()> on_acked;
    std::function<void()> on_dropped;
    ~State() {
      if (on_dropped && pending.load() > 0) on_dropped();
    }
  };
  std::shared_ptr<State> state_;
};

}  // namespace logship
