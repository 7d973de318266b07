//! A realistic ainux-style configuration tree, loaded through the public API only.

use std::fs;
use std::path::Path;

use mkosi_config::{
    Architecture, ConfigError, Feature, Format, RootPassword, apt_sources, load, values,
};

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, text).unwrap();
}

const MAIN: &str = "\
# ainux image
[Distribution]
Distribution=debian
Release=bookworm
Architecture=x86-64
Repositories=main,contrib,non-free-firmware

[Output]
ImageId=ainux
ImageVersion=0.1.0
Format=disk
OutputDirectory=mkosi.output

[Content]
Bootable=yes
Packages=
        systemd
        systemd-boot
        linux-image-amd64
        btrfs-progs
KernelCommandLine=console=ttyS0 rw
Hostname=ainux
RootPassword=ainux
Autologin=yes
Locale=C.UTF-8
Timezone=UTC
ExtraTrees=rootfs-overlay
WithRecommends=no

[Build]
Incremental=yes
CacheDirectory=mkosi.cache

[Runtime]
RAM=2G
CPUs=2
";

#[test]
fn realistic_tree_loads_with_dropins_matches_and_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let root = values::absolute(dir.path());
    fs::create_dir_all(root.join("rootfs-overlay/etc")).unwrap();
    write(&root, "mkosi.conf", MAIN);
    write(
        &root,
        "mkosi.conf.d/10-qcow2.conf",
        "[Match]\nFormat=disk\nImageId=ainux\n\n[Output]\nFormat=qcow2\n\n[Content]\nPackages=qemu-guest-agent\n",
    );
    write(
        &root,
        "mkosi.conf.d/20-debug.conf",
        "[Match]\nFormat=!qcow2\n[Content]\nPackages=gdb\n",
    );
    write(
        &root,
        "mkosi.conf.d/30-arm64.conf",
        "[Match]\nArchitecture=arm64\n[Content]\nPackages=\nPackages=linux-image-arm64\n",
    );
    write(
        &root,
        "mkosi.conf.d/40-extra.conf",
        "[Content]\nKernelCommandLine=quiet\nSsh=yes\n",
    );

    let loaded = load(&root).unwrap();
    let c = &loaded.config;
    assert_eq!(c.distribution.architecture, Architecture::X86_64);
    assert_eq!(
        c.distribution.components(),
        ["main", "contrib", "non-free-firmware"]
    );
    assert_eq!(c.output.format, Format::Qcow2, "10-qcow2.conf applied");
    assert_eq!(c.output.output, "ainux");
    assert_eq!(
        c.content.packages,
        [
            "systemd",
            "systemd-boot",
            "linux-image-amd64",
            "btrfs-progs",
            "qemu-guest-agent"
        ],
        "20-debug.conf saw Format=qcow2 from 10-qcow2.conf and was skipped; 30-arm64 skipped"
    );
    assert_eq!(
        c.content.kernel_command_line,
        ["console=ttyS0", "rw", "quiet"]
    );
    assert_eq!(c.content.bootable, Feature::Enabled);
    assert_eq!(
        c.content.root_password,
        Some(RootPassword::Plain("ainux".into()))
    );
    assert_eq!(c.content.extra_trees[0].source, root.join("rootfs-overlay"));
    assert_eq!(
        c.build.cache_directory.as_deref(),
        Some(&*root.join("mkosi.cache"))
    );
    assert_eq!(loaded.files.len(), 5);
    assert_eq!(loaded.skipped.len(), 2);
    let warnings: Vec<String> = loaded.warnings.iter().map(|w| w.to_string()).collect();
    assert_eq!(
        warnings,
        [format!(
            "{}:3: unknown key Content.Ssh, ignored",
            root.join("mkosi.conf.d/40-extra.conf").display()
        )]
    );
    // The canonical JSON is what the builder digests; it must be reproducible.
    assert_eq!(
        c.to_canonical_json(),
        load(&root).unwrap().config.to_canonical_json()
    );
}

#[test]
fn a_bad_dropin_stops_loading_with_a_precise_error() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("rootfs-overlay")).unwrap();
    write(dir.path(), "mkosi.conf", MAIN);
    write(
        dir.path(),
        "mkosi.conf.d/50-bad.conf",
        "[Output]\n\nFormat=iso\n",
    );
    let err = load(dir.path()).unwrap_err();
    let ConfigError::InvalidValue(bad) = &err else {
        panic!("unexpected error {err:?}");
    };
    assert_eq!((bad.line, bad.key.as_str()), (3, "Format"));
    assert!(
        err.to_string()
            .ends_with("50-bad.conf:3: Output.Format=iso is invalid: expected one of: disk, directory, tar, qcow2"),
        "{err}"
    );
}

#[test]
fn host_mirror_lookup_on_a_fixture_root() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "etc/apt/sources.list.d/debian.sources",
        "Types: deb\nURIs: http://deb.example.test/debian\nSuites: bookworm bookworm-updates\n\
         Components: main\n\nTypes: deb\nURIs: http://deb.example.test/debian-security\n\
         Suites: bookworm-security\nComponents: main\n",
    );
    assert_eq!(
        apt_sources::host_debian_mirror(dir.path())
            .unwrap()
            .as_deref(),
        Some("http://deb.example.test/debian")
    );
    assert_eq!(
        apt_sources::security_mirror(dir.path()).unwrap().as_deref(),
        Some("http://deb.example.test/debian-security")
    );
}
