//! The snapshot store on a real btrfs: a loop-mounted file in a temporary directory (needs root;
//! skipped with a message otherwise). Each test makes its own filesystem with the image's
//! layout: subvolumes `@` (default), `@home`, `@snapshots`.

use ainux::config::Config;
use ainux::lock;
use ainux::meta::{ConfigName, Kind};
use ainux::store::{Create, Store, StoreError};
use ainux::{BootLoader, NoBootLoader};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

mod common;
use common::{fs, is_root};

/// Records what the store told the boot loader.
#[derive(Default)]
struct Recorder {
    rolled: Mutex<Vec<PathBuf>>,
    newest: Mutex<Vec<Option<u64>>>,
}

impl BootLoader for Recorder {
    fn rolled_back(&self, new_root: &Path) -> Result<(), String> {
        self.rolled.lock().unwrap().push(new_root.to_path_buf());
        Ok(())
    }
    fn root_snapshots_changed(&self, newest: Option<(u64, &Path)>) -> Result<(), String> {
        if let Some((_, p)) = newest {
            assert!(p.ends_with("snapshot"), "{}", p.display());
        }
        self.newest.lock().unwrap().push(newest.map(|n| n.0));
        Ok(())
    }
}

fn single(store: &Store, config: ConfigName, d: &str) -> u64 {
    let l = lock::acquire(&store.config().lock_file, "test", false, |_| {}).unwrap();
    store
        .create(&l, &Create::single(config, d, "tester"), &NoBootLoader)
        .unwrap()
        .id
}

#[test]
fn create_list_and_metadata_layout() {
    let Some(fs) = fs("300M") else { return };
    let store = Store::new(fs.cfg.clone());
    let rec = Recorder::default();
    let l = lock::acquire(&fs.cfg.lock_file, "test", false, |_| {}).unwrap();
    let mut req = Create::single(ConfigName::Root, "first", "alice");
    req.important = true;
    let a = store.create(&l, &req, &rec).unwrap();
    let b = store
        .create(
            &l,
            &Create::single(ConfigName::Root, "second", "timer"),
            &rec,
        )
        .unwrap();
    let h = store
        .create(
            &l,
            &Create::single(ConfigName::Home, "home one", "alice"),
            &rec,
        )
        .unwrap();
    drop(l);
    assert_eq!((a.id, b.id, h.id), (1, 2, 1));
    assert_eq!(
        *rec.newest.lock().unwrap(),
        vec![Some(1), Some(2)],
        "home snapshots do not touch boot"
    );

    let snap = fs.mnt.join("@snapshots/1/snapshot");
    assert!(libbtrfsutil::is_subvolume(&snap).unwrap());
    assert!(libbtrfsutil::subvolume_read_only(&snap).unwrap());
    assert_eq!(
        std::fs::read_to_string(snap.join("etc/marker")).unwrap(),
        "v1\n"
    );
    assert_eq!(
        std::fs::read_to_string(fs.mnt.join("@snapshots/home/1/snapshot/notes")).unwrap(),
        "hello\n"
    );
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(fs.mnt.join("@snapshots/1/info.json")).unwrap())
            .unwrap();
    assert_eq!(v["id"], 1);
    assert_eq!(v["type"], "single");
    assert_eq!(v["importance"], "important");
    assert_eq!(v["creator"], "alice");
    assert_eq!(v["config"], "root");
    assert_eq!(v["description"], "first");

    let list = store.list(ConfigName::Root).unwrap();
    assert_eq!(
        list.iter().map(|e| e.info.id).collect::<Vec<_>>(),
        vec![1, 2]
    );
    assert!(
        list.iter()
            .all(|e| !e.default && !e.active && e.subvolume_id.is_some())
    );
    assert_eq!(store.list(ConfigName::Home).unwrap().len(), 1);

    // A post needs an existing pre.
    let l = lock::acquire(&fs.cfg.lock_file, "test", false, |_| {}).unwrap();
    let post = Create {
        kind: Kind::Post,
        pre_id: Some(2),
        ..Create::single(ConfigName::Root, "x", "t")
    };
    assert!(matches!(
        store.create(&l, &post, &rec),
        Err(StoreError::BadRequest(_))
    ));
    let post = Create {
        kind: Kind::Post,
        pre_id: Some(9),
        ..Create::single(ConfigName::Root, "x", "t")
    };
    assert!(matches!(
        store.create(&l, &post, &rec),
        Err(StoreError::NoSuchSnapshot { id: 9, .. })
    ));
    assert_eq!(
        store.ids(ConfigName::Root).unwrap(),
        vec![1, 2],
        "failed creates leave nothing"
    );
    // A source that is a plain directory, not a subvolume.
    let plain = Store::new(Config {
        home: fs.mnt.join("@/etc"),
        ..fs.cfg.clone()
    });
    let e = plain
        .create(&l, &Create::single(ConfigName::Home, "x", "t"), &rec)
        .unwrap_err();
    assert!(matches!(e, StoreError::NotSubvolume { .. }), "{e:?}");
    assert_eq!(store.ids(ConfigName::Home).unwrap(), vec![1]);
}

