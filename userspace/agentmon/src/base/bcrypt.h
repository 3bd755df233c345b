#pragma once
// bcrypt password hashes as the Prometheus exporter-toolkit's basic_auth_users
// holds them ("$2y$10$..."), checked with libxcrypt (Debian's libcrypt), which
// implements $2a$, $2b$ and $2y$.
#include <optional>
#include <string>
#include <string_view>

namespace agentmon {

// Why `hash` is not a usable bcrypt hash, or nothing when it is.
std::optional<std::string> bcrypt_hash_problem(const std::string& hash);

// Whether `password` hashes to `hash`. Takes as long as the hash's cost says
// (about 50 ms at cost 10): that slowness is the point of bcrypt. The final
// comparison runs in constant time, so the time taken tells nothing about how
// much of the hash matched.
bool bcrypt_matches(const std::string& password, const std::string& hash);

// Equal length and bytes, in time that depends only on the lengths.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace agentmon
