#include "agent_impl.h"

namespace agentbus::detail {

void Agent::break_link(Link& l) {
    if (l.fd >= 0) {
        close(l.fd);
        if (size_t(l.fd) < conns_.size()) conns_[l.fd] = Conn{};
    }
    l.fd = -1;
    l.up = false;
    l.out.clear();
    l.off = 0;
    l.pending = 0;
    l.retry_ns = mono_ns() + 100 * kMs;
    ++ctr_[kBrokenConns];
}

void Agent::flush_socket(Link& l) {
    l.pending = 0;
    while (l.off < l.out.size()) {
        size_t n = l.out.size() - l.off;
        if (o_.split) {
            // Cut the stream anywhere: sometimes 1 byte, otherwise a random prefix.
            const uint64_t r = rnd();
            n = (r & 7) == 0 ? 1 : 1 + (r >> 8) % n;
        }
        ssize_t w = send(l.fd, l.out.data() + l.off, n, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w > 0) {
            l.off += size_t(w);
        } else if (w < 0 && errno == EINTR) {
            continue;
        } else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            l.blocked = true;
            break;
        } else {
            break_link(l);
            return;
        }
    }
    if (l.off == l.out.size()) {
        l.out.clear();
        l.off = 0;
    } else if (l.off > (1u << 20)) {
        l.out.erase(l.out.begin(), l.out.begin() + long(l.off));
        l.off = 0;
    }
}

void Agent::flush_dgram(Link& l) {
    l.pending = 0;
    while (l.off < l.out.size()) {
        uint8_t* p = l.out.data() + l.off;
        uint32_t plen;
        std::memcpy(&plen, p + offsetof(AgenHeader, payload_len), 4);
        iovec iov[2] = {{p, agen::kHeaderSize}, {p + agen::kHeaderSize, plen}};
        msghdr m{};
        m.msg_iov = iov;
        m.msg_iovlen = plen ? 2 : 1;
        ssize_t w = sendmsg(l.fd, &m, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w >= 0) {
            l.off += agen::kHeaderSize + plen;
        } else if (errno == EINTR) {
            continue;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            l.blocked = true;  // receiver queue full (net.unix.max_dgram_qlen); EPOLLOUT resumes
            break;
        } else {
            break_link(l);
            return;
        }
    }
    if (l.off == l.out.size()) {
        l.out.clear();
        l.off = 0;
    }
}

void Agent::flush_ring_overflow(Link& l) {
    while (l.off < l.out.size()) {
        uint8_t* p = l.out.data() + l.off;
        uint32_t plen;
        std::memcpy(&plen, p + offsetof(AgenHeader, payload_len), 4);
        const size_t len = agen::kHeaderSize + plen;
        if (!l.ring.push(p, len)) break;
        l.off += len;
    }
    if (l.off == l.out.size()) {
        l.out.clear();
        l.off = 0;
        l.pending = 0;
    }
}

void Agent::flush_links(bool force) {
    for (size_t i = 0; i < dirty_.size();) {
        Link& l = *dirty_[i];
        if (l.up && l.queued() && !l.blocked) {
            if (l.carrier == Carrier::kRing)
                flush_ring_overflow(l);
            else if (force || l.pending >= o_.batch)
                l.carrier == Carrier::kDgram ? flush_dgram(l) : flush_socket(l);
        }
        if (!l.up || l.queued() == 0) {
            l.dirty = false;
            dirty_[i] = dirty_.back();
            dirty_.pop_back();
        } else {
            ++i;
        }
    }
    for (uint32_t r : my_rings_)
        links_[int(Carrier::kRing)][shm_->rings[r].consumer].ring.publish();
}

int Agent::drain_rings() {
    int total = 0;
    for (auto& in : in_rings_) {
        if (!in.ctl) continue;
        rx_now_ = mono_ns();
        total += int(in.cons.drain(
            [&](const uint8_t* p, size_t len) {
                const AgenHeader* hp =
                    reinterpret_cast<const AgenHeader*>(p);  // records are 8-aligned
                if (hp->magic != agen::kMagic || hp->crc32 != agen::header_crc(*hp)) {
                    ++ctr_[kCrcErrors];
                    return;
                }
                on_frame(Carrier::kRing, *hp, len, false);
            },
            kDrainBurst));
    }
    return total;
}

