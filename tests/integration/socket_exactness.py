"""The socket path's exactness runs, shared by the tests of each set of hooks
(test_live_socket: sock_send_length/sock_recv_length; test_live_socket_twin: the
syscall tracepoint twin): agentbus on unix, dgram and tcp with --batch 1, --batch 64
and --split, and agentmon's frame and byte counts must equal the bus's truth."""

import time

import harness

PATTERNS = [("unix", ["--batch", "1"]), ("unix", ["--batch", "64"]), ("unix", ["--split"]),
            ("dgram", []), ("tcp", ["--batch", "1"]), ("tcp", ["--batch", "64"]),
            ("tcp", ["--split"])]


def settled(url):
    time.sleep(0.7)  # a few 200 ms ticks, so the last frames reach the snapshot
    return harness.scrape(url)


def run_and_diff(checks, url, carrier, args):
    before = harness.transport_totals(settled(url), carrier)
    code, truth, err = harness.run_agentbus(["--carrier", carrier] + args)
    if code != 0 or truth is None:
        checks.check(False, f"agentbus {carrier} {args} ran", err[-500:])
        return None, None
    after = harness.transport_totals(settled(url), carrier)
    return {k: after[k] - before[k] for k in after}, truth


def check_exact(checks, url, messages=20000, label=""):
    """Every pattern's frames and bytes, sent and received, equal the bus's truth."""
    for carrier, extra in PATTERNS:
        got, truth = run_and_diff(checks, url, carrier,
                                  ["--agents", "4", "--messages", str(messages)] + extra)
        if got is None:
            continue
        want = truth["by_carrier"][carrier]
        what = f"{label}{carrier} {' '.join(extra) or 'datagrams'}"
        checks.equal(got["sent"], want["sent"], f"{what}: frames sent")
        checks.equal(got["received"], want["received"], f"{what}: frames received")
        checks.equal(got["bytes_sent"], want["bytes_sent"], f"{what}: bytes sent")
        checks.equal(got["bytes_received"], want["bytes_received"], f"{what}: bytes received")
