#include "kernel/bpf_map_layout.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>

#include <memory>

namespace agentmon {

namespace {

// A type's shape as text: kinds, sizes, member names and bit offsets, nested
// structs spelled out, typedefs and qualifiers looked through. Type ids differ
// between two BTF blobs, so this is what is compared.
std::string name_of(const btf* b, __u32 offset) {
    const char* name = btf__name_by_offset(b, offset);
    return name ? name : "";
}

std::string shape(const btf* b, __u32 id, int depth = 0) {
    if (depth > 8) return "...";
    const btf_type* t = btf__type_by_id(b, id);
    if (!t) return "?";
    while (btf_is_typedef(t) || btf_is_mod(t)) {
        id = t->type;
        t = btf__type_by_id(b, id);
        if (!t) return "?";
    }
    const std::string name = name_of(b, t->name_off);
    if (btf_is_int(t) || btf_is_enum(t) || btf_is_enum64(t) || btf_is_ptr(t))
        return "k" + std::to_string(btf_kind(t)) + ":" + std::to_string(t->size);
    if (btf_is_array(t)) {
        const struct btf_array* a = btf_array(t);
        return shape(b, a->type, depth + 1) + "[" + std::to_string(a->nelems) + "]";
    }
    if (btf_is_composite(t)) {
        std::string out =
            (btf_is_struct(t) ? "struct " : "union ") + name + "{" + std::to_string(t->size) + ";";
        const btf_member* m = btf_members(t);
        for (__u16 i = 0; i < btf_vlen(t); ++i, ++m) {
            out += name_of(b, m->name_off) + "@" + std::to_string(btf_member_bit_offset(t, i)) +
                   "=" + shape(b, m->type, depth + 1) + ";";
        }
        return out + "}";
    }
    return "k" + std::to_string(btf_kind(t)) + " " + name;
}

template <class T>
std::string differs(const char* what, T pinned, T wanted) {
    return std::string(what) + " " + std::to_string(pinned) + " pinned, " + std::to_string(wanted) +
           " wanted";
}

}  // namespace

std::string pinned_map_mismatch(int fd, const bpf_map* map, const btf* object_btf) {
    bpf_map_info info{};
    __u32 len = sizeof(info);
    if (bpf_obj_get_info_by_fd(fd, &info, &len)) return "pinned object is not a readable map";
    if (info.type != static_cast<__u32>(bpf_map__type(map)))
        return differs("type", info.type, static_cast<__u32>(bpf_map__type(map)));
    if (info.key_size != bpf_map__key_size(map))
        return differs("key size", info.key_size, bpf_map__key_size(map));
    if (info.value_size != bpf_map__value_size(map))
        return differs("value size", info.value_size, bpf_map__value_size(map));
    if (info.max_entries != bpf_map__max_entries(map))
        return differs("max_entries", info.max_entries, bpf_map__max_entries(map));
    if (info.map_flags != bpf_map__map_flags(map))
        return differs("flags", info.map_flags, bpf_map__map_flags(map));

    // Without BTF on either side only the sizes can be compared.
    if (!info.btf_id || !object_btf || !bpf_map__btf_value_type_id(map)) return "";
    std::unique_ptr<btf, void (*)(btf*)> pinned(btf__load_from_kernel_by_id(info.btf_id),
                                                btf__free);
    if (!pinned) return "";
    if (shape(pinned.get(), info.btf_value_type_id) !=
        shape(object_btf, bpf_map__btf_value_type_id(map)))
        return "value type layout in BTF differs";
    if (info.btf_key_type_id && bpf_map__btf_key_type_id(map) &&
        shape(pinned.get(), info.btf_key_type_id) !=
            shape(object_btf, bpf_map__btf_key_type_id(map)))
        return "key type layout in BTF differs";
    return "";
}

}  // namespace agentmon
