#pragma once
// How the HTTP server keeps a slow or idle client from starving a scrape.
// libmicrohttpd serves every connection from a few event-driven threads (epoll):
// a connection costs a file descriptor and a small memory pool, never a thread,
// so slowloris clients and idle connections only use descriptors while scrapes go
// on. The defences are a connection limit well above any honest need, an
// inactivity timeout, and idle connections kept in the kernel (TCP_DEFER_ACCEPT)
// until they send a byte.

namespace agentmon {

// Event threads, each with its own epoll set over all the listeners' connections.
// A /metrics render runs on one of them, so 4 let 4 scrapes render at once; more
// buy nothing on a small node.
inline constexpr unsigned kHttpThreads = 4;
// Open connections per listener (split over the threads). The process raises its
// soft RLIMIT_NOFILE to make room (see listen_socket.h).
inline constexpr unsigned kMaxConnections = 8192;
// A connection silent this long is closed: a client that stopped mid-request, or
// a kept-alive connection nobody reuses. Above Prometheus's default 15 s scrape
// interval, so its kept-alive connection (one TLS handshake, not one per scrape)
// survives between scrapes, and above its 10 s scrape timeout.
inline constexpr unsigned kIdleTimeoutSeconds = 30;
// Request line and headers together (libmicrohttpd's per-connection pool); a
// scrape's headers are a few hundred bytes.
inline constexpr unsigned kConnectionMemoryBytes = 32 * 1024;
// Kernel listen queue (capped by net.core.somaxconn).
inline constexpr int kListenBacklog = 4096;
// How long a connection may stay silent before the kernel hands it over anyway.
inline constexpr int kDeferAcceptSeconds = 30;

}  // namespace agentmon
