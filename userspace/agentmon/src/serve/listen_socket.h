#pragma once
// The listening sockets, opened by agentmon itself and handed to the HTTP server,
// so every listener gets the same kernel-side defences on IPv4 and IPv6 alike.
#include "base/fd.h"
#include "base/result.h"
#include "config/config.h"

namespace agentmon {

// A bound, listening TCP socket on `address` with SO_REUSEADDR, IPV6_V6ONLY for
// IPv6 (so "[::]:9465" and "0.0.0.0:9465" can both be given), a kListenBacklog
// queue and TCP_DEFER_ACCEPT: a connection that never sends a byte is not handed
// to the server; it waits in the kernel, where SYN cookies keep room for real
// scrapes once the queue fills.
Result<Fd> open_listen_socket(const ListenAddress& address);

// Raises the soft RLIMIT_NOFILE to the hard limit (capped at 65536) so that
// kMaxConnections can be reached; returns the soft limit in force afterwards.
unsigned long raise_open_file_limit();

}  // namespace agentmon
