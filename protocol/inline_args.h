#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sp::protocol {

// Splits an inline request line into arguments with the quoting rules of Redis's
// sdssplitargs: blanks separate, "double quotes" take \n \r \t \b \a \\ \" and \xHH
// escapes, 'single quotes' take \' only, a closing quote must be followed by a blank or
// the end. The line ends at its first NUL byte, as the C string Redis sees does.
// Returns false for unbalanced quotes. `args` is cleared first and its capacity reused.
bool split_inline_args(std::string_view line, std::vector<std::string>& args);

}  // namespace sp::protocol
