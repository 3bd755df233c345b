#include "model/process_discovery.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <optional>

#include "base/procfs.h"

namespace agentmon {

namespace {

std::vector<std::uint32_t> numeric_entries(const std::string& dir) {
    std::vector<std::uint32_t> out;
    DIR* d = ::opendir(dir.c_str());
    if (!d) return out;
    while (const dirent* e = ::readdir(d)) {
        std::uint64_t n = 0;
        const char* c = e->d_name;
        for (; *c >= '0' && *c <= '9' && n <= 0xffffffffu; ++c)
            n = n * 10 + std::uint64_t(*c - '0');
        if (*c == '\0' && c != e->d_name && n <= 0xffffffffu)
            out.push_back(static_cast<std::uint32_t>(n));
    }
    ::closedir(d);
    return out;
}

std::optional<std::string> read_comm(const std::string& path) {
    std::string comm;
    if (!read_small_file(path, comm, 64)) return std::nullopt;
    while (!comm.empty() && comm.back() == '\n') comm.pop_back();
    return comm;
}

// NUL-separated /proc files (cmdline, environ) as their entries.
std::vector<std::string> split_nul(const std::string& text) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\0', start);
        if (end == std::string::npos) end = text.size();
        parts.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return parts;
}

// A process's facts, each read at most once per scan and only when asked for.
class LazyFacts {
  public:
    explicit LazyFacts(std::string dir) : dir_(std::move(dir)) {}

    const ProcessFacts& for_rule(const AgentRule& rule) {
        if (!rule.exe.empty() && !have_exe_) {
            have_exe_ = true;
            char buf[4096];
            ssize_t n = ::readlink((dir_ + "/exe").c_str(), buf, sizeof(buf));
            if (n > 0) facts_.exe.assign(buf, static_cast<std::size_t>(n));
        }
        if (!rule.cmdline.empty() && !have_cmdline_) {
            have_cmdline_ = true;
            std::string raw;
            read_small_file(dir_ + "/cmdline", raw, 1 << 16);
            for (const auto& arg : split_nul(raw)) {
                if (!facts_.cmdline.empty()) facts_.cmdline += ' ';
                facts_.cmdline += arg;
            }
        }
        if (!rule.cgroup.empty()) cgroup();
        if (rule.uid && !have_uid_) {
            have_uid_ = true;
            struct stat st {};
            if (::stat(dir_.c_str(), &st) == 0) facts_.uid = st.st_uid;
        }
        if (!rule.env_key.empty() && !have_environ_) {
            have_environ_ = true;
            std::string raw;
            read_small_file(dir_ + "/environ", raw, 1 << 17);
            facts_.environ = split_nul(raw);
        }
        return facts_;
    }

    const std::string& cgroup() {
        if (!have_cgroup_) {
            have_cgroup_ = true;
            std::string raw;
            read_small_file(dir_ + "/cgroup", raw, 1 << 14);
            facts_.cgroup = cgroup_path_of(raw);
        }
        return facts_.cgroup;
    }