#[test]
fn pre_post_diff_and_diff_against_live() {
    let Some(fs) = fs("300M") else { return };
    let store = Store::new(fs.cfg.clone());
    let l = lock::acquire(&fs.cfg.lock_file, "test", false, |_| {}).unwrap();
    let pre = store
        .create(
            &l,
            &Create {
                kind: Kind::Pre,
                ..Create::single(ConfigName::Root, "rm", "aish")
            },
            &NoBootLoader,
        )
        .unwrap();
    std::fs::write(fs.mnt.join("@/etc/marker"), "v2\n").unwrap();
    std::fs::write(fs.mnt.join("@/etc/new.conf"), "x\n").unwrap();
    let post = store
        .create(
            &l,
            &Create {
                kind: Kind::Post,
                pre_id: Some(pre.id),
                ..Create::single(ConfigName::Root, "rm", "aish")
            },
            &NoBootLoader,
        )
        .unwrap();
    assert_eq!(post.pre_id, Some(pre.id));
    let d = store.diff(ConfigName::Root, pre.id, Some(post.id)).unwrap();
    let lines: Vec<String> = d
        .iter()
        .map(|c| format!("{} {}", c.status.letter(), c.path))
        .collect();
    assert_eq!(lines, vec!["c /etc/marker", "+ /etc/new.conf"]);
    // Snapshot vs live: nothing since the post; the live change after it shows.
    assert!(
        store
            .diff(ConfigName::Root, post.id, None)
            .unwrap()
            .is_empty()
    );
    std::fs::remove_file(fs.mnt.join("@/etc/new.conf")).unwrap();
    let d = store.diff(ConfigName::Root, post.id, None).unwrap();
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].path, "/etc/new.conf");
    assert!(matches!(
        store.diff(ConfigName::Root, 42, None),
        Err(StoreError::NoSuchSnapshot { id: 42, .. })
    ));
}

