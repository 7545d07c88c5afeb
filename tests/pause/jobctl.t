#!/usr/bin/env bash
# jobctl.t — init mode under a real pseudo-terminal with a real interactive
# bash (job control on), driven by python3-pexpect:
#   - `pause -- CMD &` leaves the terminal to the shell (the shell lives on)
#   - Ctrl-Z stops CMD and pause (the prompt comes back), `fg` gives CMD the
#     terminal again and continues it, Ctrl-C then ends it: 130
#   - Ctrl-Z then `bg`: CMD runs on in the background and exits 7
#   - a background CMD reading the terminal stops as "Stopped (tty input)";
#     `fg` lets it read
#   - Ctrl-C on a foreground CMD: 130
#   - when CMD exits, the terminal goes back to pause's group, so the script
#     that ran pause can read the terminal next
# Every shell starts from a clean signal state (pwtest sigset 0 0), as a
# login shell would.
# timeout: 300
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/common.sh"
need_root
/usr/bin/python3 -c 'import pexpect' 2>/dev/null || bail "python3-pexpect missing (scripts/deps.sh test)"

# the shells run in sessions of their own: kill those too on the way out
jobctl_cleanup() {
	local sid
	[ -f "$T/sessions" ] && while read -r sid; do pkill -KILL -s "$sid"; done <"$T/sessions"
	cleanup
}
on_exit 'jobctl_cleanup'

export PAUSE PWTEST T
/usr/bin/python3 - >"$T/facts" 2>"$T/py.err" <<'EOF'
import os, re, sys, time
import pexpect

PAUSE, PWTEST, T = os.environ['PAUSE'], os.environ['PWTEST'], os.environ['T']
PROMPT = 'PWP$ '
WAIT = 20            # generous: the machine is shared and may be very busy

class Hung(Exception):
    pass

def fact(key, value):
    print('%s=%s' % (key, value), flush=True)

def stat(pid):
    """(state, pgrp, tpgid) of pid, or None when it is gone"""
    try:
        with open('/proc/%d/stat' % pid) as f:
            s = f.read()
    except OSError:
        return None
    f = s[s.rindex(')') + 2:].split()
    return f[0], int(f[2]), int(f[5])

def children(pid):
    try:
        with open('/proc/%d/task/%d/children' % (pid, pid)) as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []

def comm(pid):
    try:
        with open('/proc/%d/comm' % pid) as f:
            return f.read().strip()
    except OSError:
        return ''

def until(cond, secs=WAIT):
    end = time.time() + secs
    while time.time() < end:
        v = cond()
        if v:
            return v
        time.sleep(0.02)
    return None

class Shell:
    def __init__(self):
        env = {'PATH': os.environ['PATH'], 'PS1': PROMPT, 'TERM': 'dumb', 'HOME': T,
               'HISTFILE': '/dev/null'}
        self.p = pexpect.spawn(PWTEST, ['sigset', '0', '0', '--', '/bin/bash', '--norc',
                                        '--noprofile', '-i'],
                               env=env, encoding='utf-8', timeout=WAIT, cwd=T)
        # its own session (pexpect's setsid): the .t kills it by that on exit
        with open(os.path.join(T, 'sessions'), 'a') as f:
            f.write('%d\n' % self.p.pid)
        self.prompt()

    def prompt(self):
        """the text before the next prompt; Hung when bash is gone or silent"""
        i = self.p.expect_exact([PROMPT, pexpect.EOF, pexpect.TIMEOUT])
        if i != 0:
            raise Hung('no prompt: %s' % ('bash exited', 'timeout')[i - 1])
        return self.p.before

    def run(self, line):
        self.p.sendline(line)
        return self.prompt()

    def rc(self):
        out = self.run('echo rc=$?:')
        m = re.search(r'rc=(\d+):', out or '')
        return m.group(1) if m else 'none'

    def wait_job(self):
        """status of background job 1 (wait %1)"""
        out = self.run('wait %1; echo rc=$?:')
        m = re.search(r'rc=(\d+):', out or '')
        return m.group(1) if m else 'none'

    def pause_and_cmd(self, cmd_comm):
        """pids of pause (bash's child) and of its command once it runs"""
        def find():
            for p in children(self.p.pid):
                if comm(p) == 'pause':
                    for c in children(p):
                        if comm(c) == cmd_comm:
                            return p, c
            return None
        return until(find) or (0, 0)

    def close(self):
        for p in children(self.p.pid):
            for c in children(p):
                os.system('kill -KILL %d 2>/dev/null' % c)
            os.system('kill -KILL %d 2>/dev/null' % p)
        self.p.close(force=True)

