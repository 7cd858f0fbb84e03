#pragma once

#include <string_view>

namespace sp::protocol {

// Redis's glob matching (stringmatchlen), as PSUBSCRIBE and KEYS use it: `*`, `?`,
// `[abc]`, `[^a-z]`, and `\` to escape. Case-sensitive.
bool glob_match(std::string_view pattern, std::string_view text);

}  // namespace sp::protocol
