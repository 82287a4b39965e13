#!/bin/sh
# agent.sh: the passphrase typed once (issue 15, "unlock once"), through
# the command line against a real binomed. `binome agent` unlocks the keys
# with the passphrase and runs in the background; then commands run with
# no passphrase and no terminal; the socket is 0600 in the 0700 profile
# directory; another user's process gets nothing (peer credentials, when
# run as root); `binome lock`, SIGTERM and the idle time make it forget
# the keys, after which commands need the passphrase again; a second agent
# is refused, a stale socket replaced; the agent writes nothing else into
# the profile and keeps no file open but its socket.
#
#   BUILD=build sh tests/integration/agent.sh
#
# Prints "ok N - ..." / "not ok N - ..." per check and ends with
# "N passed, N failed"; exits 1 when a check failed.
. "$(dirname "$0")/lib/common.sh"
PEER=$BUILD/tests/bn_agent_peer
need_progs "run make tests first" "$BINOMED" "$BINOME" "$PEER"
make_tmp agent
# Every agent this script started is stopped on exit, whatever happened.
agents=""
trap 'for a in $agents; do kill "$a" 2>/dev/null; done; cleanup' EXIT

start_daemon_checked 61 97 "binomed starts"
join_admin "$(tail -n 1 "$T/invite")" Claire
PROG=$(new_programme Agents)
join_people "$PROG" alice:mentor bob:mentee
verified_pair P alice bob

A=$T/alice
SOCK=$A/agent.sock
PASS="pass phrase of alice"
# nob WHO ARGS...: binome as WHO with no passphrase and no terminal (its
# own session, stdin from /dev/null): only an agent can unlock.
nob() {
    who=$1
    shift
    setsid -w "$BINOME" --profile "$T/$who" "$@" </dev/null
}
# agent [ARGS...]: alice starts her agent with her passphrase; its pid is
# remembered (in $apid and for the exit) from the line it prints.
agent() {
    BINOME_PASSPHRASE=$PASS setsid -w "$BINOME" --profile "$A" agent "$@" \
        </dev/null >"$T/out" 2>"$T/err"
    st=$?
    got=$(sed -n 's/^agent running (pid \([0-9]*\)).*/\1/p' "$T/out")
    if [ -n "$got" ]; then
        apid=$got
        agents="$agents $apid"
    fi
    return $st
}
# gone PID: the process ends within 15 s.
gone() {
    i=0
    while kill -0 "$1" 2>/dev/null; do
        i=$((i + 1))
        [ $i -ge 150 ] && return 1
        sleep 0.1
    done
}
# mode_of PATH: its permission bits in octal.
mode_of() { stat -c %a "$1"; }

refuse "without an agent a command needs the passphrase" "passphrase" \
    nob alice whoami
find "$A" | sort >"$T/files.before"

# ---- started once, used by commands that ask nothing ---------------------
check "alice starts her agent with her passphrase" agent
has "it says it runs and until when it keeps the keys" "$T/out" \
    "forgets your keys after 15 minutes without use"
cat "$T/out" "$T/err" >"$T/agent.said"
lacks "it prints no passphrase" "$T/agent.said" "$PASS"
if [ -S "$SOCK" ] && [ "$(mode_of "$SOCK")" = 600 ]; then
    ok "agent.sock is a socket of mode 0600"
else
    not_ok "agent.sock is a socket of mode 0600 (got $(mode_of "$SOCK"))"
fi
if [ "$(mode_of "$A")" = 700 ]; then
    ok "the profile directory is 0700"
else
    not_ok "the profile directory is 0700 (got $(mode_of "$A"))"
fi
find "$A" | sort >"$T/files.agent"
if [ "$(comm -13 "$T/files.before" "$T/files.agent")" = "$SOCK" ] &&
    [ -z "$(comm -23 "$T/files.before" "$T/files.agent")" ]; then
    ok "the agent added agent.sock to the profile and nothing else"
else
    not_ok "the agent added agent.sock to the profile and nothing else"
    diff "$T/files.before" "$T/files.agent" | sed 's/^/#   /'
fi

check "whoami with no passphrase and no terminal" nob alice whoami
has "it is alice's account" "$T/out" "alice"
check "pair list with no passphrase" nob alice pair list
has "it lists her pair" "$T/out" "$P"
echo "Written through the agent." >"$T/n1"
check "note add with no passphrase" nob alice note add "$P" --file "$T/n1"
N1=$(cat "$T/out")
check "note list with no passphrase" nob alice note list "$P"
has "the note is listed" "$T/out" "$(printf '%s' "$N1" | cut -c1-8)"
check "note show with no passphrase" nob alice note show "$P" "$N1" --raw
has "and reads back" "$T/out" "Written through the agent."
check "drafts (keys, no server) with no passphrase" nob alice drafts
refuse "bob, without an agent of his own, still needs his passphrase" \
    "passphrase" nob bob whoami
