# questlog: load the command-recording hook in interactive bash login shells. Non-login
# interactive shells load it from /etc/bash.bashrc.d/ (the hook guards against loading twice).
# shellcheck shell=sh
if [ -n "${BASH_VERSION-}" ] && [ -r /etc/bash.bashrc.d/questlog.bash ]; then
    # shellcheck disable=SC1091
    . /etc/bash.bashrc.d/questlog.bash
fi
