#include "config/web_config.h"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <set>
#include <vector>

#include "base/bcrypt.h"
#include "config/input_limits.h"

namespace agentmon {

namespace {

// Keys the exporter-toolkit accepts that agentmon does not implement: named in the
// error so nobody believes they took effect.
const std::set<std::string> kToolkitTlsKeysNotImplemented = {"cert",
                                                             "key",
                                                             "cipher_suites",
                                                             "curve_preferences",
                                                             "prefer_server_cipher_suites",
                                                             "client_allowed_sans"};

struct Problems {
    std::vector<std::string> lines;
    void add(const std::string& where, const std::string& what) {
        lines.push_back(one_line(where + ": " + what));
    }
};

std::string mark_of(const YAML::Node& node) {
    const YAML::Mark mark = node.Mark();
    if (mark.line < 0) return "";
    return " (line " + std::to_string(mark.line + 1) + ")";
}

// A scalar string value; adds a problem for anything else.
std::optional<std::string> scalar(const YAML::Node& node, const std::string& where,
                                  Problems& problems) {
    if (!node.IsScalar()) {
        problems.add(where, "must be a string" + mark_of(node));
        return std::nullopt;
    }
    return node.Scalar();
}

// Calls `each(key, value)` for every pair of a mapping; a duplicate key or a
// non-mapping is a problem (the toolkit's strict parser refuses both too).
template <class Each>
void for_each_pair(const YAML::Node& map, const std::string& where, Problems& problems, Each each) {
    if (map.IsNull()) return;
    if (!map.IsMap()) {
        problems.add(where, "must be a mapping of keys to values" + mark_of(map));
        return;
    }
    std::set<std::string> seen;
    for (const auto& pair : map) {
        auto key = scalar(pair.first, where + " key", problems);
        if (!key) continue;
        if (!seen.insert(*key).second) {
            problems.add(where + "." + *key, "given twice" + mark_of(pair.first));
            continue;
        }
        each(*key, pair.second);
    }
}

std::optional<TlsVersion> parse_tls_version(const std::string& text) {
    if (text == "TLS10") return TlsVersion::tls10;
    if (text == "TLS11") return TlsVersion::tls11;
    if (text == "TLS12") return TlsVersion::tls12;
    if (text == "TLS13") return TlsVersion::tls13;
    return std::nullopt;
}

std::string resolve(const std::string& base_dir, const std::string& file) {
    if (file.empty() || file[0] == '/' || base_dir.empty()) return file;
    return (std::filesystem::path(base_dir) / file).string();
}

void parse_client_auth(const std::string& text, const std::string& where, TlsServerConfig& tls,
                       Problems& problems) {
    if (text == "NoClientCert")
        tls.client_auth = ClientAuth::none;
    else if (text == "VerifyClientCertIfGiven")
        tls.client_auth = ClientAuth::verify_if_given;
    else if (text == "RequireAndVerifyClientCert")
        tls.client_auth = ClientAuth::require_and_verify;
    else if (text == "RequestClientCert" || text == "RequireAnyClientCert")
        problems.add(where, "\"" + text +
                                "\" is not supported by agentmon (it only accepts certificates "
                                "it can verify): use VerifyClientCertIfGiven or "
                                "RequireAndVerifyClientCert with client_ca_file");
    else
        problems.add(where, "\"" + text +
                                "\" is not one of NoClientCert, VerifyClientCertIfGiven, "
                                "RequireAndVerifyClientCert");
}

TlsServerConfig parse_tls(const YAML::Node& node, const std::string& base_dir, Problems& problems) {
    TlsServerConfig tls;
    const std::string at = "tls_server_config";
    for_each_pair(node, at, problems, [&](const std::string& key, const YAML::Node& value) {
        const std::string where = at + "." + key;
        if (kToolkitTlsKeysNotImplemented.count(key)) {
            problems.add(where, "is an exporter-toolkit setting agentmon does not support");
            return;
        }
        auto text = scalar(value, where, problems);
        if (!text) return;
        if (key == "cert_file") {
            tls.cert_file = resolve(base_dir, *text);
        } else if (key == "key_file") {
            tls.key_file = resolve(base_dir, *text);
        } else if (key == "client_ca_file") {
            tls.client_ca_file = resolve(base_dir, *text);
        } else if (key == "client_auth_type") {
            parse_client_auth(*text, where, tls, problems);
        } else if (key == "min_version" || key == "max_version") {
            auto version = parse_tls_version(*text);
            if (!version)
                problems.add(where, "\"" + *text + "\" is not one of TLS10, TLS11, TLS12, TLS13");
            else if (key == "min_version")
                tls.min_version = *version;
            else
                tls.max_version = *version;
        } else {
            problems.add(where, "unknown key" + mark_of(value));
        }
    });
    if (tls.cert_file.empty()) problems.add(at + ".cert_file", "is required");
    if (tls.key_file.empty()) problems.add(at + ".key_file", "is required");
    if (tls.client_auth != ClientAuth::none && tls.client_ca_file.empty())
        problems.add(at + ".client_ca_file", "is required to verify client certificates");
    if (tls.client_auth == ClientAuth::none && !tls.client_ca_file.empty())
        problems.add(at + ".client_ca_file",
                     "is set but client_auth_type is NoClientCert (set client_auth_type)");
    if (tls.max_version && *tls.max_version < tls.min_version)
        problems.add(at + ".max_version", "is below min_version");
    return tls;
}

void parse_users(const YAML::Node& node, WebConfig& config, Problems& problems) {
    for_each_pair(node, "basic_auth_users", problems,
                  [&](const std::string& user, const YAML::Node& value) {
                      const std::string where = "basic_auth_users." + user;
                      auto hash = scalar(value, where, problems);
                      if (!hash) return;
                      if (user.empty() || user.find(':') != std::string::npos)
                          problems.add(where, "a user name must be non-empty and have no ':'");
                      else if (auto problem = bcrypt_hash_problem(*hash))
                          problems.add(where, *problem);
                      else
                          config.basic_auth_users[user] = *hash;
                  });
}

// "cannot read FILE: reason", without read_bounded_file's wording for the main config.
std::string read_problem(const Error& error, const std::string& file) {
    if (error.code == EFBIG) return file + " is larger than 1 MiB (is this the right file?)";
    return "cannot read " + file + ": " + std::strerror(error.code);
}

Error problems_error(const std::string& name, const Problems& problems) {
    std::string message;
    for (std::size_t i = 0; i < problems.lines.size() && i < kMaxProblemLines; ++i)
        message += (i ? "\n" : "") + name + ": " + problems.lines[i];
    if (problems.lines.size() > kMaxProblemLines)
        message += "\n" + name + ": and " +
                   std::to_string(problems.lines.size() - kMaxProblemLines) + " more problems";
    return Error{message};
}

}  // namespace

Result<WebConfig> parse_web_config(std::string_view yaml, const std::string& base_dir,
                                   const std::string& name) {
    YAML::Node root;
    try {
        root = YAML::Load(std::string(yaml));
    } catch (const YAML::Exception& e) {
        // e.what() already carries "yaml-cpp: error at line L, column C: ...".
        return Error{one_line(name + ": not valid YAML: " + e.what())};
    }
    WebConfig config;
    Problems problems;
    for_each_pair(root, "web config", problems,
                  [&](const std::string& key, const YAML::Node& value) {
                      if (key == "tls_server_config")
                          config.tls = parse_tls(value, base_dir, problems);
                      else if (key == "basic_auth_users")
                          parse_users(value, config, problems);
                      else if (key == "http_server_config")
                          problems.add(key,
                                       "is an exporter-toolkit setting agentmon does not support "
                                       "(it serves HTTP/1.1 without extra headers)");
                      else
                          problems.add(key,
                                       "unknown key (expected tls_server_config or "
                                       "basic_auth_users)" +
                                           mark_of(value));
                  });
    if (!problems.lines.empty()) return problems_error(name, problems);
    return config;
}

Result<WebConfig> load_web_config_file(const std::string& path) {
    auto text = read_bounded_file(path, kMaxWebConfigBytes);
    if (!text) return Error{"web config: " + read_problem(text.error(), path), text.error().code};
    const std::string base_dir = std::filesystem::path(path).parent_path().string();
    auto config = parse_web_config(text.value(), base_dir, path);
    if (!config || !config->tls) return config;
    Problems problems;
    const TlsServerConfig& tls = *config->tls;
    for (const auto& [field, file] :
         {std::pair{"cert_file", tls.cert_file}, std::pair{"key_file", tls.key_file},
          std::pair{"client_ca_file", tls.client_ca_file}}) {
        if (file.empty()) continue;
        auto content = read_bounded_file(file, kMaxWebConfigBytes);
        if (!content)
            problems.add(std::string("tls_server_config.") + field,
                         read_problem(content.error(), file));
    }
    if (!problems.lines.empty()) return problems_error(path, problems);
    return config;
}

}  // namespace agentmon