def state_of(pid):
    s = stat(pid)
    return s[0] if s else 'gone'

def case(fn):
    sh = Shell()
    try:
        fn(sh)
    except Exception as e:      # a broken case must not hide the others
        fact(fn.__name__ + '.error', repr(e).replace('\n', ' ')[:200])
    finally:
        sh.close()

def background_start(sh):
    sh.run('%s -s -- sh -c "while [ ! -e go1 ]; do sleep 0.05; done; exit 4" &' % PAUSE)
    pp, cmd = sh.pause_and_cmd('sh')
    fact('bg.started', 'yes' if cmd else 'no')
    tp = stat(sh.p.pid)
    fact('bg.tty_owner', 'shell' if tp and tp[2] == sh.p.pid else 'other')
    out = sh.run('echo alive-$((6*7))')
    fact('bg.shell', 'alive' if out and 'alive-42' in out else 'gone')
    open(os.path.join(T, 'go1'), 'w').close()
    fact('bg.rc', sh.wait_job())

def ctrl_z_fg_ctrl_c(sh):
    sh.p.sendline('%s -s -- sleep 1000' % PAUSE)
    pp, cmd = sh.pause_and_cmd('sleep')
    fact('z.tty_owner', 'cmd' if cmd and stat(cmd)[2] == cmd else 'other')
    sh.p.sendcontrol('z')
    out = sh.prompt()
    fact('z.prompt', 'back')
    m = re.search(r'\[1\]\+\s+(Stopped[^\r\n]*?)\s{2,}', out or '')
    fact('z.job', m.group(1) if m else 'none')
    fact('z.states', '%s %s' % (state_of(pp), state_of(cmd)))
    fact('z.tty_owner_stopped', 'shell' if stat(sh.p.pid)[2] == sh.p.pid else 'other')
    sh.p.sendline('fg')
    # continued, both go back to sleep (R for a moment first: wait for it, a busy CI saw 'S R')
    until(lambda: state_of(pp) == 'S' and state_of(cmd) == 'S', 10)
    until(lambda: stat(cmd) and stat(cmd)[2] == cmd, 10)
    fact('fg.states', '%s %s' % (state_of(pp), state_of(cmd)))
    fact('fg.tty_owner', 'cmd' if stat(cmd) and stat(cmd)[2] == cmd else 'other')
    sh.p.sendcontrol('c')
    out = sh.prompt()
    fact('c.prompt', 'back')
    fact('c.rc', sh.rc())
    fact('c.left', '%s %s' % (state_of(pp), state_of(cmd)))

def ctrl_z_bg(sh):
    sh.p.sendline('%s -s -- sh -c "while [ ! -e go3 ]; do sleep 0.05; done; exit 7"' % PAUSE)
    pp, cmd = sh.pause_and_cmd('sh')
    sh.p.sendcontrol('z')
    sh.prompt()
    fact('zbg.prompt', 'back')
    sh.run('bg')
    ok = until(lambda: state_of(pp) not in ('T', 'gone') and state_of(cmd) not in ('T', 'gone'), 10)
    fact('zbg.running', 'yes' if ok else '%s %s' % (state_of(pp), state_of(cmd)))
    fact('zbg.tty_owner', 'shell' if stat(sh.p.pid)[2] == sh.p.pid else 'other')
    open(os.path.join(T, 'go3'), 'w').close()
    fact('zbg.rc', sh.wait_job())

def tty_input(sh):
    sh.run('%s -s -- sh -c "read x; echo got-\\$x; exit 3" &' % PAUSE)
    pp, cmd = sh.pause_and_cmd('sh')
    until(lambda: state_of(pp) == 'T', 10)
    fact('ttin.states', '%s %s' % (state_of(pp), state_of(cmd)))
    out = sh.run('jobs -l')     # (plain `jobs` says "Stopped" for every stop)
    m = re.search(r'\[1\]\+\s+\d+ (Stopped[^\r\n]*?)\s{2,}', out or '')
    fact('ttin.job', m.group(1) if m else 'none')
    sh.p.sendline('fg')
    until(lambda: stat(cmd) and stat(cmd)[2] == cmd and state_of(cmd) != 'T', 10)
    sh.p.sendline('hello')
    out = sh.prompt()
    m = re.search(r'got-(\w+)', out or '')
    fact('ttin.read', m.group(1) if m else 'none')
    fact('ttin.rc', sh.rc())

