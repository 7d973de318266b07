# questlog hook for interactive bash (5.1+): records every command typed (text, cwd, exit code,
# start time, duration, session id, tty) in questlogd, the ainux activity log.
#
# One agent process per shell session (`questlog session-agent`, started here once) reads the
# records from a pipe; a prompt only runs builtins writing to that pipe, so no process is
# spawned per command. Commands kept out of history (HISTCONTROL=ignorespace and a leading
# space) are not recorded. Opt out with QUESTLOG_DISABLE=1 in the environment.
# shellcheck shell=bash

[ -n "${BASH_VERSION-}" ] || return 0
case $- in *i*) ;; *) return 0 ;; esac
[ -z "${__ql_loaded-}" ] || return 0
[ -z "${QUESTLOG_DISABLE-}" ] || return 0
(( BASH_VERSINFO[0] > 5 || (BASH_VERSINFO[0] == 5 && BASH_VERSINFO[1] >= 1) )) || return 0
command -v questlog >/dev/null 2>&1 || return 0
__ql_loaded=1

printf -v __ql_session '%08x%08x' "$SRANDOM" "$SRANDOM"
__ql_tty=$(tty 2>/dev/null) || __ql_tty=
# The agent ignores the terminal's signals and exits when this shell closes the pipe.
__ql_start_agent() {
    exec {__ql_fd}> >(exec questlog session-agent --shell bash --session "$__ql_session" --tty "$__ql_tty" >/dev/null 2>&1)
    __ql_pid=$!
}
__ql_start_agent
__ql_start=
__ql_nil=

__ql_prompt() {
    local __ql_rc=$?
    if [[ -n $__ql_start ]]; then
        # Writing to a pipe nobody reads would kill this shell: if the agent is gone (killed,
        # crashed), start a new one first. `kill -0` is a builtin: no fork.
        if ! kill -0 "$__ql_pid" 2>/dev/null; then
            exec {__ql_fd}>&-
            __ql_start_agent
        fi
        {
            printf '\036%s\037%s\037%s\037%s\n' "$__ql_rc" "$__ql_start" "$EPOCHREALTIME" "$PWD"
            HISTTIMEFORMAT='' builtin history 1
            printf '\035\n'
        } 1>&"$__ql_fd" 2>/dev/null
        __ql_start=
    fi
    return "$__ql_rc"
}

# PS0 is expanded (in this shell) after a command line is read and before it runs: note the
# start time there (microseconds, via an arithmetic subscript), printing nothing.
# shellcheck disable=SC2016
PS0="${PS0-}"'${__ql_nil[__ql_start=${EPOCHREALTIME/[.,]/},0]}'
PROMPT_COMMAND=(__ql_prompt "${PROMPT_COMMAND[@]}")
