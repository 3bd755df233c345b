// `agentmon detach`: removes everything agentmon left in the kernel on purpose
// (pinned maps, and the pinned links that keep its programs attached while it is
// down). Refuses while an agentmon runs on the same pin directory.
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>

#include "base/instance_lock.h"
#include "cli/cli.h"
#include "cli/commands.h"

namespace agentmon {

namespace {

// Unpins every entry below `dir` (links first: a program detaches when its last
// link goes), then the directories; returns how many pins were removed.
int remove_tree(const std::string& dir, Logger& log, bool& failed) {
    int removed = 0;
    DIR* d = opendir(dir.c_str());
    if (!d) return 0;
    while (dirent* e = readdir(d)) {
        const std::string name = e->d_name;
        if (name == "." || name == "..") continue;
        const std::string path = dir + "/" + name;
        struct stat st {};
        if (lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
            removed += remove_tree(path, log, failed);
            if (rmdir(path.c_str()) != 0) failed = true;
        } else if (unlink(path.c_str()) == 0) {
            ++removed;
        } else {
            failed = true;
            log.error("cannot unpin", {{"path", path}, {"error", std::strerror(errno)}});
        }
    }
    closedir(d);
    return removed;
}

}  // namespace

int run_detach(const Config& config, Logger& log) {
    auto lock = InstanceLock::acquire(config.pin_dir);
    if (!lock) {
        std::cerr << "agentmon detach: " << lock.error().message << '\n';
        return kExitFailure;
    }
    struct stat st {};
    if (stat(config.pin_dir.c_str(), &st) != 0) {
        std::cout << "nothing pinned at " << config.pin_dir << '\n';
        return kExitOk;
    }
    bool failed = false;
    const int removed = remove_tree(config.pin_dir, log, failed);
    if (rmdir(config.pin_dir.c_str()) != 0) failed = true;
    std::cout << "removed " << removed << " pins under " << config.pin_dir
              << (failed ? " (some could not be removed, see above)" : "") << '\n';
    return failed ? kExitFailure : kExitOk;
}

}  // namespace agentmon
