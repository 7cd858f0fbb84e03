// libFuzzer target for the request and reply framers. Properties checked on every input:
// - no crash, hang or out-of-bounds read (ASan/UBSan);
// - feeding the input in pieces of any size gives the same frames and the same error as
//   feeding it whole (the first byte picks the piece size);
// - every complete reply frame decodes without reading past its end;
// - the reply framer finds the same frames, and fails at the same frame, as the plain
//   reference framer in tests/protocol/reference_framer.h.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/reply_parser.h"
#include "protocol/request_parser.h"
#include "protocol/value.h"
#include "tests/protocol/reference_framer.h"

namespace {

using sp::protocol::ParseResult;
using sp::protocol::ParseStatus;
using sp::protocol::ProtocolError;

struct Outcome {
  std::vector<std::string> frames;
  ProtocolError error = ProtocolError::kNone;
  bool operator==(const Outcome&) const = default;
};

template <class Parser>
Outcome run(std::string_view input, std::size_t piece) {
  Parser parser;
  Outcome outcome;
  std::string buffer;
  for (std::size_t from = 0; from < input.size(); from += piece) {
    buffer.append(input.substr(from, piece));
    std::string moved = buffer;  // a socket buffer moves between reads
    buffer.swap(moved);
    while (!buffer.empty()) {
      const ParseResult r = parser.parse(buffer);
      if (r.status == ParseStatus::kNeedMore) break;
      if (r.status == ParseStatus::kError) {
        outcome.error = parser.error();
        return outcome;
      }
      if (r.consumed == 0 || r.consumed > buffer.size()) std::abort();
      outcome.frames.emplace_back(buffer.substr(0, r.consumed));
      buffer.erase(0, r.consumed);
    }
  }
  return outcome;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t piece = 1 + data[0] % 16;
  const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);

  using sp::protocol::ReplyParser;
  using sp::protocol::RequestParser;
  if (run<RequestParser>(input, input.size() + 1) != run<RequestParser>(input, piece)) {
    std::abort();
  }
  const Outcome whole = run<ReplyParser>(input, input.size() + 1);
  if (whole != run<ReplyParser>(input, piece)) std::abort();
  for (const std::string& frame : whole.frames) {
    (void)sp::protocol::decode_value(frame);
  }
  Outcome reference;
  bool reference_failed = false;
  for (std::string_view rest = input; !rest.empty();) {
    using Status = sp::protocol::testing::ReferenceFrame::Status;
    const auto r = sp::protocol::testing::reference_frame(rest);
    if (r.status == Status::kNeedMore) break;
    if (r.status == Status::kError) {
      reference_failed = true;
      break;
    }
    reference.frames.emplace_back(rest.substr(0, r.consumed));
    rest.remove_prefix(r.consumed);
  }
  if (reference.frames != whole.frames) std::abort();
  if (reference_failed != (whole.error != ProtocolError::kNone)) std::abort();
  return 0;
}
