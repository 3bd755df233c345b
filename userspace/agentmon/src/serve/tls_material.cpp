#include "serve/tls_material.h"

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include <iterator>
#include <tuple>

#include "base/enum_names.h"
#include "config/input_limits.h"

namespace agentmon {

namespace {

std::string_view gnutls_version_name(TlsVersion version) {
    constexpr std::string_view kNames[] = {"VERS-TLS1.0", "VERS-TLS1.1", "VERS-TLS1.2",
                                           "VERS-TLS1.3"};
    static_assert(std::size(kNames) == static_cast<std::size_t>(TlsVersion::tls13) + 1);
    return enum_name(version, kNames, "VERS-TLS1.3");
}

std::string priorities_for(const TlsServerConfig& tls) {
    std::string text = "NORMAL:-VERS-ALL";
    const auto max = tls.max_version.value_or(TlsVersion::tls13);
    for (int v = static_cast<int>(tls.min_version); v <= static_cast<int>(max); ++v) {
        text += ":+";
        text += gnutls_version_name(static_cast<TlsVersion>(v));
    }
    return text;
}

gnutls_datum_t datum(const std::string& text) {
    return {reinterpret_cast<unsigned char*>(const_cast<char*>(text.data())),
            static_cast<unsigned>(text.size())};
}

// Owns a credentials object for the checks.
struct Credentials {
    gnutls_certificate_credentials_t handle = nullptr;
    Credentials() { gnutls_certificate_allocate_credentials(&handle); }
    ~Credentials() {
        if (handle) gnutls_certificate_free_credentials(handle);
    }
    Credentials(const Credentials&) = delete;
    Credentials& operator=(const Credentials&) = delete;
};

Status check_material(const TlsServerConfig& tls, const TlsMaterial& material) {
    Credentials credentials;
    if (!credentials.handle) return Error{"tls_server_config: cannot allocate TLS credentials"};
    gnutls_datum_t cert = datum(material.cert_pem), key = datum(material.key_pem);
    int rc = gnutls_certificate_set_x509_key_mem2(credentials.handle, &cert, &key,
                                                  GNUTLS_X509_FMT_PEM, nullptr, 0);
    if (rc == GNUTLS_E_CERTIFICATE_KEY_MISMATCH)
        return Error{"tls_server_config: key_file " + tls.key_file +
                     " is not the key of cert_file " + tls.cert_file};
    if (rc < 0)
        return Error{"tls_server_config: cannot load cert_file " + tls.cert_file +
                     " with key_file " + tls.key_file + " (PEM expected): " + gnutls_strerror(rc)};
    if (!material.client_ca_pem.empty()) {
        gnutls_datum_t ca = datum(material.client_ca_pem);
        rc = gnutls_certificate_set_x509_trust_mem(credentials.handle, &ca, GNUTLS_X509_FMT_PEM);
        if (rc <= 0)
            return Error{"tls_server_config: client_ca_file " + tls.client_ca_file +
                         " holds no PEM certificate" +
                         (rc < 0 ? std::string(": ") + gnutls_strerror(rc) : "")};
    }
    gnutls_priority_t priority = nullptr;
    const char* error_at = nullptr;
    rc = gnutls_priority_init(&priority, material.priorities.c_str(), &error_at);
    if (rc < 0)
        return Error{"tls_server_config: this GnuTLS refuses the TLS versions " +
                     material.priorities + ": " + gnutls_strerror(rc)};
    gnutls_priority_deinit(priority);
    return Status::success();
}

}  // namespace

Result<TlsMaterial> load_tls_material(const TlsServerConfig& tls) {
    TlsMaterial material;
    material.client_auth = tls.client_auth;
    material.priorities = priorities_for(tls);
    for (auto [field, file, out] :
         {std::tuple{"cert_file", &tls.cert_file, &material.cert_pem},
          std::tuple{"key_file", &tls.key_file, &material.key_pem},
          std::tuple{"client_ca_file", &tls.client_ca_file, &material.client_ca_pem}}) {
        if (file->empty()) continue;
        auto text = read_bounded_file(*file, kMaxWebConfigBytes);
        if (!text)
            return Error{std::string("tls_server_config.") + field + ": " + text.error().message};
        *out = std::move(text).value();
    }
    if (Status st = check_material(tls, material); !st) return st.error();
    return material;
}

std::optional<std::string> client_certificate_problem(void* gnutls_session, ClientAuth policy) {
    if (policy == ClientAuth::none) return std::nullopt;
    auto session = static_cast<gnutls_session_t>(gnutls_session);
    if (!session) return std::string("no TLS session");
    unsigned int count = 0;
    const gnutls_datum_t* peers = gnutls_certificate_get_peers(session, &count);
    if (!peers || count == 0) {
        if (policy == ClientAuth::verify_if_given) return std::nullopt;
        return std::string("a client certificate is required");
    }
    unsigned int status = 0;
    if (gnutls_certificate_verify_peers2(session, &status) < 0 || status != 0)
        return std::string("the client certificate is not signed by client_ca_file");
    return std::nullopt;
}

}  // namespace agentmon
