// RingTracker against a fake /proc: rings over the per-process limit are counted
// in a total that never goes backwards, and a ring's file is found through the
// mapping process's /proc/<pid>/root when agentmon's own /dev/shm is another.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cinttypes>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "collect/ring_tracker.h"
#include "temp_dir.h"

using namespace agentmon;
namespace fs = std::filesystem;

namespace {

// A fake /proc with one process, pid 4242, and a root of its own in which its
// /dev/shm holds the ring files; its maps list each at a page-aligned range.
class FakeProc {
  public:
    FakeProc() { fs::create_directories(shm()); }

    std::string proc_root() const { return dir_.path(); }
    fs::path shm() const { return fs::path(dir_.path()) / "4242" / "root" / "dev" / "shm"; }

    void map_rings(int count) {
        std::ostringstream maps;
        for (int i = 0; i < count; ++i) {
            const std::string name = "agent_ring_utest_" + std::to_string(i);
            std::ofstream(shm() / name) << std::string(8192, '\0');
            struct stat st {};
            REQUIRE(::stat((shm() / name).c_str(), &st) == 0);
            char line[256];
            const std::uint64_t start = 0x7f0000000000ull + std::uint64_t(i) * 0x10000;
            std::snprintf(line, sizeof line,
                          "%" PRIx64 "-%" PRIx64 " rw-s 00000000 00:1a %" PRIu64 "  /dev/shm/%s\n",
                          start, start + 0x2000, std::uint64_t(st.st_ino), name.c_str());
            maps << line;
        }
        std::ofstream(fs::path(dir_.path()) / "4242" / "maps") << maps.str();
    }

  private:
    TempDir dir_{"agentmon-ringtracker"};
};

}  // namespace

TEST_CASE("rings over the per-process limit add to an unread total every tick") {
    FakeProc proc;
    proc.map_rings(RING_PER_PROC_MAX + 2);
    std::ostringstream sink;
    Logger log(LogLevel::error, LogFormat::text, sink);
    RingTracker tracker("/dev/shm/agent_ring_", 4, log, proc.proc_root());
    std::uint64_t last = 0;
    for (int tick = 1; tick <= 3; ++tick) {
        const auto targets = tracker.discover({{4242, 4242}});
        CHECK(targets.size() == RING_PER_PROC_MAX);
        CHECK(tracker.unread_total() == std::uint64_t(2 * tick));
        CHECK(tracker.unread_total() >= last);  // a counter: never backwards
        last = tracker.unread_total();
    }
}

TEST_CASE("a ring's file is opened through /proc/<pid>/root, the process's own /dev/shm") {
    FakeProc proc;
    proc.map_rings(1);
    std::ostringstream sink;
    Logger log(LogLevel::info, LogFormat::text, sink);
    RingTracker tracker("/dev/shm/agent_ring_", 4, log, proc.proc_root());
    tracker.discover({{4242, 4242}});
    REQUIRE(tracker.rings().size() == 1);
    // No map_files in the fake /proc and no such file in this /dev/shm: only the
    // process's root has it.
    CHECK(tracker.rings().begin()->second.file.valid());
    CHECK(sink.str().find("final_read=file") != std::string::npos);
}

TEST_CASE("a file of the same name that is not the mapped one is not read") {
    FakeProc proc;
    proc.map_rings(1);
    // Replace the file: same name, another inode (the original kept under another
    // name, so its inode number cannot be reused for the impostor).
    fs::rename(proc.shm() / "agent_ring_utest_0", proc.shm() / "kept");
    std::ofstream(proc.shm() / "agent_ring_utest_0") << "impostor";
    std::ostringstream sink;
    Logger log(LogLevel::info, LogFormat::text, sink);
    RingTracker tracker("/dev/shm/agent_ring_", 4, log, proc.proc_root());
    tracker.discover({{4242, 4242}});
    REQUIRE(tracker.rings().size() == 1);
    CHECK_FALSE(tracker.rings().begin()->second.file.valid());
}

TEST_CASE("/proc is read with the scanned root's pid, the kernel is given the host pid") {
    // A sidecar: agentmon's /proc numbers the process 4242, the host 91234. The maps
    // and the ring file are found under 4242; the iterator's target names 91234.
    FakeProc proc;
    proc.map_rings(1);
    std::ostringstream sink;
    Logger log(LogLevel::info, LogFormat::text, sink);
    RingTracker tracker("/dev/shm/agent_ring_", 4, log, proc.proc_root());
    const auto targets = tracker.discover({{4242, 91234}});
    REQUIRE(targets.size() == 1);
    CHECK(targets[0].tgid == 91234);
    REQUIRE(tracker.rings().size() == 1);
    CHECK(tracker.rings().begin()->second.file.valid());
    CHECK(tracker.rings().begin()->second.mappers.count(4242) == 1);
}