#[test]
fn rollback_makes_a_writable_copy_the_default_and_keeps_a_backup() {
    let Some(fs) = fs("300M") else { return };
    let store = Store::new(fs.cfg.clone());
    let good = single(&store, ConfigName::Root, "good");
    // Break the system.
    std::fs::write(fs.mnt.join("@/etc/marker"), "broken\n").unwrap();
    let rec = Recorder::default();
    let l = lock::acquire(&fs.cfg.lock_file, "test", false, |_| {}).unwrap();
    assert!(matches!(
        store.rollback(&l, 77, &rec),
        Err(StoreError::NoSuchSnapshot { id: 77, .. })
    ));
    assert_eq!(
        store.ids(ConfigName::Root).unwrap(),
        vec![good],
        "a refused rollback creates nothing"
    );
    let r = store.rollback(&l, good, &rec).unwrap();
    drop(l);
    assert_eq!((r.target, r.backup, r.new_default), (good, 2, 3));
    assert!(r.reboot_required);
    assert_eq!(
        *rec.rolled.lock().unwrap(),
        vec![fs.mnt.join("@snapshots/3/snapshot")]
    );

    let backup = fs.mnt.join("@snapshots/2/snapshot");
    assert!(libbtrfsutil::subvolume_read_only(&backup).unwrap());
    assert_eq!(
        std::fs::read_to_string(backup.join("etc/marker")).unwrap(),
        "broken\n"
    );
    let new = fs.mnt.join("@snapshots/3/snapshot");
    assert!(!libbtrfsutil::subvolume_read_only(&new).unwrap());
    assert_eq!(
        std::fs::read_to_string(new.join("etc/marker")).unwrap(),
        "v1\n"
    );
    assert_eq!(
        ainux::btrfs::default_id(&fs.mnt).unwrap(),
        libbtrfsutil::subvolume_id(&new).unwrap()
    );
    let b = store.info(ConfigName::Root, 2).unwrap();
    assert_eq!(b.description, format!("rollback backup before {good}"));
    assert!(b.important());
    assert_eq!(b.kind, Kind::Single);
    let n = store.info(ConfigName::Root, 3).unwrap();
    assert_eq!(
        (n.rollback_of, n.backup_id, n.read_only),
        (Some(good), Some(2), false)
    );

    let list = store.list(ConfigName::Root).unwrap();
    let def: Vec<u64> = list
        .iter()
        .filter(|e| e.default)
        .map(|e| e.info.id)
        .collect();
    assert_eq!(def, vec![3]);

    // Refusals, with metadata intact.
    let l = lock::acquire(&fs.cfg.lock_file, "test", false, |_| {}).unwrap();
    let e = store
        .delete(&l, ConfigName::Root, 3, true, &rec)
        .unwrap_err();
    assert!(matches!(e, StoreError::Refused { id: 3, .. }));
    assert!(e.to_string().contains("default subvolume"), "{e}");
    let e = store
        .delete(&l, ConfigName::Root, 2, false, &rec)
        .unwrap_err();
    assert!(e.to_string().contains("way back"), "{e}");
    assert!(store.info(ConfigName::Root, 2).is_ok() && store.info(ConfigName::Root, 3).is_ok());
    assert!(matches!(
        store.delete(&l, ConfigName::Root, 9, false, &rec),
        Err(StoreError::NoSuchSnapshot { .. })
    ));
    // The source of the default is refused too, unless forced; the writable copy does not
    // depend on it.
    let e = store
        .delete(&l, ConfigName::Root, good, false, &rec)
        .unwrap_err();
    assert!(e.to_string().contains("source of the default"), "{e}");
    store
        .delete(&l, ConfigName::Root, good, true, &rec)
        .unwrap();
    assert!(!fs.mnt.join(format!("@snapshots/{good}")).exists());
    assert_eq!(
        std::fs::read_to_string(new.join("etc/marker")).unwrap(),
        "v1\n"
    );
    // The newest good root snapshot: the backup holds the broken state and is not "good".
    assert_eq!(rec.newest.lock().unwrap().last(), Some(&None));
    drop(l);

    // After the reboot the writable copy is the running root: a second rollback works the same.
    let booted = Store::new(Config {
        root: new.clone(),
        ..fs.cfg.clone()
    });
    let l = lock::acquire(&fs.cfg.lock_file, "test", false, |_| {}).unwrap();
    let e = booted
        .delete(&l, ConfigName::Root, 3, false, &rec)
        .unwrap_err();
    assert!(e.to_string().contains("running root"), "{e}");
    let r2 = booted.rollback(&l, 2, &rec).unwrap();
    assert_eq!((r2.backup, r2.new_default), (4, 5));
    let five = fs.mnt.join("@snapshots/5/snapshot");
    assert_eq!(
        std::fs::read_to_string(five.join("etc/marker")).unwrap(),
        "broken\n"
    );
    // Now 3 is neither default nor running (from the first store's view) and 2 no longer the
    // way back of the default: both may go.
    store.delete(&l, ConfigName::Root, 3, false, &rec).unwrap();
}

