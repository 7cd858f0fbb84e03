#include "protocol/inline_args.h"

namespace sp::protocol {
namespace {

bool is_blank(char c) {  // isspace() in the C locale
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

char unescape(char c) {
  switch (c) {
    case 'n':
      return '\n';
    case 'r':
      return '\r';
    case 't':
      return '\t';
    case 'b':
      return '\b';
    case 'a':
      return '\a';
    default:
      return c;
  }
}

// `at(i)` reads like the C string Redis walks: '\0' past the end.
struct Cursor {
  std::string_view s;
  std::size_t i = 0;
  char at(std::size_t k) const { return k < s.size() ? s[k] : '\0'; }
  char cur() const { return at(i); }
  char next() const { return at(i + 1); }
};

// A closing quote is good only before a blank or the end of the line.
bool quote_closes_cleanly(const Cursor& c) {
  return c.next() == '\0' || is_blank(c.next());
}

// One double-quoted step. Returns false on an error; sets `done` at the closing quote.
bool step_double_quoted(Cursor& c, std::string& current, bool& done) {
  const char ch = c.cur();
  if (ch == '\\' && c.next() == 'x' && hex_value(c.at(c.i + 2)) >= 0 &&
      hex_value(c.at(c.i + 3)) >= 0) {
    current += static_cast<char>(hex_value(c.at(c.i + 2)) * 16 + hex_value(c.at(c.i + 3)));
    c.i += 3;
  } else if (ch == '\\' && c.next() != '\0') {
    ++c.i;
    current += unescape(c.cur());
  } else if (ch == '"') {
    if (!quote_closes_cleanly(c)) return false;
    done = true;
  } else if (ch == '\0') {
    return false;
  } else {
    current += ch;
  }
  return true;
}

bool step_single_quoted(Cursor& c, std::string& current, bool& done) {
  const char ch = c.cur();
  if (ch == '\\' && c.next() == '\'') {
    ++c.i;
    current += '\'';
  } else if (ch == '\'') {
    if (!quote_closes_cleanly(c)) return false;
    done = true;
  } else if (ch == '\0') {
    return false;
  } else {
    current += ch;
  }
  return true;
}

}  // namespace

// Mirrors sdssplitargs.
bool split_inline_args(std::string_view line, std::vector<std::string>& args) {
  args.clear();
  if (auto nul = line.find('\0'); nul != std::string_view::npos) line = line.substr(0, nul);
  Cursor c{line};
  while (true) {
    while (c.cur() != '\0' && is_blank(c.cur())) ++c.i;
    if (c.cur() == '\0') return true;
    std::string current;
    bool in_double = false, in_single = false, done = false;
    while (!done) {
      if (in_double) {
        if (!step_double_quoted(c, current, done)) return false;
      } else if (in_single) {
        if (!step_single_quoted(c, current, done)) return false;
      } else {
        switch (c.cur()) {
          case ' ':
          case '\n':
          case '\r':
          case '\t':
          case '\0':
            done = true;
            break;
          case '"':
            in_double = true;
            break;
          case '\'':
            in_single = true;
            break;
          default:
            current += c.cur();
        }
      }
      if (c.cur() != '\0') ++c.i;
    }
    args.push_back(std::move(current));
  }
}

}  // namespace sp::protocol
