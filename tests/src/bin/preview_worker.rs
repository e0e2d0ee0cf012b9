//! The preview worker of the servers the black-box tests start: the very
//! code `lff preview-worker` runs. The test binary cannot be the worker
//! itself, so the tests point the server's preview program here.

fn main() -> std::process::ExitCode {
    server::previews::run_worker_if_asked().unwrap_or(std::process::ExitCode::from(2))
}
