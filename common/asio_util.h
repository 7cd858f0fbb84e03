#pragma once

#include <exception>
#include <string_view>

#include <asio/experimental/as_tuple.hpp>
#include <asio/use_awaitable.hpp>

namespace sp {

// Completion token for awaited operations that report errors as values: the result is a
// tuple whose first element is the error_code.
inline constexpr auto use_nothrow = asio::experimental::as_tuple(asio::use_awaitable);

// The completion handler every co_spawn gets: a coroutine is expected to handle its own
// errors, so an exception reaching here is a bug worth one log line, never a crash.
struct LogStrayException {
  std::string_view where;
  void operator()(std::exception_ptr error) const;
};

}  // namespace sp
