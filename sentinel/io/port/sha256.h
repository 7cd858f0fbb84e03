#pragma once

#include <string>
#include <string_view>

namespace sp::sentinel::io {

// SHA-256 of `data` as 64 lower-case hex digits: the form in which Redis ACLs keep and
// show passwords (`#<hash>` in ACL LIST and in the config file).
std::string sha256_hex(std::string_view data);

}  // namespace sp::sentinel::io
