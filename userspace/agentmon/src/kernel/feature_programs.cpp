// Loads each program of bpf/features.bpf.c on its own (every other program has
// autoload off), attaches it, triggers it from this process and checks it fired.
// A fresh skeleton per program keeps one refusal from hiding the others.
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "abi/features_shared.h"
#include "base/fd.h"
#include "kernel/bpf_handles.h"
#include "kernel/bpf_skeleton.h"
// After features_shared.h: the skeleton embeds its struct types.
#include "features.skel.h"

#include "base/mounts.h"
#include "kernel/probes.h"

namespace agentmon {

static_assert(sizeof(feature_iter_result) == 16, "must match bpf/abi/features_shared.h");
static_assert(sizeof(feature_event) == 16, "must match bpf/abi/features_shared.h");

namespace {

// Never pinned: each probe's programs detach and unload with the owner.
using FeaturesObject = BpfSkeleton<features>;

constexpr std::uint64_t kIterMagic = 0x4147454e'5052424eULL;  // "AGENPRBN"

struct FeatureProgram {
    const char* prog;   // function name in features.bpf.c
    const char* label;  // attach point as operators know it
    feature_hit slot;
    Verdict if_missing;
    const char* impact;
};

const FeatureProgram kPrograms[] = {
    {"probe_sock_send", "tp_btf/sock_send_length", FEATURE_HIT_SOCK_SEND, Verdict::missing,
     "socket path cannot count sends"},
    {"probe_sock_recv", "tp_btf/sock_recv_length", FEATURE_HIT_SOCK_RECV, Verdict::missing,
     "socket path cannot count receives or measure latency"},
    {"probe_raw_sys_enter", "raw_tp/sys_enter", FEATURE_HIT_RAW_SYS_ENTER, Verdict::missing,
     "no raw tracepoint twins for the socket hooks"},
    {"probe_syscall_tp", "tp/syscalls/sys_enter_sendmsg + ringbuf", FEATURE_HIT_SYSCALL_TP,
     Verdict::missing, "no syscall tracepoints or ring buffer events"},
    {"probe_sched_switch", "tp_btf/sched_switch", FEATURE_HIT_SCHED_SWITCH, Verdict::missing,
     "tp_btf programs do not attach: no agent state path"},
    {"probe_process_exit", "tp_btf/sched_process_exit", FEATURE_HIT_PROCESS_EXIT, Verdict::missing,
     "agent exits and crashes go unseen"},
    {"probe_task_iter", "iter.s/task + bpf_copy_from_user_task", FEATURE_HIT_TASK_ITER,
     Verdict::degraded,
     "ring path reads the ring files from user space instead (same counts; a ring whose file "
     "agentmon cannot open is unreadable)"},
    {"probe_sockops", "sockops (cgroup v2)", FEATURE_HIT_SOCKOPS, Verdict::degraded,
     "no TCP connection lifecycle events"},
};

// Everything the programs hook: a datagram sendmsg/recv, a sleep (sched_switch), a
// child that exits, a TCP connect over loopback (sockops). Cheap and bounded.
void trigger(int* sendmsg_fd) {
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_DGRAM, 0, pair) == 0) {
        Fd a(pair[0]), b(pair[1]);
        char byte = 'x';
        iovec iov{&byte, 1};
        msghdr msg{};
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        if (sendmsg(a.get(), &msg, 0) == 1 && sendmsg_fd) *sendmsg_fd = a.get();
        char in = 0;
        (void)recv(b.get(), &in, 1, MSG_DONTWAIT);
    }
    usleep(2000);
    pid_t child = fork();
    if (child == 0) _exit(0);
    if (child > 0) waitpid(child, nullptr, 0);