def ctrl_c(sh):
    sh.p.sendline('%s -s -- sleep 1000' % PAUSE)
    pp, cmd = sh.pause_and_cmd('sleep')
    sh.p.sendcontrol('c')
    sh.prompt()
    fact('cc.prompt', 'back')
    fact('cc.rc', sh.rc())

def terminal_back(sh):
    sh.p.sendline('sh -c "%s -s -- true; read x; echo read-\\$x"' % PAUSE)
    # pause has come and gone when sh has no child left and sleeps in read
    def reading():
        for p in children(sh.p.pid):
            if comm(p) == 'sh' and not children(p) and state_of(p) in ('S', 'T'):
                return p
        return None
    p = until(reading, 10)
    fact('back.sh_state', state_of(p) if p else 'none')
    sh.p.sendline('abc')
    out = sh.prompt()
    m = re.search(r'read-(\w+)', out or '')
    fact('back.read', m.group(1) if m else ('stopped' if out and 'Stopped' in out else 'none'))

for c in (background_start, ctrl_z_fg_ctrl_c, ctrl_z_bg, tty_input, ctrl_c, terminal_back):
    case(c)
fact('done', 'yes')
EOF
rc=$?
[ -s "$T/py.err" ] && sed 's/^/# py: /' "$T/py.err"
is "$rc:$(grep -c '^done=yes' "$T/facts")" "0:1" "pexpect driver ran every case"
grep '\.error=' "$T/facts" | sed 's/^/# /'

fact() { sed -n "s/^$1=//p" "$T/facts" | head -1; }

# background start: the shell keeps its terminal and survives
is "$(fact bg.started)" yes "pause -- CMD &: CMD started"
is "$(fact bg.tty_owner)" shell "pause -- CMD &: the terminal stays with the shell"
is "$(fact bg.shell)" alive "pause -- CMD &: the interactive shell lives on and reads commands"
is "$(fact bg.rc)" 4 "pause -- CMD &: wait gives CMD's status 4"
# Ctrl-Z, fg, Ctrl-C
is "$(fact z.tty_owner)" cmd "foreground pause -- sleep: sleep's group has the terminal"
is "$(fact z.prompt)" back "Ctrl-Z: the prompt comes back"
is "$(fact z.job)" Stopped "Ctrl-Z: bash reports the job Stopped (as for any job)"
is "$(fact z.states)" "T T" "Ctrl-Z: pause and CMD are both stopped"
is "$(fact z.tty_owner_stopped)" shell "Ctrl-Z: the shell has its terminal back"
is "$(fact fg.states)" "S S" "fg: pause and CMD run again"
is "$(fact fg.tty_owner)" cmd "fg: pause gives the terminal to CMD's group again"
is "$(fact c.prompt)" back "fg, then Ctrl-C: the prompt comes back"
is "$(fact c.rc)" 130 "fg, then Ctrl-C: exit status 130"
is "$(fact c.left)" "gone gone" "fg, then Ctrl-C: pause and CMD are gone"
# Ctrl-Z, bg
is "$(fact zbg.prompt)" back "Ctrl-Z (for bg): the prompt comes back"
is "$(fact zbg.running)" yes "bg: pause and CMD run on"
is "$(fact zbg.tty_owner)" shell "bg: the terminal stays with the shell"
is "$(fact zbg.rc)" 7 "bg: wait gives CMD's status 7"
# background read from the terminal
is "$(fact ttin.states)" "T T" "background CMD reading the terminal: CMD and pause stop"
is "$(fact ttin.job)" "Stopped (tty input)" "background CMD reading the terminal: bash reports Stopped (tty input)"
is "$(fact ttin.read)" hello "fg: CMD gets the terminal and reads what is typed"
is "$(fact ttin.rc)" 3 "fg: then CMD's status 3"
# Ctrl-C
is "$(fact cc.prompt)" back "Ctrl-C on pause -- sleep: the prompt comes back"
is "$(fact cc.rc)" 130 "Ctrl-C on pause -- sleep: exit status 130"
# the terminal back to the script that ran pause
is "$(fact back.sh_state)" S "sh -c 'pause -- true; read x': sh waits in read, not stopped"
is "$(fact back.read)" abc "sh -c 'pause -- true; read x': sh reads the terminal after pause"
done_testing
