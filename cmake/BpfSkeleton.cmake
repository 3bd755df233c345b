# add_bpf_skeleton() is defined here.
