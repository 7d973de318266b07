# shellcheck shell=bash
# Shared by the scripts in this directory: messages, root, and installing Debian packages.

AINUX_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export AINUX_ROOT

say() { printf '\033[1m==>\033[0m %s\n' "$*" >&2; }
die() {
    printf 'error: %s\n' "$1" >&2
    shift
    for line in "$@"; do printf '  %s\n' "$line" >&2; done
    exit 1
}

need_root() {
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then
            say "re-running as root with sudo (the image builder needs root)"
            exec sudo --preserve-env=CI,AINUX_IMAGE,AINUX_ACCEL,CARGO_TARGET_DIR "$0" "$@"
        fi
        die "$(basename "$0") must run as root" "why: building images (chroots, file ownership) needs root" "what to do: run it as root or install sudo"
    fi
}

# The first Debian archive URI in the host's apt configuration whose suites include $1.
host_debian_uri() {
    local suite="$1" f
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -e "$f" ] || continue
        awk -v suite="$suite" '
            BEGIN { RS = ""; FS = "\n" }
            {
                uri = ""; ok = 0; deb = 0
                for (i = 1; i <= NF; i++) {
                    if ($i ~ /^URIs:/) { split($i, a, /[ \t]+/); uri = a[2] }
                    if ($i ~ /^Types:/ && $i ~ /deb( |$)/) deb = 1
                    if ($i ~ /^Suites:/) { n = split($i, s, /[ \t]+/); for (j = 2; j <= n; j++) if (s[j] == suite) ok = 1 }
                }
                if (ok && deb && uri != "") { print uri; exit }
            }' "$f"
    done | head -n1
    if [ -f /etc/apt/sources.list ]; then
        awk -v suite="$suite" '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i == suite) { u = $(i-1); if (u !~ /^\[/) { print u; exit } } }' /etc/apt/sources.list
    fi | head -n1
}

APT_UPDATED=0
apt_update_once() {
    if [ "$APT_UPDATED" -eq 0 ]; then
        say "apt-get update"
        apt-get update -qq >/dev/null || die "apt-get update failed" "what to do: check the host's apt configuration and network"
        APT_UPDATED=1
    fi
}

# install_packages PKG...: installs the Debian packages that are missing, saying which.
install_packages() {
    local missing=() p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    say "installing Debian packages: ${missing[*]}"
    apt_update_once
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
        || die "installing ${missing[*]} failed" "what to do: run 'apt-get install --no-install-recommends ${missing[*]}' to see why"
}

# QEMU's system emulator must match the installed qemu-utils: when qemu-utils comes from
# bookworm-backports (as on the project's machines), take qemu-system-x86 from there too.
install_qemu() {
    if command -v qemu-system-x86_64 >/dev/null 2>&1; then return 0; fi
    local utils_version codename uri
    utils_version="$(dpkg-query -W -f='${Version}' qemu-utils 2>/dev/null || true)"
    codename="$(. /etc/os-release && echo "${VERSION_CODENAME:-}")"
    if [[ "$utils_version" == *"~bpo"* ]] && [ -n "$codename" ]; then
        uri="$(host_debian_uri "$codename")"
        [ -n "$uri" ] || die "qemu-utils comes from ${codename}-backports but no Debian archive is configured in apt" \
            "what to do: add ${codename}-backports to /etc/apt/sources.list.d/ and install qemu-system-x86 from it"
        if ! grep -rqs "${codename}-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
            say "adding ${codename}-backports (from the host's archive ${uri}) to match qemu-utils ${utils_version}"
            printf 'Types: deb\nURIs: %s\nSuites: %s-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
                "$uri" "$codename" >/etc/apt/sources.list.d/ainux-backports.sources
            APT_UPDATED=0
        fi
        apt_update_once
        say "installing Debian package: qemu-system-x86 (${codename}-backports)"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends -t "${codename}-backports" qemu-system-x86 >/dev/null \
            || die "installing qemu-system-x86 from ${codename}-backports failed"
    else
        install_packages qemu-system-x86 qemu-utils
    fi
}

# Everything the image build, the VM tests and the project's own tests use.
install_prerequisites() {
    install_qemu
    install_packages ovmf mmdebstrap btrfs-progs dosfstools mtools fdisk curl zstd \
        util-linux coreutils ca-certificates libbtrfsutil-dev libclang-dev dbus shellcheck jq bc zsh
    command -v cargo >/dev/null 2>&1 || die "cargo is not installed" "what to do: install the Rust toolchain (rustup)"
}
