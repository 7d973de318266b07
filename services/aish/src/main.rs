//! `aish`: thin entry point; everything lives in the library.

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let code = aish::cli::main(&args, &mut std::io::stdout(), &mut std::io::stderr());
    std::process::exit(code);
}
