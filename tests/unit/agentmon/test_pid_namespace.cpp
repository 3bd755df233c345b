#include <doctest/doctest.h>

#include <unistd.h>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "model/pid_namespace.h"

using namespace agentmon;

TEST_CASE("pid_namespace_inode reads the ns link's text and nothing else") {
    CHECK(pid_namespace_inode("pid:[4026531836]") == kInitialPidNamespaceInode);
    CHECK(pid_namespace_inode("pid:[4026532001]") == 4026532001ULL);
    CHECK_FALSE(pid_namespace_inode("net:[4026531836]"));
    CHECK_FALSE(pid_namespace_inode("pid:[]"));
    CHECK_FALSE(pid_namespace_inode("pid:[12x]"));
    CHECK_FALSE(pid_namespace_inode("pid:[4026531836"));
    CHECK_FALSE(pid_namespace_inode(""));
}

TEST_CASE("a proc root whose pid 1 lives in another pid namespace does not show host pids") {
    char tmpl[] = "/tmp/agentmon-pidns-XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    const std::filesystem::path root(tmpl);
    std::filesystem::create_directories(root / "1" / "ns");
    SUBCASE("the initial namespace") {
        std::filesystem::create_symlink("pid:[4026531836]", root / "1" / "ns" / "pid");
        CHECK(proc_root_shows_host_pids(root.string()));
    }
    SUBCASE("a container's namespace") {
        std::filesystem::create_symlink("pid:[4026532777]", root / "1" / "ns" / "pid");
        CHECK_FALSE(proc_root_shows_host_pids(root.string()));
    }
    SUBCASE("an unreadable link keeps the old behaviour") {
        CHECK(proc_root_shows_host_pids(root.string()));
    }
    std::filesystem::remove_all(root);
}
