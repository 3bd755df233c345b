// Process discovery over a fake proc tree: processes and threads, rules reading
// only what they need, vanished tasks, container ids, and the cost of a scan.
#include <doctest/doctest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "model/process_discovery.h"
#include "temp_dir.h"

using namespace agentmon;
namespace fs = std::filesystem;

namespace {

// A temporary directory laid out like /proc, removed at the end of the test.
class FakeProc {
  public:
    const std::string& root() const { return dir_.path(); }

    // A process with its main thread; more threads with add_thread.
    void add_process(std::uint32_t pid, const std::string& comm, const std::string& cmdline = "",
                     const std::string& cgroup = "0::/user.slice", const std::string& environ = "",
                     const std::string& exe = "") {
        std::string dir = root() + "/" + std::to_string(pid);
        fs::create_directories(dir + "/task");
        write(dir + "/comm", comm + "\n");
        write(dir + "/cmdline", cmdline);
        write(dir + "/cgroup", cgroup + "\n");
        write(dir + "/environ", environ);
        if (!exe.empty()) fs::create_symlink(exe, dir + "/exe");
        add_thread(pid, pid, comm);
    }
    void add_thread(std::uint32_t pid, std::uint32_t tid, const std::string& comm) {
        std::string dir = root() + "/" + std::to_string(pid) + "/task/" + std::to_string(tid);
        fs::create_directories(dir);
        write(dir + "/comm", comm + "\n");
    }
    void remove(const std::string& relative) { fs::remove_all(root() + "/" + relative); }

  private:
    static void write(const std::string& path, const std::string& text) {
        std::ofstream(path, std::ios::binary) << text;
    }
    TempDir dir_{"agentmon-proc"};
};

std::vector<AgentRule> rules_of(const std::string& json) {
    std::vector<std::string> problems;
    auto rules = parse_agent_rules(nlohmann::json::parse(json), problems);
    REQUIRE(problems.empty());
    return rules;
}

}  // namespace

TEST_CASE("the default rule finds AG_ processes and threads with their types") {
    FakeProc proc;
    proc.add_process(100, "AG_DIRECTOR");
    proc.add_process(200, "AG_PROJECT_ORCH");
    proc.add_thread(200, 201, "AG_PROJECT_ORCH");
    proc.add_process(300, "bash");
    proc.add_thread(300, 301, "AG_SECURITY");  // a renamed thread in a non-agent process
    proc.add_process(400, "sshd");
    ProcessDiscovery discovery(default_agent_rules(), proc.root());
    auto agents = discovery.scan();
    CHECK(agents.size() == 4);
    REQUIRE(agents.count(100));
    CHECK(agents[100].pid == 100);
    CHECK(agents[100].comm == "AG_DIRECTOR");
    CHECK(agents[100].agent_type == 1);
    CHECK(agents[100].agent_id == 1);
    REQUIRE(agents.count(201));
    CHECK(agents[201].pid == 200);
    CHECK(agents[201].agent_type == 2);
    REQUIRE(agents.count(301));
    CHECK(agents[301].agent_type == 3);
    CHECK(agents[301].pid == 300);
    CHECK_FALSE(agents.count(300));
    CHECK_FALSE(agents.count(400));
}

TEST_CASE("a thread of an agent process with its own name still belongs to the agent") {
    FakeProc proc;
    proc.add_process(100, "AG_TUI");
    proc.add_thread(100, 105, "io-worker");
    auto agents = ProcessDiscovery(default_agent_rules(), proc.root()).scan();
    REQUIRE(agents.count(105));
    CHECK(agents[105].agent_type == 6);
    CHECK(agents[105].comm == "io-worker");
}

TEST_CASE("renamed and new tasks are found by the next scan, gone ones dropped") {
    FakeProc proc;
    proc.add_process(100, "python3");
    ProcessDiscovery discovery(default_agent_rules(), proc.root());
    CHECK(discovery.scan().empty());
    proc.add_thread(100, 100, "AG_WEB");  // prctl(PR_SET_NAME) after exec
    proc.add_process(500, "AG_LINTER");
    auto agents = discovery.scan();
    CHECK(agents.size() == 2);
    CHECK(agents[100].agent_type == 7);
    proc.remove("500");
    CHECK(discovery.scan().size() == 1);
}

