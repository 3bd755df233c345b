"""No hostile process blinds agentmon.

Triggers: processes that name themselves AG_* (no privilege needed) writing AGEN
frames over Unix stream sockets (tests/integration/hostile_agents.py):
1. 5000 valid frames with 100 forged headers among them (good magic, bad CRC,
   payload_len 1 MiB);
2. one process writing 20000 frames, each with a label set never seen before
   (fabricated target ids);
3. 17 such processes at once, 9000 label sets each;
then an agentbus run of 100000 frames after the flood;
4. a TESTBED process whose ring claims DIRECTOR as the source of its 40 frames;
5. with every frame-counter label kept and label_quota 16, a flooder sending
   20000 frames to 29 label sets to a real agent (AG_SECURITY), which then sends
   1000 frames to 8 label sets of its own;
6. with every frame-counter label kept and the frames map capped at 16 entries
   (`frames_map_entries`), the 20000-frame flood to 29 label sets, then an
   agentbus run of 4 agents on Unix stream.
Expects: 1. every valid frame counted, the forged headers as MALFORMED;
2. and 3. every frame counted, and no new frames map entries: the map is keyed
on what the labels keep (types, never ids) and sized to every such key, so
fabricated ids can neither exhaust a quota nor fill it (nothing MAP_FULL);
afterwards agentbus's frames all counted; 4. the 40 frames counted as
SPOOFED_SOURCE on the ring carrier and as TESTBED's, none as DIRECTOR's;
5. the flood over the flooder's quota, and charged to it, not to the receiver:
the agent's own 1000 frames all counted under SECURITY, none over a quota
(charged to the receiver, the flood would have used the agent's quota up);
6. the label sets past the 16th counted as MAP_FULL and in the carrier and
direction's one overflow series, so the flood's 20000 frames and then every
frame agentbus sent and received are in the Unix totals, and no series is
exported twice.
Prints the figures.
"""

import json
import os
import subprocess
import sys
import tempfile
import time

import harness

harness.require_bpf()
checks = harness.Checks()

HELPER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "hostile_agents.py")


def helper(*args, env=None):
    return subprocess.Popen([sys.executable, HELPER] + [str(a) for a in args],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                            env=dict(os.environ, **(env or {})))


def settled(url):
    time.sleep(1.0)  # the last frames reach the snapshot
    return harness.scrape(url)


def sent(samples, **match):
    return harness.metric_sum(samples, "agent_transport_messages_total", carrier="unix",
                              direction="sent", **match)


def event(samples, name):
    return harness.metric_sum(samples, "agentmon_decoder_events_total", event=name)


def fake_headers(url, path):
    before = harness.scrape(url)
    sender = helper("real", "AG_SECURITY", path, 5000, 100)
    checks.check(sender.stdout.readline().strip() == "done", "the sender wrote its frames")
    sender.wait(timeout=30)
    after = settled(url)
    counted = sent(after, source_agent="SECURITY") - sent(before, source_agent="SECURITY")
    print(f"figure: frames hidden by 100 fake headers (bad CRC, payload_len 1 MiB): "
          f"{5000 - counted:.0f} of 5000")
    checks.equal(counted, 5000, "every valid frame behind the forged headers is counted")
    checks.check(event(after, "MALFORMED") - event(before, "MALFORMED") >= 100,
                 "the forged headers count as MALFORMED")


def flood(url, path, processes, keys):
    before = harness.scrape(url)
    flooders = [helper("flood", "AG_TESTBED", path, keys, 100000 + i * keys)
                for i in range(processes)]
    for f in flooders:
        checks.check(f.stdout.readline().strip() == "done", "a flooder wrote its frames")
        f.wait(timeout=120)
    after = settled(url)
    counted = sent(after) - sent(before)
    checks.equal(counted, processes * keys,
                 f"{processes} flooder(s) x {keys} new label sets: every frame counted")
    return before, after


def ring_spoof(url):
    def ring_sent(samples, source):
        return harness.metric_sum(samples, "agent_transport_messages_total", carrier="ring",
                                  direction="sent", source_agent=source)

    def spoofed(samples):
        return harness.metric_sum(samples, "agent_transport_errors_total", carrier="ring",
                                  error_type="SPOOFED_SOURCE")

    before = harness.scrape(url)
    # TESTBED (id 5) is the ring's producer; its frames claim DIRECTOR (id 1).
    fake = helper("ring_spoof", "AG_TESTBED", 5, 1, 40)
    try:
        checks.check(fake.stdout.readline().strip() == "ready", "the spoofing ring is written")
        time.sleep(3.0)  # discovery, then the ring's first read
        after = harness.scrape(url)
    finally:
        fake.stdin.close()
        fake.wait(timeout=10)
    checks.equal(spoofed(after) - spoofed(before), 40,
                 "ring: every frame claiming another source counted as SPOOFED_SOURCE")
    checks.equal(ring_sent(after, "DIRECTOR") - ring_sent(before, "DIRECTOR"), 0,
                 "ring: no frame exported as the claimed agent's traffic")
    checks.equal(ring_sent(after, "TESTBED") - ring_sent(before, "TESTBED"), 40,
                 "ring: the frames are the producer's")


