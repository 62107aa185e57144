"""What the process tests of tests/wasm3 share about jit-skip.txt (`CASE@ENGINE REASON`: the
cases an engine must refuse cleanly until it implements them)."""
import os


class Skipped(Exception):
    pass


def skip_reason(directory, case, engine):
    """The reason jit-skip.txt (in `directory`) gives for CASE in `engine`, or None."""
    with open(os.path.join(directory, "jit-skip.txt")) as f:
        for line in f:
            key, _, reason = line.strip().partition(" ")
            if key == f"{case}@{engine}" and not line.startswith("#"):
                return reason
    return None
