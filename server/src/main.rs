//! The `lff` binary: parse settings, set up logging, build, bind, serve
//! until SIGTERM or Ctrl-C. Everything else lives in the library.

use std::process::ExitCode;

use clap::Parser;
use server::config::Mode;
use server::{Application, Cli, telemetry};

fn main() -> ExitCode {
    // A preview worker reads no settings and starts no runtime.
    if let Some(code) = server::previews::run_worker_if_asked() {
        return code;
    }
    let (args, mode) = Cli::parse().into_parts();
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
    match mode {
        Mode::Serve => runtime.block_on(run(config)),
        Mode::Demo { materials } => runtime.block_on(demo(config, materials)),
        Mode::Reindex => runtime.block_on(reindex(config)),
        Mode::ResetPassword { login } => runtime.block_on(reset_password(config, &login)),
    }
}

fn print_generated_admin(application: &mut Application) {
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
}

/// A progress bar on the terminal for a long job, counted in `unit`.
fn progress_bar(unit: &str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(0);
    let style = indicatif::ProgressStyle::with_template(&format!(
        "{{bar:40}} {{pos}}/{{len}} {unit} ({{per_sec}}, {{eta}} left)"
    ))
    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    bar.set_style(style);
    bar
}

/// `lff reindex`: rebuild the search index from the database, then exit.
async fn reindex(config: server::Config) -> ExitCode {
    let kept = config.clone();
    let application = match Application::build(config).await {
        Ok(a) => a,
        Err(e) => {
            eprintln!("lff: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("Rebuilding the search index from the database…");
    let bar = progress_bar("documents");
    let result = application
        .app()
        .searching()
        .rebuild_search_index(&|done, total| {
            bar.set_length(total);
            bar.set_position(done);
        })
        .await;
    bar.finish();
    drop(application);
    if !Application::wait_closed(&kept).await {
        tracing::warn!("the database did not close within the shutdown timeout");
    }
    match result {
        Ok(n) => {
            println!("The search index holds {n} documents.");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("lff: rebuilding the search index failed: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `lff admin reset-password LOGIN`: a new password for someone, printed once.
async fn reset_password(config: server::Config, login: &str) -> ExitCode {
    let kept = config.clone();
    let application = match Application::build(config).await {
        Ok(a) => a,
        Err(e) => {
            eprintln!("lff: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = application
        .app()
        .accounts()
        .operator_reset_password(login)
        .await;
    drop(application);
    if !Application::wait_closed(&kept).await {
        tracing::warn!("the database did not close within the shutdown timeout");
    }
    match result {
        Ok(c) => {
            println!(
                "New password for {} (shown only once): {}",
                c.login, c.password
            );
            println!("Failed sign-ins are forgotten and every session of theirs has ended.");
            ExitCode::SUCCESS
        }
        Err(app::Error::NotFound) => {
            eprintln!("lff: nobody signs in as '{login}'");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("lff: the password could not be reset: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `lff demo`: load the demo network into the configured data, then exit.
async fn demo(config: server::Config, materials: u32) -> ExitCode {
    let kept = config.clone();
    let mut application = match Application::build(config).await {
        Ok(a) => a,
        Err(e) => {
            eprintln!("lff: {e}");
            return ExitCode::FAILURE;
        }
    };
    print_generated_admin(&mut application);
    println!("Loading the demo network (this takes a few seconds)…");
    let mut result = application.app().demo().load_demo().await;
    if let Ok(summary) = &mut result
        && materials > 0
    {
        println!("Adding {materials} learning materials in the network's languages…");
        let bar = progress_bar("materials");
        match application
            .app()
            .demo()
            .load_demo_materials(materials, &|done, total| {
                bar.set_length(total);
                bar.set_position(done);
            })
            .await
        {
            Ok(n) => summary.materials_created = n,
            Err(e) => {
                eprintln!("lff: the demo materials could not be loaded: {e}");
                return ExitCode::FAILURE;
            }
        }
        bar.finish_and_clear();
        println!("Indexing them for search…");
        let bar = progress_bar("documents");
        let indexed = application
            .app()
            .searching()
            .rebuild_search_index(&|done, total| {
                bar.set_length(total);
                bar.set_position(done);
            })
            .await;
        bar.finish_and_clear();
        if let Err(e) = indexed {
            eprintln!("lff: the search index could not be built: {e}");
            return ExitCode::FAILURE;
        }
    }
    drop(application);
    let closed = Application::wait_closed(&kept).await;
    let summary = match result {
        Ok(s) => s,
        Err(e) => {
            eprintln!("lff: the demo network could not be loaded: {e}");
            return ExitCode::FAILURE;
        }
    };
    if !closed {
        tracing::warn!("the database did not close within the shutdown timeout");
    }
    if summary.schools_created == 0 && summary.people_created == 0 && summary.materials_created == 0
    {
        println!("The demo network was already loaded; nothing was added.");
    } else {
        println!(
            "Loaded {} schools, {} people and {} materials.",
            summary.schools_created, summary.people_created, summary.materials_created
        );
    }
    println!();
    println!(
        "Demo accounts (adults: password {}; students: password {}):",
        app::demo::DEMO_ADULT_PASSWORD,
        app::demo::DEMO_STUDENT_PASSWORD
    );
    for (role, login) in &summary.sample_logins {
        println!("    {:<22} {}", role.as_str(), login);
    }
    println!(
        "Every national coordinator is nc.<country code> (nc.am … nc.uz); each school has coord.<school>, teacher.<school> and students <school>.p01 … p05."
    );
    println!("Some schools wait for approval: sign in as nc.am and approve one.");
    println!();
    println!("Now start the server: lff   (or cargo run --release)");
    ExitCode::SUCCESS
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
    print_generated_admin(&mut application);
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