  private:
    std::string dir_;
    ProcessFacts facts_;
    bool have_exe_ = false, have_cmdline_ = false, have_cgroup_ = false, have_environ_ = false,
         have_uid_ = false;
};

bool is_hex_id(std::string_view s) {
    return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

std::string_view strip_suffix(std::string_view s, std::string_view suffix) {
    if (s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix)
        s.remove_suffix(suffix.size());
    return s;
}

}  // namespace

std::string cgroup_path_of(std::string_view text) {
    std::string_view first;
    while (!text.empty()) {
        std::size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        // "hierarchy-id:controllers:path"; the path itself may hold ':'.
        std::size_t c1 = line.find(':');
        std::size_t c2 = c1 == std::string_view::npos ? c1 : line.find(':', c1 + 1);
        if (c2 == std::string_view::npos) continue;
        if (line.substr(0, c2) == "0:") return std::string(line.substr(c2 + 1));
        if (first.empty()) first = line.substr(c2 + 1);
    }
    return std::string(first);
}

CgroupIds cgroup_ids(std::string_view path) {
    CgroupIds ids;
    const bool kube = path.find("kubepods") != std::string_view::npos;
    while (!path.empty()) {
        std::size_t slash = path.find('/');
        std::string_view part = path.substr(0, slash);
        path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash + 1);
        part = strip_suffix(strip_suffix(part, ".scope"), ".slice");
        // systemd driver: <runtime>-<id>.scope; cgroupfs driver: the bare id.
        for (std::string_view runtime : {"docker-", "cri-containerd-", "crio-", "libpod-"})
            if (part.substr(0, runtime.size()) == runtime) part.remove_prefix(runtime.size());
        if (is_hex_id(part)) ids.container = std::string(part);
        if (!kube) continue;
        // "pod<uid>" (cgroupfs) or "kubepods-burstable-pod<uid_with_underscores>" (systemd).
        std::size_t at = part.rfind("pod");
        if (at == std::string_view::npos || (at > 0 && part[at - 1] != '-')) continue;
        std::string_view uid = part.substr(at + 3);
        if (uid.size() < 8 || uid.find_first_not_of("0123456789abcdef-_") != std::string_view::npos)
            continue;
        ids.pod = std::string(uid);
        for (auto& c : ids.pod)
            if (c == '_') c = '-';
    }
    return ids;
}

std::string pod_namespace_of(const std::string& proc_dir) {
    std::string name;
    if (!read_small_file(proc_dir + "/root/var/run/secrets/kubernetes.io/serviceaccount/namespace",
                         name, 256))
        return "";
    while (!name.empty() && (name.back() == '\n' || name.back() == ' ')) name.pop_back();
    // A DNS label (RFC 1123), as Kubernetes requires of namespace names.
    if (name.size() > 63 ||
        name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string::npos)
        return "";
    return name;
}

ProcessDiscovery::ProcessDiscovery(std::vector<AgentRule> rules, std::string proc_root)
    : rules_(std::move(rules)), proc_root_(std::move(proc_root)) {}

std::map<std::uint32_t, AgentTask> ProcessDiscovery::scan() const {
    std::map<std::uint32_t, AgentTask> agents;
    for (std::uint32_t pid : numeric_entries(proc_root_)) {
        const std::string pdir = proc_root_ + "/" + std::to_string(pid);
        std::vector<std::uint32_t> tids = numeric_entries(pdir + "/task");
        // The main thread first: other threads may inherit its match.
        std::stable_partition(tids.begin(), tids.end(), [pid](auto t) { return t == pid; });
        LazyFacts facts(pdir);
        std::optional<RuleMatch> leader;
        std::vector<std::uint32_t> found;
        for (std::uint32_t tid : tids) {
            auto comm = read_comm(pdir + "/task/" + std::to_string(tid) + "/comm");
            if (!comm) continue;  // exited meanwhile
            std::optional<RuleMatch> match;
            for (const auto& rule : rules_) {
                if (!comm_matches(rule, *comm)) continue;
                if ((match = match_rule(rule, *comm, facts.for_rule(rule)))) break;
            }
            if (tid == pid) leader = match;
            if (!match) match = leader;
            if (!match) continue;
            AgentTask& task = agents[tid];
            task.tid = task.host_tid = task.own_tid = tid;
            task.pid = task.host_pid = task.own_pid = pid;
            task.comm = *comm;
            task.agent_type = match->agent_type;
            task.agent_id = match->agent_id;
            found.push_back(tid);
        }
        if (found.empty()) continue;
        // Only agents' cgroups are read: container ids are labels for them alone.
        CgroupIds ids = cgroup_ids(facts.cgroup());
        const std::string pod_namespace = ids.pod.empty() ? "" : pod_namespace_of(pdir);
        for (std::uint32_t tid : found) {
            agents[tid].container = ids.container;
            agents[tid].pod = ids.pod;
            agents[tid].pod_namespace = pod_namespace;
            agents[tid].cgroup = facts.cgroup();
        }
    }
    return agents;
}

}  // namespace agentmon
