#include "kernel/bpf_lifecycle.h"

#include <bpf/bpf.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "kernel/bpf_link_adoption.h"
#include "kernel/bpf_map_layout.h"

namespace agentmon {

bool pin_all_but_internal_maps(const bpf_map* map) {
    return std::strchr(bpf_map__name(map), '.') == nullptr;
}

std::string link_pin_dir(const std::string& pin_dir, const bpf_object* obj) {
    return pin_dir + "/links/" + bpf_object__name(obj);
}

void BpfLifecycle::prepare_pins(bpf_object* obj, Logger& log) {
    if (plan_.pin_dir.empty() || !plan_.pin_map) return;
    bpf_map* map = nullptr;
    bpf_object__for_each_map(map, obj) {
        if (!plan_.pin_map(map)) continue;
        const std::string path = plan_.pin_dir + "/" + bpf_map__name(map);
        Fd pinned(bpf_obj_get(path.c_str()));
        if (pinned.valid()) {
            const std::string mismatch =
                pinned_map_mismatch(pinned.get(), map, bpf_object__btf(obj));
            if (!mismatch.empty()) {
                // The programs of this build cannot use the old map; its counts are
                // lost with it and the new map starts from zero.
                log.warn(
                    "pinned map has another layout; re-creating it, its counters restart "
                    "from zero",
                    {{"map", bpf_map__name(map)}, {"path", path}, {"differs", mismatch}});
                unlink(path.c_str());
                recreated_.emplace_back(bpf_map__name(map));
            }
        }
        // libbpf reuses the map pinned there at load, or creates and pins it.
        if (int err = bpf_map__set_pin_path(map, path.c_str()))
            log.warn(plan_.what + " map not pinned",
                     {{"map", bpf_map__name(map)}, {"error", std::strerror(-err)}});
    }
}

Status BpfLifecycle::attach_all(bpf_object* obj, Logger& log) {
    std::string dir;
    if (plan_.pin_links && !plan_.pin_dir.empty()) {
        dir = link_pin_dir(plan_.pin_dir, obj);
        for (const std::string& d : {plan_.pin_dir + "/links", dir})
            if (mkdir(d.c_str(), 0700) != 0 && errno != EEXIST) {
                log.warn(plan_.what + " links not pinned: programs detach when agentmon stops",
                         {{"path", d}, {"error", errno_error("mkdir", errno).message}});
                dir.clear();
                break;
            }
    }
    bpf_program* prog = nullptr;
    bpf_object__for_each_program(prog, obj) {
        if (bpf_program__fd(prog) < 0) continue;  // autoload off
        if (dir.empty()) {
            auto link = Link::attach(prog);
            if (!link) return link.error();
            links_[prog] = std::move(link).value();
            continue;
        }
        auto attached = attach_pinned(prog, dir + "/" + bpf_program__name(prog), log);
        if (!attached) return attached.error();
        links_[prog] = std::move(attached->link);
        if (attached->adopted.valid()) adopted_[prog] = std::move(attached->adopted);
    }
    if (!dir.empty()) drop_orphan_links(dir, obj, log);
    return Status::success();
}

void BpfLifecycle::drop_orphan_links(const std::string& dir, const bpf_object* obj, Logger& log) {
    // A program an earlier version had and this one does not, or one this start
    // left unloaded (its owner turned autoload off: another object runs it now):
    // its pinned link would run forever beside the program that replaced it.
    DIR* d = opendir(dir.c_str());
    if (!d) return;
    while (dirent* e = readdir(d)) {
        const std::string name = e->d_name;
        if (name == "." || name == "..") continue;
        const bpf_program* prog = bpf_object__find_program_by_name(obj, name.c_str());
        if (prog && bpf_program__fd(prog) >= 0) continue;
        unlink((dir + "/" + name).c_str());
        log.info(prog ? "removed the pinned link of a program this start leaves unloaded"
                      : "removed the pinned link of a program this version no longer has",
                 {{"path", dir + "/" + name}});
    }
    closedir(d);
}

bpf_link* BpfLifecycle::link(const bpf_program* prog) const {
    auto it = links_.find(prog);
    return it == links_.end() ? nullptr : it->second.get();
}

std::vector<BpfProgramRef> BpfLifecycle::programs(const bpf_object* obj) const {
    std::vector<BpfProgramRef> refs;
    bpf_program* prog = nullptr;
    bpf_object__for_each_program(prog, obj) {
        if (!links_.count(prog)) continue;
        auto adopted = adopted_.find(prog);
        refs.push_back({bpf_program__name(prog),
                        adopted != adopted_.end() ? adopted->second.get() : bpf_program__fd(prog)});
    }
    return refs;
}

}  // namespace agentmon
