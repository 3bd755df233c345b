#pragma once
// How processes ended, from the kernel's process events connector (netlink,
// NETLINK_CONNECTOR / CN_IDX_PROC): every exit on the host, with the wait status
// a parent would get. The agent state path's /proc reader uses it for what /proc
// loses once a parent has reaped its child: the exit status. Needs CAP_NET_ADMIN
// and the initial pid and user namespaces (the connector reports host pids).
#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace agentmon {

class ProcExitEvents {
  public:
    // Subscribes; when the kernel refuses, error() says why and every take_status
    // answers nothing.
    ProcExitEvents();
    ~ProcExitEvents();
    ProcExitEvents(const ProcExitEvents&) = delete;
    ProcExitEvents& operator=(const ProcExitEvents&) = delete;

    const std::string& error() const { return error_; }
    // Reads what arrived since the last call (never blocks), keeping the exits
    // of `interesting` host tgids. Events the socket's buffer (4 MiB) could not
    // hold between two drains are lost: those exits end without their status.
    template <class Pred>
    void drain(Pred interesting) {
        std::uint32_t tgid = 0;
        std::int32_t status = 0;
        while (next_exit(tgid, status))
            if (interesting(tgid)) statuses_[tgid] = status;
    }
    // The wait status of `tgid`'s main thread, once seen; forgotten once taken.
    std::optional<std::int32_t> take_status(std::uint32_t tgid);

  private:
    bool next_exit(std::uint32_t& tgid, std::int32_t& status);

    int fd_ = -1;
    std::string error_;
    std::map<std::uint32_t, std::int32_t> statuses_;
    alignas(8) unsigned char buffer_[4096];
    std::size_t have_ = 0, at_ = 0;
};

}  // namespace agentmon
