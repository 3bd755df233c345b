#include "kernel/bpf_object_ops.h"

#include <unistd.h>

namespace agentmon {

Result<std::vector<Link>> attach_all(bpf_object* obj) {
    std::vector<Link> links;
    bpf_program* prog = nullptr;
    bpf_object__for_each_program(prog, obj) {
        if (!bpf_program__autoload(prog)) continue;  // left unloaded by its owner
        auto link = Link::attach(prog);
        if (!link) return link.error();
        links.push_back(std::move(link).value());
    }
    return links;
}

Status pin_maps(bpf_object* obj, const std::string& dir, bool (*want)(const bpf_map*),
                std::vector<std::string>& pinned) {
    bpf_map* map = nullptr;
    bpf_object__for_each_map(map, obj) {
        if (!want(map)) continue;
        std::string path = dir + "/" + bpf_map__name(map);
        unlink(path.c_str());  // a stale pin from a previous run that did not stop cleanly
        if (int err = bpf_map__pin(map, path.c_str())) return errno_error("pin " + path, -err);
        pinned.push_back(path);
    }
    return Status::success();
}

std::vector<BpfProgramRef> program_refs(const bpf_object* obj) {
    std::vector<BpfProgramRef> refs;
    bpf_program* prog = nullptr;
    bpf_object__for_each_program(prog, obj) {
        if (bpf_program__fd(prog) < 0) continue;  // not loaded
        refs.push_back({bpf_program__name(prog), bpf_program__fd(prog)});
    }
    return refs;
}

}  // namespace agentmon
