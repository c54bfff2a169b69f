#!/usr/bin/env python3
# cpu0.py SECONDS: which tasks are runnable (R) on each CPU, sampled every 5 ms, counted by process/thread name
import os, sys, time, collections
secs=float(sys.argv[1]); c=collections.Counter(); n=0
end=time.time()+secs
me=str(os.getpid())
while time.time()<end:
    n+=1
    for pid in os.listdir('/proc'):
        if not pid.isdigit() or pid==me: continue
        try: tasks=os.listdir(f'/proc/{pid}/task')
        except Exception: continue
        for t in tasks:
            try: st=open(f'/proc/{pid}/task/{t}/stat').read()
            except Exception: continue
            r=st.rindex(')'); f=st[r+2:].split()
            if f[0]!='R': continue
            comm=st[st.index('(')+1:r]
            try: pcomm=open(f'/proc/{pid}/comm').read().strip()
            except Exception: pcomm='?'
            c[(f[36], pcomm, comm)]+=1
    time.sleep(0.005)
print('samples',n)
for (cpu,p,t),k in c.most_common(30): print(f'cpu{cpu} {100*k/n:6.1f}%  {p} / {t}')
