#include "protocol/value.h"

#include <cstring>

#include "protocol/number.h"
#include "protocol/writer.h"

namespace sp::protocol {
namespace {

// Recursive descent over a frame the ReplyParser has already delimited. The framer takes
// any depth; a tree (and its recursive destructor) only kDecodeDepth levels, which no
// control-path reply comes near.
constexpr int kDecodeDepth = 512;

class Decoder {
 public:
  explicit Decoder(std::string_view input) : input_(input) {}

  bool decode(Value& out) {
    std::string_view body;
    char type = 0;
    if (!read_line(type, body)) return false;
    if (type == '|') {
      std::vector<Value> attributes;
      if (!decode_children(body, 2, attributes) || !decode(out)) return false;
      out.attributes = std::move(attributes);
      return true;
    }
    out.type = static_cast<RespType>(type);
    switch (out.type) {
      case RespType::kSimpleString:
      case RespType::kError:
      case RespType::kDouble:
      case RespType::kBigNumber:
      case RespType::kBoolean:
        out.text.assign(body);
        return true;
      case RespType::kInteger:
        return parse_int64(body, out.integer);
      case RespType::kNull:
        out.null = true;
        return true;
      case RespType::kBulkString:
      case RespType::kBulkError:
      case RespType::kVerbatimString:
        return decode_blob(body, out);
      case RespType::kArray:
      case RespType::kMap:
      case RespType::kSet:
      case RespType::kPush: {
        if (body == "-1") {
          out.null = true;
          return true;
        }
        return decode_children(body, out.type == RespType::kMap ? 2 : 1, out.elements);
      }
      case RespType::kAttribute:
        break;
    }
    return false;
  }

  bool at_end() const { return pos_ == input_.size(); }

 private:
  bool read_line(char& type, std::string_view& body) {
    const std::size_t cr = input_.find("\r\n", pos_);
    if (pos_ >= input_.size() || cr == std::string_view::npos) return false;
    type = input_[pos_];
    body = input_.substr(pos_ + 1, cr - pos_ - 1);
    pos_ = cr + 2;
    return true;
  }

  bool decode_blob(std::string_view length_text, Value& out) {
    std::int64_t length = 0;
    if (!parse_int64(length_text, length)) return false;
    if (length == -1) {
      out.null = true;
      return true;
    }
    if (length < 0 || input_.size() - pos_ < static_cast<std::size_t>(length) + 2) return false;
    std::string_view payload = input_.substr(pos_, static_cast<std::size_t>(length));
    pos_ += static_cast<std::size_t>(length) + 2;
    if (out.type == RespType::kVerbatimString && (payload.size() < 4 || payload[3] != ':')) {
      return false;
    }
    out.text.assign(payload);
    return true;
  }

  bool decode_children(std::string_view count_text, int per_entry, std::vector<Value>& out) {
    std::int64_t count = 0;
    if (!parse_int64(count_text, count) || count < 0 || count > (std::int64_t{1} << 61)) {
      return false;
    }
    if (++depth_ > kDecodeDepth) return false;
    const std::int64_t total = count * per_entry;
    for (std::int64_t i = 0; i < total; ++i) {
      Value child;
      if (!decode(child)) return false;
      out.push_back(std::move(child));
    }
    --depth_;
    return true;
  }

  std::string_view input_;
  std::size_t pos_ = 0;
  int depth_ = 0;
};

void encode_into(const Value& value, RespWriter& writer, std::string& out) {
  if (!value.attributes.empty()) {
    writer.attribute(value.attributes.size() / 2);
    for (const Value& a : value.attributes) encode_into(a, writer, out);
  }
  const bool aggregate = value.type == RespType::kArray || value.type == RespType::kMap ||
                         value.type == RespType::kSet || value.type == RespType::kPush;
  if (value.null) {
    if (value.type == RespType::kNull) {
      out += "_\r\n";
    } else {
      out += aggregate ? "*-1\r\n" : "$-1\r\n";
    }
    return;
  }
  switch (value.type) {
    case RespType::kSimpleString:
      writer.simple_string(value.text);
      return;
    case RespType::kError:
      writer.error(value.text);
      return;
    case RespType::kInteger:
      writer.integer(value.integer);
      return;
    case RespType::kBulkString:
      writer.bulk_string(value.text);
      return;
    case RespType::kBulkError:
      writer.bulk_error(value.text);
      return;
    case RespType::kVerbatimString:
      writer.verbatim(std::string_view(value.text).substr(0, 3),
                      std::string_view(value.text).substr(4));
      return;
    case RespType::kBoolean:
      writer.boolean(value.text == "t");
      return;
    case RespType::kDouble:
      out += ',' + value.text + "\r\n";
      return;
    case RespType::kBigNumber:
      writer.big_number(value.text);
      return;
    case RespType::kNull:
      writer.null();
      return;
    case RespType::kArray:
      writer.array(value.elements.size());
      break;
    case RespType::kMap:
      writer.map(value.elements.size() / 2);
      break;
    case RespType::kSet:
      writer.set(value.elements.size());
      break;
    case RespType::kPush:
      writer.push(value.elements.size());
      break;
    case RespType::kAttribute:
      return;
  }
  for (const Value& child : value.elements) encode_into(child, writer, out);
}

}  // namespace

std::optional<Value> decode_value(std::string_view frame) {
  Decoder decoder(frame);
  Value value;
  if (!decoder.decode(value) || !decoder.at_end()) return std::nullopt;
  return value;
}

std::string encode_value(const Value& value) {
  std::string out;
  RespWriter writer(out, RespVersion::kResp3);
  encode_into(value, writer, out);
  return out;
}

}  // namespace sp::protocol
