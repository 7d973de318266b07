//! `aish`: thin entry point; everything lives in the library.

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let code = aish::session::main(&args);
    std::process::exit(code);
}