TEST_CASE("vanished tasks are skipped, not errors") {
    FakeProc proc;
    proc.add_process(100, "AG_TUI");
    proc.add_process(200, "AG_WEB");
    proc.remove("200/task/200/comm");  // exited between the listing and the read
    proc.remove("100/task");           // listed, then gone entirely
    proc.add_process(300, "AG_MOBILE");
    auto agents = ProcessDiscovery(default_agent_rules(), proc.root()).scan();
    CHECK(agents.size() == 1);
    CHECK(agents.count(300));
    CHECK(ProcessDiscovery(default_agent_rules(), proc.root() + "/missing").scan().empty());
}

TEST_CASE("exe, cmdline and env rules with fixed types and ids; first matching rule wins") {
    FakeProc proc;
    proc.add_process(100, "python3", std::string("python3\0/srv/monitor.py\0", 23));
    proc.add_process(200, "worker", "", "0::/user.slice", std::string("ROLE=sec-eu\0HOME=/\0", 19));
    proc.add_process(300, "director", "", "0::/", "", "/opt/bus/director");
    proc.add_process(400, "AG_DEBUGGER", "", "0::/", std::string("ROLE=sec\0", 9));
    auto rules = rules_of(R"([
        {"comm": "AG_*"},
        {"cmdline": "python3 */monitor.py", "agent_type": "MONITOR", "agent_id": 38},
        {"env": "ROLE=sec*", "agent_type": "SECURITY"},
        {"exe": "/opt/bus/*", "agent_type": "DIRECTOR"}])");
    auto agents = ProcessDiscovery(rules, proc.root()).scan();
    CHECK(agents.size() == 4);
    CHECK(agents[100].agent_type == 10);
    CHECK(agents[100].agent_id == 38);
    CHECK(agents[200].agent_type == 3);
    CHECK(agents[200].agent_id == 3);
    CHECK(agents[300].agent_type == 1);
    CHECK(agents[400].agent_type == 25);  // the comm rule comes first
}

TEST_CASE("the cgroup path gives container and pod ids") {
    const std::string hex(64, 'a');
    const std::string id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    struct Case {
        std::string path, container, pod;
    };
    const Case cases[] = {
        {"/system.slice/docker-" + id + ".scope", id, ""},
        {"/docker/" + id, id, ""},
        {"/kubepods.slice/kubepods-burstable.slice/"
         "kubepods-burstable-pod1a2b3c4d_5e6f_7a8b_9c0d_1e2f3a4b5c6d.slice/cri-containerd-" +
             id + ".scope",
         id, "1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d"},
        {"/kubepods/besteffort/pod1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d/" + hex, hex,
         "1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d"},
        {"/machine.slice/libpod-" + id + ".scope/container", id, ""},
        // containerd, cgroupfs driver: the bare id under the pod.
        {"/kubepods/burstable/pod1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d/" + id, id,
         "1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d"},
        // CRI-O, systemd driver (its default): crio-<id>.scope in the pod's slice.
        {"/kubepods.slice/kubepods-besteffort.slice/"
         "kubepods-besteffort-pod1a2b3c4d_5e6f_7a8b_9c0d_1e2f3a4b5c6d.slice/crio-" +
             id + ".scope",
         id, "1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d"},
        // CRI-O, cgroupfs driver.
        {"/kubepods/pod1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d/crio-" + id, id,
         "1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d"},
        // Guaranteed pods sit right under kubepods.slice (systemd driver).
        {"/kubepods.slice/kubepods-pod1a2b3c4d_5e6f_7a8b_9c0d_1e2f3a4b5c6d.slice/cri-containerd-" +
             id + ".scope",
         id, "1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d"},
        {"/user.slice/user-0.slice/session-3.scope", "", ""},
        {"/system.slice/docker-abc.scope", "", ""},  // not a 64-hex id
        {"/", "", ""},
        {"", "", ""},
    };
    for (const auto& c : cases) {
        CAPTURE(c.path);
        CgroupIds ids = cgroup_ids(c.path);
        CHECK(ids.container == c.container);
        CHECK(ids.pod == c.pod);
    }
}

