//! Tests of the parser and loader against real files in temporary directories.

use std::fs;
use std::path::{Path, PathBuf};

use super::*;

fn write(dir: &Path, rel: &str, text: &str) -> PathBuf {
    let p = dir.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(&p, text).unwrap();
    p
}

/// Parses `text` as one file into a fresh config rooted at `/cfg`.
fn parse(text: &str) -> Result<(Config, Vec<Warning>), ConfigError> {
    let mut cfg = Config::with_base_dir(Path::new("/cfg"));
    let mut warnings = Vec::new();
    parse_str(
        "test.conf",
        text,
        Path::new("/cfg"),
        &mut cfg,
        &mut warnings,
    )?;
    Ok((cfg, warnings))
}

fn parse_ok(text: &str) -> Config {
    let (cfg, warnings) = parse(text).unwrap();
    assert!(warnings.is_empty(), "unexpected warnings: {warnings:?}");
    cfg
}

fn parse_err(text: &str) -> String {
    parse(text).unwrap_err().to_string()
}

#[test]
fn defaults() {
    let c = Config::with_base_dir(Path::new("/cfg"));
    assert_eq!(c.distribution.distribution, Distribution::Debian);
    assert_eq!(c.distribution.release, "bookworm");
    assert_eq!(c.distribution.architecture, Architecture::host());
    assert_eq!(c.distribution.mirror, None);
    assert_eq!(c.distribution.components(), ["main"]);
    assert_eq!(c.output.format, Format::Disk);
    assert_eq!(c.output.output, "image");
    assert_eq!(
        c.output.output_directory,
        PathBuf::from("/cfg/mkosi.output")
    );
    assert_eq!(c.content.bootable, Feature::Auto);
    assert!(!c.content.autologin && !c.content.with_docs && !c.content.with_recommends);
    assert!(!c.build.incremental);
    assert_eq!(c.runtime.ram, 2 << 30);
    assert_eq!(c.runtime.cpus, 2);
}

#[test]
fn all_keys_parse_into_typed_fields() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path();
    write(base, "mkosi.extra/etc/motd", "hi\n");
    write(base, "scripts/post.sh", "#!/bin/sh\n");
    write(base, "scripts/final.sh", "#!/bin/sh\n");
    let text = "\
# a comment
; another comment
[Distribution]
Distribution=debian
Release=trixie
Architecture=aarch64
Mirror=http://mirror.example.org/debian
Repositories=contrib non-free-firmware

[Output]
Format=qcow2
Output=ainux.qcow2
OutputDirectory=out
ImageId=ainux
ImageVersion=0.1.0

