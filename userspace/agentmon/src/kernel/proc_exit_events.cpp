#include "kernel/proc_exit_events.h"

#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace agentmon {

ProcExitEvents::ProcExitEvents() {
    fd_ = socket(AF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_CONNECTOR);
    if (fd_ < 0) {
        error_ = std::string("process events socket: ") + std::strerror(errno);
        return;
    }
    // Every exit on the host arrives here between two drains a tick apart: room
    // for bursts (root may exceed rmem_max; others get what the sysctl allows).
    const int room = 4 << 20;
    if (setsockopt(fd_, SOL_SOCKET, SO_RCVBUFFORCE, &room, sizeof room) != 0)
        setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &room, sizeof room);
    sockaddr_nl addr{};
    addr.nl_family = AF_NETLINK;
    addr.nl_groups = CN_IDX_PROC;
    addr.nl_pid = 0;  // the kernel picks one
    // nlmsghdr, cn_msg, then the operation (cn_msg ends in a flexible array).
    alignas(
        nlmsghdr) unsigned char listen[NLMSG_LENGTH(sizeof(cn_msg) + sizeof(proc_cn_mcast_op))]{};
    auto* nl = reinterpret_cast<nlmsghdr*>(listen);
    nl->nlmsg_len = sizeof listen;
    nl->nlmsg_type = NLMSG_DONE;
    auto* cn = static_cast<cn_msg*>(NLMSG_DATA(nl));
    cn->id.idx = CN_IDX_PROC;
    cn->id.val = CN_VAL_PROC;
    cn->len = sizeof(proc_cn_mcast_op);
    const proc_cn_mcast_op op = PROC_CN_MCAST_LISTEN;
    std::memcpy(cn->data, &op, sizeof op);
    if (bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        send(fd_, listen, sizeof listen, 0) != static_cast<ssize_t>(sizeof listen)) {
        error_ = std::string("process events subscription: ") + std::strerror(errno);
        close(fd_);
        fd_ = -1;
    }
}

ProcExitEvents::~ProcExitEvents() {
    if (fd_ >= 0) close(fd_);
}

bool ProcExitEvents::next_exit(std::uint32_t& tgid, std::int32_t& status) {
    if (fd_ < 0) return false;
    for (;;) {
        while (at_ < have_) {
            const auto* nl = reinterpret_cast<const nlmsghdr*>(buffer_ + at_);
            const std::size_t left = have_ - at_;
            if (left < sizeof(nlmsghdr) || nl->nlmsg_len < sizeof(nlmsghdr) ||
                nl->nlmsg_len > left) {
                at_ = have_;
                break;
            }
            at_ += NLMSG_ALIGN(nl->nlmsg_len);
            if (nl->nlmsg_len < NLMSG_LENGTH(sizeof(cn_msg) + sizeof(proc_event))) continue;
            const auto* cn = static_cast<const cn_msg*>(NLMSG_DATA(nl));
            if (cn->id.idx != CN_IDX_PROC || cn->id.val != CN_VAL_PROC) continue;
            proc_event ev;
            std::memcpy(&ev, cn->data, sizeof ev);
            if (ev.what != proc_event::PROC_EVENT_EXIT) continue;
            // The main thread's exit carries the process's status (exit_group
            // gives every thread the same; a signal kills them all).
            if (ev.event_data.exit.process_pid != ev.event_data.exit.process_tgid) continue;
            tgid = static_cast<std::uint32_t>(ev.event_data.exit.process_tgid);
            status = static_cast<std::int32_t>(ev.event_data.exit.exit_code);
            return true;
        }
        const ssize_t n = recv(fd_, buffer_, sizeof buffer_, 0);
        if (n < 0 && errno == ENOBUFS) continue;  // an overflow: read on past it
        if (n <= 0) return false;
        have_ = static_cast<std::size_t>(n);
        at_ = 0;
    }
}

std::optional<std::int32_t> ProcExitEvents::take_status(std::uint32_t tgid) {
    const auto it = statuses_.find(tgid);
    if (it == statuses_.end()) return std::nullopt;
    const std::int32_t status = it->second;
    statuses_.erase(it);
    return status;
}

}  // namespace agentmon
