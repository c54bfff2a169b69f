#!/usr/bin/env python3
# Samples per-CPU busy time each second, and where running postgres processes are at 20 Hz.
import os, sys, time
out = open(sys.argv[1], 'w')
def cpus():
    r = {}
    for l in open('/proc/stat'):
        if l.startswith('cpu') and l[3].isdigit():
            f = l.split(); v = list(map(int, f[1:9]))
            idle = v[3] + v[4]; r[f[0]] = (sum(v), idle)
    return r
def pg_pids():
    p = []
    for d in os.listdir('/proc'):
        if d.isdigit():
            try:
                if open(f'/proc/{d}/comm').read().strip() in ('postgres',): p.append(d)
            except OSError: pass
    return p
prev = cpus(); pids = pg_pids(); t_pids = time.time()
onrun = {}
while True:
    t0 = time.time()
    for _ in range(20):
        for d in pids:
            try:
                f = open(f'/proc/{d}/stat').read().rsplit(')', 1)[1].split()
                if f[0] == 'R':
                    c = f[36]; onrun[c] = onrun.get(c, 0) + 1
            except OSError: pass
        time.sleep(0.05)
    cur = cpus()
    busy = {c: 100.0 * (1 - (cur[c][1] - prev[c][1]) / max(1, cur[c][0] - prev[c][0])) for c in cur}
    prev = cur
    out.write(f"{time.strftime('%H:%M:%S', time.gmtime())} " + ' '.join(f"{c}={busy[c]:.0f}%" for c in sorted(busy))
              + ' pgR=' + ','.join(f"cpu{k}:{v}" for k, v in sorted(onrun.items())) + '\n'); out.flush()
    onrun = {}
    if time.time() - t_pids > 10: pids = pg_pids(); t_pids = time.time()