# The quota part's agentmon: every label of the frame counters kept, so each
# target type is a label set of its own, and a quota small enough for the flood to
# reach: the flood's 20000 targets are 29 label sets each way (28 agent types and
# unknown), the receiver's own frames 8.
QUOTA_CONFIG = {"labels": {"agent_transport_messages_total": "all"}, "label_quota": 16}


def with_config(config_doc, run):
    """run(url, tmp) against an agentmon of its own with config_doc."""
    with tempfile.TemporaryDirectory() as tmp:
        config = os.path.join(tmp, "agentmon.json")
        with open(config, "w") as f:
            json.dump(config_doc, f)
        with harness.agentmon_running(config=config) as (url, _):
            run(url, tmp)


def quota_run(url, tmp):
    sink = helper("sink", os.path.join(tmp, "sink.sock"))
    agent_path = os.path.join(tmp, "agent.sock")
    agent = helper("sink", agent_path, "AG_SECURITY")
    try:
        checks.check(sink.stdout.readline().strip() == "ready", "quota: the sink listens")
        checks.check(agent.stdout.readline().strip() == "ready", "the receiving agent listens")
        time.sleep(2.0)  # discovery identifies it as an agent before the flood
        start = harness.scrape(url)
        flooder = helper("flood", "AG_TESTBED", agent_path, 20000, 1)
        checks.check(flooder.stdout.readline().strip() == "done", "the flooder wrote its frames")
        flooder.wait(timeout=120)
        time.sleep(1.0)
        before = harness.scrape(url)
        agent.stdin.write(f"send {os.path.join(tmp, 'sink.sock')} 1000 1 8\n")
        agent.stdin.flush()
        checks.check(agent.stdout.readline().strip() == "sent", "the agent sent its frames")
        after = settled(url)
    finally:
        for p in (agent, sink):
            p.stdin.close()
            p.wait(timeout=10)
    flood_over = event(before, "LABEL_QUOTA") - event(start, "LABEL_QUOTA")
    own = sent(after, source_agent="SECURITY") - sent(before, source_agent="SECURITY")
    over = event(after, "LABEL_QUOTA") - event(before, "LABEL_QUOTA")
    print(f"figure: label_quota 16: the flood of 20000 frames to 29 label sets each way: "
          f"{flood_over:.0f} frames over the flooder's quota; then the receiver's own 1000 "
          f"frames to 8 label sets: {own:.0f} counted under SECURITY, {over:.0f} over a quota")
    checks.check(flood_over > 0, "the flood reached the flooder's quota",
                 "no frame of the flood was over a quota of 16")
    checks.equal(own, 1000, "the flood received used the sender's quota, not the receiver's")
    checks.equal(over, 0, "the receiver's own label sets are not over its quota")


# The full-map part's agentmon: the flood's 29 label sets (and agentbus's) do not
# fit a map of 16, and no quota stops them first.
FULL_CONFIG = {"labels": {"agent_transport_messages_total": "all"}, "frames_map_entries": 16,
               "label_quota": 131072}


def duplicated_series(samples):
    seen, dups = set(), []
    for name, labels, _ in samples:
        key = (name, tuple(sorted(labels.items())))
        if key in seen:
            dups.append(key)
        seen.add(key)
    return dups