#[test]
fn not_btrfs_is_refused_clearly() {
    if !is_root() {
        eprintln!("SKIPPED: needs root");
    }
    let d = tempfile::tempdir().unwrap();
    // /dev/shm is tmpfs on any Linux; fall back to the temp dir, which is not btrfs here either.
    let base = if Path::new("/dev/shm").is_dir() {
        PathBuf::from("/dev/shm")
    } else {
        d.path().to_path_buf()
    };
    if ainux::btrfs::is_btrfs(&base) {
        eprintln!("SKIPPED: {} is btrfs", base.display());
        return;
    }
    let store = Store::new(Config {
        snapshots_dir: base.clone(),
        root: base.clone(),
        home: base.clone(),
        lock_file: d.path().join("lock"),
        ..Config::default()
    });
    let e = store.list(ConfigName::Root).unwrap_err();
    assert!(matches!(e, StoreError::NotBtrfs { .. }));
    assert!(e.to_string().contains("not on btrfs"), "{e}");
    let l = lock::acquire(&d.path().join("lock"), "t", false, |_| {}).unwrap();
    assert!(matches!(
        store.rollback(&l, 1, &NoBootLoader),
        Err(StoreError::NotBtrfs { .. })
    ));
}

#[test]
fn cleanup_applies_number_limit_and_removes_empty_pairs() {
    let Some(mut fs) = fs("300M") else { return };
    fs.cfg.retention.number_limit = 2;
    fs.cfg.retention.number_limit_important = 0;
    fs.cfg.retention.number_min_age_s = 0;
    fs.cfg.retention.empty_pre_post_min_age_s = 0;
    let store = Store::new(fs.cfg.clone());
    let l = lock::acquire(&fs.cfg.lock_file, "test", false, |_| {}).unwrap();
    let mk = |kind, pre_id| {
        store
            .create(
                &l,
                &Create {
                    kind,
                    pre_id,
                    ..Create::single(ConfigName::Root, "c", "tester")
                },
                &NoBootLoader,
            )
            .unwrap()
            .id
    };
    for _ in 0..3 {
        mk(Kind::Single, None);
    }
    let p1 = mk(Kind::Pre, None); // 4
    let q1 = mk(Kind::Post, Some(p1)); // 5: nothing changed
    let p2 = mk(Kind::Pre, None); // 6
    std::fs::write(fs.mnt.join("@/etc/marker"), "changed\n").unwrap();
    let q2 = mk(Kind::Post, Some(p2)); // 7
    let r = store
        .cleanup(&l, ConfigName::Root, ainux::time::now() + 10, &NoBootLoader)
        .unwrap();
    let removed: Vec<(u64, &str)> = r.removed.iter().map(|x| (x.id, x.reason)).collect();
    assert!(
        removed.contains(&(q1, "empty-pre-post")) && removed.contains(&(p1, "empty-pre-post")),
        "{removed:?}"
    );
    // Units left by number: [6,7], 3, 2, 1 -> the newest two units stay.
    assert_eq!(
        store.ids(ConfigName::Root).unwrap(),
        vec![3, p2, q2],
        "{removed:?}"
    );
    assert!(r.errors.is_empty());
    // The non-empty pair's answer is kept in its post's metadata.
    assert_eq!(
        store.info(ConfigName::Root, q2).unwrap().changed,
        Some(true)
    );
    for id in [1, 2, 4, 5] {
        assert!(!fs.mnt.join(format!("@snapshots/{id}")).exists());
    }
}

