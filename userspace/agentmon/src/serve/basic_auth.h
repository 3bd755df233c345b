#pragma once
// HTTP basic auth against the web config's bcrypt hashes, as the exporter-toolkit
// does it: every path needs a listed user and the password matching its hash.
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>

namespace agentmon {

class BasicAuth {
  public:
    explicit BasicAuth(std::map<std::string, std::string> users) : users_(std::move(users)) {}

    // No users configured: every request is allowed.
    bool enabled() const { return !users_.empty(); }

    // Whether `user` is listed and `password` matches its hash. A bcrypt check
    // takes tens of milliseconds, so each verdict is cached (keyed by the user and
    // a SHA-256 of the password, never the password itself): Prometheus sends the
    // same credentials every scrape. Checks run one at a time, so guessing
    // passwords costs the exporter at most one core. An unknown user is checked
    // against a dummy hash, so the reply time does not tell which users exist.
    bool allows(const std::string& user, const std::string& password);

  private:
    const std::map<std::string, std::string> users_;
    std::mutex bcrypt_mutex_;  // serializes bcrypt runs
    std::mutex cache_mutex_;
    std::unordered_map<std::string, bool> verdicts_;
};

}  // namespace agentmon