    Fd listener(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    if (listener.valid() && bind(listener.get(), reinterpret_cast<sockaddr*>(&addr), len) == 0 &&
        listen(listener.get(), 1) == 0 &&
        getsockname(listener.get(), reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
        Fd client(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        if (client.valid() &&
            connect(client.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0)
            Fd accepted(accept(listener.get(), nullptr, nullptr));
    }
}

std::uint64_t read_hits(const features& skel, feature_hit slot) {
    int cpus = libbpf_num_possible_cpus();
    if (cpus <= 0) return 0;
    std::vector<std::uint64_t> values(static_cast<size_t>(cpus));
    __u32 key = slot;
    if (bpf_map_lookup_elem(bpf_map__fd(skel.maps.hits), &key, values.data()) != 0) return 0;
    std::uint64_t sum = 0;
    for (auto v : values) sum += v;
    return sum;
}

// Ring buffer records of the syscall tracepoint; `expected_fd` is the fd the
// trigger passed to sendmsg, so a match also proves the CO-RE relocation of
// trace_event_raw_sys_enter.args.
struct EventTally {
    std::uint64_t expected_fd = 0;
    int records = 0;
    int fd_matches = 0;
};

int on_event(void* ctx, void* data, size_t size) {
    auto* tally = static_cast<EventTally*>(ctx);
    if (size >= sizeof(feature_event)) {
        const auto* event = static_cast<const feature_event*>(data);
        if (event->hit != FEATURE_HIT_SYSCALL_TP) return 0;
        ++tally->records;
        if (event->arg0 == tally->expected_fd) ++tally->fd_matches;
    }
    return 0;
}

struct Outcome {
    bool ok = false;
    std::string detail;
};

Outcome probe_one(const FeatureProgram& fp, const std::string& cgroup_path, Logger& log) {
    BpfObjectPlan plan;
    plan.what = "feature probe";  // nothing pinned: a probe dies with its check
    auto opened =
        FeaturesObject::open({features__open, features__load, features__destroy}, std::move(plan));
    if (!opened) return {false, "open failed: " + opened.error().message};
    FeaturesObject skel = std::move(opened).value();
    static const volatile std::uint64_t iter_target = kIterMagic;
    skel->rodata->self_tgid = static_cast<__u32>(getpid());
    skel->rodata->probe_addr = reinterpret_cast<std::uintptr_t>(&iter_target);

    bpf_program* target = bpf_object__find_program_by_name(skel->obj, fp.prog);
    if (!target) return {false, std::string("program ") + fp.prog + " not in features.bpf.o"};
    bpf_program* prog;
    bpf_object__for_each_program(prog, skel->obj) bpf_program__set_autoload(prog, prog == target);

    if (Status st = skel.load(log); !st)
        return {false, std::string("load refused: ") + std::strerror(st.error().code) +
                           " (agentmon check --verbose shows the verifier log)"};

    Result<Link> link = Error{};
    Fd cgroup;
    if (fp.slot == FEATURE_HIT_SOCKOPS) {
        if (cgroup_path.empty()) return {false, "no cgroup2 mount to attach to"};
        cgroup = Fd(open(cgroup_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!cgroup.valid()) return {false, errno_error("open " + cgroup_path, errno).message};
        link = Link::attach_cgroup(target, cgroup.get());
    } else {
        link = Link::attach(target);
    }
    if (!link) return {false, "loaded, attach refused: " + link.error().message};

    int sendmsg_fd = -1;
    trigger(&sendmsg_fd);
    std::string extra;
    if (fp.slot == FEATURE_HIT_TASK_ITER) {
        if (Status st = run_iterator(link->get(), "task"); !st)
            return {false, "loaded, attached; " + st.error().message};
        const auto& result = skel->bss->iter_result;
        if (result.err != 0 || result.value != kIterMagic)
            return {false, "iterator ran but bpf_copy_from_user_task returned " +
                               std::to_string(result.err)};
        extra = ", copied 8 bytes from user memory";
    }
    if (fp.slot == FEATURE_HIT_SYSCALL_TP) {
        EventTally tally{static_cast<std::uint64_t>(sendmsg_fd), 0, 0};
        ring_buffer* rb =
            ring_buffer__new(bpf_map__fd(skel->maps.events), on_event, &tally, nullptr);
        if (!rb) return {false, errno_error("loaded, attached; ring_buffer__new", errno).message};
        ring_buffer__consume(rb);
        ring_buffer__free(rb);
        if (tally.records == 0)
            return {false, "loaded, attached, but no ring buffer record arrived"};
        if (tally.fd_matches == 0)
            return {false,
                    "ring buffer record carried the wrong sendmsg fd (CO-RE relocation of "
                    "trace_event_raw_sys_enter.args is off)"};
        extra = ", " + std::to_string(tally.records) + " ringbuf record(s) with the right fd";
    }
    std::uint64_t hits = read_hits(*skel, fp.slot);
    if (hits == 0) return {false, "loaded, attached, but did not fire during the test"};
    return {true, "loaded, attached, fired " + std::to_string(hits) + "x" + extra};
}

}  // namespace

void probe_feature_programs(CheckReport& report, bool privileged, Logger& log) {
    std::string cgroup_path = find_mount_by_type(read_mounts(), "cgroup2").value_or("");
    for (const auto& fp : kPrograms) {
        Outcome outcome = probe_one(fp, cgroup_path, log);
        log.debug("feature program probed", {{"program", fp.prog},
                                             {"ok", outcome.ok ? "true" : "false"},
                                             {"detail", outcome.detail}});
        report.add_probe("attach", fp.label, outcome.ok, outcome.detail, fp.if_missing, fp.impact,
                         privileged ? "see the kernel and program type lines above; `agentmon "
                                      "check --verbose` prints libbpf's reasons"
                                    : kernel_probe_fix(false));
        if (fp.slot == FEATURE_HIT_TASK_ITER)
            report.add_probe("helper", "bpf_copy_from_user_task", outcome.ok,
                             outcome.ok ? "proved by the iter.s/task program"
                                        : "the iter.s/task program could not use it",
                             Verdict::degraded, "ring path reads the ring files from user space",
                             "kernel >= 5.18 (sleepable task iterators)");
    }
}

}  // namespace agentmon
