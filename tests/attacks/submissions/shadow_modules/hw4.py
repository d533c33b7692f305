# Not an attack itself: an honest hw4.py; json.py, yaml.py, subprocess.py... beside it are hostile.
