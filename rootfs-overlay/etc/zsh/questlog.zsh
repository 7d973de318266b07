# questlog hook for interactive zsh: records every command typed in questlogd, the ainux
# activity log, through one agent process per session (no process per command).
# Source it from /etc/zsh/zshrc. Opt out with QUESTLOG_DISABLE=1.

[[ -o interactive ]] || return 0
(( ${+__ql_loaded} )) && return 0
[[ -z ${QUESTLOG_DISABLE-} ]] || return 0
(( ${+commands[questlog]} )) || return 0
typeset -g __ql_loaded=1 __ql_start= __ql_cmd= __ql_hist=
zmodload zsh/datetime 2>/dev/null || return 0
typeset -g __ql_session="${RANDOM}${RANDOM}$$"
typeset -g __ql_tty="${TTY-}"
# The agent ignores the terminal's signals and exits when this shell closes the pipe.
__ql_start_agent() {
    exec {__ql_fd}> >(exec questlog session-agent --shell zsh --session "$__ql_session" --tty "$__ql_tty" >/dev/null 2>&1)
}
__ql_start_agent

__ql_preexec() {
    __ql_cmd=$1
    __ql_hist=$HISTCMD
    __ql_start=$EPOCHREALTIME
}

__ql_precmd() {
    local rc=$? rec
    if [[ -n $__ql_start ]]; then
        rec=$'\x1e'"$rc"$'\x1f'"$__ql_start"$'\x1f'"$EPOCHREALTIME"$'\x1f'"$PWD"$'\n'"  $__ql_hist  $__ql_cmd"$'\n\x1d\n'
        # A write fails (EPIPE) when the agent is gone (killed, crashed): start a new one and
        # write the record again. Builtins only, no fork, in the normal case.
        if ! print -rn -- "$rec" >&$__ql_fd 2>/dev/null; then
            exec {__ql_fd}>&-
            __ql_start_agent
            print -rn -- "$rec" >&$__ql_fd 2>/dev/null
        fi
        __ql_start=
    fi
    return rc
}

autoload -Uz add-zsh-hook
add-zsh-hook preexec __ql_preexec
add-zsh-hook precmd __ql_precmd
