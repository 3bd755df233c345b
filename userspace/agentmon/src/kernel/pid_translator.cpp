#include "kernel/pid_translator.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "abi/pid_translate.h"
#include "pid_translate.skel.h"

namespace agentmon {

static_assert(sizeof(pid_pair) == 16, "pid_pair layout shared with bpf/pid_translate.bpf.c");

Result<std::unique_ptr<PidTranslator>> PidTranslator::create(std::uint64_t pidns_inode,
                                                             Logger& log) {
    // Nothing to pin: the iterator runs only when discovery reads it.
    BpfObjectPlan plan{"pid translator",
                       "a task iterator, kernel 5.8+, and root or CAP_BPF+CAP_PERFMON",
                       /*pin_dir=*/"", [](const bpf_map*) { return false; },
                       /*pin_links=*/false};
    auto opened = Skel::open({pid_translate__open, pid_translate__load, pid_translate__destroy},
                             std::move(plan));
    if (!opened) return opened.error();
    Skel skel = std::move(opened).value();
    skel->rodata->target_pidns_inum = static_cast<std::uint32_t>(pidns_inode);
    if (Status st = skel.load(log); !st) return st.error();
    std::unique_ptr<PidTranslator> t(new PidTranslator(std::move(skel)));
    if (Status st = t->skel_.attach_all(log); !st) return st.error();
    t->iterator_ = t->skel_.link(t->skel_->progs.pid_translate);
    if (!t->iterator_) return Error{"the pid translator's iterator did not attach"};
    return t;
}

Result<std::vector<PidPair>> PidTranslator::read() {
    const int fd = bpf_iter_create(bpf_link__fd(iterator_));
    if (fd < 0) return errno_error("bpf_iter_create (pid translator)", errno);
    std::vector<char> bytes;
    char buf[4096];
    ssize_t n = 0;
    while ((n = ::read(fd, buf, sizeof buf)) > 0) bytes.insert(bytes.end(), buf, buf + n);
    const int err = errno;
    ::close(fd);
    if (n < 0) return errno_error("run the pid translator", err);
    std::vector<PidPair> out;
    out.reserve(bytes.size() / sizeof(pid_pair));
    for (std::size_t at = 0; at + sizeof(pid_pair) <= bytes.size(); at += sizeof(pid_pair)) {
        pid_pair p{};
        std::memcpy(&p, bytes.data() + at, sizeof p);
        out.push_back(PidPair{p.host_tid, p.host_tgid, p.ns_tid, p.ns_tgid});
    }
    return out;
}

std::vector<BpfProgramRef> PidTranslator::programs() const { return skel_.programs(); }

}  // namespace agentmon
