#include "kernel/bpf_link_adoption.h"

#include <bpf/bpf.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

namespace agentmon {

namespace {

// What identifies a loaded program: its tag (a hash of its instructions with map
// references blanked), the ids of the maps it uses, and the bytes of its .rodata
// (the configuration, which the tag does not see).
struct ProgramIdentity {
    std::string tag;
    std::vector<__u32> map_ids;
    std::vector<unsigned char> rodata;
    bool ok = false;
};

ProgramIdentity identity_of(int prog_fd) {
    ProgramIdentity id;
    bpf_prog_info info{};
    __u32 len = sizeof(info);
    if (bpf_obj_get_info_by_fd(prog_fd, &info, &len)) return id;
    std::vector<__u32> maps(info.nr_map_ids);
    bpf_prog_info again{};
    again.nr_map_ids = static_cast<__u32>(maps.size());
    again.map_ids = reinterpret_cast<std::uintptr_t>(maps.data());
    len = sizeof(again);
    if (bpf_obj_get_info_by_fd(prog_fd, &again, &len)) return id;
    id.tag.assign(reinterpret_cast<const char*>(again.tag), sizeof(again.tag));
    maps.resize(std::min<std::size_t>(maps.size(), again.nr_map_ids));
    for (__u32 map_id : maps) {
        Fd fd(bpf_map_get_fd_by_id(map_id));
        bpf_map_info map{};
        __u32 map_len = sizeof(map);
        if (!fd.valid() || bpf_obj_get_info_by_fd(fd.get(), &map, &map_len)) return id;
        const std::string name = map.name;
        if (name.find('.') == std::string::npos) {
            id.map_ids.push_back(map_id);
        } else if (name.size() >= 7 && name.compare(name.size() - 7, 7, ".rodata") == 0) {
            // Each load has its own .rodata: compared by content, not by id.
            std::vector<unsigned char> bytes(map.value_size);
            const __u32 key = 0;
            if (bpf_map_lookup_elem(fd.get(), &key, bytes.data())) return id;
            id.rodata = std::move(bytes);
        }
        // .bss/.data: per load by design; none of agentmon's objects keeps state there.
    }
    std::sort(id.map_ids.begin(), id.map_ids.end());
    id.ok = true;
    return id;
}

Result<AttachedProgram> attach_and_pin(bpf_program* prog, const std::string& pin_path) {
    auto link = Link::attach(prog);
    if (!link) return link.error();
    if (int err = bpf_link__pin(link->get(), pin_path.c_str()))
        return errno_error("pin link " + pin_path, -err);
    return AttachedProgram{std::move(link).value(), Fd()};
}

}  // namespace

bool same_program_version(int old_fd, int new_fd) {
    const ProgramIdentity old_id = identity_of(old_fd), new_id = identity_of(new_fd);
    return old_id.ok && new_id.ok && old_id.tag == new_id.tag && old_id.map_ids == new_id.map_ids &&
           old_id.rodata == new_id.rodata;
}

Result<AttachedProgram> attach_pinned(bpf_program* prog, const std::string& pin_path, Logger& log) {
    struct stat st {};
    if (stat(pin_path.c_str(), &st) != 0) return attach_and_pin(prog, pin_path);
    const std::string name = bpf_program__name(prog);

    bpf_link* pinned = bpf_link__open(pin_path.c_str());
    if (!pinned) {
        log.warn("pinned link unreadable; replacing it", {{"path", pin_path}});
        unlink(pin_path.c_str());
        return attach_and_pin(prog, pin_path);
    }
    Link old(pinned);
    bpf_link_info info{};
    __u32 len = sizeof(info);
    Fd old_prog;
    if (bpf_obj_get_info_by_fd(bpf_link__fd(old.get()), &info, &len) == 0)
        old_prog = Fd(bpf_prog_get_fd_by_id(info.prog_id));

    if (old_prog.valid() && same_program_version(old_prog.get(), bpf_program__fd(prog))) {
        log.debug("adopted pinned link", {{"program", name}, {"path", pin_path}});
        return AttachedProgram{std::move(old), std::move(old_prog)};
    }
    if (bpf_link__update_program(old.get(), prog) == 0) {
        log.info("pinned link moved to the new program atomically",
                 {{"program", name}, {"path", pin_path}});
        return AttachedProgram{std::move(old), Fd()};
    }
    // Tracing links (tp_btf) cannot change program: the new one runs before the
    // old one stops, so the switch misses nothing.
    auto fresh = Link::attach(prog);
    if (!fresh) return fresh.error();
    unlink(pin_path.c_str());
    if (int err = bpf_link__pin(fresh->get(), pin_path.c_str()))
        return errno_error("pin link " + pin_path, -err);
    old.reset();
    log.info("pinned link replaced by the new program's (both ran for an instant)",
             {{"program", name}, {"path", pin_path}});
    return AttachedProgram{std::move(fresh).value(), Fd()};
}

}  // namespace agentmon
