#include "serve/listen_socket.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

#include "serve/http_limits.h"

namespace agentmon {

namespace {

Error listen_error(const ListenAddress& address, const std::string& step, int err) {
    std::string hint = err == EADDRINUSE      ? " (is the port in use? choose another with "
                                                "--web.listen-address)"
                       : err == EADDRNOTAVAIL ? " (no interface has this address)"
                       : err == EACCES        ? " (ports below 1024 need CAP_NET_BIND_SERVICE)"
                                              : "";
    Error error = errno_error("cannot listen on " + address.to_string() + ": " + step, err);
    error.message += hint;
    return error;
}

}  // namespace

Result<Fd> open_listen_socket(const ListenAddress& address) {
    sockaddr_storage storage{};
    socklen_t length = 0;
    const int family = address.is_ipv6() ? AF_INET6 : AF_INET;
    if (family == AF_INET6) {
        auto* in6 = reinterpret_cast<sockaddr_in6*>(&storage);
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(address.port);
        if (inet_pton(AF_INET6, address.host.c_str(), &in6->sin6_addr) != 1)
            return Error{"cannot listen on " + address.to_string() + ": not an IPv6 address"};
        length = sizeof(*in6);
    } else {
        auto* in4 = reinterpret_cast<sockaddr_in*>(&storage);
        in4->sin_family = AF_INET;
        in4->sin_port = htons(address.port);
        if (inet_pton(AF_INET, address.host.c_str(), &in4->sin_addr) != 1)
            return Error{"cannot listen on " + address.to_string() + ": not an IPv4 address"};
        length = sizeof(*in4);
    }
    Fd fd(::socket(family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_TCP));
    if (!fd.valid()) return listen_error(address, "socket", errno);
    const int on = 1;
    // A restart must not wait for the old connections' TIME_WAIT to bind again.
    if (setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0)
        return listen_error(address, "SO_REUSEADDR", errno);
    if (family == AF_INET6 && setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on)) != 0)
        return listen_error(address, "IPV6_V6ONLY", errno);
    if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&storage), length) != 0)
        return listen_error(address, "bind", errno);
    if (::listen(fd.get(), kListenBacklog) != 0) return listen_error(address, "listen", errno);
    // Without it the exporter still serves (idle connections then cost a descriptor
    // each on the server), so a failure here is not fatal.
    const int defer = kDeferAcceptSeconds;
    (void)setsockopt(fd.get(), IPPROTO_TCP, TCP_DEFER_ACCEPT, &defer, sizeof(defer));
    return fd;
}

unsigned long raise_open_file_limit() {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
    const rlim_t wanted =
        limit.rlim_max == RLIM_INFINITY ? 65536 : std::min<rlim_t>(limit.rlim_max, 65536);
    if (limit.rlim_cur < wanted) {
        limit.rlim_cur = wanted;
        if (setrlimit(RLIMIT_NOFILE, &limit) != 0) getrlimit(RLIMIT_NOFILE, &limit);
    }
    return static_cast<unsigned long>(limit.rlim_cur);
}

}  // namespace agentmon
