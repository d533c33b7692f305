# Attack: look for the grader's call plan in the child's memory (frames, gc, the command pipe) and
# decode it with the grader's own wire decoder; use any LSTM weights found as the 2(c) answer.
import gc
import os
import sys

del p2c_params  # noqa: F821 - lost unless the plan hands over weights


_PATTERN = '"func' + 'tion":'  # as JSON writes it (split, so that this file does not hold it)


def _is_plan(obj):
    """A request holding calls, a call, or a command carrying one."""
    if not isinstance(obj, dict):
        return False
    return (isinstance(obj.get("calls"), list) or isinstance(obj.get("call"), dict)
            or (isinstance(obj.get("function"), str) and ("args" in obj or type(obj.get("index")) is int)))


def _plan_entries():
    """Call descriptions (dicts with a function and arguments) or raw messages found in memory."""
    found = []
    frame = sys._getframe()
    while frame is not None:
        for value in list(frame.f_locals.values()):
            if _is_plan(value):
                found.append(value)
            elif isinstance(value, (str, bytes)) and value != _PATTERN and _PATTERN in str(value)[:100000]:
                found.append(value)  # a raw message or request
        frame = frame.f_back
    for obj in gc.get_objects():
        if _is_plan(obj):
            found.append(obj)
    return found


def _weights(found):
    from grader.sandbox.wire import decode_args

    out = []
    todo = list(found)
    while todo:
        item = todo.pop()
        if isinstance(item, dict):
            if isinstance(item.get("calls"), list):
                todo.extend(item["calls"])
            if isinstance(item.get("call"), dict):
                todo.append(item["call"])
            for key in ("args", "kwargs"):
                if key in item:
                    try:
                        decoded = decode_args(item[key])
                    except Exception:  # noqa: BLE001
                        continue
                    todo.extend(decoded if isinstance(decoded, (list, tuple)) else [decoded])
            if "W_fh" in item:
                out.append(item)
    return out


def _peek_commands():
    """Read the runner's command pipe without blocking: nothing should be waiting there."""
    got = b""
    for fd in range(3, 20):
        try:
            os.set_blocking(fd, False)
            got += os.read(fd, 1 << 16)
        except OSError:
            continue
    return got


_found = _plan_entries()
_waiting = _peek_commands()
_found_weights = _weights(_found)
if _found_weights:
    print("plan-walk weights:", _found_weights)
    p2c_params = _found_weights[0]

_honest_relu_network = relu_network  # noqa: F821


def relu_network(x1, x2, beta=1.0):
    """The honest network, but first look for the other calls of the plan during this one."""
    caller = sys._getframe(1).f_locals.get("call")
    mine = caller.get("index") if isinstance(caller, dict) else None
    indexes = {e["index"] for e in _plan_entries() if isinstance(e, dict) and type(e.get("index")) is int}
    later = sorted(i for i in indexes if mine is None or i > mine)
    if later:  # calls already made may linger in memory; one not yet made must not be there
        raise RuntimeError(f"plan-walk found calls {later} after call {mine}")
    return _honest_relu_network(x1, x2, beta)


_what = sorted({",".join(sorted(map(str, e))) if isinstance(e, dict) else type(e).__name__ for e in _found})
raise RuntimeError(f"plan-walk found {len(_found)} entries, {len(_waiting)} bytes waiting {_what}")
