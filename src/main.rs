//! The `revdesk` binary: all logic lives in the library.

fn main() -> std::process::ExitCode {
    revdesk::cli::main()
}
