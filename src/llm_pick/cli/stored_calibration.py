"""The user's stored calibration for the commands that estimate (not `calibrate`, which writes
it: cli/calibrating.py); without typer, for the console entry's fast path."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from llm_pick.errors import LlmPickError

if TYPE_CHECKING:
    from llm_pick.estimate.hardware import Hardware


def with_user_calibration(machine: Hardware) -> Hardware:
    """The hardware with the user's calibration, when there is one for a known card; a file
    that cannot be used is one warning on stderr, and the estimate goes on without it."""
    if machine.gpu is None:  # calibrations are per card
        return machine
    from llm_pick.estimate.calibration import load_calibration

    try:
        found = load_calibration()
    except LlmPickError as error:
        sys.stderr.write(f"Warning: calibration ignored: {error} (llm-pick calibrate --reset)\n")
        return machine
    return machine if found is None else machine._replace(calibration=found)
