// Fuzz target: the text of a web config (--web.config.file, the exporter
// toolkit's YAML), through parse_web_config (config/web_config.cpp and the
// bcrypt hash check it calls). It reads no file: certificate paths are only
// resolved, so the input alone decides the outcome.
//
// Besides the sanitizers, it checks what an accepted web config promises to the
// HTTP server: TLS has a certificate and a key, a CA exactly when client
// certificates are verified, a version range that is not empty, and every user
// has a bcrypt hash; a rejection is one message of at most kMaxProblemLines
// problem lines plus one summary line.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "config/input_limits.h"
#include "config/web_config.h"
#include "fuzz_check.h"

using namespace agentmon;

namespace {

void check_accepted(const WebConfig& config) {
    if (config.tls) {
        const TlsServerConfig& tls = *config.tls;
        FUZZ_CHECK(!tls.cert_file.empty() && !tls.key_file.empty());
        FUZZ_CHECK(tls.cert_file.front() == '/' && tls.key_file.front() == '/');
        FUZZ_CHECK((tls.client_auth == ClientAuth::none) == tls.client_ca_file.empty());
        FUZZ_CHECK(!tls.max_version || *tls.max_version >= tls.min_version);
    }
    for (const auto& [user, hash] : config.basic_auth_users) {
        FUZZ_CHECK(!user.empty() && user.find(':') == std::string::npos);
        FUZZ_CHECK(hash.size() > 4 && hash[0] == '$' && hash[1] == '2');
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > kMaxWebConfigBytes) return 0;  // load_web_config_file refuses these unread
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto parsed = parse_web_config(text, "/etc/agentmon", "web.yml");
    if (parsed) {
        check_accepted(parsed.value());
        return 0;
    }
    const std::string& message = parsed.error().message;
    FUZZ_CHECK(!message.empty());
    FUZZ_CHECK(static_cast<std::size_t>(std::count(message.begin(), message.end(), '\n')) <=
               kMaxProblemLines);
    return 0;
}