#[test]
fn space_limit_removes_oldest_until_under() {
    let Some(mut fs) = fs("300M") else { return };
    let store0 = Store::new(fs.cfg.clone());
    // Three snapshots each pinning a distinct 40 MiB file.
    for i in 0..3 {
        let data = vec![i as u8 + 1; 40 << 20];
        std::fs::write(fs.mnt.join("@/big"), &data).unwrap();
        single(&store0, ConfigName::Root, "big");
    }
    std::fs::remove_file(fs.mnt.join("@/big")).unwrap();
    libbtrfsutil::sync(&fs.mnt).unwrap();
    let before = ainux::btrfs::used_fraction(&fs.mnt).unwrap();
    fs.cfg.retention.space_limit = before - 0.05;
    let store = Store::new(fs.cfg.clone());
    let l = lock::acquire(&fs.cfg.lock_file, "test", false, |_| {}).unwrap();
    let r = store
        .cleanup(&l, ConfigName::Root, ainux::time::now(), &NoBootLoader)
        .unwrap();
    assert!(
        !r.removed.is_empty(),
        "over the limit ({before}) but nothing removed"
    );
    assert_eq!(r.removed[0].id, 1, "oldest first: {:?}", r.removed);
    assert!(r.removed.iter().all(|x| x.reason == "space"));
    // Each snapshot pins 40 MiB (over 0.1 of the filesystem): once its space is really free,
    // one removal is enough to get 0.05 under the limit.
    assert_eq!(r.removed.len(), 1, "{:?}", r.removed);
    assert!(r.used_fraction.unwrap() <= fs.cfg.retention.space_limit);
}

#[test]
fn full_filesystem_is_a_clear_error_and_loses_no_metadata() {
    let Some(fs) = fs("300M") else { return };
    let store = Store::new(fs.cfg.clone());
    let first = single(&store, ConfigName::Root, "before full");
    // Fill data and metadata: big files, then many small (inline) ones.
    let mut n = 0u64;
    let full =
        |r: std::io::Result<()>| matches!(r, Err(e) if e.raw_os_error() == Some(libc::ENOSPC));
    loop {
        n += 1;
        if full(std::fs::write(
            fs.mnt.join(format!("@/fill{n}")),
            vec![7u8; 8 << 20],
        )) {
            break;
        }
    }
    std::fs::create_dir(fs.mnt.join("@/small")).unwrap_or(());
    for i in 0..200_000u64 {
        if full(std::fs::write(
            fs.mnt.join(format!("@/small/{i}")),
            vec![1u8; 1800],
        )) {
            break;
        }
    }
    let mut saw_enospc = false;
    let l = lock::acquire(&fs.cfg.lock_file, "test", false, |_| {}).unwrap();
    for _ in 0..20 {
        match store.create(
            &l,
            &Create::single(ConfigName::Root, "on a full fs", "t"),
            &NoBootLoader,
        ) {
            Ok(_) => continue,
            Err(e) => {
                assert!(matches!(e, StoreError::NoSpace { .. }), "{e:?}");
                assert!(e.to_string().contains("filesystem is full"), "{e}");
                saw_enospc = true;
                break;
            }
        }
    }
    assert!(saw_enospc, "never ran out of space");
    // Every listed snapshot has its metadata; the first is untouched.
    let list = store.list(ConfigName::Root).unwrap();
    assert!(
        list.iter()
            .all(|e| !e.info.description.starts_with("(metadata unreadable")),
        "{list:?}"
    );
    assert_eq!(
        store.info(ConfigName::Root, first).unwrap().description,
        "before full"
    );
    // No half-made snapshot directory is left behind.
    for id in store.ids(ConfigName::Root).unwrap() {
        assert!(
            fs.mnt.join(format!("@snapshots/{id}/info.json")).exists(),
            "{id} has no info.json"
        );
    }
}