[Content]
Packages=systemd, btrfs-progs linux-image-arm64
Bootable=yes
KernelCommandLine=console=ttyS0,115200 quiet
Hostname=ainux
RootPassword=hashed:$y$j9T$abc
Autologin=on
Locale=C.UTF-8
Timezone=Europe/Berlin
ExtraTrees=mkosi.extra mkosi.extra:/opt/extra
PostInstallationScripts=scripts/post.sh
FinalizeScripts=scripts/final.sh
RemoveFiles=/usr/share/doc/* /var/cache/apt/*.bin
SourceDateEpoch=1700000000
WithRecommends=no
WithDocs=true

[Build]
Incremental=yes
CacheDirectory=mkosi.cache

[Runtime]
RAM=1.5G
CPUs=4
";
    let mut cfg = Config::with_base_dir(base);
    let mut warnings = Vec::new();
    let out = parse_str("mkosi.conf", text, base, &mut cfg, &mut warnings).unwrap();
    assert_eq!(out, FileOutcome::Applied);
    assert!(warnings.is_empty(), "{warnings:?}");
    let base = values::absolute(base);

    let d = &cfg.distribution;
    assert_eq!(d.distribution, Distribution::Debian);
    assert_eq!(d.release, "trixie");
    assert_eq!(d.architecture, Architecture::Arm64);
    assert_eq!(
        d.mirror.as_deref(),
        Some("http://mirror.example.org/debian")
    );
    assert_eq!(d.repositories, ["contrib", "non-free-firmware"]);
    assert_eq!(d.components(), ["main", "contrib", "non-free-firmware"]);

    let o = &cfg.output;
    assert_eq!(o.format, Format::Qcow2);
    assert_eq!(o.output, "ainux.qcow2");
    assert_eq!(o.output_directory, base.join("out"));
    assert_eq!(o.image_id.as_deref(), Some("ainux"));
    assert_eq!(o.image_version.as_deref(), Some("0.1.0"));

    let c = &cfg.content;
    assert_eq!(c.packages, ["systemd", "btrfs-progs", "linux-image-arm64"]);
    assert_eq!(c.bootable, Feature::Enabled);
    assert_eq!(c.kernel_command_line, ["console=ttyS0,115200", "quiet"]);
    assert_eq!(c.hostname.as_deref(), Some("ainux"));
    assert_eq!(
        c.root_password,
        Some(RootPassword::Hashed("$y$j9T$abc".to_string()))
    );
    assert!(c.autologin);
    assert_eq!(c.locale.as_deref(), Some("C.UTF-8"));
    assert_eq!(c.timezone.as_deref(), Some("Europe/Berlin"));
    assert_eq!(
        c.extra_trees,
        [
            ExtraTree {
                source: base.join("mkosi.extra"),
                target: None
            },
            ExtraTree {
                source: base.join("mkosi.extra"),
                target: Some(PathBuf::from("/opt/extra"))
            }
        ]
    );
    assert_eq!(c.postinstallation_scripts, [base.join("scripts/post.sh")]);
    assert_eq!(c.finalize_scripts, [base.join("scripts/final.sh")]);
    assert_eq!(c.remove_files, ["/usr/share/doc/*", "/var/cache/apt/*.bin"]);
    assert_eq!(c.source_date_epoch, Some(1_700_000_000));
    assert!(!c.with_recommends);
    assert!(c.with_docs);

    assert!(cfg.build.incremental);
    assert_eq!(cfg.build.cache_directory, Some(base.join("mkosi.cache")));
    assert_eq!(cfg.runtime.ram, 1_610_612_736);
    assert_eq!(cfg.runtime.cpus, 4);
}

#[test]
fn plain_root_password_is_kept_as_plain() {
    let c = parse_ok("[Content]\nRootPassword=secret:with:colons\n");
    assert_eq!(
        c.content.root_password,
        Some(RootPassword::Plain("secret:with:colons".into()))
    );
    let c = parse_ok("[Content]\nRootPassword=x\nRootPassword=\n");
    assert_eq!(c.content.root_password, None);
    assert!(parse_err("[Content]\nRootPassword=hashed:\n").contains("crypt(3)"));
    let c = parse_ok("[Content]\nRootPassword=hunter2\n");
    let dbg = format!("{c:?}");
    assert!(
        !dbg.contains("hunter2") && dbg.contains("Plain(<redacted>)"),
        "{dbg}"
    );
}

#[test]
fn lists_append_across_sections_and_empty_value_resets() {
    let c = parse_ok(
        "[Content]\nPackages=a b\n[Content]\nPackages=c,d\nKernelCommandLine=quiet\n\
         [Content]\nPackages=\nPackages=e\n",
    );
    assert_eq!(c.content.packages, ["e"]);
    assert_eq!(c.content.kernel_command_line, ["quiet"]);

    let c = parse_ok("[Content]\nPackages=a\nPackages=b\n");
    assert_eq!(c.content.packages, ["a", "b"]);

    // Repositories too.
    let c = parse_ok("[Distribution]\nRepositories=contrib\nRepositories=\n");
    assert!(c.distribution.repositories.is_empty());
}

#[test]
fn continuation_lines_add_values() {
    let c = parse_ok(
        "[Content]\n\
         Packages=\n\
         \x20   systemd\n\
         \x20   udev, dbus\n\
         \n\
         # comment inside the list\n\
         \tvim\n\
         KernelCommandLine=quiet\n\
         \x20 console=ttyS0\n\
         Hostname=\n\
         \x20 ainux\n",
    );
    assert_eq!(c.content.packages, ["systemd", "udev", "dbus", "vim"]);
    assert_eq!(c.content.kernel_command_line, ["quiet", "console=ttyS0"]);
    // One continuation line on an empty scalar is just its value.
    assert_eq!(c.content.hostname.as_deref(), Some("ainux"));
}

#[test]
fn continuation_after_empty_key_does_not_reset() {
    // `Packages=` followed by indented values appends (the whole value is not empty).
    let c = parse_ok("[Content]\nPackages=a\n[Content]\nPackages=\n  b\n");
    assert_eq!(c.content.packages, ["a", "b"]);
}

#[test]
fn scalar_with_several_continuation_lines_is_an_error() {
    let e = parse_err("[Content]\nHostname=a\n  b\n");
    assert!(
        e.starts_with("test.conf:2: Content.Hostname=a b is invalid:"),
        "{e}"
    );
    assert!(e.contains("single value"), "{e}");
}

#[test]
fn scalars_last_assignment_wins_and_empty_resets_to_default() {
    let c = parse_ok(
        "[Output]\nFormat=tar\nFormat=directory\n[Runtime]\nCPUs=8\nCPUs=\nRAM=1G\n\
         [Content]\nBootable=no\nBootable=\nAutologin=yes\nAutologin=\nHostname=x\nHostname=\n",
    );
    assert_eq!(c.output.format, Format::Directory);
    assert_eq!(c.runtime.cpus, DEFAULT_CPUS);
    assert_eq!(c.runtime.ram, 1 << 30);
    assert_eq!(c.content.bootable, Feature::Auto);
    assert!(!c.content.autologin);
    assert_eq!(c.content.hostname, None);
    let c = parse_ok("[Output]\nFormat=tar\nFormat=\nOutputDirectory=/x\nOutputDirectory=\n");
    assert_eq!(c.output.format, Format::Disk);
    assert_eq!(
        c.output.output_directory,
        PathBuf::from("/cfg/mkosi.output")
    );
}

#[test]
fn release_follows_distribution_until_set() {
    let c = parse_ok("[Distribution]\nDistribution=ubuntu\n");
    assert_eq!(c.distribution.release, "noble");
    let c = parse_ok("[Distribution]\nRelease=jammy\nDistribution=ubuntu\n");
    assert_eq!(c.distribution.release, "jammy");
    let c = parse_ok("[Distribution]\nRelease=jammy\nDistribution=ubuntu\nRelease=\n");
    assert_eq!(c.distribution.release, "noble");
    let c = parse_ok("[Distribution]\nDistribution=ubuntu\nDistribution=\n");
    assert_eq!(c.distribution.distribution, Distribution::Debian);
    assert_eq!(c.distribution.release, "bookworm");
}

#[test]
fn output_name_follows_image_id_until_set() {
    let c = parse_ok("[Output]\nImageId=ainux\n");
    assert_eq!(c.output.output, "ainux");
    let c = parse_ok("[Output]\nOutput=disk\nImageId=ainux\n");
    assert_eq!(c.output.output, "disk");
    let c = parse_ok("[Output]\nOutput=disk\nImageId=ainux\nOutput=\n");
    assert_eq!(c.output.output, "ainux");
    let c = parse_ok("[Output]\nImageId=ainux\nImageId=\n");
    assert_eq!(c.output.output, "image");
}

#[test]
fn architecture_aliases() {
    for (v, a) in [
        ("x86-64", Architecture::X86_64),
        ("x86_64", Architecture::X86_64),
        ("amd64", Architecture::X86_64),
        ("arm64", Architecture::Arm64),
        ("aarch64", Architecture::Arm64),
    ] {
        let c = parse_ok(&format!("[Distribution]\nArchitecture={v}\n"));
        assert_eq!(c.distribution.architecture, a, "{v}");
    }
    let e = parse_err("[Distribution]\nArchitecture=riscv64\n");
    assert_eq!(
        e,
        "test.conf:2: Distribution.Architecture=riscv64 is invalid: \
         expected one of: x86-64, arm64 (aliases: x86_64, amd64, aarch64)"
    );
}

#[test]
fn bad_values_name_file_line_key_and_allowed_values() {
    let cases: &[(&str, &str)] = &[
        (
            "[Output]\nFormat=zip\n",
            "test.conf:2: Output.Format=zip is invalid: expected one of: disk, directory, tar, qcow2",
        ),
        (
            "[Distribution]\n\nDistribution=fedora\n",
            "test.conf:3: Distribution.Distribution=fedora is invalid: expected one of: debian, ubuntu",
        ),
        (
            "[Content]\nAutologin=maybe\n",
            "test.conf:2: Content.Autologin=maybe is invalid: expected a boolean",
        ),
        (
            "[Content]\nBootable=sometimes\n",
            "test.conf:2: Content.Bootable=sometimes is invalid: expected yes, no or auto",
        ),
        (
            "[Runtime]\nRAM=lots\n",
            "test.conf:2: Runtime.RAM=lots is invalid: expected a size",
        ),
        (
            "[Runtime]\nRAM=0\n",
            "test.conf:2: Runtime.RAM=0 is invalid: RAM must be larger than 0",
        ),
        (
            "[Runtime]\nCPUs=0\n",
            "test.conf:2: Runtime.CPUs=0 is invalid: expected an integer of at least 1",
        ),
        (
            "[Runtime]\nCPUs=-2\n",
            "test.conf:2: Runtime.CPUs=-2 is invalid: expected an integer of at least 1",
        ),
        (
            "[Content]\nSourceDateEpoch=yesterday\n",
            "test.conf:2: Content.SourceDateEpoch=yesterday is invalid: expected a non-negative integer",
        ),
        (
            "[Content]\nHostname=my host\n",
            "test.conf:2: Content.Hostname=my host is invalid: expected a host name",
        ),
        (
            "[Content]\nTimezone=../../etc/passwd\n",
            "test.conf:2: Content.Timezone=../../etc/passwd is invalid: expected a time zone name",
        ),
        (
            "[Distribution]\nMirror=deb.example.org\n",
            "test.conf:2: Distribution.Mirror=deb.example.org is invalid: expected a URL",
        ),
        (
            "[Content]\nPackages=vim --allow-unauthenticated\n",
            "test.conf:2: Content.Packages=vim --allow-unauthenticated is invalid: `--allow-unauthenticated`: package names must not start with '-'",
        ),
        (
            "[Content]\nPackages=vim # editor\n",
            "test.conf:2: Content.Packages=vim # editor is invalid: `#`: comments must be on their own line",
        ),
        (
            "[Output]\nOutput=../escape\n",
            "test.conf:2: Output.Output=../escape is invalid: expected a plain file name",
        ),
        (
            "[Output]\nImageId=a/b\n",
            "test.conf:2: Output.ImageId=a/b is invalid: expected an image id",
        ),
        (
            "[Build]\nIncremental=2\n",
            "test.conf:2: Build.Incremental=2 is invalid: expected a boolean",
        ),
        (
            "[Content]\nWithDocs=si\n",
            "test.conf:2: Content.WithDocs=si is invalid: expected a boolean",
        ),
        (
            "[Content]\nWithRecommends=nope\n",
            "test.conf:2: Content.WithRecommends=nope is invalid: expected a boolean",
        ),
        (
            "[Distribution]\nRelease=book worm\n",
            "test.conf:2: Distribution.Release=book worm is invalid: expected a release name",
        ),
    ];
    for (text, want) in cases {
        let got = parse_err(text);
        assert!(
            got.starts_with(want),
            "for {text:?}\n got: {got}\nwant: {want}…"
        );
    }
}

#[test]
fn invalid_value_error_exposes_fields() {
    let e = parse("[Output]\n# c\nFormat=zip\n").unwrap_err();
    assert_eq!(e.line(), Some(3));
    assert_eq!(e.file(), Path::new("test.conf"));
    match e {
        ConfigError::InvalidValue(b) => {
            assert_eq!(
                (b.section.as_str(), b.key.as_str(), b.value.as_str()),
                ("Output", "Format", "zip")
            );
            assert_eq!(b.reason, "expected one of: disk, directory, tar, qcow2");
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn syntax_errors_have_line_numbers() {
    assert_eq!(
        parse_err("# header comment\nPackages=vim\n[Content]\n"),
        "test.conf:2: setting `Packages=` appears before any [Section] header"
    );
    assert_eq!(
        parse_err("# comment\n  indented\n"),
        "test.conf:2: indented line appears before any [Section] header"
    );
    assert_eq!(
        parse_err("[Content]\n  vim\n"),
        "test.conf:2: indented continuation line without a preceding `Key=` line"
    );
    assert_eq!(
        parse_err("[Content]\nPackages=a\nthis is not a setting\n"),
        "test.conf:3: expected `Key=Value`, a [Section] header or a comment, found `this is not a setting`"
    );
    assert_eq!(
        parse_err("[Content\n"),
        "test.conf:1: malformed section header `[Content`, expected `[Name]`"
    );
    assert_eq!(
        parse_err("[Content]\n=x\n"),
        "test.conf:2: missing key name before '='"
    );
    assert_eq!(parse_err("[ ]\n"), "test.conf:1: empty section name `[]`");
}

#[test]
fn unknown_sections_and_keys_are_warnings_with_file_and_line() {
    let (c, w) = parse(
        "[Content]\nPackages=a\nFrobnicate=yes\npackages=b\nRelease=x\n\
         [Host]\nQemuGui=yes\nAnything=1\n  more\n[Output]\nFormat=tar\n[content]\n",
    )
    .unwrap();
    // Known settings around the unknown ones still apply; the unknown section's do not.
    assert_eq!(c.content.packages, ["a"]);
    assert_eq!(c.output.format, Format::Tar);
    assert_eq!(c.distribution.release, "bookworm");
    let msgs: Vec<String> = w.iter().map(ToString::to_string).collect();
    assert_eq!(
        msgs,
        [
            "test.conf:3: unknown key Content.Frobnicate, ignored",
            "test.conf:4: unknown key Content.packages, ignored (did you mean Packages?)",
            "test.conf:5: unknown key Content.Release, ignored (Release belongs in [Distribution])",
            "test.conf:6: unknown section [Host], its settings are ignored",
            "test.conf:12: unknown section [content], its settings are ignored (did you mean [Content]?)",
        ]
    );
    assert_eq!(w[0].file, PathBuf::from("test.conf"));
    assert_eq!(w[0].line, 3);
}

#[test]
fn keys_and_values_are_trimmed_and_crlf_and_bom_accepted() {
    let c = parse_ok("\u{feff}[Content]\r\nHostname = ainux \r\nPackages = a , b\r\n");
    assert_eq!(c.content.hostname.as_deref(), Some("ainux"));
    assert_eq!(c.content.packages, ["a", "b"]);
}

#[test]
fn whole_file_indentation_is_removed_like_mkosi() {
    let c = parse_ok("    [Content]\n    Packages=a\n        b\n    Hostname=h\n");
    assert_eq!(c.content.packages, ["a", "b"]);
    assert_eq!(c.content.hostname.as_deref(), Some("h"));
}

#[test]
fn match_skips_rest_of_file_when_not_satisfied() {
    let mut cfg = Config::with_base_dir(Path::new("/cfg"));
    let mut w = Vec::new();
    let out = parse_str(
        "a.conf",
        "[Match]\nDistribution=ubuntu\n\n[Content]\nPackages=ubuntu-only\nFormat=bogus-but-skipped\n",
        Path::new("/cfg"),
        &mut cfg,
        &mut w,
    )
    .unwrap();
    assert_eq!(out, FileOutcome::SkippedByMatch { line: 1 });
    assert!(cfg.content.packages.is_empty());
    assert!(w.is_empty());

    let out = parse_str(
        "b.conf",
        "[Match]\nDistribution=debian\n[Content]\nPackages=debian-only\n",
        Path::new("/cfg"),
        &mut cfg,
        &mut w,
    )
    .unwrap();
    assert_eq!(out, FileOutcome::Applied);
    assert_eq!(cfg.content.packages, ["debian-only"]);
}

/// Applies `match_section` to a config prepared by `setup` and reports whether the
/// following setting was applied.
fn matches(setup: &str, match_section: &str) -> bool {
    let mut cfg = Config::with_base_dir(Path::new("/cfg"));
    let mut w = Vec::new();
    parse_str("setup.conf", setup, Path::new("/cfg"), &mut cfg, &mut w).unwrap();
    let text = format!("[Match]\n{match_section}\n[Content]\nPackages=marker\n");
    let out = parse_str("m.conf", &text, Path::new("/cfg"), &mut cfg, &mut w).unwrap();
    let applied = cfg.content.packages.iter().any(|p| p == "marker");
    assert_eq!(applied, out == FileOutcome::Applied);
    applied
}

#[test]
fn match_values_or_negation_and_keys_and() {
    let deb = "[Distribution]\nDistribution=debian\n";
    assert!(matches(deb, "Distribution=debian"));
    assert!(!matches(deb, "Distribution=ubuntu"));
    assert!(
        matches(deb, "Distribution=ubuntu debian"),
        "values are OR'ed"
    );
    assert!(
        matches(deb, "Distribution=ubuntu\nDistribution=debian"),
        "repeated key ORs"
    );
    assert!(!matches(deb, "Distribution=!debian"));
    assert!(matches(deb, "Distribution=!ubuntu"));
    assert!(
        !matches(deb, "Distribution=debian !debian"),
        "a matching negation wins"
    );
    // Keys are AND'ed.
    assert!(matches(deb, "Distribution=debian\nRelease=bookworm"));
    assert!(!matches(deb, "Distribution=debian\nRelease=trixie"));
    // Two [Match] sections must both hold.
    assert!(!matches(deb, "Distribution=debian\n[Match]\nFormat=tar"));
    assert!(matches(deb, "Distribution=debian\n[Match]\nFormat=disk"));
}

#[test]
fn match_uses_defaults_and_accumulated_values() {
    // Defaults: debian, bookworm, disk, bootable auto, host architecture, no image id.
    assert!(matches("", "Release=bookworm"));
    assert!(matches("", "Format=disk"));
    assert!(matches("", "Bootable=auto"));
    assert!(!matches("", "Bootable=yes"));
    let host = Architecture::host().as_str();
    assert!(matches("", &format!("Architecture={host}")));
    assert!(
        !matches("", "ImageId=*"),
        "no image id never matches a pattern"
    );
    assert!(matches("", "ImageId=!ainux"));
    // Release default follows the distribution accumulated so far.
    assert!(matches(
        "[Distribution]\nDistribution=ubuntu\n",
        "Release=noble"
    ));
    assert!(matches("[Output]\nImageId=ainux-dev\n", "ImageId=ainux-*"));
    assert!(!matches(
        "[Output]\nImageId=ainux-dev\n",
        "ImageId=!ainux-*"
    ));
    assert!(matches("[Output]\nFormat=qcow2\n", "Format=qcow2"));
    assert!(matches("[Content]\nBootable=yes\n", "Bootable=true"));
    assert!(matches(
        "[Distribution]\nArchitecture=arm64\n",
        "Architecture=aarch64"
    ));
    assert!(!matches(
        "[Distribution]\nArchitecture=arm64\n",
        "Architecture=x86-64"
    ));
}

#[test]
fn match_errors_and_unknown_conditions() {
    let e = parse_err("[Match]\nDistribution=fedora\n");
    assert_eq!(
        e,
        "test.conf:2: Match.Distribution=fedora is invalid: `fedora`: expected one of: debian, ubuntu"
    );
    let e = parse_err("[Match]\nFormat=!\n");
    assert!(
        e.starts_with("test.conf:2: Match.Format=! is invalid"),
        "{e}"
    );
    let e = parse_err("[Match]\nRelease=\n");
    assert!(e.contains("needs at least one value"), "{e}");

    // An unsupported condition is a warning and the file is not applied (never silently
    // widen where settings apply).
    let mut cfg = Config::with_base_dir(Path::new("/cfg"));
    let mut w = Vec::new();
    let out = parse_str(
        "p.conf",
        "[Match]\nProfile=dev\n[Content]\nPackages=x\n",
        Path::new("/cfg"),
        &mut cfg,
        &mut w,
    )
    .unwrap();
    assert_eq!(out, FileOutcome::SkippedByMatch { line: 1 });
    assert!(cfg.content.packages.is_empty());
    assert_eq!(w.len(), 1);
    assert!(
        w[0].to_string()
            .starts_with("p.conf:2: unknown [Match] condition Profile=dev"),
        "{}",
        w[0]
    );
}

#[test]
fn match_after_settings_keeps_earlier_settings() {
    let c = parse(
        "[Content]\nPackages=before\n[Match]\nDistribution=ubuntu\n[Content]\nPackages=after\n",
    )
    .unwrap()
    .0;
    assert_eq!(c.content.packages, ["before"]);
}

#[test]
fn relative_paths_resolve_against_the_base_dir_and_must_exist() {
    let dir = tempfile::tempdir().unwrap();
    let base = values::absolute(dir.path());
    write(&base, "sub/script.sh", "#!/bin/sh\n");
    fs::create_dir_all(base.join("tree")).unwrap();
    let mut cfg = Config::with_base_dir(&base);
    let mut w = Vec::new();
    parse_str(
        "x.conf",
        "[Content]\nPostInstallationScripts=sub/../sub/script.sh\nExtraTrees=./tree:/srv/\n\
         [Output]\nOutputDirectory=../elsewhere\n[Build]\nCacheDirectory=/abs/cache\n",
        &base.join("sub"),
        &mut cfg,
        &mut w,
    )
    .unwrap_err();
    // ^ relative to `sub/`, so `sub/../sub/script.sh` does not exist there: check the error.
    let err = parse_str(
        "x.conf",
        "[Content]\nPostInstallationScripts=missing.sh\n",
        &base,
        &mut cfg,
        &mut w,
    )
    .unwrap_err()
    .to_string();
    assert_eq!(
        err,
        format!(
            "x.conf:2: Content.PostInstallationScripts=missing.sh is invalid: `missing.sh`: {} does not exist",
            base.join("missing.sh").display()
        )
    );

    let mut cfg = Config::with_base_dir(&base);
    parse_str(
        "x.conf",
        "[Content]\nPostInstallationScripts=sub/../sub/script.sh\nExtraTrees=./tree:/srv/\n\
         [Output]\nOutputDirectory=../elsewhere\n[Build]\nCacheDirectory=/abs/cache\n",
        &base,
        &mut cfg,
        &mut w,
    )
    .unwrap();
    assert_eq!(
        cfg.content.postinstallation_scripts,
        [base.join("sub/script.sh")]
    );
    assert_eq!(
        cfg.content.extra_trees,
        [ExtraTree {
            source: base.join("tree"),
            target: Some(PathBuf::from("/srv"))
        }]
    );
    assert_eq!(
        cfg.output.output_directory,
        base.parent().unwrap().join("elsewhere")
    );
    assert_eq!(cfg.build.cache_directory, Some(PathBuf::from("/abs/cache")));
    assert!(w.is_empty());

    // Scripts must be files; ExtraTrees targets must be absolute.
    let e = parse_str(
        "x.conf",
        "[Content]\nFinalizeScripts=tree\n",
        &base,
        &mut cfg,
        &mut w,
    )
    .unwrap_err()
    .to_string();
    assert!(e.ends_with("is not a regular file"), "{e}");
    let e = parse_str(
        "x.conf",
        "[Content]\nExtraTrees=tree:relative/target\n",
        &base,
        &mut cfg,
        &mut w,
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("must be an absolute path inside the image"),
        "{e}"
    );
    let e = parse_str(
        "x.conf",
        "[Content]\nExtraTrees=nope\n",
        &base,
        &mut cfg,
        &mut w,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("source") && e.contains("does not exist"), "{e}");
    // `SOURCE:/` is the same as `SOURCE`.
    let mut cfg = Config::with_base_dir(&base);
    parse_str(
        "x.conf",
        "[Content]\nExtraTrees=tree:/\n",
        &base,
        &mut cfg,
        &mut w,
    )
    .unwrap();
    assert_eq!(cfg.content.extra_trees[0].target, None);
}

#[test]
fn load_reads_main_then_sorted_dropins_and_subdirectories() {
    let dir = tempfile::tempdir().unwrap();
    let root = values::absolute(dir.path());
    write(
        &root,
        "mkosi.conf",
        "[Distribution]\nDistribution=debian\n[Content]\nPackages=base\nHostname=main\n",
    );
    write(
        &root,
        "mkosi.conf.d/20-second.conf",
        "[Content]\nPackages=second\n",
    );
    write(
        &root,
        "mkosi.conf.d/10-first.conf",
        "[Content]\nPackages=first\nHostname=first\n",
    );
    write(&root, "mkosi.conf.d/README.md", "not a config [[[\n");
    write(&root, "mkosi.conf.d/15-disabled.conf.off", "garbage\n");
    write(
        &root,
        "mkosi.conf.d/30-dir/mkosi.conf",
        "[Content]\nPackages=from-dir\n",
    );
    write(
        &root,
        "mkosi.conf.d/30-dir/mkosi.conf.d/a.conf",
        "[Content]\nPackages=from-nested\n",
    );
    write(
        &root,
        "mkosi.conf.d/40-last.conf",
        "[Content]\nPackages=\nPackages=only-last\n",
    );

    let loaded = load(dir.path()).unwrap();
    assert_eq!(loaded.config.content.packages, ["only-last"]);
    assert_eq!(loaded.config.content.hostname.as_deref(), Some("first"));
    assert_eq!(
        loaded.files,
        [
            root.join("mkosi.conf"),
            root.join("mkosi.conf.d/10-first.conf"),
            root.join("mkosi.conf.d/20-second.conf"),
            root.join("mkosi.conf.d/30-dir/mkosi.conf"),
            root.join("mkosi.conf.d/30-dir/mkosi.conf.d/a.conf"),
            root.join("mkosi.conf.d/40-last.conf"),
        ]
    );
    assert!(loaded.skipped.is_empty());
    assert!(loaded.warnings.is_empty());
    assert_eq!(
        loaded.config.output.output_directory,
        root.join("mkosi.output")
    );

    // Without the resetting drop-in, everything appends in order.
    fs::remove_file(root.join("mkosi.conf.d/40-last.conf")).unwrap();
    let loaded = load(dir.path()).unwrap();
    assert_eq!(
        loaded.config.content.packages,
        ["base", "first", "second", "from-dir", "from-nested"]
    );
}

#[test]
fn load_match_in_dropins_sees_earlier_files_and_skips_subdirectories() {
    let dir = tempfile::tempdir().unwrap();
    let root = values::absolute(dir.path());
    write(
        &root,
        "mkosi.conf",
        "[Output]\nImageId=ainux\nFormat=qcow2\n",
    );
    write(
        &root,
        "mkosi.conf.d/10-ubuntu.conf",
        "[Match]\nDistribution=ubuntu\n[Content]\nPackages=ubuntu-pkg\n",
    );
    write(
        &root,
        "mkosi.conf.d/20-qcow.conf",
        "[Match]\nFormat=qcow2\nImageId=ain*\n[Content]\nPackages=qcow-pkg\n",
    );
    write(
        &root,
        "mkosi.conf.d/30-arm/mkosi.conf",
        "[Match]\nArchitecture=!x86-64 !arm64\n[Content]\nPackages=never\n",
    );
    write(
        &root,
        "mkosi.conf.d/30-arm/mkosi.conf.d/x.conf",
        "[Content]\nPackages=never-either\n",
    );
    let loaded = load(&root).unwrap();
    assert_eq!(loaded.config.content.packages, ["qcow-pkg"]);
    assert_eq!(
        loaded.skipped,
        [
            root.join("mkosi.conf.d/10-ubuntu.conf"),
            root.join("mkosi.conf.d/30-arm/mkosi.conf")
        ]
    );
    assert!(
        !loaded
            .files
            .contains(&root.join("mkosi.conf.d/30-arm/mkosi.conf.d/x.conf"))
    );
}

#[test]
fn dropin_relative_paths_resolve_against_their_own_directory() {
    let dir = tempfile::tempdir().unwrap();
    let root = values::absolute(dir.path());
    write(&root, "mkosi.conf", "[Build]\nCacheDirectory=cache\n");
    write(&root, "mkosi.conf.d/script.sh", "#!/bin/sh\n");
    write(
        &root,
        "mkosi.conf.d/10.conf",
        "[Content]\nPostInstallationScripts=script.sh\n[Output]\nOutputDirectory=out\n",
    );
    let c = load(&root).unwrap().config;
    assert_eq!(c.build.cache_directory, Some(root.join("cache")));
    assert_eq!(
        c.content.postinstallation_scripts,
        [root.join("mkosi.conf.d/script.sh")]
    );
    assert_eq!(c.output.output_directory, root.join("mkosi.conf.d/out"));
}

#[test]
fn load_errors_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let root = values::absolute(dir.path());
    let e = load(&root).unwrap_err();
    assert!(matches!(e, ConfigError::NoConfig { .. }));
    assert_eq!(
        e.to_string(),
        format!("no mkosi.conf or mkosi.conf.d/ found in {}", root.display())
    );

    // A .conf that cannot be read (invalid UTF-8) names its path.
    write(&root, "mkosi.conf", "[Content]\n");
    fs::create_dir_all(root.join("mkosi.conf.d")).unwrap();
    fs::write(root.join("mkosi.conf.d/bad.conf"), [0xff, 0xfe, 0x00]).unwrap();
    let e = load(&root).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "cannot read {}",
            root.join("mkosi.conf.d/bad.conf").display()
        )
    );
    assert!(std::error::Error::source(&e).is_some());
    fs::remove_file(root.join("mkosi.conf.d/bad.conf")).unwrap();

    // Errors and warnings in drop-ins carry the drop-in's path and line.
    write(
        &root,
        "mkosi.conf.d/5.conf",
        "[Content]\nNope=1\n[Runtime]\nCPUs=many\n",
    );
    let e = load(&root).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "{}:4: Runtime.CPUs=many is invalid: expected an integer of at least 1",
            root.join("mkosi.conf.d/5.conf").display()
        )
    );
    write(&root, "mkosi.conf.d/5.conf", "[Content]\nNope=1\n");
    let loaded = load(&root).unwrap();
    assert_eq!(
        loaded.warnings[0].to_string(),
        format!(
            "{}:2: unknown key Content.Nope, ignored",
            root.join("mkosi.conf.d/5.conf").display()
        )
    );
}

#[test]
fn dropins_only_directory_is_fine() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "mkosi.conf.d/a.conf", "[Output]\nFormat=tar\n");
    assert_eq!(load(dir.path()).unwrap().config.output.format, Format::Tar);
}

#[test]
fn canonical_json_is_stable_complete_and_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let root = values::absolute(dir.path());
    write(
        &root,
        "mkosi.conf",
        "[Distribution]\nArchitecture=x86-64\n[Content]\nPackages=b a\nRootPassword=pw\n\
         Bootable=yes\n[Runtime]\nRAM=1G\n",
    );
    let a = load(&root).unwrap().config;
    let b = load(&root).unwrap().config;
    let json = a.to_canonical_json();
    assert_eq!(json, b.to_canonical_json());
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["distribution"]["architecture"], "x86-64");
    assert_eq!(v["distribution"]["release"], "bookworm");
    assert_eq!(v["content"]["packages"], serde_json::json!(["b", "a"]));
    assert_eq!(v["content"]["bootable"], "yes");
    assert_eq!(
        v["content"]["root_password"],
        serde_json::json!({"plain": "pw"})
    );
    assert_eq!(v["runtime"]["ram"], 1u64 << 30);
    assert_eq!(
        v["output"]["output_directory"],
        root.join("mkosi.output").to_string_lossy().as_ref()
    );
    for section in ["distribution", "output", "content", "build", "runtime"] {
        assert!(v[section].is_object(), "{section} missing");
    }
    assert_eq!(v.as_object().unwrap().len(), 5, "no internal state leaks");
    // Any effective change changes the JSON.
    write(&root, "mkosi.conf.d/x.conf", "[Content]\nWithDocs=yes\n");
    assert_ne!(load(&root).unwrap().config.to_canonical_json(), json);
    // Round trip.
    let back: Config = serde_json::from_str(&json).unwrap();
    assert_eq!(back.to_canonical_json(), json);
}
