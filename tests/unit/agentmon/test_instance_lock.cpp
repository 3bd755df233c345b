// One agentmon per pin directory: the second taker is refused with the first
// one's pid, and the lock is free again once its holder is gone.
#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

#include "base/instance_lock.h"

using namespace agentmon;

namespace {

struct LockDir {
    std::string path;
    LockDir() {
        char tmpl[] = "/tmp/agentmon-lock-test.XXXXXX";
        path = mkdtemp(tmpl);
        setenv("AGENTMON_LOCK_DIR", path.c_str(), 1);
    }
    ~LockDir() {
        unsetenv("AGENTMON_LOCK_DIR");
        std::filesystem::remove_all(path);
    }
};

}  // namespace

TEST_CASE("the lock file is named after the pin directory") {
    LockDir dir;
    CHECK(instance_lock_path("/sys/fs/bpf/agentmon") == dir.path + "/_sys_fs_bpf_agentmon.lock");
}

TEST_CASE("a second instance on the same pin directory is refused naming the first's pid") {
    LockDir dir;
    auto first = InstanceLock::acquire("/sys/fs/bpf/agentmon");
    REQUIRE(first.ok());
    auto second = InstanceLock::acquire("/sys/fs/bpf/agentmon");
    REQUIRE_FALSE(second.ok());
    CHECK(second.error().message.find("pid " + std::to_string(getpid())) != std::string::npos);
    CHECK(second.error().message.find("/sys/fs/bpf/agentmon") != std::string::npos);

    // Another pin directory is another instance.
    CHECK(InstanceLock::acquire("/sys/fs/bpf/other").ok());
}

TEST_CASE("the lock is free once its holder is gone") {
    LockDir dir;
    {
        auto first = InstanceLock::acquire("/sys/fs/bpf/agentmon");
        REQUIRE(first.ok());
    }
    CHECK(InstanceLock::acquire("/sys/fs/bpf/agentmon").ok());
}
