// The agent state path's /proc reader, over a hand-built /proc tree.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "kernel/agent_state_procfs.h"

using namespace agentmon;
namespace fs = std::filesystem;

namespace {

struct FakeProc {
    fs::path root;
    FakeProc() {
        std::string tmpl = (fs::temp_directory_path() / "agentmon-proc-XXXXXX").string();
        root = mkdtemp(tmpl.data());
    }
    ~FakeProc() { fs::remove_all(root); }
    FakeProc(const FakeProc&) = delete;
    FakeProc& operator=(const FakeProc&) = delete;

    // /proc/<pid>/stat with state, threads, start ticks and rss; field 52 when dead.
    void stat(int pid, char state, int threads, int start, int rss, int exit_code = -1) {
        fs::create_directories(root / std::to_string(pid) / "task");
        std::ofstream f(root / std::to_string(pid) / "stat");
        f << pid << " (AG_SECURITY) " << state << " 1 " << pid << " " << pid
          << " 0 -1 0 0 0 0 0 10 5 0 0 20 0 " << threads << " 0 " << start << " 0 " << rss;
        if (exit_code >= 0) {
            for (int field = 25; field <= 51; ++field) f << " 0";
            f << " " << exit_code;
        }
        f << "\n";
    }
    void thread(int pid, int tid, std::uint64_t run, std::uint64_t delay, std::uint64_t slices) {
        fs::create_directories(root / std::to_string(pid) / "task" / std::to_string(tid));
        std::ofstream(root / std::to_string(pid) / "task" / std::to_string(tid) / "schedstat")
            << run << " " << delay << " " << slices << "\n";
    }
    void drop_thread(int pid, int tid) {
        fs::remove_all(root / std::to_string(pid) / "task" / std::to_string(tid));
    }
    void drop(int pid) { fs::remove_all(root / std::to_string(pid)); }
};

std::map<std::uint32_t, AgentTask> task(std::uint32_t pid) {
    AgentTask t;
    t.tid = t.pid = t.host_tid = t.host_pid = pid;
    t.comm = "AG_SECURITY";
    return {{pid, t}};
}

const AgentProcReading* find(const AgentStateReading& r, std::uint32_t tgid) {
    for (const auto& p : r.procs)
        if (p.tgid == tgid) return &p;
    return nullptr;
}

}  // namespace

TEST_CASE("procfs agent state: CPU and run-queue waits summed over threads, never backwards") {
    FakeProc proc;
    proc.stat(100, 'S', 2, 5000, 300);
    proc.thread(100, 100, 1'000'000, 40'000, 10);  // mean wait 4 us: slot 2
    proc.thread(100, 101, 3'000'000, 0, 0);
    AgentStateProcfs reader(proc.root.string());
    reader.mark(task(100));
    auto first = reader.read();
    const auto* p = find(first, 100);
    REQUIRE(p != nullptr);
    CHECK(p->usage.cpu_ns == 4'000'000);
    CHECK(p->usage.runq_sum_ns == 40'000);
    CHECK(p->usage.runq[2] == 10);
    CHECK(p->proc.nr_threads == 2);
    CHECK(p->proc.rss_pages == 300);
    CHECK(p->proc.sampled == 1);
    CHECK((p->proc.flags & AGENT_PROC_EXITED) == 0);

    // Thread 101 exits (its time stays counted); thread 100 runs 1 ms more.
    proc.drop_thread(100, 101);
    proc.thread(100, 100, 2'000'000, 40'000, 10);
    auto second = reader.read();
    p = find(second, 100);
    REQUIRE(p != nullptr);
    CHECK(p->usage.cpu_ns == 5'000'000);
    CHECK(p->usage.runq[2] == 10);
}

TEST_CASE("procfs agent state: a zombie is exited with its status; a gone process is left out") {
    FakeProc proc;
    proc.stat(200, 'R', 1, 7000, 10);
    proc.thread(200, 200, 1000, 0, 1);
    proc.stat(201, 'R', 1, 7001, 10);
    proc.thread(201, 201, 1000, 0, 1);
    AgentStateProcfs reader(proc.root.string());
    reader.mark(task(200));
    reader.mark(task(201));
    CHECK(reader.read().procs.size() == 2);
    proc.stat(200, 'Z', 0, 7000, 0, 9);  // SIGKILLed, not reaped yet
    proc.drop(201);                      // reaped, status unseen
    auto r = reader.read();
    const auto* z = find(r, 200);
    REQUIRE(z != nullptr);
    CHECK((z->proc.flags & AGENT_PROC_EXITED) != 0);
    CHECK(z->proc.exit_code == 9);
    CHECK(find(r, 201) == nullptr);
    // Forgotten once its end is recorded; a stale discovery entry does not bring
    // it back, but a new process under the same pid (a later start) is watched.
    reader.forget({200});
    reader.mark(task(200));
    CHECK(find(reader.read(), 200) == nullptr);
    proc.stat(200, 'S', 1, 9000, 10);
    reader.mark(task(200));
    CHECK(find(reader.read(), 200) != nullptr);
}

TEST_CASE("procfs agent state: a pid reused by another process ends the watched one") {
    FakeProc proc;
    proc.stat(300, 'S', 1, 100, 10);
    proc.thread(300, 300, 1000, 0, 1);
    AgentStateProcfs reader(proc.root.string());
    reader.mark(task(300));
    CHECK(find(reader.read(), 300) != nullptr);
    proc.stat(300, 'S', 1, 200, 10);  // another start: not the process watched
    CHECK(find(reader.read(), 300) == nullptr);
}
