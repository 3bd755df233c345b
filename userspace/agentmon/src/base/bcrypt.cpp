#include "base/bcrypt.h"

#include <crypt.h>

#include <cctype>
#include <memory>

namespace agentmon {

namespace {

bool has_bcrypt_prefix(const std::string& hash) {
    return hash.rfind("$2a$", 0) == 0 || hash.rfind("$2b$", 0) == 0 || hash.rfind("$2y$", 0) == 0;
}

}  // namespace

std::optional<std::string> bcrypt_hash_problem(const std::string& hash) {
    // "$2y$" + two cost digits + "$" + 22 salt + 31 hash characters.
    if (!has_bcrypt_prefix(hash) || hash.size() != 60)
        return std::string(
            "not a bcrypt hash (60 characters starting with $2y$, $2b$ or $2a$, "
            "e.g. from `htpasswd -nBC 10 USER`)");
    // libxcrypt's crypt_checksalt looks at the prefix only; the cost must be 04..31.
    const bool cost_digits = std::isdigit(static_cast<unsigned char>(hash[4])) &&
                             std::isdigit(static_cast<unsigned char>(hash[5])) && hash[6] == '$';
    const int cost = cost_digits ? (hash[4] - '0') * 10 + (hash[5] - '0') : 0;
    if (cost < 4 || cost > 31)
        return std::string("not a valid bcrypt hash (the cost must be 04 to 31)");
    for (std::size_t i = 7; i < hash.size(); ++i)
        if (!std::isalnum(static_cast<unsigned char>(hash[i])) && hash[i] != '.' && hash[i] != '/')
            return std::string("not a valid bcrypt hash (bad character in the salt or hash)");
    switch (crypt_checksalt(hash.c_str())) {
        case CRYPT_SALT_OK:
            return std::nullopt;
        case CRYPT_SALT_METHOD_DISABLED:
            return std::string("bcrypt is disabled in this system's libcrypt");
        default:
            return std::string("not a valid bcrypt hash (bad cost or salt)");
    }
}

bool constant_time_equal(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    unsigned char diff = 0;
    for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

bool bcrypt_matches(const std::string& password, const std::string& hash) {
    if (!has_bcrypt_prefix(hash)) return false;
    // crypt_data is 32 KiB: on the heap, one per call, so concurrent checks
    // never share state (crypt() itself is not thread-safe).
    auto data = std::make_unique<crypt_data>();
    const char* computed = crypt_r(password.c_str(), hash.c_str(), data.get());
    // On failure libxcrypt returns a string starting with '*', never a hash.
    if (computed == nullptr || computed[0] == '*') return false;
    return constant_time_equal(computed, hash);
}

}  // namespace agentmon
