"""The six agentmon dashboards: panels and their PromQL. Queries read the
families in docs/metrics.md and the recordings of deploy/prometheus/rules/.
Panels marked "Pending" read agent and ring metrics that agentmon does not
export yet; they show "No data" until it does."""

from grafana import (BYTES, BYTES_PER_S, COUNT, MSGS, PER_S, RATIO, SECONDS, bargauge,
                     dashboard, gauge, heatmap, panel, q, query_variable, stat, table, timeseries,
                     traces_link)

RX = 'agent_transport_messages_total{direction="received"'
PENDING = "Pending: needs the agent metrics (docs/alerts.md). "
RING_PENDING = "Pending: needs the ring-path metrics. "


def quantiles(metric, by, selector=""):
    """p50/p95/p99 targets of a histogram, summed by `by`."""
    keep = f"le, {by}" if by else "le"
    return [q(f"histogram_quantile({v}, sum by ({keep}) (rate({metric}_bucket{selector}[$__rate_interval])))",
              f"p{int(v * 100)} {{{{{by}}}}}" if by else f"p{int(v * 100)}")
            for v in (0.5, 0.95, 0.99)]


def overview():
    return dashboard("agentmon-overview", "agentmon / System Overview",
                     "The bus at a glance: throughput, latency, errors, SLOs, agents and firing alerts.", [
        stat("Throughput", [q(f"sum(rate({RX}}}[$__rate_interval]))", "delivered")], MSGS,
             "Frames delivered per second, all carriers.",
             thresholds=[(None, "red"), (4e6, "green")]),
        stat("p99 latency", [q("histogram_quantile(0.99, sum by (le) (rate(agent_transport_latency_seconds_bucket[$__rate_interval])))", "p99")],
             SECONDS, "Send to receive, all pairs.", thresholds=[(None, "green"), (0.1, "red")]),
        stat("Error ratio (5 m)", [q("transport:error_ratio_5m", "errors")], RATIO,
             "Failed attempts over all attempts.", thresholds=[(None, "green"), (0.001, "red")], decimals=3),
        stat("Availability (30 d)", [q("sli:availability_30d", "30 d")], RATIO,
             "1 - error ratio over 30 days; SLO 99.9 %.", thresholds=[(None, "red"), (0.999, "green")], decimals=3),
        stat("Agent types talking", [q('count(sum by (source_agent) (rate(agent_transport_messages_total{direction="sent"}[5m])) > 0)', "types")],
             COUNT, "Agent types that sent frames in the last 5 m."),
        stat("Collectors up", [q('sum(max by (instance) (up{job="agentmon"}))', "up")], COUNT,
             "agentmon instances Prometheus reaches.", thresholds=[(None, "red"), (1, "green")]),
        timeseries("Throughput by carrier", [q(f"sum by (carrier) (rate({RX}}}[$__rate_interval]))", "{{carrier}}"),
                                             q("vector(4e6)", "target")], MSGS,
                   "Frames delivered per second by carrier, against the 4 M msg/s target."),
        timeseries("Latency", quantiles("agent_transport_latency_seconds", ""), SECONDS,
                   "Send-to-receive latency percentiles over every pair and carrier."),
        timeseries("Errors by type", [q("sum by (error_type) (rate(agent_transport_errors_total[$__rate_interval]))", "{{error_type}}")],
                   PER_S, "Failed sends/receives by errno, and the decoder's MALFORMED, MAP_FULL, RCVQ_DROP."),
        table("Busiest agent pairs", [q("topk(15, transport:message_rate_by_pair_5m)", instant=True, table=True)],
              MSGS, "Frames per second from source to target type over 5 m."),
        bargauge("Active agents by type", [q("system_active_agents", "{{agent_type}}")], COUNT,
                 PENDING + "Running agents of each type."),
        table("Agent health", [q("sort(agent_health_score)", instant=True, table=True)], COUNT,
              PENDING + "Health score 0-100 per agent, worst first."),
        table("Firing alerts", [q('ALERTS{alertstate="firing"}', instant=True, table=True)], COUNT,
              "Alerts Prometheus fires now.", w=24),
    ])


