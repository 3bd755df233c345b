#pragma once
// How the HTTP server keeps a slow or idle client from starving a scrape.
// civetweb 1.15 (Debian 12) serves each connection on one worker thread from a
// fixed pool, so the defences are: enough workers, a bound on how long a request's
// headers may take, no keep-alive, a short linger, and idle connections kept in
// the kernel (TCP_DEFER_ACCEPT) instead of on a worker.
#include <string>
#include <vector>

#include "config/config.h"

namespace agentmon {

// Workers: a slowloris client holds one for up to kRequestTimeoutMs, so up to
// kHttpWorkers - 1 of them still leave room for a scrape. Idle workers cost a
// parked thread and civetweb's 16 KiB request buffer each (about 1.5 MiB RSS).
inline constexpr int kHttpWorkers = 64;
// Headers of a GET arrive in one packet; 3 s covers a slow network and is well
// inside Prometheus's default 10 s scrape timeout.
inline constexpr int kRequestTimeoutMs = 3000;
// After a reply, wait at most this long for the client to read before closing.
inline constexpr int kLingerTimeoutMs = 500;
// Kernel listen queue (capped by net.core.somaxconn).
inline constexpr int kListenBacklog = 4096;
// How long a connection may stay silent before the kernel hands it over anyway.
inline constexpr int kDeferAcceptSeconds = 30;

// `listening_ports`: civetweb's comma-separated "HOST:PORT,[IPV6]:PORT" list.
inline std::vector<std::string> civetweb_options(const std::string& listening_ports) {
    return {"listening_ports",    listening_ports,
            "num_threads",        std::to_string(kHttpWorkers),
            "request_timeout_ms", std::to_string(kRequestTimeoutMs),
            "enable_keep_alive",  "no",
            "linger_timeout_ms",  std::to_string(kLingerTimeoutMs),
            "listen_backlog",     std::to_string(kListenBacklog)};
}

}  // namespace agentmon
