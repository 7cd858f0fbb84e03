#include "proxy/admin/master_auth.h"

namespace sp::proxy {

std::string_view to_string(MasterAuth auth) {
  switch (auth) {
    case MasterAuth::kUnknown:
      return "unknown";
    case MasterAuth::kRequired:
      return "required";
    case MasterAuth::kNotRequired:
      return "not-required";
  }
  return "?";
}

}  // namespace sp::proxy
