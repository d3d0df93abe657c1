fn main() -> std::process::ExitCode {
    spci::cli::main()
}
