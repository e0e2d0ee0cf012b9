//! The `lff` binary: parse settings, set up logging, build, bind, serve
//! until SIGTERM or Ctrl-C. Everything else lives in the library.

use std::process::ExitCode;

use clap::Parser;
use server::{Application, Cli, telemetry};

fn main() -> ExitCode {
    let args = Cli::parse().into_serve_args();
    let config = match args.into_config() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("lff: {e}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(&config.log, config.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("lff: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(run(config))
}

async fn run(config: server::Config) -> ExitCode {
    let listen = config.listen;
    let kept = config.clone();
    let mut application = match Application::build(config).await {
        Ok(a) => a,
        Err(e) => {
            eprintln!("lff: {e}");
            return ExitCode::FAILURE;
        }
    };
    let listener = match tokio::net::TcpListener::bind(listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("lff: cannot listen on {listen} (LFF_LISTEN): {e}");
            return ExitCode::FAILURE;
        }
    };
    let addr = listener.local_addr().unwrap_or(listen);
    tracing::info!(%addr, "serving");
    println!("LFF is serving on http://{addr}/ (GraphQL at /graphql, WebSocket at /graphql/ws)");
    if let Some(c) = application.take_generated_admin() {
        println!();
        println!("A platform administrator was created. This password is shown only once:");
        println!("    login:    {}", c.login);
        println!("    password: {}", c.password);
        println!(
            "Sign in with the GraphQL mutation login(login, password), or set LFF_ADMIN_PASSWORD on the first start."
        );
        println!();
    }
    let served = application.serve(listener, shutdown_signal()).await;
    // Every handle is gone now; let the embedded database finish closing.
    if !Application::wait_closed(&kept).await {
        tracing::warn!("the database did not close within the shutdown timeout");
    }
    match served {
        Ok(()) => {
            tracing::info!("stopped");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("lff: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
