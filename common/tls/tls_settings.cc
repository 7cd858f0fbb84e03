#include "common/tls/tls_settings.h"

#include "common/parse_number.h"

namespace sp::tls {
namespace {

struct Field {
  std::string_view name;
  std::string TlsSettings::*text = nullptr;
  bool TlsSettings::*flag = nullptr;
  std::uint32_t TlsSettings::*number = nullptr;
};

// The string, yes/no and integer directives; tls-auth-clients is the one enum.
constexpr Field kFields[] = {
    {"tls-cert-file", &TlsSettings::cert_file},
    {"tls-key-file", &TlsSettings::key_file},
    {"tls-key-file-pass", &TlsSettings::key_file_pass},
    {"tls-client-cert-file", &TlsSettings::client_cert_file},
    {"tls-client-key-file", &TlsSettings::client_key_file},
    {"tls-client-key-file-pass", &TlsSettings::client_key_file_pass},
    {"tls-dh-params-file", &TlsSettings::dh_params_file},
    {"tls-ca-cert-file", &TlsSettings::ca_cert_file},
    {"tls-ca-cert-dir", &TlsSettings::ca_cert_dir},
    {"tls-protocols", &TlsSettings::protocols},
    {"tls-ciphers", &TlsSettings::ciphers},
    {"tls-ciphersuites", &TlsSettings::ciphersuites},
    {"tls-replication", nullptr, &TlsSettings::replication},
    {"tls-prefer-server-ciphers", nullptr, &TlsSettings::prefer_server_ciphers},
    {"tls-session-caching", nullptr, &TlsSettings::session_caching},
    {"tls-session-cache-size", nullptr, nullptr, &TlsSettings::session_cache_size},
    {"tls-session-cache-timeout", nullptr, nullptr, &TlsSettings::session_cache_timeout},
};

const Field* find_field(std::string_view name) {
  for (const Field& field : kFields) {
    if (field.name == name) return &field;
  }
  return nullptr;
}

// Redis reads yes/no and enum values in any case.
std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string_view auth_clients_name(ClientAuth auth) {
  switch (auth) {
    case ClientAuth::kNo:
      return "no";
    case ClientAuth::kYes:
      return "yes";
    case ClientAuth::kOptional:
      return "optional";
  }
  return "yes";
}

}  // namespace

std::optional<std::string> apply_tls_directive(TlsSettings& settings, std::string_view name,
                                               std::string_view value) {
  if (name == "tls-auth-clients") {
    for (auto auth : {ClientAuth::kNo, ClientAuth::kYes, ClientAuth::kOptional}) {
      if (lower(value) == auth_clients_name(auth)) {
        settings.auth_clients = auth;
        return std::string();
      }
    }
    return std::string("argument(s) must be one of the following: no, yes, optional");
  }
  const Field* field = find_field(name);
  if (field == nullptr) return std::nullopt;
  if (field->text != nullptr) {
    settings.*field->text = std::string(value);
  } else if (field->flag != nullptr) {
    const std::string flag = lower(value);
    if (flag != "yes" && flag != "no") return std::string("argument must be 'yes' or 'no'");
    settings.*field->flag = flag == "yes";
  } else {
    const auto number = parse_number<std::int64_t>(value);
    if (!number) return std::string("argument couldn't be parsed into an integer");
    if (*number < 0 || *number > 2147483647) {
      return std::string("argument must be between 0 and 2147483647 inclusive");
    }
    settings.*field->number = static_cast<std::uint32_t>(*number);
  }
  return std::string();
}

std::optional<std::string> tls_directive_value(const TlsSettings& settings, std::string_view name) {
  if (name == "tls-auth-clients") return std::string(auth_clients_name(settings.auth_clients));
  const Field* field = find_field(name);
  if (field == nullptr) return std::nullopt;
  if (field->text != nullptr) return settings.*field->text;
  if (field->flag != nullptr) return std::string(settings.*field->flag ? "yes" : "no");
  return std::to_string(settings.*field->number);
}

}  // namespace sp::tls
