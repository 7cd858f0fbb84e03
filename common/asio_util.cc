#include "common/asio_util.h"

#include <spdlog/spdlog.h>

namespace sp {

void LogStrayException::operator()(std::exception_ptr error) const {
  if (!error) return;
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    spdlog::error("unexpected exception in {}: {}", where, e.what());
  } catch (...) {
    spdlog::error("unexpected non-standard exception in {}", where);
  }
}

}  // namespace sp
