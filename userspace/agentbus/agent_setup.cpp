#include "agent_impl.h"

namespace agentbus::detail {

bool Agent::is_agent_pid(int pid) const {
    for (uint32_t i = 0; i < n_; ++i)
        if (shm_->slots[i].pid.load(std::memory_order_acquire) == pid) return true;
    return false;
}

bool Agent::fault_active(FaultKind k, uint64_t now) const {
    const uint64_t start = shm_->start_ns.load(std::memory_order_relaxed);
    if (!start) return false;
    const uint64_t from = start + uint64_t(o_.fault_start * 1e9);
    const uint64_t to = from + uint64_t(o_.fault_duration * 1e9);
    if (now < from || now >= to) return false;
    for (const auto& f : o_.faults)
        if (f.kind == k && f.applies_to(id_)) return true;
    return false;
}

void Agent::add_conn(int fd, ConnKind k, Carrier c, uint32_t events) {
    if (size_t(fd) >= conns_.size()) conns_.resize(fd + 64);
    conns_[fd] = Conn{};
    conns_[fd].kind = k;
    conns_[fd].carrier = c;
    epoll_event ev{};
    ev.events = events;
    ev.data.fd = fd;
    epoll_ctl(ep_, EPOLL_CTL_ADD, fd, &ev);
}

bool Agent::listen_all() {
    if (o_.carrier_on[int(Carrier::kUnix)]) {
        const std::string p = stream_socket_path(dir_, id_);
        unlink(p.c_str());
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        sockaddr_un a = unix_address(p);
        if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) || listen(fd, 1024)) {
            fprintf(stderr, "agentbus: %s: cannot listen on %s: %s\n",
                    agen::agent_name(id_).c_str(), p.c_str(), strerror(errno));
            return false;
        }
        add_conn(fd, ConnKind::kListenUnix, Carrier::kUnix, EPOLLIN);
    }
    if (o_.carrier_on[int(Carrier::kTcp)]) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a.sin_port = htons(uint16_t(o_.tcp_port + idx_));
        if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) || listen(fd, 1024)) {
            fprintf(stderr, "agentbus: %s: cannot listen on 127.0.0.1:%u: %s\n",
                    agen::agent_name(id_).c_str(), o_.tcp_port + idx_, strerror(errno));
            return false;
        }
        add_conn(fd, ConnKind::kListenTcp, Carrier::kTcp, EPOLLIN);
    }
    if (o_.carrier_on[int(Carrier::kDgram)]) {
        const std::string p = dgram_socket_path(dir_, id_);
        unlink(p.c_str());
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        sockaddr_un a = unix_address(p);
        if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a)) {
            fprintf(stderr, "agentbus: %s: cannot bind %s: %s\n", agen::agent_name(id_).c_str(),
                    p.c_str(), strerror(errno));
            return false;
        }
        add_conn(fd, ConnKind::kDgramIn, Carrier::kDgram, EPOLLIN);
    }
    return true;
}

void Agent::create_rings() {
    uint32_t n = 0;
    for (uint32_t r = 0; r < shm_->nrings; ++r) {
        RingEntry& e = shm_->rings[r];
        if (e.producer == idx_) {
            const std::string name = ring_file_name(o_.ns, getpid(), n++);
            agen::RingControl* c = create_ring_file(name, o_.ring_size, id_, e.consumer + 1);
            Link& l = links_[int(Carrier::kRing)][e.consumer];
            if (!c) {
                fprintf(stderr, "agentbus: cannot create /dev/shm/%s: %s\n", name.c_str(),
                        strerror(errno));
                continue;
            }
            l.ctl = c;
            l.ring.attach(c);
            l.up = true;
            snprintf(e.name, sizeof e.name, "%s", name.c_str());
            e.gen.fetch_add(1, std::memory_order_release);
            my_rings_.push_back(r);
        } else if (e.consumer == idx_) {
            in_rings_.emplace_back();
            in_rings_.back().entry = r;
        }
    }
}

void Agent::check_rings() {
    for (auto& in : in_rings_) {
        const uint32_t g = shm_->rings[in.entry].gen.load(std::memory_order_acquire);
        if (g == in.gen) continue;
        if (in.ctl) {  // the producer restarted: finish the old ring first
            rx_now_ = mono_ns();
            while (in.cons.drain(
                [&](const uint8_t* p, size_t len) {
                    AgenHeader h;
                    if (agen::decode_header(p, len, &h) == agen::HeaderError::kOk)
                        on_frame(Carrier::kRing, h, len, false);
                    else
                        ++ctr_[kCrcErrors];
                },
                kDrainBurst)) {
            }
            unmap_ring(in.ctl);
            in.ctl = nullptr;
        }
        agen::RingControl* c = map_ring_file(shm_->rings[in.entry].name);
        if (!c) continue;  // retried on the next check
        in.ctl = c;
        in.cons.attach(c);
        in.gen = g;
    }
}

