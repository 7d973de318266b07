//! Which snapshots to remove: a pure function of the snapshots, the clock and the limits
//! (snapper's cleanup algorithms), tested exhaustively; `store::cleanup` performs the plan.
//!
//! - A pre snapshot and its post form one *unit*: they are kept or removed together, count as
//!   one, are as old as the post (or the pre while the post is missing) and important when
//!   either is.
//! - Protected units (the default subvolume, the running root, the backup that is the way back
//!   from a pending rollback) are never removed.
//! - Empty pairs (nothing changed between pre and post) older than the empty min age go first.
//! - Timer snapshots follow the timeline algorithm: the first (oldest) snapshot of each of the
//!   newest `hourly` hours, `daily` days, `monthly` months and `yearly` years (UTC) is kept.
//! - Every other unit follows the number algorithm: the newest `number_limit` are kept, and
//!   among the important ones the newest `number_limit_important` too.
//! - Nothing younger than the algorithm's min age is removed by it.
//! - When the filesystem is over the space limit, the driver removes [`Plan::space`] in order
//!   (normal before important, oldest first) until it is under.

use crate::config::Retention;
use crate::meta::Kind;
use crate::time::civil;
use std::collections::{BTreeMap, BTreeSet};

/// One snapshot as the selection sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Snap {
    pub id: u64,
    pub time: i64,
    pub kind: Kind,
    pub pre_id: Option<u64>,
    pub important: bool,
    /// Taken by the timer: the timeline algorithm applies.
    pub timeline: bool,
    pub protected: bool,
    /// For a post snapshot: nothing changed since its pre.
    pub empty_pair: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reason {
    EmptyPrePost,
    Number,
    Timeline,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::EmptyPrePost => "empty-pre-post",
            Reason::Number => "number",
            Reason::Timeline => "timeline",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Plan {
    /// To remove now, posts before their pres.
    pub delete: Vec<(u64, Reason)>,
    /// To remove, in this order, while the filesystem is over the space limit.
    pub space: Vec<u64>,
}

#[derive(Debug, Clone)]
struct Unit {
    /// Newest id first (post, pre).
    ids: Vec<u64>,
    newest_id: u64,
    time: i64,
    first_time: i64,
    important: bool,
    timeline: bool,
    protected: bool,
    empty: bool,
}

fn units(snaps: &[Snap]) -> Vec<Unit> {
    let by_id: BTreeMap<u64, &Snap> = snaps.iter().map(|s| (s.id, s)).collect();
    let mut paired: BTreeSet<u64> = BTreeSet::new();
    let mut out = Vec::new();
    // Posts whose pre exists claim it (the first post claims it when several point at it).
    for s in snaps {
        if s.kind != Kind::Post {
            continue;
        }
        let pre = s
            .pre_id
            .and_then(|p| by_id.get(&p).copied())
            .filter(|p| p.kind == Kind::Pre && !paired.contains(&p.id));
        let mut members = vec![s];
        if let Some(p) = pre {
            paired.insert(p.id);
            members.push(p);
        }
        paired.insert(s.id);
        out.push(Unit {
            ids: members.iter().map(|m| m.id).collect(),
            newest_id: s.id,
            time: members.iter().map(|m| m.time).max().unwrap_or(s.time),
            first_time: members.iter().map(|m| m.time).min().unwrap_or(s.time),
            important: members.iter().any(|m| m.important),
            timeline: members.iter().all(|m| m.timeline),
            protected: members.iter().any(|m| m.protected),
            empty: pre.is_some() && s.empty_pair,
        });
    }
    for s in snaps {
        if paired.contains(&s.id) {
            continue;
        }
        out.push(Unit {
            ids: vec![s.id],
            newest_id: s.id,
            time: s.time,
            first_time: s.time,
            important: s.important,
            timeline: s.timeline,
            protected: s.protected,
            empty: false,
        });
    }
    out.sort_by_key(|u| std::cmp::Reverse(u.newest_id));
    out
}

/// The plan for one config's snapshots at time `now`.
pub fn select(snaps: &[Snap], now: i64, r: &Retention) -> Plan {
    let all = units(snaps);
    let mut gone: BTreeMap<u64, Reason> = BTreeMap::new(); // newest_id -> reason
    let age = |u: &Unit| now - u.time;

    if r.empty_pre_post {
        for u in &all {
            if u.empty && !u.protected && age(u) >= r.empty_pre_post_min_age_s {
                gone.insert(u.newest_id, Reason::EmptyPrePost);
            }
        }
    }

    // Number: newest first.
    let mut seen_important = 0usize;
    let numbered: Vec<&Unit> = all
        .iter()
        .filter(|u| !u.timeline && !gone.contains_key(&u.newest_id))
        .collect();
    for (seen, u) in numbered.into_iter().enumerate() {
        let keep_n = seen < r.number_limit;
        let keep_i = u.important && seen_important < r.number_limit_important;
        if u.important {
            seen_important += 1;
        }
        if !(keep_n || keep_i || u.protected || age(u) < r.number_min_age_s) {
            gone.insert(u.newest_id, Reason::Number);
        }
    }

    // Timeline: the first of each of the newest N periods.
    let timeline: Vec<&Unit> = all
        .iter()
        .filter(|u| u.timeline && !gone.contains_key(&u.newest_id))
        .collect();
    let mut keep: BTreeSet<u64> = BTreeSet::new();
    type Key = fn(i64) -> (i64, u32, u32, u32);
    let periods: [(usize, Key); 4] = [
        (r.timeline_hourly, |t| {
            let c = civil(t);
            (c.year, c.month, c.day, c.hour + 1)
        }),
        (r.timeline_daily, |t| {
            let c = civil(t);
            (c.year, c.month, c.day, 0)
        }),
        (r.timeline_monthly, |t| {
            let c = civil(t);
            (c.year, c.month, 0, 0)
        }),
        (r.timeline_yearly, |t| (civil(t).year, 0, 0, 0)),
    ];
    for (limit, key) in periods {
        if limit == 0 {
            continue;
        }
        // bucket -> first (oldest time, then lowest id) unit in it
        let mut first: BTreeMap<(i64, u32, u32, u32), (i64, u64)> = BTreeMap::new();
        for u in &timeline {
            let e = first
                .entry(key(u.first_time))
                .or_insert((u.first_time, u.newest_id));
            if (u.first_time, u.newest_id) < *e {
                *e = (u.first_time, u.newest_id);
            }
        }
        for (_, (_, id)) in first.iter().rev().take(limit) {
            keep.insert(*id);
        }
    }
    for u in &timeline {
        if !(keep.contains(&u.newest_id) || u.protected || age(u) < r.timeline_min_age_s) {
            gone.insert(u.newest_id, Reason::Timeline);
        }
    }

    let mut plan = Plan::default();
    for u in &all {
        if let Some(reason) = gone.get(&u.newest_id) {
            plan.delete.extend(u.ids.iter().map(|id| (*id, *reason)));
        }
    }
    let mut rest: Vec<&Unit> = all
        .iter()
        .filter(|u| !u.protected && !gone.contains_key(&u.newest_id))
        .collect();
    rest.sort_by_key(|u| (u.important, u.time, u.newest_id));
    plan.space = rest.iter().flat_map(|u| u.ids.iter().copied()).collect();
    plan
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3600;
    const D: i64 = 86_400;
    // 2024-03-15 12:00:00 UTC
    const NOW: i64 = 1_710_504_000;

    fn single(id: u64, time: i64) -> Snap {
        Snap {
            id,
            time,
            kind: Kind::Single,
            pre_id: None,
            important: false,
            timeline: false,
            protected: false,
            empty_pair: false,
        }
    }
    fn timer(id: u64, time: i64) -> Snap {
        Snap {
            timeline: true,
            ..single(id, time)
        }
    }
    fn pre(id: u64, time: i64) -> Snap {
        Snap {
            kind: Kind::Pre,
            ..single(id, time)
        }
    }
    fn post(id: u64, pre: u64, time: i64, empty: bool) -> Snap {
        Snap {
            kind: Kind::Post,
            pre_id: Some(pre),
            empty_pair: empty,
            ..single(id, time)
        }
    }
    fn deleted(p: &Plan) -> Vec<u64> {
        let mut v: Vec<u64> = p.delete.iter().map(|d| d.0).collect();
        v.sort();
        v
    }
    fn limits(n: usize, ni: usize) -> Retention {
        Retention {
            number_limit: n,
            number_limit_important: ni,
            ..Retention::default()
        }
    }

    #[test]
    fn nothing_to_do_under_the_limits() {
        let snaps: Vec<Snap> = (1..=5).map(|i| single(i, NOW - D * i as i64)).collect();
        assert!(select(&snaps, NOW, &Retention::default()).delete.is_empty());
        assert!(select(&[], NOW, &Retention::default()).delete.is_empty());
    }

    #[test]
    fn number_limit_keeps_the_newest() {
        let snaps: Vec<Snap> = (1..=60)
            .map(|i| single(i, NOW - D * (61 - i as i64)))
            .collect();
        let p = select(&snaps, NOW, &Retention::default());
        assert_eq!(deleted(&p), (1..=10).collect::<Vec<_>>());
        assert!(p.delete.iter().all(|d| d.1 == Reason::Number));
    }

    #[test]
    fn important_snapshots_have_their_own_limit() {
        // ids 1..=8 old; 1,2,3 important; number limit 3, important limit 2
        let mut snaps: Vec<Snap> = (1..=8)
            .map(|i| single(i, NOW - D * (10 - i as i64)))
            .collect();
        for s in snaps.iter_mut().take(3) {
            s.important = true;
        }
        let p = select(&snaps, NOW, &limits(3, 2));
        // kept: 8,7,6 by number, 3,2 as the newest important -> 1,4,5 go
        assert_eq!(deleted(&p), vec![1, 4, 5]);
    }

    #[test]
    fn young_snapshots_survive_the_number_limit() {
        let snaps: Vec<Snap> = (1..=5)
            .map(|i| single(i, NOW - 60 * (6 - i as i64)))
            .collect();
        assert!(select(&snaps, NOW, &limits(1, 0)).delete.is_empty());
        let r = Retention {
            number_min_age_s: 0,
            ..limits(1, 0)
        };
        assert_eq!(deleted(&select(&snaps, NOW, &r)), vec![1, 2, 3, 4]);
    }

    #[test]
    fn protected_snapshots_are_never_selected() {
        let mut snaps: Vec<Snap> = (1..=5)
            .map(|i| single(i, NOW - D * (6 - i as i64)))
            .collect();
        snaps[0].protected = true;
        let p = select(&snaps, NOW, &limits(1, 0));
        assert_eq!(deleted(&p), vec![2, 3, 4]);
        assert!(!p.space.contains(&1));
    }

    #[test]
    fn a_pair_is_one_unit_removed_together_post_first() {
        let snaps = vec![
            pre(1, NOW - 10 * D),
            post(2, 1, NOW - 10 * D + 60, false),
            single(3, NOW - 5 * D),
            pre(4, NOW - 2 * D),
            post(5, 4, NOW - 2 * D + 5, false),
        ];
        let p = select(&snaps, NOW, &limits(2, 0));
        assert_eq!(p.delete, vec![(2, Reason::Number), (1, Reason::Number)]);
    }

    #[test]
    fn a_protected_pre_keeps_its_post() {
        let mut snaps = vec![
            pre(1, NOW - 10 * D),
            post(2, 1, NOW - 10 * D, false),
            single(3, NOW - D),
        ];
        snaps[0].protected = true;
        assert!(select(&snaps, NOW, &limits(1, 0)).delete.is_empty());
    }

    #[test]
    fn empty_pairs_go_when_old_enough() {
        let snaps = vec![
            pre(1, NOW - 2 * H),
            post(2, 1, NOW - 2 * H, true),
            pre(3, NOW - 2 * H),
            post(4, 3, NOW - 2 * H, false),
            pre(5, NOW - 60),
            post(6, 5, NOW - 60, true),
        ];
        let p = select(&snaps, NOW, &Retention::default());
        assert_eq!(
            p.delete,
            vec![(2, Reason::EmptyPrePost), (1, Reason::EmptyPrePost)]
        );
        let off = Retention {
            empty_pre_post: false,
            ..Retention::default()
        };
        assert!(select(&snaps, NOW, &off).delete.is_empty());
    }

    #[test]
    fn a_lone_pre_or_orphan_post_is_a_unit_of_its_own() {
        let snaps = vec![
            pre(1, NOW - 3 * D),
            post(7, 99, NOW - 2 * D, true),
            single(8, NOW - D),
        ];
        let p = select(&snaps, NOW, &limits(1, 0));
        assert_eq!(deleted(&p), vec![1, 7]);
        assert!(p.delete.iter().all(|d| d.1 == Reason::Number));
    }

    #[test]
    fn hourly_timeline_keeps_the_first_of_each_of_the_last_hours() {
        // Two timer snapshots per hour for 24 hours: at :00 and :30.
        let mut snaps = Vec::new();
        let mut id = 0;
        for h in (1..=24).rev() {
            for m in [0, 30] {
                id += 1;
                snaps.push(timer(id, NOW - h * H + m * 60));
            }
        }
        let r = Retention {
            timeline_hourly: 10,
            timeline_daily: 0,
            timeline_monthly: 0,
            timeline_yearly: 0,
            ..Retention::default()
        };
        let p = select(&snaps, NOW, &r);
        let kept: Vec<u64> = (1..=id).filter(|i| !deleted(&p).contains(i)).collect();
        // The last 10 hours' :00 snapshots: hours 10..=1 before now -> ids 29,31,...,47.
        assert_eq!(kept, (0..10).map(|k| 29 + 2 * k).collect::<Vec<_>>());
        assert!(p.delete.iter().all(|d| d.1 == Reason::Timeline));
    }

    #[test]
    fn daily_monthly_and_yearly_buckets_stack() {
        // One timer snapshot a day at 06:00 for 800 days.
        let first_day = NOW - 800 * D;
        let snaps: Vec<Snap> = (0..800)
            .map(|d| timer(d as u64 + 1, first_day + d * D - 6 * H))
            .collect();
        let r = Retention {
            timeline_hourly: 0,
            timeline_daily: 10,
            timeline_monthly: 10,
            timeline_yearly: 2,
            ..Retention::default()
        };
        let p = select(&snaps, NOW, &r);
        let gone: BTreeSet<u64> = p.delete.iter().map(|d| d.0).collect();
        let kept: Vec<&Snap> = snaps.iter().filter(|s| !gone.contains(&s.id)).collect();
        // 10 daily (the newest 10 days), 10 monthly firsts, 2 yearly firsts, possibly shared.
        let days: BTreeSet<(i64, u32, u32)> = kept
            .iter()
            .map(|s| {
                let c = civil(s.time);
                (c.year, c.month, c.day)
            })
            .collect();
        assert!(kept.len() <= 22 && kept.len() >= 12, "{}", kept.len());
        assert_eq!(days.len(), kept.len());
        for s in snaps.iter().rev().take(10) {
            assert!(!gone.contains(&s.id), "recent day {} removed", s.id);
        }
        // every kept snapshot older than the daily window is the first of its month or year
        for s in kept.iter().filter(|s| s.id <= 790) {
            let c = civil(s.time);
            assert_eq!(c.day, 1, "{} is kept but not the first of its month", s.id);
        }
        let years: BTreeSet<i64> = kept.iter().map(|s| civil(s.time).year).collect();
        assert!(years.len() >= 2);
    }

    #[test]
    fn timeline_and_number_are_independent() {
        let mut snaps: Vec<Snap> = (1..=5)
            .map(|i| timer(i, NOW - (6 - i as i64) * H))
            .collect();
        snaps.extend((6..=8).map(|i| single(i, NOW - D * (9 - i as i64))));
        let p = select(&snaps, NOW, &limits(1, 0));
        // all five timer snapshots are in distinct recent hours: kept; number keeps only 8
        assert_eq!(deleted(&p), vec![6, 7]);
    }

    #[test]
    fn timeline_all_zero_keeps_only_young_ones() {
        let snaps = vec![timer(1, NOW - 3 * H), timer(2, NOW - 60)];
        let r = Retention {
            timeline_hourly: 0,
            timeline_daily: 0,
            timeline_monthly: 0,
            timeline_yearly: 0,
            ..Retention::default()
        };
        assert_eq!(deleted(&select(&snaps, NOW, &r)), vec![1]);
    }

    #[test]
    fn space_candidates_normal_oldest_first_then_important() {
        let mut snaps = vec![
            single(1, NOW - 5 * D),
            single(2, NOW - 4 * D),
            single(3, NOW - 3 * D),
            pre(4, NOW - 2 * D),
            post(5, 4, NOW - 2 * D, false),
        ];
        snaps[0].important = true;
        snaps[2].protected = true;
        let p = select(&snaps, NOW, &Retention::default());
        assert!(p.delete.is_empty());
        assert_eq!(p.space, vec![2, 5, 4, 1]);
    }

    /// Invariants over many pseudo-random snapshot sets (a fixed LCG, so failures reproduce).
    #[test]
    fn invariants_hold_for_random_sets() {
        let mut seed: u64 = 0x5eed;
        let mut rnd = |n: u64| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) % n
        };
        for _case in 0..400 {
            let count = rnd(80) + 1;
            let mut snaps: Vec<Snap> = Vec::new();
            let mut t = NOW - 400 * D;
            for id in 1..=count {
                t += (rnd(20 * H as u64) as i64).max(1);
                let t = t.min(NOW);
                let mut s = match rnd(6) {
                    0 | 1 => timer(id, t),
                    2 => pre(id, t),
                    3 if snaps.last().is_some_and(|p| p.kind == Kind::Pre) => {
                        post(id, id - 1, t, rnd(2) == 0)
                    }
                    _ => single(id, t),
                };
                s.important = rnd(5) == 0;
                s.protected = rnd(15) == 0;
                snaps.push(s);
            }
            let r = Retention {
                number_limit: rnd(12) as usize,
                number_limit_important: rnd(4) as usize,
                timeline_hourly: rnd(12) as usize,
                timeline_daily: rnd(12) as usize,
                timeline_monthly: rnd(4) as usize,
                timeline_yearly: rnd(2) as usize,
                ..Retention::default()
            };
            let p = select(&snaps, NOW, &r);
            let gone: BTreeSet<u64> = p.delete.iter().map(|d| d.0).collect();
            assert_eq!(gone.len(), p.delete.len(), "a snapshot deleted twice");
            let by_id: BTreeMap<u64, &Snap> = snaps.iter().map(|s| (s.id, s)).collect();
            for s in &snaps {
                // A pair shares its fate.
                if s.kind == Kind::Post
                    && let Some(pre) = s.pre_id.and_then(|i| by_id.get(&i))
                    && pre.kind == Kind::Pre
                {
                    assert_eq!(
                        gone.contains(&s.id),
                        gone.contains(&pre.id),
                        "pair {} split",
                        s.id
                    );
                    if s.protected || pre.protected {
                        assert!(!gone.contains(&s.id));
                    }
                }
                if s.protected {
                    assert!(!gone.contains(&s.id), "protected {} deleted", s.id);
                    assert!(!p.space.contains(&s.id));
                }
                if NOW - s.time < 1800 && s.kind == Kind::Single {
                    assert!(!gone.contains(&s.id), "young {} deleted", s.id);
                }
                assert!(!(gone.contains(&s.id) && p.space.contains(&s.id)));
            }
            // Within its limit the number algorithm removes nothing (every number unit holds
            // at least one non-timer snapshot).
            if snaps.iter().filter(|s| !s.timeline).count() <= r.number_limit {
                assert!(p.delete.iter().all(|d| d.1 != Reason::Number));
            }
            // Posts come before their pres in the delete order.
            for (i, (id, _)) in p.delete.iter().enumerate() {
                if let Some(s) = by_id.get(id)
                    && s.kind == Kind::Post
                    && let Some(pre) = s.pre_id
                    && let Some(j) = p.delete.iter().position(|d| d.0 == pre)
                {
                    assert!(i < j);
                }
            }
        }
    }
}