def transport():
    c = 'carrier=~"$carrier"'
    return dashboard("agentmon-transport", "agentmon / Transport Layer",
                     "Frames by type, priority and carrier; bytes; errors; latency and sizes.", [
        timeseries("Frames by message type", [q(f'sum by (msg_type) (rate({RX},{c}}}[$__rate_interval]))', "{{msg_type}}")], MSGS,
                   "Frames delivered per second by message type."),
        timeseries("Frames by priority", [q(f'sum by (priority) (rate({RX},{c}}}[$__rate_interval]))', "{{priority}}")], MSGS,
                   "Frames delivered per second by priority."),
        timeseries("Frames by carrier and direction",
                   [q(f'sum by (carrier, direction) (rate(agent_transport_messages_total{{{c}}}[$__rate_interval]))', "{{carrier}} {{direction}}")],
                   MSGS, "Sent and received frames per second; a gap between the two is frames in flight or lost."),
        timeseries("Bytes by carrier", [q(f'sum by (carrier) (rate(agent_transport_bytes_total{{direction="received",{c}}}[$__rate_interval]))', "{{carrier}}")],
                   BYTES_PER_S, "Bytes delivered per second, header and payload."),
        timeseries("Errors by type", [q(f'sum by (error_type, carrier) (rate(agent_transport_errors_total{{carrier=~"$carrier|all"}}[$__rate_interval]))', "{{error_type}} {{carrier}}")],
                   PER_S, "Failures by errno and carrier; decoder errors carry carrier=all."),
        timeseries("Error ratio", [q("transport:error_ratio_5m", "error ratio"), q("vector(0.001)", "alert threshold")], RATIO,
                   "Errors over attempts, 5 m; TransportErrorRatioHigh above 0.1 %."),
        # agentmon creates a would-block series at the first EAGAIN; "or vector(0)"
        # shows a quiet bus as 0 rather than "No data".
        timeseries("Would block (EAGAIN)", [q(f'sum by (carrier, direction) (rate(agent_transport_would_block_total{{{c}}}[$__rate_interval])) or vector(0)', "{{carrier}} {{direction}}")],
                   PER_S, "Nonblocking calls that found the socket full or empty: flow control, not failure."),
        timeseries("Latency by carrier", quantiles("agent_transport_latency_seconds", "carrier", f"{{{c}}}"), SECONDS,
                   "Send-to-receive latency percentiles per carrier."),
        heatmap("Latency distribution", q(f'sum by (le) (increase(agent_transport_latency_seconds_bucket{{{c}}}[$__rate_interval]))', "{{le}}", heatmap=True),
                SECONDS, "Frames per latency bucket and interval."),
        timeseries("Frame size p99 by type", [q(f'histogram_quantile(0.99, sum by (le, msg_type) (rate(agent_transport_message_size_bytes_bucket{{{c}}}[$__rate_interval])))', "{{msg_type}}")],
                   BYTES, "99th percentile of frame size, header and payload."),
        gauge("Throughput now", [q(f'sum(agent_transport_throughput_mps{{{c}}})', "frames/s")], MSGS,
              "Frames received per second over the last collection tick; the bus's design capacity is 4.2 M.",
              maximum=4.2e6),
        stat("EMERGENCY frames / min", [q('sum(increase(agent_transport_messages_total{msg_type="EMERGENCY",direction="sent"}[1m]))', "EMERGENCY")],
             COUNT, "TransportEmergencyFlood above 100.", w=6, h=6, thresholds=[(None, "green"), (100, "red")]),
        timeseries("Ring queue depth", [q('sum by (ring, source_agent, target_agent) (agent_transport_queue_depth{carrier="ring"})', "{{source_agent}} -> {{target_agent}}")],
                   COUNT, RING_PENDING + "Frames waiting in each ring."),
        timeseries("Ring head-of-line age", [q("max by (ring, source_agent, target_agent) (agent_ring_head_of_line_age_seconds)", "{{source_agent}} -> {{target_agent}}")],
                   SECONDS, RING_PENDING + "Age of the oldest unread frame per ring."),
    ], [query_variable("carrier", "Carrier", "label_values(agent_transport_messages_total, carrier)")],
        links=[traces_link()])


