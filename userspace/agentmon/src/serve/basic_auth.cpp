#include "serve/basic_auth.h"

#include <gnutls/crypto.h>

#include "base/bcrypt.h"

namespace agentmon {

namespace {

// bcrypt of a random string at cost 10 (the toolkit's documented cost), so an
// unknown user takes as long as a known one.
constexpr const char* kDummyHash = "$2b$10$Nxx5kNCzBei0fs0hkgUs0.EijXbqt614St8oZXFJS8GlUfl821rGS";

// The cache stays small: honest clients use a handful of credentials, and a
// client trying many passwords only refills it.
constexpr std::size_t kMaxCachedVerdicts = 256;

std::string cache_key(const std::string& user, const std::string& password) {
    unsigned char digest[32] = {};
    gnutls_hash_fast(GNUTLS_DIG_SHA256, password.data(), password.size(), digest);
    return user + '\0' + std::string(reinterpret_cast<const char*>(digest), sizeof(digest));
}

}  // namespace

bool BasicAuth::allows(const std::string& user, const std::string& password) {
    const std::string key = cache_key(user, password);
    {
        std::lock_guard lock(cache_mutex_);
        if (auto it = verdicts_.find(key); it != verdicts_.end()) return it->second;
    }
    const auto it = users_.find(user);
    bool verdict = false;
    {
        std::lock_guard lock(bcrypt_mutex_);
        const bool matches = bcrypt_matches(password, it == users_.end() ? kDummyHash : it->second);
        verdict = matches && it != users_.end();
    }
    std::lock_guard lock(cache_mutex_);
    if (verdicts_.size() >= kMaxCachedVerdicts) verdicts_.clear();
    verdicts_[key] = verdict;
    return verdict;
}

}  // namespace agentmon