void Agent::connect_link(Link& l) {
    const uint32_t pid = l.peer + 1;
    int fd = -1;
    if (l.carrier == Carrier::kUnix || l.carrier == Carrier::kDgram) {
        fd = socket(
            AF_UNIX,
            (l.carrier == Carrier::kUnix ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC,
            0);
        sockaddr_un a = unix_address(l.carrier == Carrier::kUnix ? stream_socket_path(dir_, pid)
                                                                 : dgram_socket_path(dir_, pid));
        if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
            close(fd);
            fd = -1;
        }
    } else if (l.carrier == Carrier::kTcp) {
        fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);  // blocking connect on loopback
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a.sin_port = htons(uint16_t(o_.tcp_port + l.peer));
        if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
            close(fd);
            fd = -1;
        } else {
            int one = 1;
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
        }
    }
    if (fd < 0) {
        l.retry_ns = mono_ns() + 100 * kMs;
        return;
    }
    l.fd = fd;
    l.up = true;
    l.blocked = false;
    l.out.clear();
    l.off = 0;
    l.pending = 0;
    add_conn(fd, ConnKind::kLinkOut, l.carrier, EPOLLOUT | EPOLLET);
    conns_[fd].peer = l.peer;
}

bool Agent::setup() {
    slot_->pid.store(getpid(), std::memory_order_release);
    const uint32_t gen = slot_->generation.fetch_add(1) + 1;
    prctl(PR_SET_NAME, agent_comm(id_).c_str(), 0, 0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGINT, SIG_IGN);  // the parent owns the run; it tells us through shm
    signal(SIGTERM, SIG_DFL);
    for (uint32_t i = 0; i < kCtrCount; ++i) ctr_[i] = slot_->ctr[i].load();  // restart continues
    for (uint32_t i = 0; i < kHistBuckets; ++i) hist_[i] = slot_->hist[i].load();
    rng_ = (o_.seed + 1) * 0x9E3779B97F4A7C15ull ^ (uint64_t(id_) << 32) ^ gen;
    if (!rng_) rng_ = 1;

    // Message mix: weights out of 100, spread over a 256-entry table.
    const std::pair<MsgType, int> mix[] = {
        {MsgType::REQUEST, 18},   {MsgType::TASK, 10},     {MsgType::RESOURCE_REQ, 6},
        {MsgType::HEARTBEAT, 16}, {MsgType::BROADCAST, 8}, {MsgType::STATE_SYNC, 10},
        {MsgType::DISCOVERY, 5},  {MsgType::ACK, 20},      {MsgType::ERROR, 3},
        {MsgType::VETO, 2},       {MsgType::EMERGENCY, 2}};
    size_t k = 0;
    for (auto [t, w] : mix)
        for (int i = 0; i < w * 256 / 100 && k < 256; ++i) type_table_[k++] = uint8_t(t);
    while (k < 256) type_table_[k++] = uint8_t(MsgType::ACK);

    payload_.resize(std::max<size_t>(o_.payload_max, 1));
    for (size_t i = 0; i < payload_.size(); ++i) payload_[i] = uint8_t(i * 131 + id_);
    dgram_buf_.resize(agen::kHeaderSize + 65536 + 64);

    if (o_.messages) {
        budget_ = o_.messages / n_ + (idx_ < o_.messages % n_ ? 1 : 0);
        if (ctr_[kBudgetUsed] >= budget_) {
            originating_ = false;
            slot_->done.store(1, std::memory_order_release);
        }
    }
    if (o_.rate > 0) {
        rate_ = o_.rate / n_;
        tokens_ = std::min(1.0, rate_);
    }

    ep_ = epoll_create1(EPOLL_CLOEXEC);
    for (int c = 0; c < kCarrierCount; ++c) {
        if (!o_.carrier_on[c]) continue;
        carriers_.push_back(Carrier(c));
        links_[c].resize(n_);
        for (uint32_t p = 0; p < n_; ++p) {
            links_[c][p].carrier = Carrier(c);
            links_[c][p].peer = p;
        }
        if (Carrier(c) == Carrier::kRing) {
            peers_[c] = ring_neighbours(idx_, n_);
        } else {
            sockets_ = true;
            for (uint32_t p = 0; p < n_; ++p)
                if (p != idx_) peers_[c].push_back(p);
        }
        for (uint32_t p : peers_[c]) links_[c][p].exists = true;
    }
    if (!listen_all()) return false;
    if (o_.carrier_on[int(Carrier::kRing)]) create_rings();
    slot_->listening.store(gen, std::memory_order_release);

    // First start: wait until every agent listens, then connect. A restarted
    // agent connects to whoever is there; peers reconnect to it on their own.
    const bool first = shm_->go.load() == 0;
    if (first) {
        for (uint32_t p = 0; p < n_; ++p) {
            while (!shm_->slots[p].listening.load(std::memory_order_acquire)) {
                if (shm_->exit_now.load()) return false;
                usleep(1000);
            }
        }
    }
    for (int c = 0; c < kCarrierCount; ++c) {
        if (!o_.carrier_on[c] || Carrier(c) == Carrier::kRing) continue;
        for (uint32_t p : peers_[c]) connect_link(links_[c][p]);
    }
    check_rings();
    slot_->connected.store(1, std::memory_order_release);
    while (!shm_->go.load(std::memory_order_acquire)) {
        if (shm_->exit_now.load()) return false;
        usleep(500);
    }
    return true;
}

}  // namespace agentbus::detail