def agents():
    a = 'agent_type=~"$agent_type"'
    ai = 'agent_type=~"$agent_type",agent_id=~"$agent_id"'
    status_map = [{"type": "value", "options": {
        "1": {"text": "running", "color": "green"}, "2": {"text": "idle", "color": "blue"},
        "3": {"text": "exited", "color": "orange"}, "4": {"text": "failed", "color": "red"}}}]
    return dashboard("agentmon-agents", "agentmon / Individual Agents",
                     "One agent type (and instance): its traffic from the transport families, and its state, health and resources.", [
        timeseries("Frames sent", [q('sum by (msg_type) (rate(agent_transport_messages_total{direction="sent",source_agent=~"$agent_type"}[$__rate_interval]))', "{{msg_type}}")],
                   MSGS, "Frames this agent type sent per second, by message type."),
        timeseries("Frames received", [q('sum by (source_agent) (message_flow_matrix{target_agent=~"$agent_type"})', "from {{source_agent}}")],
                   MSGS, "Frames this agent type received per second, by sending agent type (message_flow_matrix)."),
        bargauge("Top peers it sends to", [q('topk(10, sum by (target_agent) (transport:message_rate_by_pair_5m{source_agent=~"$agent_type"}))', "{{target_agent}}", instant=True)],
                 MSGS, "Frames per second to each target type, 5 m."),
        timeseries("Latency of frames it receives", [q('histogram_quantile(0.99, sum by (le, carrier) (rate(agent_transport_latency_seconds_bucket{target_agent=~"$agent_type"}[$__rate_interval])))', "p99 over {{carrier}}")],
                   SECONDS, "p99 send-to-receive latency of the frames it receives, per carrier."),
        timeseries("Bytes", [q('sum(rate(agent_transport_bytes_total{direction="sent",source_agent=~"$agent_type"}[$__rate_interval]))', "sent"),
                             q('sum(rate(agent_transport_bytes_total{direction="received",source_agent=~"$agent_type"}[$__rate_interval]))', "received by its peers")],
                   BYTES_PER_S, "Bytes per second sent and received by this agent type."),
        panel("stat", "Status", [q(f"agent_status{{{ai}}}", "{{agent_type}} {{agent_id}}")], COUNT,
              PENDING + "running, idle, exited or failed.", w=6, h=4,
              options={"reduceOptions": {"calcs": ["lastNotNull"]}, "colorMode": "background"},
              field={"mappings": status_map}),
        gauge("Health score", [q(f"agent_health_score{{{ai}}}", "{{agent_id}}")], COUNT,
              PENDING + "0-100; alerts below 50 and 20.", maximum=100, h=4),
        timeseries("CPU", [q(f"rate(agent_cpu_seconds_total{{{ai}}}[$__rate_interval])", "{{agent_id}}")], RATIO,
                   PENDING + "Share of one core."),
        timeseries("Resident memory", [q(f'agent_resource_usage{{resource="memory",{ai}}}', "{{agent_id}}")], BYTES,
                   PENDING + "Resident bytes."),
        timeseries("Queue depth", [q(f"agent_queue_depth{{{ai}}}", "{{agent_id}}")], COUNT,
                   PENDING + "Frames waiting for the agent; alert above 1000."),
        timeseries("Processing time", quantiles("agent_processing_time_seconds", "agent_id", f"{{{ai}}}"), SECONDS,
                   "Request receive to reply send, per instance."),
        timeseries("Frames processed", [q(f"sum by (agent_id) (rate(agent_messages_processed_total{{{ai}}}[$__rate_interval]))", "{{agent_id}}")],
                   MSGS, "Frames each instance received on its sockets, per second."),
        timeseries("Run queue delay p99", [q(f"histogram_quantile(0.99, sum by (le, agent_type) (rate(agent_runqueue_delay_seconds_bucket{{{a}}}[$__rate_interval])))", "{{agent_type}}")],
                   SECONDS, PENDING + "Time runnable but not running."),
        timeseries("Restarts (1 h)", [q(f"increase(agent_restarts_total{{{ai}}}[1h])", "{{agent_id}}")], COUNT, PENDING),
        timeseries("Unanswered requests", [q(f"sum by (agent_type) (rate(agent_unanswered_requests_total{{{a}}}[$__rate_interval]))", "{{agent_type}}")],
                   PER_S, PENDING + "Requests that got no reply."),
    ], [query_variable("agent_type", "Agent type", "label_values(agent_transport_messages_total, source_agent)"),
        query_variable("agent_id", "Agent id", 'label_values(agent_status{agent_type=~"$agent_type"}, agent_id)')])