TEST_CASE("the cgroup file's v2 line is preferred, v1 falls back to the first path") {
    CHECK(cgroup_path_of("0::/system.slice/a.service\n") == "/system.slice/a.service");
    CHECK(cgroup_path_of("12:pids:/docker/x\n1:name=systemd:/docker/x\n0::/y\n") == "/y");
    CHECK(cgroup_path_of("12:pids:/docker/x\n1:name=systemd:/docker/z\n") == "/docker/x");
    CHECK(cgroup_path_of("") == "");
}

TEST_CASE("agents carry the container of their process") {
    FakeProc proc;
    const std::string id(64, 'f');
    proc.add_process(100, "AG_TUI", "", "0::/system.slice/docker-" + id + ".scope");
    proc.add_thread(100, 101, "AG_TUI");
    auto agents = ProcessDiscovery(default_agent_rules(), proc.root()).scan();
    CHECK(agents[100].container == id);
    CHECK(agents[101].container == id);
    CHECK(agents[101].pod.empty());
}

TEST_CASE("a scan of 1000 processes with 3 threads each stays well under a tick") {
    FakeProc proc;
    for (std::uint32_t pid = 1000; pid < 2000; ++pid) {
        proc.add_process(pid, pid % 10 == 0 ? "AG_WEB" : "worker");
        proc.add_thread(pid, pid + 100000, "worker");
        proc.add_thread(pid, pid + 200000, "worker");
    }
    ProcessDiscovery discovery(default_agent_rules(), proc.root());
    discovery.scan();  // warm the dentry cache, as every later tick finds it
    auto start = std::chrono::steady_clock::now();
    auto agents = discovery.scan();
    auto took = std::chrono::steady_clock::now() - start;
    CHECK(agents.size() == 300);  // 100 agents, each with its two threads
    MESSAGE("scan of 1000 processes took "
            << std::chrono::duration_cast<std::chrono::microseconds>(took).count() << " us");
    CHECK(took < std::chrono::milliseconds(250));
}

TEST_CASE("the real /proc scans without error and finds this test when named like an agent") {
    std::vector<std::string> problems;
    auto rules = parse_agent_rules(
        nlohmann::json::parse(R"([{"comm": "unit_agentmo*", "agent_type": "TESTBED"}])"), problems);
    REQUIRE(problems.empty());
    auto agents = ProcessDiscovery(rules).scan();
    auto self = static_cast<std::uint32_t>(getpid());
    REQUIRE(agents.count(self));
    CHECK(agents[self].agent_type == 5);
}

TEST_CASE("a pod's namespace comes from its service account volume") {
    FakeProc proc;
    const std::string id(64, 'c');
    const std::string pod =
        "0::/kubepods.slice/kubepods-pod1a2b3c4d_5e6f_7a8b_9c0d_1e2f3a4b5c6d."
        "slice/cri-containerd-" +
        id + ".scope";
    proc.add_process(100, "AG_TUI", "", pod);
    proc.add_process(200, "AG_DIRECTOR", "", pod);
    proc.add_process(300, "AG_SECURITY", "", pod);
    const fs::path sa = "root/var/run/secrets/kubernetes.io/serviceaccount";
    fs::create_directories(fs::path(proc.root()) / "100" / sa);
    std::ofstream(fs::path(proc.root()) / "100" / sa / "namespace") << "bus-prod";
    fs::create_directories(fs::path(proc.root()) / "300" / sa);
    std::ofstream(fs::path(proc.root()) / "300" / sa / "namespace") << "Not/A label";
    auto agents = ProcessDiscovery(default_agent_rules(), proc.root()).scan();
    CHECK(agents[100].pod == "1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d");
    CHECK(agents[100].pod_namespace == "bus-prod");
    CHECK(agents[200].pod_namespace == "");  // automountServiceAccountToken: false
    CHECK(agents[300].pod_namespace == "");  // not a namespace name: not a label value
    CHECK(agents[100].cgroup == pod.substr(3));
    // Outside a namespace of its own, the three numberings are the scanned one.
    CHECK(agents[100].host_tid == 100);
    CHECK(agents[100].own_pid == 100);
}
