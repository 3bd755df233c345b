#pragma once
// The list of every metric family agentmon exports, one entry per family:
//   X(name, type, budget, unit, "labels", "HELP text")
// name: the exported name, also the handle emit sites use (Family::name), so a
//   family that is not listed here cannot be emitted: it fails to compile;
// type: counter, gauge or histogram;
// budget: none, transport (the tick context's budget, shared by the socket and
//   ring paths) or agent (the agent path's budget): which series budget bounds it;
// unit: as docs/metrics.md states it ("" where the value has none);
// labels: the label names of every sample, space-separated;
// help: the # HELP text, the one place it is written.
// docs/metrics.md is checked against this list by a unit test (test_family_table):
// add the family there too. Kept sorted by name.
// clang-format off
#define AGENTMON_METRIC_FAMILIES(X) \
    X(agent_cpu_seconds_total, counter, agent, "seconds", "agent_type agent_id", \
      "On-CPU time of the agent's processes, from the scheduler's account.") \
    X(agent_errors_total, counter, none, "errors", "agent_type agent_id error_type", \
      "Errors of the agent: error_reply (ERROR frames it sent), failed_call (its sends and " \
      "receives that failed, EAGAIN excluded).") \
    X(agent_health_score, gauge, agent, "0..100", "agent_type agent_id", \
      "0..100 from error rate, queue depth, run-queue delay, CPU saturation, unanswered " \
      "requests and silence (docs/metrics.md).") \
    X(agent_info, gauge, agent, "", "agent_type agent_id container pod namespace", \
      "Always 1: the agent instance and the container, pod and namespace it runs in (empty outside "\
      "them).") \
    X(agent_last_exit_code, gauge, agent, "", "agent_type agent_id", \
      "Exit status of the agent's last process that ended; 128 + signal when a signal killed it.") \
    X(agent_last_exit_signal, gauge, agent, "", "agent_type agent_id", \
      "Signal that killed the agent's last process that ended; 0 for a normal exit.") \
    X(agent_messages_processed_total, counter, transport, "frames", "agent_type agent_id", \
      "Frames agents received on their sockets, by receiving agent (the frame's target).") \
    X(agent_process_id, gauge, agent, "", "agent_type agent_id", \
      "Process id of the agent's live process; 0 when it has none.") \
    X(agent_processing_time_seconds, histogram, transport, "seconds", "agent_type agent_id", \
      "Time from an agent's receipt of a request to its send of the reply (REPLY flag, same " \
      "sequence), matched in the kernel.") \
    X(agent_queue_depth, gauge, none, "frames", "agent_type agent_id", \
      "Frames waiting for an agent: packets in its socket receive queues (a packet holds at " \
      "least one frame) plus frames in the rings it consumes.") \
    X(agent_resource_usage, gauge, agent, "", "agent_type agent_id resource", \
      "cpu: fraction of one core over the last tick; memory: resident bytes.") \
    X(agent_restarts_total, counter, agent, "processes", "agent_type agent_id", \
      "New processes of the agent after its previous process ended.") \
    X(agent_ring_head_of_line_age_seconds, gauge, none, "seconds", "ring source_agent target_agent", \
      "Age of the oldest unconsumed frame in a ring (now minus its header timestamp); 0 when " \
      "the ring is empty.") \
    X(agent_runqueue_delay_seconds, histogram, none, "seconds", "agent_type", \
      "Time agent threads waited runnable for a CPU (CPU starvation).") \
    X(agent_status, gauge, agent, "state", "agent_type agent_id", \
      "Agent state: 1 running (on a CPU since the last tick), 2 idle, 3 exited (status 0), " \
      "4 failed (killed by a signal or non-zero status).") \
    X(agent_transport_bytes_total, counter, transport, "bytes", \
      "source_agent target_agent msg_type priority carrier direction", \
      "Bytes of frames (header and payload) sent and received on agents' sockets.") \
    X(agent_transport_errors_total, counter, transport, "events", "error_type carrier direction", \
      "Failed sends and receives by errno, malformed frames, frames lost to a full map and " \
      "packets dropped from receive queues.") \
    X(agent_transport_latency_seconds, histogram, transport, "seconds", \
      "source_agent target_agent carrier", \
      "Time from a frame's header timestamp (sender's CLOCK_MONOTONIC) to its receipt.") \
    X(agent_transport_message_size_bytes, histogram, transport, "bytes", \
      "msg_type carrier direction", "Frame sizes (header and payload) in bytes.") \
    X(agent_transport_messages_total, counter, transport, "frames", \
      "source_agent target_agent msg_type priority carrier direction", \
      "Frames sent and received on agents' sockets, counted in the kernel.") \
    X(agent_transport_queue_depth, gauge, none, "frames", "ring source_agent target_agent carrier", \
      "Frames written to a ring and not yet consumed.") \
    X(agent_transport_queue_depth_bytes, gauge, none, "bytes", \
      "ring source_agent target_agent carrier", \
      "Bytes of frames written to a ring and not yet consumed (pads excluded).") \
    X(agent_transport_throughput_mps, gauge, transport, "frames/s", "carrier", \
      "Frames received per second between the last two collection ticks.") \
    X(agent_transport_would_block_total, counter, transport, "calls", \
      "error_type carrier direction", \
      "Sends and receives on nonblocking sockets that returned EAGAIN.") \
    X(agent_unanswered_requests_total, counter, transport, "requests", "agent_type", \
      "Requests an agent received and did not answer within the request timeout.") \
    X(agent_unauthorized_frames_total, counter, transport, "frames", \
      "offender_comm offender_uid target_agent carrier", \
      "Frames agents received from processes that are not agents, by offender (comm and uid) " \
      "and receiving agent. Never counted as agent traffic.") \
    X(agentmon_agent_state_events_total, counter, none, "events", "event", \
      "Events of the agent state path: full maps, tasks that could not be marked.") \
    X(agentmon_bpf_map_capacity, gauge, none, "keys", "map", "max_entries of a BPF hash map.") \
    X(agentmon_bpf_map_entries, gauge, none, "keys", "map", "Keys in use in a BPF hash map.") \
    X(agentmon_bpf_program_run_time_seconds_total, counter, none, "seconds", "program", \
      "Time the kernel spent running each loaded agentmon BPF program.") \
    X(agentmon_bpf_program_runs_total, counter, none, "runs", "program", \
      "Number of runs of each loaded agentmon BPF program.") \
    X(agentmon_build_info, gauge, none, "", "version commit libbpf_version kernel", \
      "Build and runtime versions of agentmon; always 1.") \
    X(agentmon_collection_duration_seconds, histogram, none, "seconds", "", \
      "Time one collection tick took to read all collectors.") \
    X(agentmon_collections_total, counter, none, "ticks", "", "Collection ticks completed.") \
    X(agentmon_collector_cpu_seconds_total, counter, none, "seconds", "collector", \
      "CPU time (user and system) the collection thread spent in each collector.") \
    X(agentmon_collector_up, gauge, none, "", "collector", \
      "1 while a collector is attached and its last tick succeeded; 0 when it could not " \
      "start (degraded) or its last tick failed.") \
    X(agentmon_collector_errors_total, counter, none, "ticks", "collector", \
      "Collection ticks in which a collector reported an error.") \
    X(agentmon_decoder_events_total, counter, none, "events", "event", \
      "Events of the in-kernel frame decoder: malformed input, truncated walks, full maps, " \
      "unreadable buffers.") \
    X(agentmon_discovered_agent_processes, gauge, none, "processes", "", \
      "Processes the agent rules matched in this tick's scan of /proc.") \
    X(agentmon_process_cpu_seconds_total, counter, none, "seconds", "", \
      "User and system CPU time spent by the agentmon process.") \
    X(agentmon_process_resident_memory_bytes, gauge, none, "bytes", "", \
      "Resident memory of the agentmon process.") \
    X(agentmon_ring_read_failures_total, counter, none, "reads", "reason", \
      "Ring reads that did not complete, by reason (the ring is read again next tick; no_slot " \
      "counts rings left unread this tick because the slot or per-process limits were reached).") \
    X(agentmon_ring_sample_coverage_ratio, gauge, none, "ratio", "ring", \
      "Frames sampled for the breakdown by type over frames read, last tick (1: exact " \
      "breakdown; below 1 the breakdown is scaled to the exact counts).") \
    X(agentmon_rings_watched, gauge, none, "rings", "", "Rings read in the last collection tick.") \
    X(agentmon_scrape_duration_seconds, histogram, none, "seconds", "", \
      "Time taken to render /metrics (excluding this scrape).") \
    X(agentmon_series_dropped_total, counter, none, "label sets", "family", \
      "Distinct label sets folded into a family's overflow series by the series budget.") \
    X(agentmon_spans_dropped_total, counter, none, "spans", "reason", \
      "Spans of sampled requests lost before export: ringbuf_full (the kernel's span ring " \
      "buffer), queue_full (the export queue), export_failed (given up after retries).") \
    X(agentmon_spans_exported_total, counter, none, "spans", "", \
      "Spans of sampled requests the OTLP/HTTP endpoint accepted.") \
    X(agentmon_watched_tasks, gauge, none, "tasks", "", \
      "Agent tasks (threads) whose sockets are decoded.") \
    X(anomaly_detection_score, gauge, none, "0..1", "agent_type agent_id signal", \
      "0..1 anomaly score of the agent's signal this tick (message_rate, error_ratio, " \
      "latency_p99, queue_depth, cpu); signal=\"system\" for the whole bus (docs/analytics.md).") \
    X(capacity_utilization_ratio, gauge, none, "ratio", "resource", \
      "Use over configured capacity: cpu (host busy share over analytics.cpu_cores, default " \
      "the host's), memory (used over analytics.memory_bytes, default MemTotal), " \
      "bus_throughput (frames sent per second over analytics.expected_throughput_mps).") \
    X(failure_prediction_evidence, gauge, none, "0..1", "agent_type agent_id term", \
      "The failure prediction's terms: trend (0..1, the two inputs closest to failure), " \
      "deficit (0..1, health below 80), anomaly (0..1); the score is their logistic sum.") \
    X(failure_prediction_score, gauge, none, "0..1", "agent_type agent_id", \
      "0..1 probability that the agent fails (exits abnormally, stops answering, or health " \
      "under 20) within the configured horizon (docs/analytics.md).") \
    X(message_flow_matrix, gauge, transport, "frames/s", "source_agent target_agent", \
      "Frames received per second from source to target agent type over the last tick.") \
    X(performance_bottlenecks, gauge, none, "0..1", "component resource", \
      "0..1 severity of a saturated resource: queue (frames waiting), cpu (a core's share), " \
      "run_queue (waiting for a CPU), socket_buffer (sends refused with EAGAIN), ring (ring " \
      "used); component is the agent instance or the ring.") \
    X(process_cpu_seconds_total, counter, none, "seconds", "", \
      "Total user and system CPU time spent in seconds.") \
    X(process_max_fds, gauge, none, "", "", "Maximum number of open file descriptors.") \
    X(process_open_fds, gauge, none, "", "", "Number of open file descriptors.") \
    X(process_resident_memory_bytes, gauge, none, "bytes", "", "Resident memory size in bytes.") \
    X(process_start_time_seconds, gauge, none, "seconds", "", \
      "Start time of the process since unix epoch in seconds.") \
    X(process_virtual_memory_bytes, gauge, none, "bytes", "", "Virtual memory size in bytes.") \
    X(system_active_agents, gauge, none, "instances", "agent_type", \
      "Agent instances with a live process, by type.") \
    X(system_cpu_utilization_ratio, gauge, none, "ratio", "", \
      "Busy share of the host's CPUs over the last tick (/proc/stat).") \
    X(system_memory_usage_bytes, gauge, none, "bytes", "", \
      "MemTotal - MemAvailable (/proc/meminfo).")
// clang-format on