def flow():
    edges = ('label_join(transport:message_rate_by_pair_5m, '
             '"id", "->", "source_agent", "target_agent")')
    nodes = ('label_replace(system:message_flow_by_target_5m, '
             '"id", "$1", "target_agent", "(.*)")')
    # Node graph frames: "nodes" needs id (+ mainstat), "edges" id, source, target (+ mainstat).
    node_graph = panel("nodeGraph", "Agent graph", [q(nodes, instant=True, table=True, ref="nodes"),
                                                    q(edges, instant=True, table=True, ref="edges")],
                       MSGS, "Agent types as nodes (frames received per second), pairs as edges (frames per second).",
                       w=24, h=12, transformations=[
                           {"id": "organize", "options": {
                               "excludeByName": {"Time": True},
                               "renameByName": {"source_agent": "source", "target_agent": "target",
                                                "Value #edges": "mainstat", "Value #nodes": "mainstat"}}}])
    return dashboard("agentmon-flow", "agentmon / Message Flow",
                     "Who talks to whom: the agent graph, the flow matrix, top producers and consumers.", [
        node_graph,
        table("Flow matrix (last tick)", [q("message_flow_matrix", instant=True, table=True)], MSGS,
              "Frames per second per source and target type over agentmon's last tick."),
        table("Latency by receiving agent (p99, 5 m)", [q("histogram_quantile(0.99, sum by (le, target_agent, carrier) (rate(agent_transport_latency_seconds_bucket[5m])))", instant=True, table=True)],
              SECONDS, "99th percentile latency of the frames each agent type receives, per carrier."),
        bargauge("Top 10 producers", [q("topk(10, system:message_flow_by_source_5m)", "{{source_agent}}", instant=True)], MSGS,
                 "Frames per second sent by each type (as received), 5 m."),
        bargauge("Top 10 consumers", [q("topk(10, system:message_flow_by_target_5m)", "{{target_agent}}", instant=True)], MSGS,
                 "Frames per second received by each type, 5 m."),
        timeseries("Top 10 pairs over time", [q("topk(10, transport:message_rate_by_pair_5m)", "{{source_agent}} -> {{target_agent}}")],
                   MSGS, "The ten busiest pairs, 5 m rates."),
        table("Bytes by sender", [q('topk(20, sum by (source_agent, carrier) (rate(agent_transport_bytes_total{direction="received"}[5m])))', instant=True, table=True)],
              BYTES_PER_S, "Bytes per second of the 20 heaviest sending types and carriers."),
    ], links=[traces_link()])


def burn_rate(title, budget):
    """The 1 h and 6 h burn rates of one SLO against the paging rates."""
    return timeseries(title, [q(f"slo:{budget}_budget_burn_rate_1h", "1 h"), q(f"slo:{budget}_budget_burn_rate_6h", "6 h"),
                              q("vector(14.4)", "page (1 h)"), q("vector(6)", "page (6 h)")],
                      "suffix:x", "Budget spend rate: 1 spends the 30-day budget in 30 days.")


def slo():
    return dashboard("agentmon-slo", "agentmon / SLI and SLO",
                     "Availability 99.9 % and 95 % of frames within 100 ms: SLIs, error budgets and burn rates.", [
        stat("Availability", [q("sli:availability_1h", "1 h"), q("sli:availability_1d", "1 d"),
                              q("sli:availability_7d", "7 d"), q("sli:availability_30d", "30 d")], RATIO,
             "1 - error ratio; SLO 99.9 %.", w=12, thresholds=[(None, "red"), (0.999, "green")], decimals=3),
        stat("Frames within 100 ms", [q("sli:latency_compliance_1h", "1 h"), q("sli:latency_compliance_1d", "1 d"),
                                      q("sli:latency_compliance_7d", "7 d")], RATIO,
             "Share of frames delivered within 100 ms; SLO 95 %.", w=12, thresholds=[(None, "red"), (0.95, "green")], decimals=2),
        gauge("Availability budget left (30 d)", [q("slo:error_budget_remaining_30d", "budget left")], RATIO,
              "1 = untouched, 0 = spent.", minimum=-1),
        gauge("Latency budget left (30 d)", [q("slo:latency_budget_remaining_30d", "budget left")], RATIO,
              "1 = untouched, 0 = spent.", minimum=-1),
        stat("Throughput vs 4 M target", [q("transport:message_rate_5m / 4e6", "of target")], RATIO,
             "Delivered frames per second over the 4 M msg/s target, 5 m.", w=6, h=6,
             thresholds=[(None, "red"), (1, "green")]),
        stat("Agents healthy", [q("system:healthy_agents_ratio", "health > 80")], RATIO,
             PENDING + "Share of agents with health above 80; target 90 %.", w=6, h=6,
             thresholds=[(None, "red"), (0.9, "green")]),
        burn_rate("Availability burn rate", "error"),
        burn_rate("Latency burn rate", "latency"),
        timeseries("Error ratio windows", [q("sli:error_ratio:rate5m", "5 m"), q("sli:error_ratio:rate1h", "1 h"),
                                           q("sli:error_ratio:rate6h", "6 h"), q("sli:error_ratio:rate3d", "3 d")],
                   RATIO, "The windows the burn-rate alerts compare."),
        table("SLO alerts", [q('ALERTS{component="slo"}', instant=True, table=True)], COUNT,
              "Burn-rate alerts pending or firing."),
    ])


