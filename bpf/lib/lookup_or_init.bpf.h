/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * The value under `key` in a hash map, inserted as `zero` first when absent. The
 * insert is BPF_NOEXIST: another CPU may have inserted the key meanwhile, and its
 * value (and what it counted) must not be overwritten. NULL only when the map is
 * full: the caller counts what it could not store.
 */
#ifndef AGENTMON_LOOKUP_OR_INIT_BPF_H
#define AGENTMON_LOOKUP_OR_INIT_BPF_H

static __always_inline void *lookup_or_init(void *map, const void *key, const void *zero)
{
	void *value = bpf_map_lookup_elem(map, key);

	if (value)
		return value;
	bpf_map_update_elem(map, key, zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(map, key);
}

#endif /* AGENTMON_LOOKUP_OR_INIT_BPF_H */
