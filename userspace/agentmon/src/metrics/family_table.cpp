#include "metrics/family_table.h"

namespace agentmon {

const std::vector<MetricFamilySpec>& metric_families() {
    using T = FamilyType;
    using B = FamilyBudget;
    static const std::vector<MetricFamilySpec> families = {
        {"agent_cpu_seconds_total", T::counter, B::agent},
        {"agent_health_score", T::gauge, B::agent},
        {"agent_info", T::gauge, B::agent},
        {"agent_last_exit_code", T::gauge, B::agent},
        {"agent_last_exit_signal", T::gauge, B::agent},
        {"agent_messages_processed_total", T::counter, B::transport},
        {"agent_process_id", T::gauge, B::agent},
        {"agent_processing_time_seconds", T::histogram, B::transport},
        {"agent_queue_depth", T::gauge, B::none},
        {"agent_resource_usage", T::gauge, B::agent},
        {"agent_restarts_total", T::counter, B::agent},
        {"agent_ring_head_of_line_age_seconds", T::gauge, B::none},
        {"agent_runqueue_delay_seconds", T::histogram, B::none},
        {"agent_status", T::gauge, B::agent},
        {"agent_transport_bytes_total", T::counter, B::transport},
        {"agent_transport_errors_total", T::counter, B::transport},
        {"agent_transport_latency_seconds", T::histogram, B::transport},
        {"agent_transport_message_size_bytes", T::histogram, B::transport},
        {"agent_transport_messages_total", T::counter, B::transport},
        {"agent_transport_queue_depth", T::gauge, B::none},
        {"agent_transport_queue_depth_bytes", T::gauge, B::none},
        {"agent_transport_throughput_mps", T::gauge, B::transport},
        {"agent_transport_would_block_total", T::counter, B::transport},
        {"agent_unanswered_requests_total", T::counter, B::transport},
        {"agent_unauthorized_frames_total", T::counter, B::transport},
        {"agentmon_agent_state_events_total", T::counter, B::none},
        {"agentmon_bpf_map_capacity", T::gauge, B::none},
        {"agentmon_bpf_map_entries", T::gauge, B::none},
        {"agentmon_bpf_program_run_time_seconds_total", T::counter, B::none},
        {"agentmon_bpf_program_runs_total", T::counter, B::none},
        {"agentmon_build_info", T::gauge, B::none},
        {"agentmon_collection_duration_seconds", T::histogram, B::none},
        {"agentmon_collections_total", T::counter, B::none},
        {"agentmon_collector_cpu_seconds_total", T::counter, B::none},
        {"agentmon_collector_errors_total", T::counter, B::none},
        {"agentmon_collector_up", T::gauge, B::none},
        {"agentmon_decoder_events_total", T::counter, B::none},
        {"agentmon_discovered_agent_processes", T::gauge, B::none},
        {"agentmon_process_cpu_seconds_total", T::counter, B::none},
        {"agentmon_process_resident_memory_bytes", T::gauge, B::none},
        {"agentmon_ring_read_failures_total", T::counter, B::none},
        {"agentmon_ring_sample_coverage_ratio", T::gauge, B::none},
        {"agentmon_rings_watched", T::gauge, B::none},
        {"agentmon_scrape_duration_seconds", T::histogram, B::none},
        {"agentmon_series_dropped_total", T::counter, B::none},
        {"agentmon_watched_tasks", T::gauge, B::none},
        {"message_flow_matrix", T::gauge, B::transport},
        {"system_active_agents", T::gauge, B::none},
    };
    return families;
}

}  // namespace agentmon
