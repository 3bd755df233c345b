// The web config (--web.config.file, exporter-toolkit YAML): what it accepts, and
// that every mistake is an error naming the key. Also the bcrypt check behind
// basic_auth_users.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "base/bcrypt.h"
#include "config/web_config.h"

using namespace agentmon;

namespace {

// bcrypt("s3cret") at cost 4 (the minimum, to keep the test fast), made with
// Python's crypt module; $2y$ is the same hash under htpasswd's prefix.
const std::string kHash = "$2b$04$fTWlLzh4p/bmAsmXULxP0.T2gHrvkHX4FQ9fiK/cap3Q3qRVz3aie";

std::string error_of(const std::string& yaml) {
    auto config = parse_web_config(yaml, "/etc/agentmon", "web.yml");
    REQUIRE_FALSE(config.ok());
    return config.error().message;
}

}  // namespace

TEST_CASE("web config: TLS and users as the exporter-toolkit writes them") {
    auto config = parse_web_config(
        "tls_server_config:\n"
        "  cert_file: server.crt\n"
        "  key_file: /keys/server.key\n"
        "  client_auth_type: RequireAndVerifyClientCert\n"
        "  client_ca_file: ca.crt\n"
        "  min_version: TLS13\n"
        "basic_auth_users:\n"
        "  prometheus: " +
            kHash + "\n",
        "/etc/agentmon", "web.yml");
    REQUIRE(config.ok());
    REQUIRE(config->tls);
    CHECK(config->tls->cert_file == "/etc/agentmon/server.crt");  // relative: from the file
    CHECK(config->tls->key_file == "/keys/server.key");
    CHECK(config->tls->client_ca_file == "/etc/agentmon/ca.crt");
    CHECK(config->tls->client_auth == ClientAuth::require_and_verify);
    CHECK(config->tls->min_version == TlsVersion::tls13);
    CHECK(config->basic_auth_users.at("prometheus") == kHash);
}

TEST_CASE("web config: an empty file means plain HTTP without auth") {
    auto config = parse_web_config("", "", "web.yml");
    REQUIRE(config.ok());
    CHECK_FALSE(config->tls);
    CHECK(config->basic_auth_users.empty());
}

TEST_CASE("web config: a key spanning lines stays one problem line (found by fuzz_web_config)") {
    // The fuzzer's minimised input: a scalar running over many lines, quoted as it
    // is, printed one problem over 20 lines, past the cap.
    const std::string yaml = ":\nu" + std::string(22, '\n') + " g";
    const std::string message = error_of(yaml);
    CHECK(std::count(message.begin(), message.end(), '\n') <= 20);
    CHECK(message.find("\\n\\n") != std::string::npos);
}

TEST_CASE("web config: unknown and unsupported keys are errors naming the key") {
    CHECK(error_of("tls_server_conifg: {}\n").find("web.yml: tls_server_conifg: unknown key") !=
          std::string::npos);
    CHECK(error_of("tls_server_config:\n  cert_file: a\n  key_file: b\n  cert_flie: c\n")
              .find("tls_server_config.cert_flie: unknown key") != std::string::npos);
    CHECK(error_of("tls_server_config:\n  cert_file: a\n  key_file: b\n  cipher_suites: [x]\n")
              .find("tls_server_config.cipher_suites: is an exporter-toolkit setting agentmon "
                    "does not support") != std::string::npos);
    CHECK(error_of("http_server_config:\n  http2: false\n").find("http_server_config") !=
          std::string::npos);
}

TEST_CASE("web config: missing, inconsistent and malformed values") {
    CHECK(error_of("tls_server_config:\n  cert_file: a\n").find("key_file: is required") !=
          std::string::npos);
    CHECK(error_of("tls_server_config:\n  cert_file: a\n  key_file: b\n"
                   "  client_auth_type: RequireAndVerifyClientCert\n")
              .find("client_ca_file: is required") != std::string::npos);
    CHECK(error_of("tls_server_config:\n  cert_file: a\n  key_file: b\n  client_ca_file: c\n")
              .find("client_auth_type is NoClientCert") != std::string::npos);
    CHECK(error_of("tls_server_config:\n  cert_file: a\n  key_file: b\n"
                   "  client_auth_type: Sometimes\n")
              .find("\"Sometimes\" is not one of") != std::string::npos);
    CHECK(error_of("tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: TLS14\n")
              .find("min_version: \"TLS14\" is not one of TLS10") != std::string::npos);
    CHECK(error_of("tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: TLS13\n"
                   "  max_version: TLS12\n")
              .find("max_version: is below min_version") != std::string::npos);
    CHECK(error_of("tls_server_config:\n  cert_file: [a]\n  key_file: b\n")
              .find("cert_file: must be a string") != std::string::npos);
    CHECK(error_of("tls_server_config: [1, 2]\n").find("must be a mapping") != std::string::npos);
    CHECK(error_of("basic_auth_users:\n  alice: hunter2\n")
              .find("basic_auth_users.alice: not a bcrypt hash") != std::string::npos);
    CHECK(error_of("basic_auth_users:\n  alice: " + kHash + "\n  alice: " + kHash + "\n")
              .find("basic_auth_users.alice: given twice") != std::string::npos);
    CHECK(error_of("basic_auth_users: {\n").find("web.yml: not valid YAML") != std::string::npos);
}

TEST_CASE("web config: deep nesting is refused, not a crash") {
    const std::string deep = "basic_auth_users: " + std::string(100000, '[');
    CHECK(error_of(deep).find("not valid YAML") != std::string::npos);
}

TEST_CASE("web config: a missing file exits like a missing --config (ENOENT)") {
    auto config = load_web_config_file("/nonexistent/web.yml");
    REQUIRE_FALSE(config.ok());
    CHECK(config.error().code == ENOENT);
    CHECK(config.error().message.find("/nonexistent/web.yml") != std::string::npos);
}

TEST_CASE("bcrypt: the right password matches under $2b$ and $2y$, others do not") {
    CHECK(bcrypt_matches("s3cret", kHash));
    std::string y = kHash;
    y[2] = 'y';
    CHECK(bcrypt_matches("s3cret", y));
    CHECK_FALSE(bcrypt_matches("s3cre", kHash));
    CHECK_FALSE(bcrypt_matches("", kHash));
    CHECK_FALSE(bcrypt_matches("s3cret", "$1$abc$def"));  // not bcrypt: refused, not MD5-checked
    CHECK_FALSE(bcrypt_hash_problem(kHash));
    CHECK(bcrypt_hash_problem("$2y$99$fTWlLzh4p/bmAsmXULxP0.T2gHrvkHX4FQ9fiK/cap3Q3qRVz3aie"));
}

TEST_CASE("constant_time_equal compares lengths and every byte") {
    CHECK(constant_time_equal("abc", "abc"));
    CHECK_FALSE(constant_time_equal("abc", "abd"));
    CHECK_FALSE(constant_time_equal("abc", "abcd"));
    CHECK(constant_time_equal("", ""));
}
