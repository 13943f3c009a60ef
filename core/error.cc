#include "core/error.h"

#include <cstring>

namespace logship {

Error Error::io(std::string what, int err) {
  what += ": ";
  what += std::strerror(err);
  return {ErrorCode::kIo, std::move(what)};
}

}  // namespace logship
