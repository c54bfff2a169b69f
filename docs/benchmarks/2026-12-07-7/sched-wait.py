#!/usr/bin/env python3
# Per second: for each process group, CPU time and run-queue wait (ms per s) summed over its threads.
import os, sys, time
out = open(sys.argv[1], 'w', buffering=1)
def groups():
    g = {}
    for pid in os.listdir('/proc'):
        if not pid.isdigit(): continue
        try:
            cmd = open(f'/proc/{pid}/cmdline','rb').read().replace(b'\0', b' ').decode(errors='replace')
        except Exception: continue
        if 'loadtest.jar compare' in cmd or 'LoadtestMain compare' in cmd: name='gen'
        elif 'loadtest.jar backend' in cmd: name='backend'
        elif 'gateway.jar' in cmd and 'serve' in cmd: name='gateway'
        elif cmd.startswith('nginx'): name='nginx'
        elif cmd.startswith('postgres'): name='pg'
        else: continue
        g.setdefault(name, []).append(pid)
    return g
def sample(g):
    r = {}
    for name, pids in g.items():
        cpu = wait = 0
        for pid in pids:
            try: tids = os.listdir(f'/proc/{pid}/task')
            except Exception: continue
            for t in tids:
                try:
                    a = open(f'/proc/{pid}/task/{t}/schedstat').read().split()
                    cpu += int(a[0]); wait += int(a[1])
                except Exception: pass
        r[name] = (cpu, wait)
    return r
prev = None; pg = None
while True:
    g = groups(); s = sample(g); t = time.time()
    if prev:
        line = [time.strftime('%H:%M:%S', time.gmtime(t))]
        for name in ('gen','backend','nginx','gateway','pg'):
            if name in s and name in prev[1]:
                dc = (s[name][0]-prev[1][name][0])/1e6; dw=(s[name][1]-prev[1][name][1])/1e6
                line.append(f'{name} cpu={dc:.0f} wait={dw:.0f}')
        out.write('  '.join(line)+'\n')
    prev = (t, s)
    time.sleep(1)
