#include "protocol/writer.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace sp::protocol {

void RespWriter::header(char type, std::int64_t count) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, count).ptr;
  out_ += type;
  out_.append(digits, end);
  out_ += "\r\n";
}

// A line-typed value (status, error, double, big number) ends at its CRLF, so a CR or LF
// inside would end it early and let the rest pass for more replies: as Redis does for
// status and error replies, they become spaces. Client bytes reach these lines (an unknown
// subcommand's name is quoted back).
void RespWriter::line(char type, std::string_view body) {
  out_ += type;
  const std::size_t from = out_.size();
  out_ += body;
  for (std::size_t i = from; i < out_.size(); ++i) {
    if (out_[i] == '\r' || out_[i] == '\n') out_[i] = ' ';
  }
  out_ += "\r\n";
}

void RespWriter::blob(char type, std::string_view body) {
  header(type, static_cast<std::int64_t>(body.size()));
  out_ += body;
  out_ += "\r\n";
}

RespWriter& RespWriter::simple_string(std::string_view s) {
  line('+', s);
  return *this;
}

RespWriter& RespWriter::error(std::string_view message) {
  line('-', message);
  return *this;
}

RespWriter& RespWriter::integer(std::int64_t value) {
  header(':', value);
  return *this;
}

RespWriter& RespWriter::bulk_string(std::string_view s) {
  blob('$', s);
  return *this;
}

RespWriter& RespWriter::null() {
  out_ += version_ == RespVersion::kResp3 ? "_\r\n" : "$-1\r\n";
  return *this;
}

RespWriter& RespWriter::null_array() {
  out_ += version_ == RespVersion::kResp3 ? "_\r\n" : "*-1\r\n";
  return *this;
}

RespWriter& RespWriter::array(std::size_t count) {
  header('*', static_cast<std::int64_t>(count));
  return *this;
}

RespWriter& RespWriter::map(std::size_t pairs) {
  if (version_ == RespVersion::kResp3) {
    header('%', static_cast<std::int64_t>(pairs));
  } else {
    header('*', static_cast<std::int64_t>(pairs * 2));
  }
  return *this;
}

RespWriter& RespWriter::set(std::size_t count) {
  header(version_ == RespVersion::kResp3 ? '~' : '*', static_cast<std::int64_t>(count));
  return *this;
}

RespWriter& RespWriter::push(std::size_t count) {
  header(version_ == RespVersion::kResp3 ? '>' : '*', static_cast<std::int64_t>(count));
  return *this;
}

RespWriter& RespWriter::attribute(std::size_t pairs) {
  if (version_ == RespVersion::kResp3) header('|', static_cast<std::int64_t>(pairs));
  return *this;
}

RespWriter& RespWriter::boolean(bool value) {
  if (version_ == RespVersion::kResp3) {
    out_ += value ? "#t\r\n" : "#f\r\n";
  } else {
    out_ += value ? ":1\r\n" : ":0\r\n";
  }
  return *this;
}

// Formats like Redis's addReplyDouble: "inf", "-inf", "nan", otherwise %.17g.
RespWriter& RespWriter::double_value(double value) {
  char digits[64];
  std::string_view text;
  if (std::isinf(value)) {
    text = value > 0 ? "inf" : "-inf";
  } else if (std::isnan(value)) {
    text = "nan";
  } else {
    const int n = std::snprintf(digits, sizeof digits, "%.17g", value);
    text = std::string_view(digits, static_cast<std::size_t>(n));
  }
  if (version_ == RespVersion::kResp3) {
    line(',', text);
  } else {
    blob('$', text);
  }
  return *this;
}

RespWriter& RespWriter::big_number(std::string_view digits) {
  if (version_ == RespVersion::kResp3) {
    line('(', digits);
  } else {
    blob('$', digits);
  }
  return *this;
}

RespWriter& RespWriter::bulk_error(std::string_view message) {
  if (version_ == RespVersion::kResp3) {
    blob('!', message);
  } else {
    line('-', message);
  }
  return *this;
}

RespWriter& RespWriter::verbatim(std::string_view format, std::string_view text) {
  if (version_ == RespVersion::kResp2) {
    blob('$', text);
    return *this;
  }
  header('=', static_cast<std::int64_t>(format.size() + 1 + text.size()));
  out_ += format;
  out_ += ':';
  out_ += text;
  out_ += "\r\n";
  return *this;
}

RespWriter& RespWriter::command(std::span<const std::string_view> args) {
  array(args.size());
  for (std::string_view arg : args) blob('$', arg);
  return *this;
}

}  // namespace sp::protocol
