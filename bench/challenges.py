"""The challenge list at size (10,000 challenges, 50,000 applications): see challenge_list.py.

This file is named like the `challenges` app, so Django, importing the app from a process whose
script folder is bench/, would find this script instead; it only hands over to challenge_list.py.
Same arguments, same one JSON line.
"""

import os
import sys

if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    os.execv(sys.executable, [sys.executable, os.path.join(here, "challenge_list.py"), *sys.argv[1:]])
