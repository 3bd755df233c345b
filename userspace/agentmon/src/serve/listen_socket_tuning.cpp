#include "serve/listen_socket_tuning.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cstdlib>

namespace agentmon {

namespace {

bool is_listener_on(int fd, std::uint16_t port) {
    int accepting = 0;
    socklen_t len = sizeof(accepting);
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &len) != 0 || !accepting)
        return false;
    sockaddr_storage addr{};
    socklen_t addr_len = sizeof(addr);
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &addr_len) != 0) return false;
    if (addr.ss_family == AF_INET)
        return ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port) == port;
    if (addr.ss_family == AF_INET6)
        return ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port) == port;
    return false;
}

}  // namespace

int defer_accept_on_listeners(std::uint16_t port, int defer_seconds) {
    DIR* dir = opendir("/proc/self/fd");
    if (!dir) return 0;
    int tuned = 0;
    while (dirent* entry = readdir(dir)) {
        char* end = nullptr;
        long fd = std::strtol(entry->d_name, &end, 10);
        if (end == entry->d_name || *end != '\0' || fd == dirfd(dir)) continue;
        if (!is_listener_on(static_cast<int>(fd), port)) continue;
        if (setsockopt(static_cast<int>(fd), IPPROTO_TCP, TCP_DEFER_ACCEPT, &defer_seconds,
                       sizeof(defer_seconds)) == 0)
            ++tuned;
    }
    closedir(dir);
    return tuned;
}

}  // namespace agentmon
