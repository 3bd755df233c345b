#!/usr/bin/env bash
# Failure prediction against injected slow deaths and benign disturbances on the
# real bus (scripts/eval_prediction.py says what and how). Builds first. Needs
# root; holds the host-wide test lock for its ~16 minutes.
# Environment: ROUNDS (4), RATE (2000), HORIZON (60), WARMUP (90), TRACE.
exec "$(dirname "$0")/run-built.sh" --rebuild scripts/eval_prediction.py
