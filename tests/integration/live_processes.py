"""agentmon and agentbus started in the background by the live tests that control their
lifetime themselves: stop agentmon and start it again on the same pins, sample the metrics
while a bus with a fault runs, check a bus run's counts against its truth file.
"""

import json
import os
import subprocess
import tempfile
import time

import harness


def start_agentmon(config, port, tick="200ms"):
    """Starts `agentmon run` with `config` on 127.0.0.1:`port` and waits for /readyz; returns
    (process, URL). The caller stops it: unlike agentmon_running, nothing is detached, for the
    tests that stop and start agentmon again on the same pins."""
    proc = subprocess.Popen([harness.binary("agentmon"), "run", "--config", config, "--listen",
                             f"127.0.0.1:{port}", "--tick", tick],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    if not harness.wait_for(lambda: harness.http_get(url + "/readyz")[0] == 200, timeout=30):
        proc.kill()
        raise RuntimeError("agentmon did not become ready: " + proc.communicate()[1][-2000:])
    return proc, url


def start_agentbus(run_dir, args):
    """Starts agentbus in the background with `args`, its run directory and truth file in
    `run_dir`; returns (process, truth file path). The caller waits for it or kills it."""
    truth_path = os.path.join(run_dir, "truth.json")
    proc = subprocess.Popen([harness.binary("agentbus")] + list(args) +
                            ["--run-dir", run_dir, "--truth", truth_path],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    return proc, truth_path


def sample_through_stall(url, carrier, sample, interval):
    """Runs a 5 s agentbus of 2 agents at 20000 frames/s on `carrier` in which agent 2
    (PROJECT_ORCHESTRATOR) stops reading from 1 s to 3 s, and scrapes `url` every `interval`
    seconds while it runs; returns [(seconds since the start, *sample(scrape)), ...]."""
    series = []
    with tempfile.TemporaryDirectory(prefix="agentbus-stall-") as tmp:
        bus = subprocess.Popen(
            [harness.binary("agentbus"), "--run-dir", tmp, "--carrier", carrier, "--agents", "2",
             "--rate", "20000", "--duration", "5", "--fault", "stall:2", "--fault-start", "1",
             "--fault-duration", "2"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        start = time.monotonic()
        while bus.poll() is None:
            samples = harness.scrape(url)
            series.append((time.monotonic() - start, *sample(samples)))
            time.sleep(interval)
    return series


def carrier_truth(truth_path, carrier):
    """The ground truth of one carrier ({"sent": N, "received": N, ...}) from a truth file."""
    with open(truth_path) as f:
        return json.load(f)["by_carrier"][carrier]
