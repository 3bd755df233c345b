#include "base/instance_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace agentmon {

std::string instance_lock_path(const std::string& pin_dir) {
    const char* dir = std::getenv("AGENTMON_LOCK_DIR");
    std::string name = pin_dir;
    for (char& c : name)
        if (c == '/') c = '_';
    return std::string(dir && *dir ? dir : "/run/agentmon") + "/" + name + ".lock";
}

Result<InstanceLock> InstanceLock::acquire(const std::string& pin_dir) {
    const std::string path = instance_lock_path(pin_dir);
    const std::string dir = path.substr(0, path.rfind('/'));
    // Every missing parent too: a minimal root (an initramfs, a scratch
    // container) may have no /run at all.
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return errno_error("create the lock directory " + dir, ec.value());
    Fd fd(open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
    if (!fd.valid()) return errno_error("open the instance lock " + path, errno);
    if (flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
        const int err = errno;
        if (err != EWOULDBLOCK) return errno_error("lock " + path, err);
        char buf[32] = {};
        const ssize_t n = pread(fd.get(), buf, sizeof(buf) - 1, 0);
        std::string pid = n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "unknown";
        while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
        return Error{"another agentmon (pid " + pid + ") is using the pin directory " + pin_dir +
                         " (lock " + path + "); stop it first",
                     EWOULDBLOCK};
    }
    const std::string pid = std::to_string(getpid()) + "\n";
    if (ftruncate(fd.get(), 0) != 0 ||
        pwrite(fd.get(), pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size()))
        return errno_error("write the pid into " + path, errno);
    return InstanceLock(std::move(fd), path);
}

}  // namespace agentmon
