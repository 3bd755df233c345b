#pragma once
// One agentmon per pin directory: two would both count into the same pinned maps
// and replace each other's links. The lock is an flock on a file under /run
// (bpffs holds only BPF objects), named after the pin directory, holding the
// owner's pid; the kernel releases it when the owner dies, even by SIGKILL, so a
// stale lock never blocks the next start.
#include <string>

#include "base/fd.h"
#include "base/result.h"

namespace agentmon {

class InstanceLock {
  public:
    // Fails, naming the holder's pid, when another process holds the lock.
    static Result<InstanceLock> acquire(const std::string& pin_dir);

    const std::string& path() const { return path_; }

  private:
    InstanceLock(Fd fd, std::string path) : fd_(std::move(fd)), path_(std::move(path)) {}
    Fd fd_;
    std::string path_;
};

// /run/agentmon/<pin_dir with '/' as '_'>.lock (AGENTMON_LOCK_DIR overrides /run/agentmon).
std::string instance_lock_path(const std::string& pin_dir);

}  // namespace agentmon
