#pragma once
// What the web config's tls_server_config turns into for the HTTP server: the PEM
// texts and a GnuTLS priority string, checked with GnuTLS up front (the key
// matches the certificate, the CA file holds certificates) so that a bad file is
// an error at start and in --check-config, not a failed handshake later.
#include <optional>
#include <string>

#include "base/result.h"
#include "config/web_config.h"

namespace agentmon {

struct TlsMaterial {
    std::string cert_pem;
    std::string key_pem;
    std::string client_ca_pem;  // empty: no client certificates are requested
    std::string priorities;     // e.g. "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"
    ClientAuth client_auth = ClientAuth::none;
};

Result<TlsMaterial> load_tls_material(const TlsServerConfig& tls);

// Why a TLS connection's client certificate does not satisfy `policy`, or nothing.
// `gnutls_session` is the connection's gnutls_session_t.
std::optional<std::string> client_certificate_problem(void* gnutls_session, ClientAuth policy);

}  // namespace agentmon