def capacity():
    return dashboard("agentmon-capacity", "agentmon / Capacity Planning",
                     "Utilisation of the bus's design capacity and its trend; agentmon's own cost and limits.", [
        gauge("Bus utilisation", [q("transport:message_rate_5m / 4.2e6", "of 4.2 M msg/s")], RATIO,
              "Delivered frames per second over the design capacity of 4.2 M.", h=8),
        timeseries("Throughput and forecast", [q("transport:message_rate_5m", "now"),
                                               q("predict_linear(transport:message_rate_5m[1h], 3600)", "in 1 h (1 h fit)"),
                                               q("predict_linear(transport:message_rate_5m[6h], 6 * 3600)", "in 6 h (6 h fit)"),
                                               q("predict_linear(transport:message_rate_5m[1d], 86400)", "in 1 d (1 d fit)")],
                   MSGS, "Linear forecasts of delivered frames per second; TransportThroughputDegrading uses the 30 m fit.", w=18),
        timeseries("Throughput forecast with band", [q("transport:message_rate_5m", "now"),
                                                     q("capacity:message_rate_forecast_1d", "in 1 d"),
                                                     q("capacity:message_rate_forecast_upper_1d", "in 1 d, upper"),
                                                     q("capacity:message_rate_forecast_lower_1d", "in 1 d, lower")],
                   MSGS, "predict_linear over the last day, a day ahead, with a band of two standard deviations "
                   "of the day (rough; agentmon capacity gives the seasonal forecast)."),
        timeseries("Agent CPU forecast", [q("capacity:agent_cpu_cores_5m", "now"),
                                          q("capacity:agent_cpu_cores_forecast_1d", "in 1 d"),
                                          q("capacity:agent_cpu_cores_forecast_upper_1d", "in 1 d, upper")],
                   "suffix: cores", "Agents' CPU in cores and its linear forecast a day ahead with the band's upper edge."),
        timeseries("Bytes by carrier", [q("transport:bytes_rate_by_carrier_5m", "{{carrier}}")], BYTES_PER_S,
                   "Delivered bytes per second, 5 m."),
        timeseries("Frames map fill", [q('agentmon_bpf_map_entries{map="frames"} / agentmon_bpf_map_capacity{map="frames"}', "{{instance}}")],
                   RATIO, "Keys in the kernel's frames map over its capacity; full means MAP_FULL."),
        timeseries("Exported series", [q('count by (__name__) ({__name__=~"agent_transport_messages_total|agent_transport_bytes_total"})', "{{__name__}}")],
                   COUNT, "Label sets of the budgeted families; the default budget is 20000 per family."),
        timeseries("agentmon CPU", [q("rate(agentmon_process_cpu_seconds_total[$__rate_interval])", "{{instance}}")], RATIO,
                   "agentmon's user+system CPU, share of one core (target: under 2 % of the host)."),
        timeseries("agentmon memory", [q("agentmon_process_resident_memory_bytes", "{{instance}}")], BYTES,
                   "agentmon's resident memory."),
        timeseries("BPF program runs", [q("sum by (program) (rate(agentmon_bpf_program_runs_total[$__rate_interval]))", "{{program}}")],
                   PER_S, "Runs per second of each BPF program: the events agentmon pays for."),
        timeseries("Collection tick duration p99", [q("histogram_quantile(0.99, sum by (le, instance) (rate(agentmon_collection_duration_seconds_bucket[$__rate_interval])))", "{{instance}}")],
                   SECONDS, "Time one tick takes to read every collector; it must stay well under the tick."),
        timeseries("Agent CPU by type", [q("agent:cpu_cores_5m", "{{agent_type}}")], "suffix: cores",
                   PENDING + "Cores used per agent type."),
        timeseries("Agent memory by type", [q("agent:memory_resident_bytes", "{{agent_type}}")], BYTES,
                   PENDING + "Resident bytes per agent type."),
        timeseries("Deepest queue by type", [q("agent:queue_depth_max_5m", "{{agent_type}}")], COUNT,
                   PENDING + "Largest queue depth per agent type, 5 m."),
        timeseries("Run queue delay p99", [q("agent:runqueue_delay_p99_5m", "{{agent_type}}")], SECONDS,
                   PENDING + "Scheduling delay: the host's CPU headroom as agents feel it."),
    ])


DASHBOARDS = {
    "system-overview.json": overview,
    "transport-layer.json": transport,
    "individual-agents.json": agents,
    "message-flow.json": flow,
    "sli-slo.json": slo,
    "capacity-planning.json": capacity,
}
