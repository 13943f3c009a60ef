// `type: null` sink: accepts and acknowledges everything, writes nothing. For benchmarks
// (what does reading and parsing cost without output?) and for dry runs.
#pragma once

#include <memory>

#include "core/component.h"

namespace logship {

struct NullSinkConfig {};

class NullSink final : public SyncSink {
 public:
  static const Schema<NullSinkConfig>& schema();
  static Result<std::unique_ptr<NullSink>> create(const NullSinkConfig&, const BuildContext&) {
    return std::make_unique<NullSink>();
  }
  DeliveryReport write(const Delivery& delivery) override { return DeliveryReport::delivered(delivery.events()); }
};

}  // namespace logship