def full_map_run(url, tmp):
    path = os.path.join(tmp, "sink.sock")
    sink = helper("sink", path)
    try:
        checks.check(sink.stdout.readline().strip() == "ready", "full map: the sink listens")
        capacity = harness.metric_sum(harness.scrape(url), "agentmon_bpf_map_capacity",
                                      map="frames")
        checks.equal(capacity, 16, "frames_map_entries caps the frames map")
        before, after = flood(url, path, 1, 20000)
    finally:
        sink.stdin.close()
        sink.wait(timeout=10)
    full = event(after, "FRAMES_MAP_FULL") - event(before, "FRAMES_MAP_FULL")
    overflow = [v for n, labels, v in after
                if n == "agent_transport_messages_total" and labels.get("carrier") == "unix"
                and labels.get("direction") == "sent" and labels.get("source_agent") == "unknown"]
    entries = harness.metric_sum(after, "agentmon_bpf_map_entries", map="frames")
    print(f"figure: frames map capped at 16, 20000 frames to 29 label sets: {entries:.0f} "
          f"entries, {full:.0f} frames folded as MAP_FULL, overflow series {overflow}")
    checks.check(full > 0, "a full frames map counts MAP_FULL", "no frame folded")
    checks.equal(len(overflow), 1, "one overflow series for Unix sends")
    checks.equal(sum(overflow), full, "the folded frames are the overflow series' frames")
    checks.equal(duplicated_series(after), [], "every exported series is unique")

    base = harness.transport_totals(harness.scrape(url), "unix")
    code, truth, err = harness.run_agentbus(["--carrier", "unix", "--agents", "4",
                                             "--messages", "50000"])
    checks.check(code == 0 and truth, "full map: agentbus ran", err[-500:])
    got_samples = settled(url)
    got = harness.transport_totals(got_samples, "unix")
    if truth:
        want = truth["by_carrier"]["unix"]
        print(f"figure: with the map full, real frames counted: {got['sent'] - base['sent']:.0f}"
              f" of {want['sent']} sent, {got['received'] - base['received']:.0f} of "
              f"{want['received']} received")
        checks.equal(got["sent"] - base["sent"], want["sent"],
                     "with the map full every real frame sent is counted")
        checks.equal(got["received"] - base["received"], want["received"],
                     "with the map full every real frame received is counted")
        checks.equal(got["bytes_sent"] - base["bytes_sent"], want["bytes_sent"],
                     "with the map full every real byte sent is counted")
    checks.equal(duplicated_series(got_samples), [], "every exported series is unique")


with harness.agentmon_running() as (url, proc), tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "sink.sock")
    sink = helper("sink", path)
    try:
        checks.check(sink.stdout.readline().strip() == "ready", "the sink listens")
        ring_spoof(url)
        fake_headers(url, path)

        # The frames map is keyed on what the labels keep (agent types, message type,
        # priority, carrier, direction; never agent ids) and sized to every such key,
        # so label sets made of fabricated target ids add no entries: the flood can
        # neither exhaust a quota nor fill the map, and every frame is counted.
        entries_before = harness.metric_sum(harness.scrape(url), "agentmon_bpf_map_entries",
                                            map="frames")
        before, after = flood(url, path, 1, 20000)
        quota = event(after, "LABEL_QUOTA") - event(before, "LABEL_QUOTA")
        entries = harness.metric_sum(after, "agentmon_bpf_map_entries", map="frames")
        print(f"figure: one process, 20000 fabricated label sets: frames map entries "
              f"{entries_before:.0f} -> {entries:.0f}, {quota:.0f} frames over its quota")
        checks.check(entries - entries_before <= 4,
                     "fabricated target ids add no label sets to the frames map",
                     f"{entries_before} -> {entries} entries")

        before, after = flood(url, path, 17, 9000)
        full = event(after, "FRAMES_MAP_FULL") - event(before, "FRAMES_MAP_FULL")
        print(f"figure: 17 processes x 9000 label sets: map entries "
              f"{harness.metric_sum(after, 'agentmon_bpf_map_entries', map='frames'):.0f}, "
              f"{full:.0f} frames folded as MAP_FULL")
        checks.equal(full, 0, "17 flooding processes cannot fill the frames map")

        base = harness.transport_totals(harness.scrape(url), "unix")
        code, truth, err = harness.run_agentbus(["--carrier", "unix", "--agents", "4",
                                                 "--messages", "100000"])
        checks.check(code == 0 and truth, "agentbus ran", err[-500:])
        got = harness.transport_totals(settled(url), "unix")
        if truth:
            want = truth["by_carrier"]["unix"]
            print(f"figure: real frames counted after the map flood: "
                  f"{got['sent'] - base['sent']:.0f} of {want['sent']} sent")
            checks.equal(got["sent"] - base["sent"], want["sent"],
                         "after the flood every real frame sent is counted")
            checks.equal(got["received"] - base["received"], want["received"],
                         "after the flood every real frame received is counted")
    finally:
        sink.stdin.close()
        sink.wait(timeout=10)
    checks.check(proc.poll() is None, "agentmon still running")
with_config(QUOTA_CONFIG, quota_run)
with_config(FULL_CONFIG, full_map_run)
checks.finish()
