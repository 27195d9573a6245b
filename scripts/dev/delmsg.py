#!/usr/bin/env python3
"""Dev helper: delete messages (by id) from both catalogs."""
import sys, re, os, glob
CAT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../crates/raw-core/catalog")
for p in glob.glob(os.path.join(CAT, "*", "*.ftl")):
    s = open(p).read()
    for mid in sys.argv[1:]:
        s = re.sub(r'^' + re.escape(mid) + r' = .*\n(?:[ \t]+.*\n|\}\n)*', '', s, flags=re.M)
    open(p, 'w').write(s)
