//! Who may read what: root and members of the reader group (`adm`) read everything.

use std::ffi::{CStr, CString};

fn user_name(uid: u32) -> Option<CString> {
    let mut buf = vec![0u8; 16 * 1024];
    // SAFETY: zeroed passwd is a valid out-parameter; buf outlives the call and its result.
    unsafe {
        let mut pw: libc::passwd = std::mem::zeroed();
        let mut out: *mut libc::passwd = std::ptr::null_mut();
        let rc = libc::getpwuid_r(uid, &mut pw, buf.as_mut_ptr().cast(), buf.len(), &mut out);
        if rc != 0 || out.is_null() || pw.pw_name.is_null() {
            return None;
        }
        Some(CStr::from_ptr(pw.pw_name).to_owned())
    }
}

/// The user name of `uid`, if it has one.
pub fn name_of(uid: u32) -> Option<String> {
    user_name(uid).map(|c| c.to_string_lossy().into_owned())
}

/// The uid of a user name (or a number).
pub fn uid_of(name: &str) -> Option<u32> {
    if let Ok(n) = name.parse() {
        return Some(n);
    }
    let c = CString::new(name).ok()?;
    let mut buf = vec![0u8; 16 * 1024];
    // SAFETY: as in user_name.
    unsafe {
        let mut pw: libc::passwd = std::mem::zeroed();
        let mut out: *mut libc::passwd = std::ptr::null_mut();
        let rc = libc::getpwnam_r(
            c.as_ptr(),
            &mut pw,
            buf.as_mut_ptr().cast(),
            buf.len(),
            &mut out,
        );
        if rc != 0 || out.is_null() {
            return None;
        }
        Some(pw.pw_uid)
    }
}

fn group_gid(name: &str) -> Option<u32> {
    let c = CString::new(name).ok()?;
    let mut buf = vec![0u8; 64 * 1024];
    // SAFETY: zeroed group is a valid out-parameter; buf outlives the call.
    unsafe {
        let mut gr: libc::group = std::mem::zeroed();
        let mut out: *mut libc::group = std::ptr::null_mut();
        let rc = libc::getgrnam_r(
            c.as_ptr(),
            &mut gr,
            buf.as_mut_ptr().cast(),
            buf.len(),
            &mut out,
        );
        if rc != 0 || out.is_null() {
            return None;
        }
        Some(gr.gr_gid)
    }
}

/// Whether the peer (uid, primary gid) reads everything: root, or a member of `group`.
pub fn is_privileged(uid: u32, gid: u32, group: &str) -> bool {
    if uid == 0 {
        return true;
    }
    let Some(target) = group_gid(group) else {
        return false;
    };
    if gid == target {
        return true;
    }
    let Some(name) = user_name(uid) else {
        return false;
    };
    let mut n: libc::c_int = 64;
    loop {
        let mut groups = vec![0 as libc::gid_t; n as usize];
        // SAFETY: groups has room for n entries; n is updated with the real count.
        let rc = unsafe { libc::getgrouplist(name.as_ptr(), gid, groups.as_mut_ptr(), &mut n) };
        if rc >= 0 {
            return groups[..n as usize].contains(&target);
        }
        if n > 65536 {
            return false;
        }
        n = n.max(64) * 2;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_is_privileged_and_nobody_is_not() {
        assert!(is_privileged(0, 0, "adm"));
        assert!(!is_privileged(65534, 65534, "adm"));
        assert!(!is_privileged(65534, 65534, "no-such-group-xyz"));
        assert_eq!(uid_of("root"), Some(0));
        assert_eq!(uid_of("1234"), Some(1234));
        assert_eq!(name_of(0).as_deref(), Some("root"));
    }
}