void Agent::accept_all(int lfd, Carrier c) {
    for (;;) {
        int fd = accept4(lfd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) return;
        add_conn(fd, ConnKind::kStreamIn, c, EPOLLIN);
        Conn& cn = conns_[fd];
        cn.parser = std::make_unique<StreamParser>();
        if (c == Carrier::kUnix) {
            ucred cred{};
            socklen_t len = sizeof cred;
            if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 &&
                !is_agent_pid(cred.pid)) {
                cn.unauthorized = true;  // not one of ours: count its frames apart, never answer
                ++ctr_[kUnauthConns];
            }
        }
    }
}

void Agent::close_conn(int fd, bool broken) {
    if (broken && !conns_[fd].unauthorized) ++ctr_[kBrokenConns];
    conns_[fd] = Conn{};
    close(fd);
}

void Agent::read_stream(int fd) {
    Conn& cn = conns_[fd];
    StreamParser& ps = *cn.parser;
    for (int k = 0; k < 8; ++k) {
        size_t room;
        uint8_t* p = ps.space(size_t{64} * 1024, &room);
        ssize_t r = read(fd, p, room);
        if (r > 0) {
            ps.commit(size_t(r));
            rx_now_ = mono_ns();
            const bool unauth = cn.unauthorized;
            const Carrier c = cn.carrier;
            ps.parse([&](const AgenHeader& h, const uint8_t*, size_t len) {
                on_frame(c, h, len, unauth);
            });
            if (size_t(r) < room) break;
        } else if (r < 0 && errno == EINTR) {
            continue;
        } else if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            break;
        } else {
            ctr_[kSkippedBytes] += ps.skipped_bytes() - cn.seen_skipped;
            ctr_[kResyncs] += ps.resyncs() - cn.seen_resyncs;
            ctr_[kCrcErrors] += ps.bad_headers() - cn.seen_bad;
            close_conn(fd, !cn.unauthorized && !shm_->exit_now.load());
            return;
        }
    }
    ctr_[kSkippedBytes] += ps.skipped_bytes() - cn.seen_skipped;
    ctr_[kResyncs] += ps.resyncs() - cn.seen_resyncs;
    ctr_[kCrcErrors] += ps.bad_headers() - cn.seen_bad;
    cn.seen_skipped = ps.skipped_bytes();
    cn.seen_resyncs = ps.resyncs();
    cn.seen_bad = ps.bad_headers();
}

void Agent::read_dgram(int fd) {
    for (int k = 0; k < 64; ++k) {
        ssize_t r = recv(fd, dgram_buf_.data(), dgram_buf_.size(), MSG_DONTWAIT);
        if (r < 0) return;
        rx_now_ = mono_ns();
        AgenHeader h;
        if (agen::decode_header(dgram_buf_.data(), size_t(r), &h) != agen::HeaderError::kOk ||
            agen::kHeaderSize + h.payload_len != size_t(r)) {
            ++ctr_[kRejectedDgrams];
            ctr_[kSkippedBytes] += size_t(r);
            continue;
        }
        on_frame(Carrier::kDgram, h, size_t(r), false);
    }
}

void Agent::handle_event(const epoll_event& ev) {
    const int fd = ev.data.fd;
    if (size_t(fd) >= conns_.size()) return;
    Conn& cn = conns_[fd];
    switch (cn.kind) {
        case ConnKind::kListenUnix:
            accept_all(fd, Carrier::kUnix);
            break;
        case ConnKind::kListenTcp:
            accept_all(fd, Carrier::kTcp);
            break;
        case ConnKind::kStreamIn:
            read_stream(fd);
            break;
        case ConnKind::kDgramIn:
            read_dgram(fd);
            break;
        case ConnKind::kLinkOut:
            links_[int(cn.carrier)][cn.peer].blocked = false;
            break;
        case ConnKind::kNone:
            break;
    }
}

}  // namespace agentbus::detail
