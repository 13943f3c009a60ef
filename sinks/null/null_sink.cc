#include "sinks/null/null_sink.h"

namespace logship {

const Schema<NullSinkConfig>& NullSink::schema() {
  static const Schema<NullSinkConfig> s;
  return s;
}

}  // namespace logship
