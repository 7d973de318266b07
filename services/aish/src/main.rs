fn main() {
    let cmd = std::env::args().nth(1).unwrap_or_default();
    let v = aish::danger::check(&cmd);
    println!("{}", serde_json::to_string_pretty(&v).unwrap());
}
