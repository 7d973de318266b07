use super::*;

fn lvl(cmd: &str) -> Level {
    check(cmd).level
}
