//! Options of common utilities named by everyday words ("side by side" → `diff -y`,
//! "human readable" → `-h`). Written for this project.
//!
//! Line format: `tool: cue=flag; cue=flag …`. A cue is a list of alternatives separated by
//! spaces; an alternative is one word (compared after stemming), `a+b` (both words) or
//! `~some_phrase` (a substring of the folded request, `_` for a space).

use super::{fold, stem};

pub const FLAGS: &str = r#"
ls: long detail details permission permissions owner=-l; hidden dotfile dotfiles ~all_files ~including_hidden=-a; time modification recent newest latest oldest=-t; size largest biggest=-S; reverse reversed=-r; recursive recursively subdirectory=-R; human readable=-h; ~one_per_line=-1
grep: insensitive case-insensitive ignoring+case ~ignore_case ~ignoring_the_case=-i; recursive recursively=-r; invert ~not_match ~don't_match ~do_not_contain ~not_containing ~don't_contain ~that_do_not ~excluding_lines=-v; line+number ~line_numbers=-n; count+line ~number_of_lines ~count_the=-c; filename+only ~names_of_files ~file_names ~list_files=-l; whole+word ~whole_words ~as_a_word=-w; ~only_the_matching ~only_matching ~print_only_the_match=-o; extended regex regular+expression=-E; fixed literal=-F; quiet silent silently=-q
sort: numeric numerically=-n; reverse reversed descending decreasing=-r; unique duplicate duplicates=-u; human+readable=-h; key column field=-k; separator delimiter delimited=-t; random randomly shuffle=-R; version=-V
uniq: count counts occurrence occurrences frequency=-c; duplicate duplicated repeated=-d; ~only_unique ~unique_lines_only ~appear_once=-u; insensitive ~ignoring_case=-i
wc: line lines=-l; word words=-w; character characters char chars=-m; byte bytes=-c
du: summary summarize total=-s; human readable=-h; ~max_depth ~maximum_depth=--max-depth
df: human readable=-h; inode inodes=-i; type+filesystem=-T
head: line lines first=-n; byte bytes=-c
tail: follow continuously ~real_time ~as_it_grows ~new_lines=-f; line lines last=-n; byte bytes=-c
cut: delimiter separator delimited separated=-d; field fields column columns=-f; character characters char=-c
rm: recursive recursively directory folder tree=-r; force forcefully forced=-f; interactive confirm confirmation prompt=-i; verbose=-v
cp: recursive recursively directory folder tree=-r; preserve preserving=-p; verbose=-v; ~don't_overwrite ~no_clobber=-n; interactive=-i; update newer=-u
mv: force=-f; interactive prompt=-i; verbose=-v; ~don't_overwrite ~no_clobber ~not_overwrite=-n; backup=-b
mkdir: parent parents nested intermediate missing ~path_to=-p; verbose=-v; mode permission=-m
chmod: recursive recursively tree subdirectory=-R; verbose=-v
chown: recursive recursively tree subdirectory=-R; verbose=-v
chgrp: recursive recursively tree subdirectory=-R
diff: side ~side-by-side=-y; recursive recursively directory directories folder=-r; brief ~whether ~which_files ~files_differ=-q; unified=-u; ~ignore_whitespace ~ignoring_whitespace ~ignoring_white=-w; ~ignore_case ~ignoring_case=-i
ping: count times packet packets ~number_of=-c; interval=-i; timeout deadline=-w
ssh: tty terminal pseudo pseudo-terminal=-t; port=-p; identity key=-i; forward tunnel=-L; verbose=-v
split: byte bytes size=-b; line lines=-l; numeric+suffix ~numeric_suffixes=-d
ps: every everyone ~all_processes ~all_the_processes=-e; full=-f; user=-u
kill: force forcefully forced ~for_sure ~sigkill=-9
pkill: force forcefully ~sigkill=-9; exact=-x; user=-u
rsync: archive preserve recursive recursively=-a; verbose=-v; compress compression=-z; progress=--progress; exclude excluding=--exclude; delete=--delete; ~dry_run=-n
curl: output save=-o; silent silently quiet=-s; follow redirect redirects=-L; header headers=-H; ~post_data data=-d; include=-i; ~head_request ~only_headers=-I
wget: output save=-O; continue resume=-c; recursive recursively mirror=-r; quiet silent=-q
cat: ~number_all ~line_numbers ~number_the_lines numbered=-n; ~non-printing nonprinting ~show_tabs ~show_all=-A; squeeze=-s
ln: symbolic symlink soft=-s; force overwrite=-f
read: prompt=-p; silent password secret ~without_echo=-s; backslash backslashes raw=-r; timeout=-t; array=-a; character characters=-n
echo: ~without_newline ~no_newline ~without_a_trailing ~no_trailing ~without_trailing=-n; escape escapes interpret interpreting backslash=-e
awk: delimiter separator delimited separated=-F
history: clear=-c
top: batch=-b; iteration iterations times=-n; pid process=-p
tee: append appending=-a
touch: access=-a; ~modification_time=-m; reference=-r; date timestamp=-d
uname: ~all_system ~all_information ~all_info=-a; ~kernel_release release=-r; machine architecture=-m; ~kernel_version=-v; nodename ~network_node=-n; ~kernel_name=-s
mount: type=-t; option options readonly read-only remount=-o
zip: recursive recursively directory folder=-r
unzip: list=-l; destination directory folder into=-d; overwrite=-o
gzip: decompress uncompress=-d; keep=-k; recursive recursively=-r; verbose=-v; best maximum=-9
bzip2: decompress uncompress=-d; keep=-k; verbose=-v
screen: detach detached background=-d -m; reattach resume reconnect=-r; log logging=-L; name session=-S
shopt: enable set turn=-s; disable unset=-u
mktemp: directory folder=-d
pstree: argument arguments ~command_line=-a; pid pids=-p
md5sum: check verify=-c
tr: delete remove=-d; squeeze=-s; complement=-c
paste: serial=-s; delimiter separator=-d
column: table=-t; separator delimiter=-s
hexdump: canonical=-C
netstat: listen listening=-l; tcp=-t; udp=-u; numeric=-n; program process pid=-p
ss: listen listening=-l; tcp=-t; udp=-u; numeric=-n; program process pid=-p
lsof: port network internet=-i
free: human readable=-h; megabyte megabytes=-m; gigabyte gigabytes=-g
xargs: ~null_character ~null-terminated ~print0=-0; parallel=-P
tar: extract unpack decompress untar=-x; create archive compress=-c; gzip gz gzipped=-z; bzip2 bz2=-j; list ~table_of_contents=-t; verbose=-v; ~extract ~create ~list archive=-f
date: utc universal=-u
who: boot=-b
last: reboot=-x
journalctl: follow=-f; unit service=-u; boot=-b; priority error errors=-p
systemctl: ~all_units=--all
"#;

/// Flags of `tool` cued by the request, in table order, without duplicates.
pub fn flags_for(tool: &str, norm: &[String], req: &str) -> Vec<String> {
    let Some(line) = FLAGS
        .lines()
        .find(|l| l.split_once(':').is_some_and(|(t, _)| t.trim() == tool))
    else {
        return vec![];
    };
    let raw = fold(req);
    let has = |w: &str| {
        let w = stem(&fold(w));
        norm.contains(&w)
    };
    let mut out: Vec<String> = Vec::new();
    let body = line.split_once(':').map(|(_, b)| b).unwrap_or("");
    for entry in body.split(';') {
        let Some((cue, flag)) = entry.rsplit_once('=') else {
            continue;
        };
        let hit = cue.split_whitespace().any(|alt| {
            if let Some(phrase) = alt.strip_prefix('~') {
                raw.contains(&phrase.replace('_', " "))
            } else {
                alt.split('+').all(has)
            }
        });
        if hit {
            for f in flag.split_whitespace() {
                if !out.iter().any(|o| o == f) {
                    out.push(f.to_string());
                }
            }
        }
    }
    out
}