refuse "binome passphrase still asks the current passphrase" "passphrase" \
    nob alice passphrase
check "agent --status" nob alice agent --status
has "it says it runs and when it forgets the keys" "$T/out" \
    "agent running (pid $apid): it forgets your keys at"
refuse "a second agent is refused before any passphrase" "already running" \
    nob alice agent
refuse "a second agent with the passphrase too" "already running" agent

# ---- what the agent holds and writes -------------------------------------
# The agent is not dumpable: /proc/PID/fd and environ are root's, so only
# root looks inside; its own user is refused, which proves it.
if [ "$(id -u)" = 0 ]; then
    # Its open files: the socket, the directory it locks, /dev/null and
    # the two ends of its own stop pipe (one pipe); nothing inherited, no
    # file it could write a key to.
    ls -l "/proc/$apid/fd" 2>/dev/null | sed -n 's/.* -> //p' >"$T/fds.all"
    grep -v -e '^socket:' -e '^/dev/null$' -e '^pipe:' \
        -e "^$(readlink -f "$A")\$" "$T/fds.all" >"$T/fds"
    if [ -d "/proc/$apid/fd" ] && [ ! -s "$T/fds" ] &&
        [ "$(grep -c '^pipe:' "$T/fds.all")" = 2 ] &&
        [ "$(grep '^pipe:' "$T/fds.all" | sort -u | wc -l)" = 1 ]; then
        ok "the agent keeps no file open but its socket, directory and stop pipe"
    else
        not_ok "the agent keeps no file open but its socket, directory and stop pipe"
        sed 's/^/#   /' "$T/fds.all"
    fi
    if [ "$(readlink "/proc/$apid/fd/2")" = /dev/null ]; then
        ok "its standard error goes nowhere (it logs nothing)"
    else
        not_ok "its standard error goes nowhere (it logs nothing)"
    fi
    tr '\0' '\n' <"/proc/$apid/environ" >"$T/environ" 2>/dev/null
    if [ -s "$T/environ" ] && grep -q '^PATH=' "$T/environ"; then
        lacks "the passphrase is wiped from its environment" "$T/environ" \
            "$PASS"
    else
        not_ok "its environment can be read (root)"
    fi
else
    if cat "/proc/$apid/environ" >/dev/null 2>&1; then
        not_ok "it is not dumpable: its own user cannot read its environment"
    else
        ok "it is not dumpable: its own user cannot read its environment"
    fi
fi
if [ -r "/proc/$apid/limits" ] &&
    grep -q '^Max core file size *0 *0' "/proc/$apid/limits"; then
    ok "it makes no core file"
else
    not_ok "it makes no core file"
    grep -i core "/proc/$apid/limits" 2>/dev/null | sed 's/^/#   /'
fi
grep -rlF "$PASS" "$A" >"$T/leak" 2>/dev/null
lacks "the passphrase is in no file of the profile" "$T/leak" "$A"

# ---- another user's process gets nothing -------------------------------
# Three lines of defence: the directory's mode (0700), the socket's (0600:
# connecting needs write permission on it), then the peer's credentials
# (SO_PEERCRED). Each is opened in turn for these checks alone, to prove
# the next one.
# as_nobody ARGS...: the helper as user and group 65534 (nobody).
as_nobody() {
    setpriv --reuid=65534 --regid=65534 --clear-groups "$T/peer" "$@"
}
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1; then
    "$PEER" "$SOCK" >"$T/out" 2>"$T/err"
    has "the helper, as alice's own user, is answered with her keys" \
        "$T/out" "answered"
    cp "$PEER" "$T/peer" && chmod 755 "$T/peer"
    chmod 711 "$T"
    as_nobody "$SOCK" >"$T/out" 2>"$T/err"
    has "another user cannot reach the socket in the 0700 directory" \
        "$T/out" "cannot connect: Permission denied"
    chmod 711 "$A"
    as_nobody "$SOCK" >"$T/out" 2>"$T/err"
    has "nor connect to the 0600 socket in an open directory" "$T/out" \
        "cannot connect: Permission denied"
    chmod 666 "$SOCK"
    as_nobody "$SOCK" >"$T/out" 2>"$T/err"
    st=$?
    as_nobody "$SOCK" 3 >"$T/out3" 2>>"$T/err"
    st3=$?
    chmod 600 "$SOCK"
    chmod 700 "$A"
    chmod 700 "$T"
    if [ $st = 0 ] && grep -q "closed, nothing sent" "$T/out"; then
        ok "connected, another user asking for the keys gets nothing (peer credentials)"
    else
        not_ok "connected, another user asking for the keys gets nothing (peer credentials)"
        sed 's/^/#   /' "$T/out"
    fi
    if [ $st3 = 0 ] && grep -q "closed, nothing sent" "$T/out3"; then
        ok "nor an answer to STATUS"
    else
        not_ok "nor an answer to STATUS"
        sed 's/^/#   /' "$T/out3"
    fi
    if kill -0 "$apid" 2>/dev/null; then
        ok "the agent runs on after refusing"
    else
        not_ok "the agent runs on after refusing"
    fi
    check "and still gives alice her keys" nob alice whoami
