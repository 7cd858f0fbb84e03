#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

namespace sp::protocol {

enum class RespVersion : std::uint8_t { kResp2 = 2, kResp3 = 3 };

// Appends RESP values to a caller-owned string, with no temporaries: numbers are
// formatted on the stack and every piece is appended in place. In RESP2 the RESP3-only
// types degrade the way redis-server degrades them (map → flat array, boolean → integer,
// double and big number → bulk string, null → null bulk).
class RespWriter {
 public:
  explicit RespWriter(std::string& out, RespVersion version = RespVersion::kResp2)
      : out_(out), version_(version) {}

  RespWriter& simple_string(std::string_view s);
  RespWriter& error(std::string_view message);  // message without the leading '-'
  RespWriter& integer(std::int64_t value);
  RespWriter& bulk_string(std::string_view s);
  RespWriter& null();        // `_` in RESP3, `$-1` in RESP2
  RespWriter& null_array();  // `_` in RESP3, `*-1` in RESP2
  RespWriter& array(std::size_t count);
  RespWriter& map(std::size_t pairs);
  RespWriter& set(std::size_t count);
  RespWriter& push(std::size_t count);
  RespWriter& attribute(std::size_t pairs);  // RESP3 only; nothing in RESP2
  RespWriter& boolean(bool value);
  RespWriter& double_value(double value);
  RespWriter& big_number(std::string_view digits);
  RespWriter& bulk_error(std::string_view message);
  RespWriter& verbatim(std::string_view format, std::string_view text);  // format: 3 chars

  // A command as clients send it: an array of bulk strings.
  RespWriter& command(std::span<const std::string_view> args);
  RespWriter& command(std::initializer_list<std::string_view> args) {
    return command(std::span<const std::string_view>(args.begin(), args.size()));
  }

  RespVersion version() const { return version_; }

 private:
  void header(char type, std::int64_t count);
  void line(char type, std::string_view body);
  void blob(char type, std::string_view body);

  std::string& out_;
  RespVersion version_;
};

}  // namespace sp::protocol
