#pragma once
// Kernel-side defences for civetweb's listening sockets, which civetweb 1.15 does
// not expose: we find them among our own file descriptors by their port.
#include <cstdint>

namespace agentmon {

// Sets TCP_DEFER_ACCEPT on every listening TCP socket of this process bound to
// `port`, so a connection that never sends a byte is not handed to civetweb (whose
// workers serve one connection each): idle clients wait in the kernel's SYN queue,
// where SYN cookies keep room for real scrapes once it fills. Returns how many
// sockets it tuned.
int defer_accept_on_listeners(std::uint16_t port, int defer_seconds);

}  // namespace agentmon