else
    ok "# skip another user's process: not root, or no setpriv"
fi

# ---- lock ------------------------------------------------------------
check "binome lock" nob alice lock
has "it says the agent forgot the keys" "$T/out" "forgot your keys"
if gone "$apid" && [ ! -e "$SOCK" ]; then
    ok "the agent exited and removed its socket"
else
    not_ok "the agent exited and removed its socket"
fi
refuse "after lock, whoami needs the passphrase again" "passphrase" \
    nob alice whoami
check "lock again" nob alice lock
has "says no agent was running" "$T/out" "no agent was running"
check "agent --status with none" nob alice agent --status
has "says none runs" "$T/out" "no agent is running"

# ---- signals -----------------------------------------------------------
check "a new agent starts" agent
kill -TERM "$apid"
if gone "$apid" && [ ! -e "$SOCK" ]; then
    ok "SIGTERM: it exits and removes its socket"
else
    not_ok "SIGTERM: it exits and removes its socket"
fi
check "and another" agent
kill -HUP "$apid"
if gone "$apid" && [ ! -e "$SOCK" ]; then
    ok "SIGHUP (the session ended): it exits and removes its socket"
else
    not_ok "SIGHUP (the session ended): it exits and removes its socket"
fi
refuse "then commands need the passphrase" "passphrase" nob alice whoami

# ---- idle time -----------------------------------------------------------
refuse "--idle takes 1 to 1440 minutes" "--idle must be 1 to 1440" \
    agent --idle 0
BINOME_AGENT_IDLE_SECONDS=5
export BINOME_AGENT_IDLE_SECONDS
check "an agent that forgets after 5 s idle (BINOME_AGENT_IDLE_SECONDS)" agent
has "it says so" "$T/out" "after 5 seconds without use"
check "used at once, it gives the keys" nob alice whoami
unset BINOME_AGENT_IDLE_SECONDS
if gone "$apid" && [ ! -e "$SOCK" ]; then
    ok "after 5 s without use it exited and removed its socket"
else
    not_ok "after 5 s without use it exited and removed its socket"
fi
refuse "then whoami needs the passphrase again" "passphrase" nob alice whoami

# ---- a stale socket, a wrong passphrase, a directory not private ---------
check "one more agent" agent
kill -KILL "$apid"
gone "$apid"
if [ -S "$SOCK" ]; then
    ok "an agent killed with SIGKILL leaves its socket"
else
    not_ok "an agent killed with SIGKILL leaves its socket"
fi
refuse "a stale socket gives no keys" "passphrase" nob alice whoami
check "status: none runs beside a stale socket" nob alice agent --status
has "says none runs" "$T/out" "no agent is running"
check "a new agent replaces the stale socket" agent
check "and gives the keys" nob alice whoami
check "lock it" nob alice lock
gone "$apid"

BINOME_PASSPHRASE="not it" setsid -w "$BINOME" --profile "$A" agent \
    </dev/null >"$T/out" 2>"$T/err"
if [ $? != 0 ] && grep -qi passphrase "$T/err" && [ ! -e "$SOCK" ]; then
    ok "a wrong passphrase starts no agent and leaves no socket"
else
    not_ok "a wrong passphrase starts no agent and leaves no socket"
fi
chmod 750 "$A"
refuse "a profile directory open to the group is refused" \
    "open to other users" agent
has "it says what to do" "$T/err" "chmod 700"
refuse "and says so before asking a passphrase" "open to other users" \
    nob alice agent
chmod 700 "$A"
if [ "$(id -u)" = 0 ]; then
    chown 65534 "$A"
    refuse "a profile directory of another user is refused" \
        "belongs to another user" agent
    chown 0 "$A"
else
    ok "# skip a directory of another user: not root"
fi
if [ ! -e "$SOCK" ]; then
    ok "and no socket is left there"
else
    not_ok "and no socket is left there"
fi

# ---- nothing left behind ----------------------------------------------
find "$A" | sort >"$T/files.after.all"
grep -v -e "/log" -e "/keys" -e "/verified" -e "/sent" "$T/files.after.all" \
    >"$T/files.after"
grep -v -e "/log" -e "/keys" -e "/verified" -e "/sent" "$T/files.before" \
    >"$T/files.base"
if cmp -s "$T/files.base" "$T/files.after"; then
    ok "no file of the agent is left in the profile"
else
    not_ok "no file of the agent is left in the profile"
    diff "$T/files.base" "$T/files.after" | sed 's/^/#   /'
fi

finish
