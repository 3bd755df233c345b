#pragma once
// The web config file (--web.config.file) in the Prometheus exporter-toolkit's
// format, so an operator reuses the file every other exporter takes:
//
//   tls_server_config:
//     cert_file: server.crt        # relative paths: from the file's directory
//     key_file: server.key
//     client_auth_type: RequireAndVerifyClientCert   # optional, with client_ca_file
//     client_ca_file: clients.crt
//     min_version: TLS12           # TLS10..TLS13, optional
//   basic_auth_users:
//     prometheus: $2y$10$...       # bcrypt hashes
//
// Unknown keys are errors, as in the toolkit (which parses strictly). Keys the
// toolkit knows but agentmon does not implement are errors too, naming the key,
// so a setting is never silently ignored.
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace agentmon {

// The toolkit's client_auth_type values agentmon implements.
enum class ClientAuth {
    none,                // NoClientCert (the default)
    verify_if_given,     // VerifyClientCertIfGiven
    require_and_verify,  // RequireAndVerifyClientCert
};

enum class TlsVersion { tls10, tls11, tls12, tls13 };

struct TlsServerConfig {
    std::string cert_file;  // absolute, or resolved against the web config's directory
    std::string key_file;
    std::string client_ca_file;  // empty unless client_auth_type verifies
    ClientAuth client_auth = ClientAuth::none;
    TlsVersion min_version = TlsVersion::tls12;  // the toolkit's default
    std::optional<TlsVersion> max_version;
};

struct WebConfig {
    std::optional<TlsServerConfig> tls;
    std::map<std::string, std::string> basic_auth_users;  // user -> bcrypt hash
};

// A web config is a few lines; anything larger is a wrong path.
inline constexpr std::size_t kMaxWebConfigBytes = 1u << 20;

// Reads and validates the file: YAML syntax, known keys, bcrypt hashes, and that
// every named certificate and key file can be read. Every problem is listed in the
// one Error, each line prefixed with the file name. The Error's code is ENOENT
// when the web config itself does not exist.
Result<WebConfig> load_web_config_file(const std::string& path);

// The same from text; `base_dir` resolves relative file names, `name` prefixes
// each problem. Checks no file.
Result<WebConfig> parse_web_config(std::string_view yaml, const std::string& base_dir,
                                   const std::string& name);

}  // namespace agentmon
